"""`regsearch show` (a document by id, 文号, title, short name or article id) and `stats`."""

from __future__ import annotations

from typing import Any

import click

from regsearch.cli import main
from regsearch.cli.options import DateParam, index_option, open_service
from regsearch.cli.output import display_width, pad, terminal_width, to_json, truncate, write_out
from regsearch.errors import DocumentNotFound
from regsearch.model import Article, Document
from regsearch.search.labels import STATUS_MEANINGS, relation_label, status_basis
from regsearch.search.provenance import SAMPLE_COLLECTIONS, provenance
from regsearch.search.serialize import document_to_dict


def key_values(rows: list[tuple[str, Any]]) -> str:
    """`label  value` lines, labels aligned (CJK-aware); empty values left out."""
    rows = [(k, str(v)) for k, v in rows if v not in (None, "", [])]
    width = max((display_width(k) for k, _ in rows), default=0)
    return "\n".join(f"{pad(k, width)}  {v}" for k, v in rows)


def _target(rel: Any) -> str:
    text = f"《{rel.target_title}》" if rel.target_title else ""
    if rel.target_doc_number:
        text += f"（{rel.target_doc_number}）" if text else rel.target_doc_number
    return text or rel.target_id or "（未识别的文件）"


def _source_line(doc: Document) -> str:
    origin = provenance(doc.collection, doc.format, doc.url)
    if origin.url:
        return f"{origin.label}：{origin.url}"
    if origin.site_url:
        return f"{origin.label}（{origin.site_url}）"
    return origin.label


def _article_text(article: Article, path: list[str] | None = None) -> str:
    head = " / ".join(article.path) if article.path and article.path != path else ""
    return (f"【{head}】\n" if head else "") + article.text


def full_text(doc: Document) -> str:
    """The whole text: the articles under their 编/章/节 headings, else the body."""
    if not doc.articles:
        return doc.body
    parts, path = [], None
    for article in doc.articles:
        parts.append(_article_text(article, path))
        path = article.path
    return "\n".join(parts)


def render(
    doc: Document, day: str, current: Document | None, article: Article | None, full: bool
) -> str:
    meaning = STATUS_MEANINGS.get(doc.status, "")
    rows: list[tuple[str, Any]] = [
        ("标题", doc.title + (f" {doc.subtitle}" if doc.subtitle else "")),
        ("文号", doc.doc_number),
        ("发文机关", "、".join(a for a in [doc.authority, *doc.co_authorities] if a)),
        ("效力级别", doc.level),
        ("地区", doc.region),
        ("发布日期", doc.publish_date),
        ("施行日期", doc.effective_date),
        ("有效期至", doc.expiry_date),
        ("废止日期", doc.repeal_date),
        ("时效状态", f"{doc.status}（截至 {day}）{meaning}"),
        ("时效依据", status_basis(doc.status_source, doc.status_evidence)),
    ]
    if current is not None:
        rows.append(("现行版本", f"{_target_doc(current)}  ID {current.id}"))
    rows += [("来源", _source_line(doc)), ("ID", doc.id)]
    out = [key_values(rows)]
    width = terminal_width()
    if doc.relations:
        out.append("\n关联文件：")
        for rel in doc.relations:
            date = f" {rel.date}" if rel.date else ""
            ident = f"  ID {rel.target_id}" if rel.target_id else ""
            out.append(f"  {relation_label(rel.type)}：{_target(rel)}{date}{ident}")
            if rel.evidence:
                evidence = " ".join(rel.evidence.split())
                out.append(f"    依据：{truncate(evidence, width - 10) if width else evidence}")
    if article is not None:
        out.append("\n" + _article_text(article))
    elif full:
        out.append("\n" + full_text(doc))
    elif doc.articles:
        first, last = doc.articles[0].number, doc.articles[-1].number
        span = first if len(doc.articles) == 1 else f"{first}至{last}"
        out.append(
            f"\n共 {len(doc.articles)} 条（{span}）。加 --full 显示全文，"
            f"--article {first} 只显示一条。"
        )
    elif doc.body:
        out.append(f"\n正文 {len(doc.body)} 字。加 --full 显示全文。")
    return "\n".join(out)


def _target_doc(doc: Document) -> str:
    return f"《{doc.title}》" + (f"（{doc.doc_number}）" if doc.doc_number else "")


@main.command(
    epilog=(
        "\b\nExamples:\n"
        "  regsearch show 国办函〔2018〕71号 --article 第三条\n"
        "  regsearch show 社会保险法第十条\n"
        "  regsearch show 中华人民共和国社会保险法 --full"
    )
)
@click.argument("ref", nargs=-1, required=True, metavar="REF...")
@click.option("--article", default=None, help="Only this article, e.g. 第十条 or 第10条.")
@click.option("--full", is_flag=True, help="Print the whole text.")
@click.option("--as-of", type=DateParam(), default=None, help="计算时效的日期（默认今天）.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@index_option
def show(
    ref: tuple[str, ...],
    article: str | None,
    full: bool,
    as_of: str | None,
    as_json: bool,
    index_dir: str | None,
) -> None:
    """Show a document: metadata, status with its basis, relations, articles.

    REF is an ID (also an article ID from `search --articles`), a 发文字号 in any bracket
    style, a title or short name (社会保险法), optionally followed by an article
    (劳动合同法第三十九条).
    """
    from regsearch.search.resolve import current_version, find_article, resolve
    from regsearch.status import today

    with open_service(index_dir) as svc:
        found = resolve(svc, " ".join(ref), as_of=as_of)
        doc = found.document
        chosen = found.article
        if article:
            chosen = find_article(doc, article)
            if chosen is None:
                raise DocumentNotFound(f"《{doc.title}》中没有“{article}”。")
        current = current_version(svc, doc, as_of)
    if as_json:
        data = document_to_dict(doc)
        if chosen is not None:
            data["articles"] = [chosen.__dict__]
        write_out(to_json(data))
        return
    click.echo(render(doc, as_of or today(), current, chosen, full))


@main.command(epilog="\b\nExample:\n  regsearch stats --json")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@index_option
def stats(as_json: bool, index_dir: str | None) -> None:
    """Documents per collection, level and status; index size and when it was built."""
    from regsearch.cli.output import format_table

    with open_service(index_dir) as svc:
        data = svc.stats()
    if as_json:
        write_out(to_json(data))
        return
    click.echo(
        f"文档 {data['documents']}，条文 {data['articles']}，索引 "
        f"{data['index_bytes'] / 1e6:.1f} MB，{data['index_dir']}（最后更新 {data['built_at']}）"
    )
    samples = sum(n for c, n in data["collections"].items() if c in SAMPLE_COLLECTIONS)
    if samples:
        click.echo(f"其中示例文件 {samples} 件（项目自编，不是真实文件）。")
    for key, label in (("collections", "集合"), ("levels", "效力级别"), ("statuses", "时效状态")):
        click.echo(f"\n{label}：")
        click.echo(format_table([label, "文档数"], list(data[key].items())))
