"""The evidence shown beside a derived status (the relation or date that decided it)."""

from __future__ import annotations

from regsearch.model import Document

_RELATIONS_FOR = {
    "repeal": ("repealed_by",),
    "expiry": ("expired_by",),
    "version_chain": ("superseded_by",),
}


def evidence_for(doc: Document, source: str) -> str:
    """The sentence or date that establishes a derived status."""
    for rel in doc.relations:
        if rel.type in _RELATIONS_FOR.get(source, ()):
            target = (
                f"《{rel.target_title}》" if rel.target_title else (rel.target_doc_number or "")
            )
            return rel.evidence or f"{target}（{rel.date or ''}）"
    if source == "repeal" and doc.repeal_date:
        return f"{doc.repeal_date} 废止"
    if source == "expiry" and doc.expiry_date:
        return f"有效期至 {doc.expiry_date}"
    if source == "effective_date" and doc.effective_date:
        return f"自 {doc.effective_date} 起施行"
    return ""
