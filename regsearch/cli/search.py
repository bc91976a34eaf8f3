"""`regsearch search`: the query words need no quotes; table, --json or --csv."""

from __future__ import annotations

import difflib
import html
import math
from typing import Any

import click

from regsearch.cli import main
from regsearch.cli.options import (
    SORTS,
    STATUSES,
    DateParam,
    QueryCommand,
    check_choices,
    index_option,
    open_service,
    query_text,
)
from regsearch.cli.output import (
    echo_err,
    format_table,
    terminal_width,
    to_csv,
    to_json,
    write_out,
)
from regsearch.model import SearchPage, SearchQuery
from regsearch.search.labels import RELAXED_NOTE, RESOLVED_NOTE
from regsearch.search.provenance import document_link
from regsearch.search.serialize import page_to_dict

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
base_url_option = click.option(
    "--base-url",
    envvar="REGSEARCH_BASE_URL",
    default=DEFAULT_BASE_URL,
    show_default=True,
    metavar="URL",
    help="Web address of the site, for the 链接 column ($REGSEARCH_BASE_URL).",
)


def plain(snippet: str | None) -> str:
    """A snippet as text: the <mark> tags dropped, entities decoded."""
    return html.unescape((snippet or "").replace("<mark>", "").replace("</mark>", ""))


def known_levels(svc: Any) -> list[str]:
    from regsearch.ingest.classify import LEVELS

    return list(dict.fromkeys([*LEVELS, *svc.stats()["levels"]]))


def _check_index_values(ctx: click.Context, svc: Any, sq: SearchQuery) -> None:
    """--level and --collection name closed sets: an unknown value is a usage error."""
    sq.level = check_choices(ctx, "level", sq.level, "效力级别", known_levels(svc))
    if sq.collection:
        known = list(svc.stats()["collections"])
        sq.collection = check_choices(ctx, "collection", sq.collection, "集合", known)


def _hints(svc: Any, sq: SearchQuery) -> list[str]:
    """For an empty result: a --authority / --region value the index does not know at all."""
    out = []
    for name, what in (("authority", "发文机关"), ("region", "地区")):
        values = getattr(sq, name)
        if not values:
            continue
        every = svc.search(SearchQuery(q="", as_of=sq.as_of, per_page=1)).facets.get(name, [])
        known = [str(f.value) for f in every]
        for value in values:
            if value not in known:
                close = difflib.get_close_matches(value, known, n=3, cutoff=0.5)
                near = f"；相近的有：{'、'.join(close)}" if close else ""
                out.append(f"提示：索引中没有{what}“{value}”{near}")
    return out


def _rows(data: dict[str, Any], articles: bool) -> tuple[list[str], list[list[Any]]]:
    if articles:
        headers = ["ID", "状态", "条", "标题"]
        rows = [[r["id"], r["status"], r["article"], r["title"]] for r in data["results"]]
    else:
        headers = ["ID", "状态", "文号", "发布日期", "标题"]
        rows = [
            [r["id"], r["status"], r["doc_number"], r["publish_date"], r["title"]]
            for r in data["results"]
        ]
    return headers, rows


def _details(data: dict[str, Any]) -> list[list[str]]:
    out = []
    for r in data["results"]:
        lines = [plain(r["snippet"])]
        if r.get("articles"):
            lines.append("相关条文：" + "、".join(a["number"] for a in r["articles"]))
        out.append(lines)
    return out


def render_table(page: SearchPage, data: dict[str, Any], articles: bool) -> str:
    """Hits as a table that fits the terminal: only titles are shortened (never 文号 or ID);
    each hit's snippet on the line below it."""
    last = max(1, math.ceil(page.total / page.per_page))
    head = f"共 {page.total}{'+' if page.total_capped else ''} 条结果"
    if page.total and not page.results:
        return f"{head}；第 {page.page} 页超出了最后一页（第 {last} 页），请用 --page 1 到 {last}。"
    if not page.results:
        return f"{head}。"
    headers, rows = _rows(data, articles)
    title = len(headers) - 1
    table = format_table(
        headers,
        rows,
        width=terminal_width(),
        flexible={title: 10},
        details=_details(data),
        droppable=[headers.index("发布日期")] if "发布日期" in headers else [],
    )
    lines = [f"{head}（第 {page.page}/{last} 页）"]
    if page.resolved:
        lines.append(RESOLVED_NOTE.format(page.resolved))
    if page.relaxed:
        lines.append(RELAXED_NOTE)
    lines.append(table)
    if page.page < last:
        lines.append(f"下一页：--page {page.page + 1}")
    return "\n".join(lines)


