"""`regsearch cleanup`: the cleanup team's (集中清理) worklists as table, CSV, JSON or JSONL."""

from __future__ import annotations

import json
from pathlib import Path

import click

from regsearch.cli import EXIT_ERROR, main
from regsearch.cli.output import echo_err, format_table, to_csv, to_json
from regsearch.errors import RegsearchError
from regsearch.search.cleanup import (
    CSV_HEADERS,
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

FORMATS = ("table", "csv", "json", "jsonl")
TABLE_HEADERS = ("类别", "标题", "文号", "时效状态", "日期", "依据", "关联文件", "ID")
TABLE_WIDTHS = (14, 30, 24, 8, 10, 40, 40, 16)


def _kinds(values: tuple[str, ...]) -> list[str]:
    """--kind may be repeated or comma-separated; the core rejects unknown kinds."""
    return [k.strip() for v in values for k in v.replace("，", ",").split(",") if k.strip()]


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
    if not report.group_by:
        return format_table(TABLE_HEADERS, _table_rows(report.rows), TABLE_WIDTHS) + "\n"
    label = GROUP_LABELS.get(report.group_by, report.group_by)
    parts = []
    for group in report.groups:
        rows = [r for r in report.rows if group_value(r, report.group_by) == group.value]
        head = f"{label}：{group.value}（{counts_text(group.counts, nonzero=True)}）"
        parts.append(head + "\n" + format_table(TABLE_HEADERS, _table_rows(rows), TABLE_WIDTHS))
    return "\n\n".join(parts) + "\n"


def render(report: CleanupReport, fmt: str, bom: bool) -> str:
    if fmt == "csv":
        return to_csv(CSV_HEADERS, [row_to_csv(r) for r in report.rows], bom=bom)
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
    type=int,
    default=180,
    show_default=True,
    metavar="DAYS",
    help="expiring: expiry date within this many days.",
)
@click.option(
    "--as-of", default=None, metavar="DATE", help="Report day YYYY-MM-DD (default today)."
)
@click.option("--authority", multiple=True, help="发文机关 (repeatable).")
@click.option("--level", multiple=True, help="效力级别 (repeatable).")
@click.option("--region", multiple=True, help="地区 (repeatable).")
@click.option("--collection", multiple=True, help="Collection (repeatable).")
@click.option(
    "--group-by", default=None, metavar="authority|level|region", help="Group rows, with subtotals."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the report to FILE instead of stdout.",
)
@click.option("--bom", is_flag=True, help="Start the CSV with a BOM (for Excel).")
@click.option("--check", is_flag=True, help="Exit 1 if any row is listed (for scheduled jobs).")
@click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Index directory (default: $REGSEARCH_INDEX or indexes/main).",
)
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
    index_dir: str | None,
) -> None:
    """List documents to clean up: superseded, repealed, expired, expiring, not yet
    effective, citing a dead legal basis, or duplicated across sources.

    Each row gives the document, its status as of --as-of, since when, the evidence
    and the successor / repealing / cited document. Counts per kind go to stderr.
    A CSV report with a 清理结论 column added can be ingested back as the decision.
    """
    from regsearch.cli.search import open_service

    if bom and fmt != "csv":
        raise RegsearchError("--bom 只适用于 --format csv。")
    query = CleanupQuery(
        kinds=_kinds(kinds),
        as_of=as_of.strip() if as_of else None,
        within=within,
        authority=list(authority),
        level=list(level),
        region=list(region),
        collection=list(collection),
        group_by=group_by,
    )
    with open_service(index_dir) as service:
        report = service.cleanup(query)
    text = render(report, fmt, bom)
    if output:
        Path(output).write_text(text, encoding="utf-8", newline="")
        echo_err(f"已写入 {output}（{len(report.rows)} 条）")
    else:
        click.echo(text, nl=False)
    for line in summary_lines(report):
        echo_err(line)
    if check and report.rows:
        echo_err(f"--check：有 {len(report.rows)} 条需要清理，退出码 1。")
        ctx.exit(EXIT_ERROR)
