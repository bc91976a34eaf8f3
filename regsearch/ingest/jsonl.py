"""JSON Lines in the normalized form itself (one `Document.to_dict()` per line).

Lets any content-management export be fed in: `title` and either `body` or
`articles` are required; the id is generated when missing; dates and 文号 are
normalized. A bad line is reported with its number and skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from regsearch.errors import BadInputFile
from regsearch.ingest.articles import split_articles
from regsearch.ingest.classify import classify_level, infer_region
from regsearch.ingest.dates import parse_date
from regsearch.ingest.files import MAX_LINE_BYTES, MAX_TITLE_CHARS, megabytes, read_source
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
    if len(title) > MAX_TITLE_CHARS:
        raise ValueError(f"title 有 {len(title)} 字，超过上限 {MAX_TITLE_CHARS} 字")
    body, articles = data.get("body"), data.get("articles")
    if not (isinstance(body, str) and body.strip()) and not articles:
        raise ValueError("缺少 body 或 articles")
    if articles is not None and not isinstance(articles, list):
        raise ValueError("articles 必须是数组")
    values = dict(data)
    values.pop("sources", None)  # provenance is recorded by identity merging, not taken
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
    """Every good record as a Document; every bad one as a Skip naming its line (or item).

    JSON Lines are read line by line (any file size; a line over MAX_LINE_BYTES, one
    with NUL bytes or one that is not UTF-8 is reported and skipped, the rest read).
    A `.json` file holding one array (or one object) is read as that array.
    """
    source = path.relative_to(base).as_posix() if path != base else path.name
    ids: dict[str, int] = {}
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
            fh.seek(0)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: decode it whole
                yield from _read_whole(path, source, collection, ids)
                return
            start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
            if start == b"[" or (path.suffix.lower() == ".json" and _one_value(fh)):
                yield from _read_array(path, source, collection, ids)
                return
            fh.seek(0)
            for line_no, raw in _lines(fh):
                if raw is None or raw.strip():  # blank lines are no records
                    yield _line(raw, line_no, source, collection, ids)
    except OSError as exc:
        yield Skip(source, f"无法读取：{exc.strerror or exc}")


def _one_value(fh: BinaryIO) -> bool:
    """Whether a `.json` file is one pretty-printed value rather than JSON Lines."""
    first = fh.readline(MAX_LINE_BYTES + 1).strip()
    if not first.startswith(b"{"):
        return False
    try:
        json.loads(first)
    except ValueError:
        return True  # the first line is not a whole object: one value over many lines
    return False


def _lines(fh: BinaryIO) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) per line; None for a line longer than MAX_LINE_BYTES."""
    line_no = 0
    while True:
        raw = fh.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        line_no += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest without keeping it
                raw = fh.readline(1024 * 1024)
            yield line_no, None
            continue
        yield line_no, raw


def _line(
    raw: bytes | None, line_no: int, source: str, collection: str, ids: dict[str, int]
) -> Document | Skip:
    where = f"{source}:{line_no}"
    if raw is None:
        return Skip(
            where,
            f"第{line_no}行超过 {megabytes(MAX_LINE_BYTES)}，不像一条记录，已跳过"
            "（确有需要可设置 REGSEARCH_MAX_LINE_MB）",
            file=source,
        )
    if b"\x00" in raw:
        return Skip(where, f"第{line_no}行含 NUL 字节（二进制数据），已跳过", file=source)
    try:
        line = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        return Skip(where, f"第{line_no}行不是UTF-8（第{exc.start}字节），已跳过", file=source)
    return _parsed(line, line_no, f"第{line_no}行", source, collection, ids)


def _parsed(
    text: str | object,
    n: int,
    label: str,
    source: str,
    collection: str,
    ids: dict[str, int],
) -> Document | Skip:
    where = f"{source}:{n}"
    try:
        data = json.loads(text) if isinstance(text, str) else text
        doc = _record(data, source, collection, n)
    except json.JSONDecodeError as exc:
        return Skip(where, f"{label}不是有效的JSON：{exc.msg}", file=source)
    except (ValueError, TypeError) as exc:
        return Skip(where, f"{label}：{exc}", file=source)
    if doc.id in ids:  # the same id twice in one file: both kept, the second renamed
        new = make_id(collection, source, f"line{n}")
        doc.warnings.append(f"id {doc.id} 与{_label(ids[doc.id], label)}重复，已改为 {new}")
        doc.id = new
    ids[doc.id] = n
    return doc


def _label(n: int, like: str) -> str:
    return f"第{n}项" if like.endswith("项") else f"第{n}行"


def _read_whole(
    path: Path, source: str, collection: str, ids: dict[str, int]
) -> Iterator[Document | Skip]:
    try:
        _, text, _ = read_source(path, source)
    except BadInputFile as exc:
        yield Skip(source, exc.reason)
        return
    for line_no, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield _parsed(line, line_no, f"第{line_no}行", source, collection, ids)


def _read_array(
    path: Path, source: str, collection: str, ids: dict[str, int]
) -> Iterator[Document | Skip]:
    """A `.json` file of one array of records (or one record)."""
    if path.stat().st_size > MAX_LINE_BYTES:
        yield Skip(
            source,
            f"JSON 文件过大（{megabytes(path.stat().st_size)}，上限 {megabytes(MAX_LINE_BYTES)}），"
            "请改为 JSON Lines（每行一条记录）",
        )
        return
    try:
        _, text, _ = read_source(path, source)
        data = json.loads(text)
    except BadInputFile as exc:
        yield Skip(source, exc.reason)
        return
    except json.JSONDecodeError as exc:
        yield Skip(source, f"不是有效的JSON（第{exc.lineno}行）：{exc.msg}")
        return
    items = data if isinstance(data, list) else [data]
    if not items:
        yield Skip(source, "JSON 数组为空", failed=False)
    for n, item in enumerate(items, start=1):
        yield _parsed(item, n, f"第{n}项", source, collection, ids)
