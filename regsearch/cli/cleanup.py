"""`regsearch cleanup`: the cleanup team's (集中清理) worklists as table, CSV, JSON or JSONL."""

from __future__ import annotations

import json

import click

from regsearch.cli import EXIT_ERROR, main
from regsearch.cli.options import (
    DateParam,
    check_choices,
    index_option,
    open_service,
    output_path,
)
from regsearch.cli.output import echo_err, format_table, terminal_width, to_csv, to_json
from regsearch.cli.search import base_url_option
from regsearch.search.cleanup import (
    CSV_HEADERS,
    GROUP_BY,
    GROUP_LABELS,
    KIND_LABELS,
    KINDS,
    CleanupQuery,
    CleanupReport,
    CleanupRow,
    counts_text,
    group_value,
    row_to_csv,
    row_to_dict,
    summary_lines,
    target_label,
)
from regsearch.search.provenance import document_link

FORMATS = ("table", "csv", "json", "jsonl")
TABLE_HEADERS = ("类别", "标题", "文号", "时效状态", "事由日期", "依据", "关联文件", "ID")
# Only these shrink to fit the terminal (index -> least width), evidence and the related
# document before the title; 文号 and ID are never cut.
TABLE_FLEXIBLE = {1: 12, 5: 12, 6: 12}
SHRINK_FIRST = (5, 6)
# --kind and --group-by take the English names or the Chinese labels.
KIND_NAMES = {**{k: k for k in KINDS}, **{label: k for k, label in KIND_LABELS.items()}}
GROUP_NAMES = {**{g: g for g in GROUP_BY}, **{GROUP_LABELS[g]: g for g in GROUP_BY}}


def _table_rows(rows: list[CleanupRow]) -> list[list[str | None]]:
    return [
        [
            KIND_LABELS[r.kind],
            r.title,
            r.doc_number,
            r.status,
            r.since,
            r.evidence,
            target_label(r),
            r.id,
        ]
        for r in rows
    ]


def render_table(report: CleanupReport) -> str:
    """Aligned tables (CJK-aware); with --group-by, one per group headed by its subtotals."""
    if not report.rows:
        return f"没有需要清理的文件（截至 {report.as_of}）。\n"
    width = terminal_width()

    def table(rows: list[CleanupRow]) -> str:
        return format_table(
            TABLE_HEADERS, _table_rows(rows), width, TABLE_FLEXIBLE, shrink_first=SHRINK_FIRST
        )

    if not report.group_by:
        return table(report.rows) + "\n"
    label = GROUP_LABELS.get(report.group_by, report.group_by)
    parts = []
    for group in report.groups:
        rows = [r for r in report.rows if group_value(r, report.group_by) == group.value]
        head = f"{label}：{group.value}（{counts_text(group.counts, nonzero=True)}）"
        parts.append(head + "\n" + table(rows))
    return "\n\n".join(parts) + "\n"


def render(report: CleanupReport, fmt: str, bom: bool, base_url: str = "") -> str:
    if fmt == "csv":
        rows = [row_to_csv(r, document_link(base_url, r.id)) for r in report.rows]
        return to_csv(CSV_HEADERS, rows, bom=bom)
    if fmt == "json":
        return to_json(report.to_dict()) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(row_to_dict(r), ensure_ascii=False) + "\n" for r in report.rows)
    return render_table(report)


@main.command(
    "cleanup",
    epilog="\b\nExample:\n  regsearch cleanup --kind repealed --kind expiring --within 90 "
    "--group-by authority --format csv --bom --output 清理清单.csv",
)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    metavar="KIND",
    help=f"Report kind, repeatable or comma-separated (default: all): {', '.join(KINDS)}.",
)
@click.option(
    "--within",
    type=click.IntRange(min=0),
    default=180,
    show_default=True,
    metavar="DAYS",
    help="expiring: expiry date within this many days.",
)
@click.option("--as-of", type=DateParam(), default=None, help="Report day (default today).")
@click.option("--authority", multiple=True, help="发文机关 (repeatable).")
@click.option("--level", multiple=True, help="效力级别 (repeatable).")
@click.option("--region", multiple=True, help="地区 (repeatable).")
@click.option("--collection", multiple=True, help="Collection (repeatable).")
@click.option(
    "--group-by",
    default=None,
    metavar="authority|level|region|collection",
    help="Group rows, with subtotals.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the report to FILE instead of stdout.",
)
@click.option("--bom", is_flag=True, help="Start the CSV with a BOM (for Excel).")
@click.option("--check", is_flag=True, help="Exit 1 if any row is listed (for scheduled jobs).")
@base_url_option
@index_option
@click.pass_context
def cleanup(
    ctx: click.Context,
    kinds: tuple[str, ...],
    within: int,
    as_of: str | None,
    authority: tuple[str, ...],
    level: tuple[str, ...],
    region: tuple[str, ...],
    collection: tuple[str, ...],
    group_by: str | None,
    fmt: str,
    output: str | None,
    bom: bool,
    check: bool,
    base_url: str,
    index_dir: str | None,
) -> None:
    """List documents to clean up: superseded, repealed, expired, expiring, not yet
    effective, citing a dead legal basis, or duplicated across sources.

    Each row gives the document, its status as of --as-of, since when, the evidence
    and the successor / repealing / cited document. Counts per kind go to stderr.
    The CSV report has blank 清理结论 and 理由 columns: filled in, it is ingested back
    as the decision (regsearch ingest 清理清单.csv).
    """
    from regsearch.cli.search import known_levels

    if bom and fmt != "csv":
        raise click.UsageError("--bom 只适用于 --format csv。")
    out_path = output_path(ctx, output)
    query = CleanupQuery(
        kinds=check_choices(ctx, "kinds", kinds, "清理类别", KIND_NAMES),
        as_of=as_of,
        within=within,
        authority=list(authority),
        region=list(region),
        collection=list(collection),
        group_by=check_choices(ctx, "group_by", [group_by], "分组方式", GROUP_NAMES)[0]
        if group_by
        else None,
    )
    with open_service(index_dir) as service:
        query.level = check_choices(ctx, "level", level, "效力级别", known_levels(service))
        report = service.cleanup(query)
    text = render(report, fmt, bom, base_url)
    if out_path is not None:
        out_path.write_text(text, encoding="utf-8", newline="")
        echo_err(f"已写入 {output}（{len(report.rows)} 条）")
    else:
        click.echo(text, nl=False)
    for line in summary_lines(report):
        echo_err(line)
    if check and report.rows:
        echo_err(f"--check：有 {len(report.rows)} 条需要清理，退出码 1。")
        ctx.exit(EXIT_ERROR)