def csv_rows(
    data: dict[str, Any], articles: bool, base_url: str
) -> tuple[list[str], list[list[Any]]]:
    if articles:
        headers = ["ID", "文档ID", "状态", "条", "标题", "摘要", "链接"]
        rows = [
            [
                r["id"],
                r["doc_id"],
                r["status"],
                r["article"],
                r["title"],
                plain(r["snippet"]),
                document_link(base_url, r["doc_id"], r["article"]),
            ]
            for r in data["results"]
        ]
        return headers, rows
    headers = ["ID", "状态", "文号", "发布日期", "标题", "发文机关", "效力级别", "摘要", "链接"]
    rows = [
        [
            r["id"],
            r["status"],
            r["doc_number"],
            r["publish_date"],
            r["title"],
            r["authority"],
            r["level"],
            plain(r["snippet"]),
            document_link(base_url, r["id"]),
        ]
        for r in data["results"]
    ]
    return headers, rows


@main.command(
    cls=QueryCommand,
    epilog=(
        "\b\nExamples:\n"
        "  regsearch search 劳动合同 解除 --status 现行有效 --limit 5\n"
        "  regsearch search 出租汽车 OR 网约车 --from 2018\n"
        "  regsearch search 许可 -收费 --csv --bom > 结果.csv"
    ),
)
@click.argument("words", nargs=-1, metavar="QUERY...")
@click.option("--status", multiple=True, help="时效状态，如 现行有效（可重复，或用逗号分隔）.")
@click.option("--level", multiple=True, help="效力级别，如 地方政府规章（可重复）.")
@click.option("--authority", multiple=True, help="发文机关（可重复）.")
@click.option("--region", multiple=True, help="地区（可重复）.")
@click.option("--collection", multiple=True, help="集合（可重复）.")
@click.option("--from", "date_from", type=DateParam(), help="发布日期起 YYYY[-MM[-DD]].")
@click.option("--to", "date_to", type=DateParam(end=True), default=None, help="发布日期止.")
@click.option("--as-of", type=DateParam(), default=None, help="计算时效的日期（默认今天）.")
@click.option("--sort", default="relevance", help="relevance | newest | oldest.")
@click.option("--page", type=click.IntRange(min=1), default=1)
@click.option("--limit", type=click.IntRange(min=1, max=1000), default=10)
@click.option("--articles", is_flag=True, help="One result per article.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.option("--bom", is_flag=True, help="Start CSV with a BOM (for Excel).")
@base_url_option
@index_option
@click.pass_context
def search(
    ctx: click.Context,
    words: tuple[str, ...],
    status: tuple[str, ...],
    level: tuple[str, ...],
    authority: tuple[str, ...],
    region: tuple[str, ...],
    collection: tuple[str, ...],
    date_from: str | None,
    date_to: str | None,
    as_of: str | None,
    sort: str,
    page: int,
    limit: int,
    articles: bool,
    as_json: bool,
    as_csv: bool,
    bom: bool,
    base_url: str,
    index_dir: str | None,
) -> None:
    """Search the index. QUERY needs no quotes: words all must match, "a phrase" in
    quotes, OR, -word excludes, fields 标题: 文号: 机关: 全文:. Without QUERY, lists
    every document passing the filters.
    """
    from regsearch.search.fieldcheck import unknown_field_message, unknown_fields

    if as_json and as_csv:
        raise click.UsageError("--json 与 --csv 只能选一个。")
    if bom and not as_csv:
        raise click.UsageError("--bom 只适用于 --csv。")
    q = query_text(words)
    fields = unknown_fields(q)
    if fields:
        raise click.BadParameter(
            unknown_field_message(fields), ctx=ctx, param=ctx.command.params[0]
        )
    if date_from and date_to and date_from > date_to:
        message = f"起始日期 {date_from} 晚于截止日期 {date_to}"
        raise click.BadParameter(message, ctx=ctx, param_hint="--from")
    sq = SearchQuery(
        q=q,
        status=check_choices(ctx, "status", status, "时效状态", STATUSES),
        authority=list(authority),
        region=list(region),
        date_from=date_from,
        date_to=date_to,
        as_of=as_of,
        sort=check_choices(ctx, "sort", [sort], "排序方式", SORTS)[0],
        page=page,
        per_page=limit,
        articles=articles,
    )
    sq.level, sq.collection = list(level), list(collection)
    with open_service(index_dir) as svc:
        _check_index_values(ctx, svc, sq)
        result = svc.search(sq)
        hints = _hints(svc, sq) if result.total == 0 else []
    data = page_to_dict(result, articles)
    if as_json:
        write_out(to_json(data))
    elif as_csv:
        headers, rows = csv_rows(data, articles, base_url)
        click.echo(to_csv(headers, rows, bom=bom), nl=False)
    else:
        click.echo(render_table(result, data, articles))
    for hint in hints:
        echo_err(hint)
