"""JSON Lines in the normalized form itself (one `Document.to_dict()` per line).

Lets any content-management export be fed in: `title` and either `body` or
`articles` are required; the id is generated when missing; dates and 文号 are
normalized. A bad line is reported with its number and skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from regsearch.errors import BadInputFile
from regsearch.ingest.articles import split_articles
from regsearch.ingest.classify import classify_level, infer_region
from regsearch.ingest.dates import parse_date
from regsearch.ingest.files import read_source
from regsearch.model import Article, Document, Skip, content_hash, make_id
from regsearch.text.clean import clean_text
from regsearch.text.docnum import normalize_doc_number
from regsearch.text.numerals import article_ordinal, normalize_article_number

DATE_FIELDS = ("written_date", "publish_date", "effective_date", "expiry_date", "repeal_date")


def _record(data: object, source: str, collection: str, line_no: int) -> Document:
    """One Document from one parsed JSON value; ValueError says what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("不是JSON对象")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ValueError("缺少 title")
    body, articles = data.get("body"), data.get("articles")
    if not (isinstance(body, str) and body.strip()) and not articles:
        raise ValueError("缺少 body 或 articles")
    if articles is not None and not isinstance(articles, list):
        raise ValueError("articles 必须是数组")
    values = dict(data)
    values.setdefault("collection", collection)
    values["source"] = data.get("source") or source
    values["format"] = "jsonl"
    values["id"] = str(data.get("id") or make_id(collection, source, f"line{line_no}"))
    warnings = list(data.get("warnings") or [])
    for key in DATE_FIELDS:
        raw = data.get(key)
        values[key] = parse_date(str(raw)) if raw else None
        if raw and not values[key]:
            warnings.append(f"日期无法识别：{key}={raw}")
    raw_number = data.get("doc_number_raw") or data.get("doc_number")
    if raw_number:
        values["doc_number"] = normalize_doc_number(str(raw_number))
        values["doc_number_raw"] = str(raw_number)
        if not values["doc_number"]:
            warnings.append(f"发文字号无法识别：{raw_number}")
    values["body"] = clean_text(body) if isinstance(body, str) else ""
    try:
        doc = Document.from_dict(values)
    except TypeError as exc:
        raise ValueError(f"字段有误：{exc}") from exc
    if articles:
        doc.articles = [_article(a) for a in doc.articles]
    elif doc.body:
        doc.articles = split_articles(doc.body)
    if not doc.body:
        doc.body = "\n".join(a.text for a in doc.articles)
    if not data.get("level"):
        doc.level = classify_level(doc.title, doc.authority, doc.doc_number, doc.history)
    if "region" not in data:
        doc.region = infer_region(doc.title, doc.authority)
    doc.content_hash = doc.content_hash or content_hash(json.dumps(data, ensure_ascii=False))
    doc.warnings = warnings
    return doc


def _article(article: Article) -> Article:
    number = normalize_article_number(article.number) or article.number
    ordinal = article.ordinal or article_ordinal(article.number) or 0
    return Article(number=number, text=clean_text(article.text), path=article.path, ordinal=ordinal)


def read_jsonl(path: Path, base: Path, collection: str) -> Iterator[Document | Skip]:
    """Every good line as a Document; every bad line as a Skip naming its line number."""
    source = path.relative_to(base).as_posix() if path != base else path.name
    try:
        _, text, _ = read_source(path, source)
    except BadInputFile as exc:
        yield Skip(source, exc.reason)
        return
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield _record(json.loads(line), source, collection, line_no)
        except json.JSONDecodeError as exc:
            yield Skip(f"{source}:{line_no}", f"第{line_no}行不是有效的JSON：{exc.msg}")
        except (ValueError, TypeError) as exc:
            yield Skip(f"{source}:{line_no}", f"第{line_no}行：{exc}")
