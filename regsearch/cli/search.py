"""`regsearch ingest | search | show | stats`: thin commands over the core."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from regsearch.cli import EXIT_ERROR, main
from regsearch.cli.output import echo_err, format_table, to_csv, to_json, truncate, write_out
from regsearch.errors import RegsearchError
from regsearch.model import SearchQuery
from regsearch.search.serialize import document_to_dict, page_to_dict

index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Index directory (default: $REGSEARCH_INDEX or indexes/main).",
)


@contextlib.contextmanager
def open_service(index_dir: str | None) -> Iterator[Any]:
    """The search service for one command, closed afterwards (it holds segment files open)."""
    from regsearch.search.service import SearchService

    svc = SearchService(index_dir)
    try:
        yield svc
    finally:
        svc.close()


def _strip_marks(s: str) -> str:
    import html

    return html.unescape(s.replace("<mark>", "").replace("</mark>", ""))


class _Bar:
    """A click progress bar on stderr whose length is learnt from the first callback."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=max(total, 1), label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.length = max(total, 1)
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _collection_of(path: str) -> str:
    """The default collection of a path given to ingest (as `ingest_paths` names it)."""
    p = Path(path).resolve()
    return p.name if p.is_dir() else p.parent.name


@main.command()
@click.argument("src", nargs=-1, required=True, type=click.Path(exists=True))
@index_option
@click.option("--collection", default=None, help="Collection name (default: from the folder).")
@click.option("--prune", is_flag=True, help="Remove documents whose files vanished.")
@click.option("--rebuild", is_flag=True, help="Rebuild the index from scratch.")
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
    documents of these collections whose files vanished. Exit 1 if a file failed.

    \b
    Example:
      regsearch ingest ../shared/corpora/govcn-html --index indexes/main
    """
    from regsearch.engine import default_location
    from regsearch.ingest import ingest_paths
    from regsearch.store import open_store
    from regsearch.store.ingest import ingest_documents

    target = index_dir or str(default_location())
    reading = _Bar("读取文件")
    try:
        result = ingest_paths(list(src), collection=collection, progress=reading, link=False)
    finally:
        reading.close()
    indexing = _Bar("建立索引")
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
            keep_sources=result.failed_files,  # exact paths: a file name may contain ':'
        )
    finally:
        indexing.close()
        store.close()
    c = report.counts()
    formats = "，".join(f"{k} {v}" for k, v in sorted(result.per_format.items()))
    click.echo(
        f"文件 {result.files} 个（{formats or '无文档'}）；文档 新增 {c['added']}，"
        f"更新 {c['updated']}，未变 {c['unchanged']}，删除 {c['removed']}，"
        f"重新关联 {c['relinked']}；跳过 {len(result.skips)} 个，失败 {len(result.failed)} 个"
    )
    click.echo(f"索引：{target}（{report.generation}）")
    for skip in result.skips:
        echo_err(f"{'失败' if skip.failed else '跳过'} {skip.source}: {skip.reason}")
    if result.failed:
        echo_err(f"{len(result.failed)} 个文件读取失败；请按上面的原因修正后重新运行 ingest。")
        raise SystemExit(EXIT_ERROR)


@main.command()
@click.argument("query")
@click.option("--status", multiple=True, help="时效状态，如 现行有效（可重复）.")
@click.option("--level", multiple=True, help="效力级别（可重复）.")
@click.option("--authority", multiple=True, help="发文机关（可重复）.")
@click.option("--region", multiple=True, help="地区（可重复）.")
@click.option("--collection", multiple=True, help="集合（可重复）.")
@click.option("--from", "date_from", default=None, help="发布日期起 YYYY-MM-DD.")
@click.option("--to", "date_to", default=None, help="发布日期止 YYYY-MM-DD.")
@click.option("--as-of", default=None, help="计算时效的日期（默认今天）.")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance")
@click.option("--page", type=click.IntRange(min=1), default=1)
@click.option("--limit", type=click.IntRange(min=1, max=1000), default=10)
@click.option("--articles", is_flag=True, help="One result per article.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV.")
@click.option("--bom", is_flag=True, help="Start CSV with a BOM (for Excel).")
@index_option
def search(
    query: str,
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
    index_dir: str | None,
) -> None:
    """Search the index.

    \b
    Example:
      regsearch search "劳动合同 解除" --status 现行有效 --limit 5
    """
    if as_json and as_csv:
        raise click.UsageError("--json 与 --csv 只能选一个。")
    sq = SearchQuery(
        q=query,
        status=list(status),
        level=list(level),
        authority=list(authority),
        region=list(region),
        collection=list(collection),
        date_from=date_from,
        date_to=date_to,
        as_of=as_of,
        sort=sort,
        page=page,
        per_page=limit,
        articles=articles,
    )
    with open_service(index_dir) as svc:
        result = svc.search(sq)
    data = page_to_dict(result, articles)
    if as_json:
        write_out(to_json(data))
        return
    if articles:
        headers = ["状态", "条", "标题", "摘要"]
        rows = [
            [r["status"], r["article"], r["title"], _strip_marks(r["snippet"])]
            for r in data["results"]
        ]
    else:
        headers = ["状态", "文号", "日期", "标题", "摘要"]
        rows = [
            [
                r["status"],
                r["doc_number"],
                r["publish_date"],
                r["title"],
                _strip_marks(r["snippet"]),
            ]
            for r in data["results"]
        ]
    if as_csv:
        click.echo(
            to_csv(
                ["id", *headers],
                [[r["id"], *row] for r, row in zip(data["results"], rows, strict=True)],
                bom=bom,
            ),
            nl=False,
        )
        return
    click.echo(f"共 {result.total} 条结果（第 {result.page} 页）")
    if rows:
        click.echo(format_table(headers, rows, max_widths=[8, 16, 10, 40, 60][-len(headers) :]))


@main.command()
@click.argument("id_or_doc_number")
@click.option("--article", default=None, help="Only this article, e.g. 第十条.")
@click.option("--as-of", default=None, help="计算时效的日期（默认今天）.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@index_option
def show(
    id_or_doc_number: str,
    article: str | None,
    as_of: str | None,
    as_json: bool,
    index_dir: str | None,
) -> None:
    """Show a document: metadata, status with evidence, relations, articles.

    \b
    Example:
      regsearch show "国办函〔2018〕71号" --article 第三条
    """
    from regsearch.index.analyzer import query_terms

    with open_service(index_dir) as svc:
        doc = svc.get(id_or_doc_number, as_of=as_of)
    arts = doc.articles
    if article:
        wanted = query_terms(article)
        arts = [a for a in doc.articles if query_terms(a.number) == wanted]
        if not arts:
            raise RegsearchError(f"文档中没有“{article}”。")
    if as_json:
        data = document_to_dict(doc)
        if article:
            data["articles"] = [a.__dict__ for a in arts]
        write_out(to_json(data))
        return
    rows = [
        ("标题", doc.title),
        ("文号", doc.doc_number),
        ("发文机关", doc.authority),
        ("效力级别", doc.level),
        ("地区", doc.region),
        ("发布日期", doc.publish_date),
        ("施行日期", doc.effective_date),
        ("失效日期", doc.expiry_date),
        ("时效状态", f"{doc.status}（{doc.status_source}）"),
        ("依据", doc.status_evidence),
        ("来源", f"{doc.collection}/{doc.source}"),
        ("ID", doc.id),
    ]
    click.echo(format_table(["项目", "内容"], [r for r in rows if r[1]]))
    if doc.relations:
        click.echo("\n关联：")
        for rel in doc.relations:
            click.echo(
                f"  {rel.type}: {rel.target_title or rel.target_doc_number or rel.target_id}"
                f"{'（' + rel.date + '）' if rel.date else ''}"
            )
            if rel.evidence:
                click.echo(f"    依据：{truncate(rel.evidence, 120)}")
    for a in arts if article else []:
        click.echo(f"\n{a.text}")
    if not article and arts:
        click.echo(f"\n共 {len(arts)} 条：" + " ".join(a.number for a in arts[:30]))


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@index_option
def stats(as_json: bool, index_dir: str | None) -> None:
    """Documents per collection, level and status; index size.

    \b
    Example:
      regsearch stats --json
    """
    with open_service(index_dir) as svc:
        data = svc.stats()
    if as_json:
        write_out(to_json(data))
        return
    click.echo(
        f"文档 {data['documents']}，条文 {data['articles']}，索引 "
        f"{data['index_bytes'] / 1e6:.1f} MB，{data['index_dir']}（{data['built_at']}）"
    )
    for key, label in (("collections", "集合"), ("levels", "效力级别"), ("statuses", "时效状态")):
        click.echo(f"\n{label}：")
        click.echo(format_table([label, "文档数"], list(data[key].items())))
