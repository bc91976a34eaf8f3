"""Request parameters -> `SearchQuery`, with bounds. Shared by the HTML pages and the JSON API.

The parameters mirror the CLI options: q, status, level, authority, region,
collection, from, to, as_of, sort, page, limit, articles. Multi-valued filters
are repeated (`?status=现行有效&status=已修改`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from regsearch.model import SearchQuery
from regsearch.search.params import (
    SORTS,
    BadParam,
    check_date,
    check_range,
    check_sort,
    check_statuses,
)

__all__ = ["SORTS", "BadParam", "parse_search", "query_to_args", "parse_doc_as_of"]

FILTERS = ("status", "level", "authority", "region", "collection")
TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"", "0", "false", "no", "off"}

DEFAULT_LIMITS: dict[str, int] = {
    "MAX_QUERY_LENGTH": 200,  # characters
    "MAX_PAGE": 100,
    "MAX_PER_PAGE": 50,
    "DEFAULT_PER_PAGE": 10,
    "MAX_FILTER_VALUES": 20,  # values per filter
    "MAX_FILTER_LENGTH": 100,  # characters per filter value
}


def _limit(config: Mapping[str, Any], key: str) -> int:
    return int(config.get(key, DEFAULT_LIMITS[key]))


def parse_int(value: str | None, name: str, default: int, low: int, high: int) -> int:
    value = (value or "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadParam("bad_number", f"参数 {name} 应为整数：{value}") from None
    if not low <= number <= high:
        raise BadParam("out_of_range", f"参数 {name} 应在 {low} 到 {high} 之间：{number}")
    return number


def parse_bool(value: str | None, name: str) -> bool:
    value = (value or "").strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise BadParam("bad_flag", f"参数 {name} 应为 1 或 0：{value}")


def parse_filter(args: MultiDict, name: str, config: Mapping[str, Any]) -> list[str]:
    """A repeated filter parameter: blanks dropped, duplicates removed, order kept."""
    values: list[str] = []
    for raw in args.getlist(name):
        value = raw.strip()
        if value and value not in values:
            values.append(value)
    most = _limit(config, "MAX_FILTER_VALUES")
    if len(values) > most:
        raise BadParam("too_many_values", f"参数 {name} 的取值过多（最多 {most} 个）")
    longest = _limit(config, "MAX_FILTER_LENGTH")
    if any(len(v) > longest for v in values):
        raise BadParam("too_long", f"参数 {name} 的取值过长（最多 {longest} 个字符）")
    if name == "status":
        check_statuses(values)
    return values


def parse_search(args: MultiDict, config: Mapping[str, Any]) -> SearchQuery:
    """Validate the search parameters and build the `SearchQuery` (raises `BadParam`)."""
    q = " ".join((args.get("q") or "").split())
    longest = _limit(config, "MAX_QUERY_LENGTH")
    if len(q) > longest:
        raise BadParam("query_too_long", f"查询过长：最多 {longest} 个字符")
    sort = check_sort((args.get("sort") or "relevance").strip() or "relevance")
    date_from, date_to = check_range(args.get("from"), args.get("to"))
    filters = {name: parse_filter(args, name, config) for name in FILTERS}
    return SearchQuery(
        q=q,
        date_from=date_from,
        date_to=date_to,
        as_of=check_date(args.get("as_of"), "时效日期"),
        sort=sort,
        page=parse_int(args.get("page"), "page", 1, 1, _limit(config, "MAX_PAGE")),
        per_page=parse_int(
            args.get("limit"),
            "limit",
            _limit(config, "DEFAULT_PER_PAGE"),
            1,
            _limit(config, "MAX_PER_PAGE"),
        ),
        articles=parse_bool(args.get("articles"), "articles"),
        **filters,
    )


def query_to_args(query: SearchQuery, config: Mapping[str, Any]) -> MultiDict:
    """The inverse of `parse_search`: the URL parameters for `query` (defaults left out)."""
    args: MultiDict = MultiDict()
    if query.q:
        args.add("q", query.q)
    for name in FILTERS:
        for value in getattr(query, name):
            args.add(name, value)
    if query.date_from:
        args.add("from", query.date_from)
    if query.date_to:
        args.add("to", query.date_to)
    if query.as_of:
        args.add("as_of", query.as_of)
    if query.sort != "relevance":
        args.add("sort", query.sort)
    if query.per_page != _limit(config, "DEFAULT_PER_PAGE"):
        args.add("limit", str(query.per_page))
    if query.articles:
        args.add("articles", "1")
    if query.page != 1:
        args.add("page", str(query.page))
    return args


def parse_doc_as_of(args: MultiDict) -> str | None:
    return check_date(args.get("as_of"), "时效日期")
