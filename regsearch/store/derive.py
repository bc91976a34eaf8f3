"""Store -> the documents the index is built from (pure, apart from reading the store).

A source document is indexed as stored, plus what people decided about it later:
each event (废止 or 宣布失效 with its deciding document, a 清理结论) and each manual
relation (an amendment's new version supersedes the old one) becomes a relation on
both documents, so the linker and `regsearch.status` derive statuses from it as
from any repeal clause. The overlay is folded into the content hash, so the index
writer sees a document whose decisions changed as changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from regsearch.model import Document, Relation, RelationType, content_hash
from regsearch.store.base import Event, EventKind, ManualRelation, Store

R = RelationType
# event kind -> (relation on the document it happens to, relation on the deciding document)
EVENT_RELATIONS = {
    EventKind.REPEAL.value: (R.REPEALED_BY.value, R.REPEALS.value),
    EventKind.EXPIRE.value: (R.EXPIRED_BY.value, R.DECLARES_EXPIRED.value),
}
# 清理结论 (the event's detail) -> the same pair
CLEANUP_RELATIONS = {
    "继续有效": (R.CONFIRMED_BY.value, R.CONFIRMS.value),
    "修改": (R.AMENDED_BY.value, R.AMENDS.value),
    "废止": (R.REPEALED_BY.value, R.REPEALS.value),
    "宣布失效": (R.EXPIRED_BY.value, R.DECLARES_EXPIRED.value),
}
INVERSE = {
    R.SUPERSEDES.value: R.SUPERSEDED_BY.value,
    R.SUPERSEDED_BY.value: R.SUPERSEDES.value,
    R.REPEALS.value: R.REPEALED_BY.value,
    R.DECLARES_EXPIRED.value: R.EXPIRED_BY.value,
    R.AMENDS.value: R.AMENDED_BY.value,
    R.CONFIRMS.value: R.CONFIRMED_BY.value,
    R.PARTIALLY_INVALIDATES.value: R.PARTIALLY_INVALIDATED_BY.value,
}


def event_relations(event: Event) -> tuple[str, str] | None:
    if event.kind == EventKind.CLEANUP.value:
        return CLEANUP_RELATIONS.get(event.detail)
    return EVENT_RELATIONS.get(event.kind)


def _link(
    kind: str, other_id: str | None, other: Document | None, evidence: str, date: str | None
) -> Relation:
    return Relation(
        type=kind,
        target_id=other_id if other is not None else None,
        target_title=other.title if other is not None else None,
        target_doc_number=other.doc_number if other is not None else None,
        evidence=evidence,
        date=date,
    )


def overlay(
    docs: dict[str, Document],
    events: Iterable[Event],
    relations: Iterable[ManualRelation],
    partners: dict[str, Document],
) -> list[Document]:
    """`docs` with the events' and manual relations' links added (on both ends)."""
    added: dict[str, list[Relation]] = {}

    def add(doc_id: str, rel: Relation) -> None:
        if doc_id in docs:
            added.setdefault(doc_id, []).append(rel)

    known = {**partners, **docs}
    for ev in events:
        kinds = event_relations(ev)
        if kinds is None:
            continue
        on_target, on_decider = kinds
        decider = known.get(ev.evidence_id or "")
        add(ev.doc_id, _link(on_target, ev.evidence_id, decider, ev.evidence, ev.date))
        if ev.evidence_id:
            add(
                ev.evidence_id,
                _link(on_decider, ev.doc_id, known.get(ev.doc_id), ev.evidence, ev.date),
            )
    for rel in relations:
        add(
            rel.doc_id,
            _link(rel.type, rel.target_id, known.get(rel.target_id), rel.evidence, rel.date),
        )
        inverse = INVERSE.get(rel.type)
        if inverse:
            add(
                rel.target_id,
                _link(inverse, rel.doc_id, known.get(rel.doc_id), rel.evidence, rel.date),
            )
    for doc_id, rels in added.items():
        doc = docs[doc_id]
        doc.relations.extend(rels)
        stated = json.dumps([r.__dict__ for r in rels], ensure_ascii=False, sort_keys=True)
        doc.content_hash = content_hash(f"{doc.content_hash}\x1f{stated}")
    return list(docs.values())


def derive_documents(store: Store, ids: Iterable[str] | None = None) -> list[Document]:
    """The documents to index: every current one (`ids` None), or those of `ids`."""
    wanted = None if ids is None else sorted(set(ids))
    docs = {s.doc_id: s.document for s in store.documents(wanted)}
    events = store.events(wanted)
    relations = store.relations(wanted)
    others = {e.evidence_id for e in events if e.evidence_id} | {e.doc_id for e in events}
    others |= {r.target_id for r in relations} | {r.doc_id for r in relations}
    others -= set(docs)
    partners = {s.doc_id: s.document for s in store.documents(others)} if others else {}
    return overlay(docs, events, relations, partners)
