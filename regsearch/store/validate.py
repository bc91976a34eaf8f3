"""A submitted form (or JSON object) -> a `Document`, or exactly what is missing or malformed.

Uses the ingest normalizers, so a 文号 in any bracket style and a date in any form
ingest reads (2024-01-31, 2024年1月31日, 二〇二四年一月三十一日) are accepted and stored
in their canonical form; anything else gets a message saying what to write instead.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from regsearch.ingest.articles import split_articles
from regsearch.ingest.classify import LEVELS, infer_region
from regsearch.ingest.dates import parse_date
from regsearch.model import Document, content_hash
from regsearch.store.errors import ValidationFailed
from regsearch.text.clean import clean_text, one_line
from regsearch.text.docnum import normalize_doc_number

FIELDS = (
    "title",
    "subtitle",
    "doc_number",
    "authority",
    "co_authorities",
    "level",
    "region",
    "written_date",
    "publish_date",
    "effective_date",
    "expiry_date",
    "url",
    "body",
)
LABELS = {
    "title": "标题",
    "subtitle": "副标题",
    "doc_number": "发文字号",
    "authority": "发文机关",
    "co_authorities": "联合发文机关",
    "level": "效力级别",
    "region": "地区",
    "written_date": "成文日期",
    "publish_date": "发布日期",
    "effective_date": "施行日期",
    "expiry_date": "有效期至",
    "url": "原文地址",
    "body": "正文",
}
DATE_FIELDS = ("written_date", "publish_date", "effective_date", "expiry_date")
MAX_TITLE = 200
MAX_BODY = 2_000_000
DATE_HINT = "请写成 2024-01-31 或 2024年1月31日"


def _text(fields: Mapping[str, Any], key: str) -> str:
    value = fields.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        value = "、".join(str(v) for v in value)
    return str(value)


def split_names(text: str) -> list[str]:
    for sep in "，,；;\n":
        text = text.replace(sep, "、")
    return [one_line(n) for n in text.split("、") if one_line(n)]


def document_from_fields(
    fields: Mapping[str, Any], *, doc_id: str, collection: str, source: str, fmt: str = "form"
) -> Document:
    """The document the fields describe; ValidationFailed names every bad field."""
    errors: dict[str, str] = {}
    title = one_line(_text(fields, "title"))
    if not title:
        errors["title"] = "缺少标题。"
    elif len(title) > MAX_TITLE:
        errors["title"] = f"标题过长（{len(title)} 字，上限 {MAX_TITLE} 字）。"
    authority = one_line(_text(fields, "authority"))
    if not authority:
        errors["authority"] = "缺少发文机关（须为本部门名称或其别名）。"
    level = one_line(_text(fields, "level"))
    if not level:
        errors["level"] = f"缺少效力级别，可选：{'、'.join(LEVELS)}。"
    elif level not in LEVELS:
        errors["level"] = f"效力级别“{level}”不在可选范围内：{'、'.join(LEVELS)}。"
    raw_number = one_line(_text(fields, "doc_number"))
    doc_number = normalize_doc_number(raw_number) if raw_number else None
    if raw_number and not doc_number:
        errors["doc_number"] = (
            f"发文字号“{raw_number}”格式不对："
            "应为 机关代字〔年份〕序号号（如 黔府发〔2020〕13号），"
            "或 令号（如 贵州省人民政府令第194号）；括号可用 〔〕[]【】() 任一种。"
        )
    dates: dict[str, str | None] = {}
    for key in DATE_FIELDS:
        raw = one_line(_text(fields, key))
        dates[key] = parse_date(raw) if raw else None
        if raw and not dates[key]:
            errors[key] = f"{LABELS[key]}“{raw}”不是可识别的日期，{DATE_HINT}。"
    if not dates["publish_date"] and "publish_date" not in errors:
        errors["publish_date"] = f"缺少发布日期，{DATE_HINT}。"
    written, publish = dates["written_date"], dates["publish_date"]
    effective, expiry = dates["effective_date"], dates["expiry_date"]
    if written and publish and written > publish and "written_date" not in errors:
        errors["written_date"] = f"成文日期 {written} 晚于发布日期 {publish}。"
    start = effective or publish
    if expiry and start and expiry <= start and "expiry_date" not in errors:
        errors["expiry_date"] = f"有效期至 {expiry} 不晚于施行日期 {start}。"
    body = clean_text(_text(fields, "body")).strip("\n")
    if not body.strip():
        errors["body"] = "缺少正文。"
    elif len(body) > MAX_BODY:
        errors["body"] = f"正文过长（{len(body)} 字，上限 {MAX_BODY} 字）。"
    url = one_line(_text(fields, "url"))
    if url and not url.lower().startswith(("http://", "https://")):
        errors["url"] = "原文地址须以 http:// 或 https:// 开头。"
    if errors:
        raise ValidationFailed(errors)
    co = [n for n in split_names(_text(fields, "co_authorities")) if n != authority]
    region = one_line(_text(fields, "region")) or infer_region(title, authority)
    values = {
        "title": title,
        "subtitle": one_line(_text(fields, "subtitle")) or None,
        "doc_number": doc_number,
        "doc_number_raw": raw_number or None,
        "authority": authority,
        "co_authorities": co,
        "level": level,
        "region": region,
        **dates,
        "url": url or None,
        "body": body,
    }
    return Document(
        id=doc_id,
        collection=collection,
        source=source,
        format=fmt,
        articles=split_articles(body),
        content_hash=content_hash(json.dumps(values, ensure_ascii=False, sort_keys=True)),
        version_date=publish,
        **values,  # type: ignore[arg-type]
    )


def fields_of(doc: Document) -> dict[str, str]:
    """A document's values as form fields (to prefill a form from a parsed upload)."""
    return {
        "title": doc.title or "",
        "subtitle": doc.subtitle or "",
        "doc_number": doc.doc_number_raw or doc.doc_number or "",
        "authority": doc.authority or "",
        "co_authorities": "、".join(doc.co_authorities),
        "level": doc.level if doc.level in LEVELS else "",
        "region": doc.region or "",
        "written_date": doc.written_date or "",
        "publish_date": doc.publish_date or "",
        "effective_date": doc.effective_date or "",
        "expiry_date": doc.expiry_date or "",
        "url": doc.url or "",
        "body": doc.body or "\n".join(a.text for a in doc.articles),
    }
