"""Saved government policy pages (gov.cn and provincial portals), read with lxml.

The metadata block is a table or a list of `label：value` items (索引号, 主题分类,
发文机关, 成文日期, 标题, 发文字号, 发布日期; labels may have spaces inside, such
as `索 引 号：`). The body is `#UCAP-CONTENT` (or the main text container); pages
without a metadata block fall back to <title>/<h1>, a 文号 in the first body
lines and the date under the signature.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import lxml.html
from lxml import etree

from regsearch.errors import BadInputFile
from regsearch.ingest.articles import split_articles
from regsearch.ingest.classify import authority_from_doc_number, classify_level, infer_region
from regsearch.ingest.dates import parse_date
from regsearch.ingest.files import decode_bytes
from regsearch.ingest.history import effective_from_body, signature_date
from regsearch.model import Document, Skip, content_hash, make_id
from regsearch.text.clean import clean_text, one_line, squash_spaces
from regsearch.text.docnum import normalize_doc_number

LABELS = {
    "索引号": "index_number",
    "主题分类": "topic",
    "发文机关": "authority",
    "发布机关": "authority",
    "发文单位": "authority",
    "发布机构": "authority",
    "发文机构": "authority",
    "制发机关": "authority",
    "成文日期": "written_date",
    "标题": "title",
    "名称": "title",
    "发文字号": "doc_number",
    "文号": "doc_number",
    "发布日期": "publish_date",
    "公布日期": "publish_date",
    "施行日期": "effective_date",
    "生效日期": "effective_date",
    "实施日期": "effective_date",
    "有效期至": "expiry_date",
    "失效日期": "expiry_date",
}
_BODY_XPATHS = (
    '//*[@id="UCAP-CONTENT"]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " pages_content ")]',
    '//*[@id="zoom"]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " article-content ")]',
    "//article",
)
_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section"}
_LABEL_SPLIT = re.compile(r"^(?P<label>[^：:]{2,12})[：:](?P<value>.*)$", re.S)


def _text_lines(element: etree._Element) -> list[str]:
    """The visible text of an element, one line per paragraph or line break."""
    parts: list[str] = []
    for node in element.iter():
        if not isinstance(node.tag, str) or node.tag in ("script", "style"):
            if isinstance(node.tag, str) and node.tail:
                parts.append(node.tail)
            continue
        if node.tag in _BLOCK_TAGS:
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        if node.tag in _BLOCK_TAGS and node is not element:
            parts.append("\n")
        if node.tail and node is not element:
            parts.append(node.tail)
    text = clean_text("".join(parts))
    return [ln.strip() for ln in text.split("\n")]


def _label_key(text: str) -> str | None:
    label = squash_spaces(text).rstrip("：:")
    return LABELS.get(label)


def read_metadata(root: etree._Element) -> dict[str, str]:
    """`label：value` pairs from a metadata table (label cell, value cell) or a list."""
    meta: dict[str, str] = {}
    cells = list(
        root.iter("td", "th", "dt", "dd", "span", "li", "p", "div", "strong", "b", "label")
    )
    # Pass 1: a label element followed by its value element (table cells, dt/dd, <b>label</b>).
    for cell in cells:
        own = one_line(cell.text_content())
        if not own or len(own) > 20 or not own.endswith(("：", ":")):
            continue
        key = _label_key(own)
        if not key or key in meta:
            continue
        value_el = cell.getnext()
        if value_el is None and cell.tag in ("b", "strong", "label", "span"):
            parent = cell.getparent()
            value_el = parent.getnext() if parent is not None else None
            if value_el is None and parent is not None and one_line(parent.text_content()) != own:
                value = one_line(parent.text_content())[len(own) :].strip()
                if value:
                    meta[key] = value
                continue
        if value_el is not None:
            value = one_line(value_el.text_content())
            if value and not value.endswith(("：", ":")) and _label_key(value) is None:
                meta[key] = value
    # Pass 2: `索引号：000014349/2018-00204` inside one element that holds no other block.
    for cell in cells:
        if any(
            child.tag in _BLOCK_TAGS - {"br"} or child.tag == "li"
            for child in cell.iterdescendants()
        ):
            continue
        m = _LABEL_SPLIT.match(one_line(cell.text_content()))
        if m:
            key = _label_key(m["label"])
            value = m["value"].strip()
            if key and value and key not in meta:
                meta[key] = value
    return meta


def _body_element(root: etree._Element) -> etree._Element | None:
    for xpath in _BODY_XPATHS:
        found = root.xpath(xpath)
        if found:
            return found[0]
    return None


def parse_govcn(
    data: bytes, source: str, collection: str, url: str | None = None
) -> Document | Skip:
    """One policy page from its raw bytes (decoded as UTF-8, never guessed)."""
    text, warnings = decode_bytes(data, source)
    if not text.strip():
        return Skip(source, "空文件", failed=False)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise BadInputFile(source, f"HTML无法解析：{exc}") from exc
    meta = read_metadata(root)
    body_el = _body_element(root)
    if body_el is None:
        warnings.append("未找到正文容器，使用整页文字")
        body_el = root.find("body") if root.find("body") is not None else root
    lines = _text_lines(body_el)
    body = "\n".join(ln for ln in lines if ln)
    first_lines = [ln for ln in lines if ln][:8]

    title = meta.get("title")
    if not title:
        for xpath in ("//h1", "//title"):
            found = [one_line(e.text_content()) for e in root.xpath(xpath)]
            found = [t for t in found if t]
            if found:
                title = re.split(r"\s*[_|－—-]\s*(中国政府网|.*人民政府.*网|.*门户网站)", found[0])[
                    0
                ]
                break
        if title:
            warnings.append("元数据中没有标题，标题取自页面标题")
    if not title:
        return Skip(source, "不是政策文件页面：没有标题", failed=False)

    raw_number = meta.get("doc_number")
    doc_number = normalize_doc_number(raw_number) if raw_number else None
    if raw_number and not doc_number and raw_number not in ("无", "-", "—"):
        warnings.append(f"发文字号无法识别：{raw_number}")
    if not raw_number:
        for line in first_lines:
            if normalize_doc_number(line):
                raw_number, doc_number = line, normalize_doc_number(line)
                break

    dates: dict[str, str | None] = {}
    for key in ("written_date", "publish_date", "effective_date", "expiry_date"):
        raw = meta.get(key)
        dates[key] = parse_date(raw) if raw else None
        if raw and not dates[key]:
            warnings.append(f"日期无法识别：{raw}")
    if not dates["written_date"]:
        dates["written_date"] = signature_date(body)
    if not dates["publish_date"]:
        warnings.append("未找到发布日期")
    effective = dates["effective_date"] or effective_from_body(
        body, dates["publish_date"] or dates["written_date"]
    )

    authority = meta.get("authority") or authority_from_doc_number(doc_number)
    co_authorities: list[str] = []
    if authority and re.search(r"[、，,；;]", authority):
        # 国务院、中央军委: the first is the lead authority, the rest co-issued the document.
        authority, *co_authorities = [
            a.strip() for a in re.split(r"[、，,；;]", authority) if a.strip()
        ]
    level = classify_level(title, authority, doc_number, None)
    if level == "其他":
        level = "规范性文件"
    return Document(
        id=make_id(collection, source),
        title=title,
        collection=collection,
        source=source,
        format="govcn-html",
        doc_number=doc_number,
        doc_number_raw=raw_number,
        authority=authority,
        co_authorities=co_authorities,
        level=level,
        region=infer_region(title, authority),
        topic=meta.get("topic"),
        index_number=meta.get("index_number"),
        written_date=dates["written_date"],
        publish_date=dates["publish_date"],
        effective_date=effective,
        expiry_date=dates["expiry_date"],
        articles=split_articles(body),
        body=body,
        url=url,
        content_hash=content_hash(text),
        warnings=warnings,
    )


def read_urls(folder: Path) -> dict[str, str]:
    """`urls.tsv` (columns file, url) in a folder, if present: file name -> original address."""
    path = folder / "urls.tsv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return {
            row["file"].strip(): row["url"].strip()
            for row in csv.DictReader(fh, delimiter="\t")
            if row.get("file") and row.get("url")
        }


def read_govcn(
    path: Path, base: Path, collection: str, urls: dict[str, str] | None = None
) -> Iterator[Document | Skip]:
    """Read one saved page; `urls` maps file names to addresses (from `urls.tsv`)."""
    source = path.relative_to(base).as_posix() if path != base else path.name
    if urls is None:
        urls = read_urls(path.parent)
    try:
        data = path.read_bytes()
        yield parse_govcn(data, source, collection, urls.get(path.name))
    except OSError as exc:
        yield Skip(source, f"无法读取：{exc.strerror or exc}")
    except BadInputFile as exc:
        yield Skip(source, exc.reason)
