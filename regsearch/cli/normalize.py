"""`regsearch normalize`: source files -> normalized JSON Lines."""

from __future__ import annotations

import json
import sys

import click

from regsearch.cli import EXIT_ERROR, main
from regsearch.cli.ingest import Phase
from regsearch.cli.options import output_path
from regsearch.cli.output import echo_err


@main.command(
    "normalize",
    epilog=(
        "\b\nExample:\n"
        "  regsearch normalize ../shared/corpora/waystowork ../shared/corpora/govcn-html"
        " -o docs.jsonl"
    ),
)
@click.argument("src", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--collection", help="Collection name (default: each folder's name).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the JSON Lines to FILE instead of stdout.",
)
@click.pass_context
def normalize(
    ctx: click.Context, src: tuple[str, ...], collection: str | None, output: str | None
) -> None:
    """Read SRC files/folders (LawRefBook, Markdown/text, gov.cn HTML, JSON Lines) and write
    one normalized JSON record per line. A summary goes to stderr; exit 1 if a file failed.
    """
    from regsearch.ingest import ingest_paths

    out_path = output_path(ctx, output)
    reading = Phase("读取文件")
    try:
        result = ingest_paths(list(src), collection=collection, progress=reading)
    finally:
        reading.close()

    lines = [json.dumps(d.to_dict(), ensure_ascii=False) for d in result.documents]
    text = "\n".join(lines) + ("\n" if lines else "")
    if out_path is not None:
        out_path.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)

    echo_err(f"读取文件 {result.files} 个，生成记录 {len(result.documents)} 条")
    for fmt, count in sorted(result.per_format.items()):
        echo_err(f"  {fmt}: {count}")
    echo_err(f"元数据文件 {len(result.metadata_files)} 个")
    parts = result.record_files + result.skipped_files + len(result.metadata_files)
    check = "" if parts == result.files else "（不相等：有文件未被统计，请报告此问题）"
    echo_err(
        f"文件核对：{result.files} = 生成记录的文件 {result.record_files}"
        f" + 跳过的文件 {result.skipped_files} + 元数据文件 {len(result.metadata_files)}{check}"
    )
    if result.skips:
        echo_err(f"跳过 {len(result.skips)} 项：")
        for skip in result.skips:
            mark = "失败" if skip.failed else "跳过"
            echo_err(f"  [{mark}] {skip.source}: {skip.reason}")
    if result.failed:
        echo_err(f"{len(result.failed)} 个文件读取失败；请按上面的原因修正后重试")
        sys.exit(EXIT_ERROR)
