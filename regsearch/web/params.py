"""Request parameters -> `SearchQuery`, with bounds. Shared by the HTML pages and the JSON API.

The parameters mirror the CLI options: q, status, level, authority, region,
collection, from, to, as_of, sort, page, limit, articles. Multi-valued filters
are repeated (`?status=现行有效&status=已修改`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from regsearch.errors import BadQuery
from regsearch.model import SearchQuery, Status

SORTS = ("relevance", "newest", "oldest")
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


class BadParam(BadQuery):
    """A request parameter is out of bounds or malformed (HTTP 400)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _limit(config: Mapping[str, Any], key: str) -> int:
    return int(config.get(key, DEFAULT_LIMITS[key]))


def parse_date(value: str | None, name: str) -> str | None:
    """An ISO date (YYYY-MM-DD) or None; anything else is a 400."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return _dt.date.fromisoformat(value).isoformat()
    except ValueError:
        message = f"参数 {name} 不是有效日期：{value}（应为 YYYY-MM-DD）"
        raise BadParam("bad_date", message) from None


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
        known = {s.value for s in Status}
        unknown = [v for v in values if v not in known]
        if unknown:
            choices = "、".join(s.value for s in Status)
            raise BadParam("bad_status", f"未知的时效状态：{unknown[0]}（可选：{choices}）")
    return values


def parse_search(args: MultiDict, config: Mapping[str, Any]) -> SearchQuery:
    """Validate the search parameters and build the `SearchQuery` (raises `BadParam`)."""
    q = " ".join((args.get("q") or "").split())
    longest = _limit(config, "MAX_QUERY_LENGTH")
    if len(q) > longest:
        raise BadParam("query_too_long", f"查询过长：最多 {longest} 个字符")
    sort = (args.get("sort") or "relevance").strip() or "relevance"
    if sort not in SORTS:
        raise BadParam("bad_sort", f"未知的排序方式：{sort}（可选：relevance、newest、oldest）")
    date_from = parse_date(args.get("from"), "from")
    date_to = parse_date(args.get("to"), "to")
    if date_from and date_to and date_from > date_to:
        raise BadParam("bad_date_range", f"起始日期 {date_from} 晚于截止日期 {date_to}")
    filters = {name: parse_filter(args, name, config) for name in FILTERS}
    return SearchQuery(
        q=q,
        date_from=date_from,
        date_to=date_to,
        as_of=parse_date(args.get("as_of"), "as_of"),
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
    return parse_date(args.get("as_of"), "as_of")
