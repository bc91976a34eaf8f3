"""Checks of derived records against their sources (issue 11), for reports and corpus tests.

- `shared_versions`: records that share a version by what they say (title without
  中华人民共和国, the part, 文号, version date): none should, unless their texts differ;
- `chain_links`: the version links among one collection's source documents, so the
  chains of one source alone can be compared with the chains over all sources;
- `shown_ended`: records every source holds to be in force (each in its own run) that
  are shown 已修改 or 已废止, with the reason (a later version another source carries,
  an undated copy placed before a dated version, or unexplained).
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from regsearch.ingest.identity import part_key, source_ids
from regsearch.ingest.relations import norm_title
from regsearch.model import CASE_KIND, Document, RelationType, Status

IN_FORCE = {Status.IN_FORCE.value, Status.PARTIALLY_INVALID.value, Status.NOT_YET_EFFECTIVE.value}
ENDED = {Status.AMENDED.value, Status.REPEALED.value}
LATER_VERSION = "a later version another source carries"
UNDATED_COPY = "an undated copy placed before a dated version"
REPEALED_ELSEWHERE = "repealed by a document another source carries"
UNEXPLAINED = "unexplained"


def version_of(doc: Document) -> tuple[str, str, str, str]:
    """What a document says about its version: title, part, 文号, date."""
    date = doc.version_date or doc.publish_date or doc.effective_date or ""
    return norm_title(doc.title), part_key(doc), doc.doc_number or "", date


def shared_versions(docs: Iterable[Document]) -> list[list[Document]]:
    """Groups of two or more documents that say they are the same version."""
    groups: dict[tuple[str, str, str, str], list[Document]] = {}
    for doc in docs:
        groups.setdefault(version_of(doc), []).append(doc)
    return [g for g in groups.values() if len(g) > 1]


def chain_links(records: Iterable[Document], collection: str) -> dict[str, frozenset[str]]:
    """Source id (of `collection`) -> the successor's source ids of `collection` (or, for a
    successor only another source carries, `<collection:source>` of that successor)."""
    records = list(records)
    by_id = {r.id: r for r in records}
    out: dict[str, frozenset[str]] = {}
    for rec in records:
        succ: set[str] = set()
        for rel in rec.relations:
            target = by_id.get(rel.target_id or "")
            if rel.type != RelationType.SUPERSEDED_BY.value or target is None:
                continue
            own = {s.id for s in target.sources if s.collection == collection}
            first = target.sources[0] if target.sources else None
            succ |= own or {f"<{first.collection}:{first.source}>" if first else target.id}
        for ref in rec.sources:
            if ref.collection == collection:
                out[ref.id] = frozenset(succ)
    return out


@dataclass
class Ended:
    record: Document
    by: Document | None
    reason: str


def _days(a: str, b: str) -> int:
    return abs((_dt.date.fromisoformat(a) - _dt.date.fromisoformat(b)).days)


def shown_ended(records: Iterable[Document], alone: Mapping[str, str]) -> list[Ended]:
    """Records shown 已修改/已废止 although each of their sources, in its own collection's
    run (`alone`: source id -> status there), is in force; with the reason."""
    records = list(records)
    by_id = {r.id: r for r in records}
    out: list[Ended] = []
    for rec in records:
        if rec.status not in ENDED or rec.kind == CASE_KIND:
            continue
        if not all(alone.get(sid) in IN_FORCE for sid in source_ids(rec)):
            continue
        rel = next((r for r in rec.relations if r.type in ("superseded_by", "repealed_by")), None)
        by = by_id.get(rel.target_id or "") if rel else None
        mine = {s.collection for s in rec.sources}
        if rec.status == "已废止" and by and not mine & {s.collection for s in by.sources}:
            reason = REPEALED_ELSEWHERE
        elif by and by.version_date and rec.version_date and by.version_date > rec.version_date:
            later = _days(rec.version_date, by.version_date) > 31
            reason = LATER_VERSION if later and rec.status == "已修改" else UNEXPLAINED
        elif not rec.version_date and rec.status == "已修改":
            reason = UNDATED_COPY
        else:
            reason = UNEXPLAINED
        out.append(Ended(rec, by, reason))
    return out


def statuses_by_source(records: Iterable[Document]) -> dict[str, str]:
    """Source id -> the status of its record."""
    return {sid: rec.status for rec in records for sid in source_ids(rec)}


def level_shares(records: Iterable[Document]) -> Counter[str]:
    return Counter(r.level for r in records)
