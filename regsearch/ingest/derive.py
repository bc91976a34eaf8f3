"""DERIVE: records from source documents (identity merge, then linking), and updates.

`derive` is the pure step of the write pipeline (PIPELINE.md): every source document
in, one linked record per document version out. `rederive` is what an index update
needs: the stored records taken apart into their source documents, the re-ingested
ones replaced (and, with prune, the vanished ones dropped), and all of them derived
again, so that re-ingesting one source updates its records and never duplicates them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from regsearch.ingest.identity import IdentityRules, explode, merge_sources
from regsearch.ingest.linking import link_documents
from regsearch.model import Document


def derive(
    sources: Iterable[Document],
    *,
    previous: Mapping[str, str] | None = None,
    rules: IdentityRules | None = None,
    as_of: str | None = None,
) -> list[Document]:
    """One linked record per document version (`previous`: source id -> old record id)."""
    records = merge_sources(sources, previous=previous, rules=rules)
    link_documents(records, as_of)
    return records


@dataclass
class Rederived:
    records: list[Document] = field(default_factory=list)
    dropped_sources: list[str] = field(default_factory=list)  # ids of source documents pruned


def _refs(record: Document) -> list[tuple[str, str, str, str]]:
    """(id, collection, source, content hash) of each source document of a record."""
    if record.sources:
        return [(s.id, s.collection, s.source, s.content_hash) for s in record.sources]
    return [(record.id, record.collection, record.source, record.content_hash)]


def changes_anything(
    stored: Iterable[Document],
    incoming: Iterable[Document],
    prune_collections: Iterable[str] | None = None,
    keep_sources: Iterable[str] = (),
) -> bool:
    """Whether ingesting `incoming` into `stored` records changes any source document
    (a new or changed one, or one that prune would drop); cheap: no text is unpacked."""
    known = {ref[0]: ref[3] for record in stored for ref in _refs(record)}
    new = {ref[0]: ref[3] for record in incoming for ref in _refs(record)}
    if any(known.get(i) != h or not h for i, h in new.items()):
        return True
    if prune_collections is None:
        return False
    scope, keep = set(prune_collections), set(keep_sources)
    return any(
        sid not in new and coll in scope and src not in keep
        for record in stored
        for sid, coll, src, _h in _refs(record)
    )


def rederive(
    stored: Iterable[Document],
    incoming: Iterable[Document],
    *,
    prune_collections: Iterable[str] | None = None,
    keep_sources: Iterable[str] = (),
    deletes: Iterable[str] = (),
    rules: IdentityRules | None = None,
) -> Rederived:
    """All records after an ingest of `incoming` into an index holding `stored` records.

    A stored source document is replaced by an incoming one with the same id; with
    `prune_collections`, a stored source document of those collections that this run
    did not produce is dropped, unless its file is in `keep_sources` (it exists but
    could not be read this time); `deletes` are ids of source documents (or of records)
    removed. Records keep their ids where their sources say so.
    """
    new_sources = [s for record in incoming for s in explode(record)]
    new_ids = {s.id for s in new_sources}
    scope = set(prune_collections) if prune_collections is not None else None
    keep = set(keep_sources)
    deleted = set(deletes)
    previous: dict[str, str] = {}
    kept: list[Document] = []
    out = Rederived()
    for record in stored:
        for source in explode(record):
            previous[source.id] = record.id
            if source.id in new_ids:
                continue
            if source.id in deleted or (record.id in deleted and len(record.sources) <= 1):
                out.dropped_sources.append(source.id)
                continue
            if scope is not None and source.collection in scope and source.source not in keep:
                out.dropped_sources.append(source.id)
                continue
            kept.append(source)
    out.records = derive([*kept, *new_sources], previous=previous, rules=rules)
    return out


__all__ = ["Rederived", "changes_anything", "derive", "rederive"]
