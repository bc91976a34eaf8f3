"""The document page's parts: status card with evidence, relations, article anchors, citation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from regsearch.errors import RegsearchError
from regsearch.model import Document, Relation, RelationType, Status
from regsearch.search.labels import relation_label

R = RelationType
# statuses that make a cited basis questionable
DEAD = {Status.REPEALED.value, Status.EXPIRED.value}
MAX_LOOKUPS = 30


@dataclass
class RelationView:
    label: str
    text: str  # 《title》 and/or 文号
    target_id: str | None
    date: str | None
    evidence: str
    target_status: str | None = None
    broken_basis: bool = False  # a cited basis that is itself repealed or expired


@dataclass
class StatusCard:
    status: str
    lines: list[tuple[str, str | None]] = field(default_factory=list)  # (text, link target id)
    evidence: str = ""


def target_text(rel: Relation) -> str:
    parts = []
    if rel.target_title:
        parts.append(f"《{rel.target_title}》")
    if rel.target_doc_number:
        parts.append(rel.target_doc_number)
    return " ".join(parts) or (rel.target_id or "（未识别的文件）")


# The relations that explain a status, as a line of the status card.
_STATUS_LINES = {
    R.SUPERSEDED_BY.value: "被{target}取代{date}",
    R.REPEALED_BY.value: "依据 {target} 废止{date}",
    R.EXPIRED_BY.value: "由 {target} 宣布失效{date}",
    R.PARTIALLY_INVALIDATED_BY.value: "由 {target} 宣布部分失效{date}",
    R.AMENDED_BY.value: "经 {target} 修改{date}",
    R.CONFIRMED_BY.value: "经 {target} 确认继续有效{date}",
}


def status_card(doc: Document) -> StatusCard:
    """The status with the facts behind it, e.g. "被《…》取代 2023-09-01" or "有效期至 …"."""
    card = StatusCard(status=doc.status, evidence=doc.status_evidence)
    for rel in doc.relations:
        line = _STATUS_LINES.get(rel.type)
        if line:
            date = f" {rel.date}" if rel.date else ""
            card.lines.append((line.format(target=target_text(rel), date=date), rel.target_id))
    if doc.repeal_date and not any(r.type == R.REPEALED_BY.value for r in doc.relations):
        card.lines.append((f"废止日期 {doc.repeal_date}", None))
    if doc.effective_date and doc.status == Status.NOT_YET_EFFECTIVE.value:
        card.lines.append((f"自 {doc.effective_date} 起施行", None))
    if doc.expiry_date:
        card.lines.append((f"有效期至 {doc.expiry_date}", None))
    return card


def relation_views(service: Any, doc: Document, as_of: str | None) -> list[RelationView]:
    """Every relation, with the target's status when it is in the index (flags a dead basis)."""
    out = []
    for i, rel in enumerate(doc.relations):
        view = RelationView(
            label=relation_label(rel.type),
            text=target_text(rel),
            target_id=rel.target_id,
            date=rel.date,
            evidence=rel.evidence,
        )
        if rel.target_id and i < MAX_LOOKUPS:
            try:
                view.target_status = service.get(rel.target_id, as_of=as_of).status
                view.broken_basis = rel.type == R.CITES.value and view.target_status in DEAD
            except RegsearchError:
                view.target_id = None  # not in this index: show the text without a dead link
        out.append(view)
    return out


def article_anchors(doc: Document) -> list[tuple[str, Any]]:
    """(anchor, article) pairs; the anchor is the article number, made unique if it repeats."""
    seen: dict[str, int] = {}
    out = []
    for article in doc.articles:
        n = seen.get(article.number, 0) + 1
        seen[article.number] = n
        out.append((article.number if n == 1 else f"{article.number}-{n}", article))
    return out


def citation(doc: Document, url: str) -> str:
    """A copyable reference: 《标题》（文号），发文机关，发布日期，网址 (the address only when
    the site's BASE_URL is configured)."""
    parts = [f"《{doc.title}》" + (f"（{doc.doc_number}）" if doc.doc_number else "")]
    if doc.authority:
        parts.append(doc.authority)
    if doc.publish_date:
        parts.append(f"{doc.publish_date} 发布")
    if url:
        parts.append(url)
    return "，".join(parts)
