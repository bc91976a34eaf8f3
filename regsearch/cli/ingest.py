"""`regsearch ingest`: sources -> the index, with progress on stderr and a summary."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from regsearch.cli import EXIT_ERROR, main
from regsearch.cli.options import check_writable_index, index_option, open_service
from regsearch.cli.output import echo_err
from regsearch.search.provenance import SAMPLE_COLLECTIONS


class Phase:
    """Progress of one phase on stderr: a bar on a terminal; otherwise (a log, cron, CI) one
    line when the phase ends, with its counts and time, so a long ingest is not silent."""

    def __init__(self, label: str, stream: Any = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.bar: Any = None
        self.done = 0
        self.total = 0
        self.started = time.monotonic()
        try:
            self.interactive = self.stream.isatty()
        except (AttributeError, ValueError):
            self.interactive = False

    def __call__(self, done: int, total: int) -> None:
        self.total = total
        if self.interactive:
            if self.bar is None:
                self.bar = click.progressbar(
                    length=max(total, 1), label=self.label, file=self.stream
                )
                self.bar.__enter__()
            self.bar.length = max(total, 1)
            self.bar.update(done - self.done)
        self.done = done

    def finish(self, counts: str) -> None:
        """Close the bar and log the phase's line: `读取文件：… （12.3 秒）`."""
        self.close()
        seconds = time.monotonic() - self.started
        click.echo(f"{self.label}：{counts}（{seconds:.1f} 秒）", file=self.stream)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _collection_of(path: str) -> str:
    """The default collection of a path given to ingest (as `ingest_paths` names it)."""
    p = Path(path).resolve()
    return p.name if p.is_dir() else p.parent.name


def _warn_if_samples_mixed(index: Path) -> None:
    """Samples beside real documents would rank with them: say so and how to drop them."""
    with open_service(str(index)) as service:
        collections = service.stats()["collections"]
    samples = {c: n for c, n in collections.items() if c in SAMPLE_COLLECTIONS}
    if samples and len(samples) < len(collections):
        count = sum(samples.values())
        echo_err(
            f"注意：索引 {index} 中既有示例文件（{count} 件，项目自编，不是真实文件）又有其他文件，"
            "示例会出现在检索结果和清理清单里。只保留真实文件：regsearch ingest --rebuild SRC…"
            "（只用给出的来源重建索引）。"
        )


@main.command(
    epilog=(
        "\b\nExample:\n"
        "  regsearch ingest --rebuild ../shared/corpora/govcn-html ../shared/corpora/waystowork"
    )
)
@click.argument("src", nargs=-1, required=True, type=click.Path(exists=True))
@index_option
@click.option("--collection", default=None, help="Collection name (default: from the folder).")
@click.option("--prune", is_flag=True, help="Remove documents whose files vanished.")
@click.option(
    "--rebuild", is_flag=True, help="Rebuild the index from SRC alone (drops everything else)."
)
@click.option(
    "--allow-empty", is_flag=True, help="Accept an index with no documents (refused otherwise)."
)
def ingest(
    src: tuple[str, ...],
    index_dir: str | None,
    collection: str | None,
    prune: bool,
    rebuild: bool,
    allow_empty: bool,
) -> None:
    """Normalize SRC files or folders and index them (incremental and atomic).

    Unchanged documents are skipped, changed ones replaced; --prune removes the
    documents of these collections whose files vanished; --rebuild keeps only what SRC
    gives (e.g. to replace the samples with real documents; the document store keeps
    the history of what it drops). Exit 1 if a file failed.
    """
    from regsearch.ingest import ingest_paths
    from regsearch.store import open_store
    from regsearch.store.ingest import ingest_documents

    target = check_writable_index(index_dir)  # before reading every source
    reading = Phase("读取文件")
    try:
        result = ingest_paths(list(src), collection=collection, progress=reading, link=False)
    finally:
        reading.close()
    reading.finish(
        f"{result.files} 个文件，{len(result.documents)} 篇文档，"
        f"跳过 {len(result.skips)} 个，失败 {len(result.failed)} 个"
    )
    indexing = Phase("建立索引")
    store = open_store(index_dir=target)
    try:
        report = ingest_documents(  # through the document store (issue 13)
            store,
            target,
            result.documents,
            prune=prune,
            rebuild=rebuild,
            allow_empty=allow_empty,
            progress=indexing,
            collections=[collection] if collection else [_collection_of(p) for p in src],
            keep_sources=result.failed_files,  # exact paths: a file name may contain ":"
        )
    finally:
        indexing.close()
        store.close()
    indexing.finish(f"写入 {indexing.total} 篇文档" if indexing.total else "无需改写")
    c = report.counts()
    formats = "，".join(f"{k} {v}" for k, v in sorted(result.per_format.items()))
    click.echo(
        f"文件 {result.files} 个（{formats or '无文档'}）；文档 新增 {c['added']}，"
        f"更新 {c['updated']}，未变 {c['unchanged']}，删除 {c['removed']}，"
        f"重新关联 {c['relinked']}；跳过 {len(result.skips)} 个，失败 {len(result.failed)} 个"
    )
    from regsearch import pg

    shown = pg.redact(pg.url_of(target) or "") or target
    click.echo(f"索引：{shown}（{report.generation}）")
    for skip in result.skips:
        echo_err(f"{'失败' if skip.failed else '跳过'} {skip.source}: {skip.reason}")
    _warn_if_samples_mixed(target)
    if result.failed:
        echo_err(f"{len(result.failed)} 个文件读取失败；请按上面的原因修正后重新运行 ingest。")
        raise SystemExit(EXIT_ERROR)
