"""Update an index from documents: incremental (content hash), re-linked, through an
engine's writer (atomic generations, one writer at a time).

`update_index` adds new documents, replaces changed ones, removes vanished ones
(`prune`) and re-links relations across the whole index (a newly ingested repeal
decision marks its targets), then hands the writer one change set. It is the same
for every engine.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from regsearch.engine import ChangeSet, Engine, Progress, open_engine
from regsearch.errors import EmptySource
from regsearch.ingest.derive import changes_anything, rederive
from regsearch.ingest.identity import source_ids
from regsearch.model import Document


@dataclass
class UpdateReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    relinked: list[str] = field(default_factory=list)  # stored docs whose relations changed
    generation: str = ""

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "removed": len(self.removed),
            "relinked": len(self.relinked),
        }


def _fingerprint(doc: Document) -> str:
    data = doc.to_dict()
    return json.dumps(
        [
            data["relations"],
            data["status"],
            data["status_source"],
            data["status_evidence"],
            source_ids(doc),
        ],
        ensure_ascii=False,
        sort_keys=True,
    )


def update_index(
    target: str | Path | Engine,
    documents: list[Document],
    *,
    prune: bool = False,
    rebuild: bool = False,
    progress: Progress | None = None,
    collections: Iterable[str] = (),
    keep_sources: Iterable[str] = (),
    allow_empty: bool = False,
    meta: Mapping[str, Any] | None = None,
    deletes: Iterable[str] = (),
) -> UpdateReport:
    """Add new, replace changed and (with `prune`) remove vanished documents, atomically.

    `documents` are source documents (as the store keeps them) or records derived from
    them (`ingest_paths`); records are derived again with the stored ones (see the
    identity hook), so a re-ingested source updates its records, never duplicates them.
    `prune` removes stored source documents of `collections` (and of the collections
    present in `documents`) that this run did not produce, except those from
    `keep_sources` (files that exist but failed to read this time); `deletes` removes
    source documents by id.
    An index that would end up empty
    is refused (EmptySource) unless `allow_empty`. Raises IndexBusy if another writer
    holds the lock, IndexDamaged (naming --rebuild) if the index cannot be read.
    """
    engine = target if not isinstance(target, (str, Path)) else open_engine(target)
    report = UpdateReport()
    with engine.writer(rebuild=rebuild) as writer:
        stored = {d.id: d for d in writer.documents()}
        # --- identity hook (issue 11) ------------------------------------------------
        # Records are derived from source documents (ingest.derive): the stored records
        # are taken apart into theirs, the incoming ones replace them (prune drops the
        # vanished ones, `deletes` names source documents), and all are merged into one
        # record per version and linked again.
        scope: set[str] | None = None
        if prune:
            scope = set(collections) | {d.collection for d in documents}
            scope |= {ref.collection for d in documents for ref in d.sources}
        gone = set(deletes)
        if (
            stored
            and not gone
            and not changes_anything(stored.values(), documents, scope, keep_sources)
        ):
            current = stored  # every source read again is as stored: nothing to derive
        elif stored or not all(d.sources for d in documents):
            current = {
                d.id: d
                for d in rederive(
                    stored.values(),
                    documents,
                    prune_collections=scope,
                    keep_sources=keep_sources,
                    deletes=gone,
                ).records
            }
        else:
            current = {d.id: d for d in documents}  # records derived by the caller
        # --------------------------------------------------------------------------------

        # "unchanged" counts the records this run read again, not every record kept
        read_again = {ref.id for d in documents for ref in d.sources} | {d.id for d in documents}
        to_write: dict[str, Document] = {}
        for doc_id, doc in current.items():
            old = stored.get(doc_id)
            if old is None:
                report.added.append(doc_id)
                to_write[doc_id] = doc
            elif old.content_hash != doc.content_hash or not doc.content_hash:
                report.updated.append(doc_id)
                to_write[doc_id] = doc
            else:
                if read_again.intersection(source_ids(doc)):
                    report.unchanged.append(doc_id)  # its sources are as they were
                if _fingerprint(old) != _fingerprint(doc):
                    report.relinked.append(doc_id)  # ... but its links or status moved
                    to_write[doc_id] = doc
        report.removed = [i for i in stored if i not in current]
        if not current and not allow_empty and (rebuild or writer.base is None or stored):
            raise EmptySource(
                "没有读到任何文档，索引将为空：请检查来源路径；确要建立空索引请加 --allow-empty。"
            )

        extra = dict(meta or {})
        same_meta = all(writer.base_meta.get(k) == v for k, v in extra.items())
        if writer.base is not None and not to_write and not report.removed and same_meta:
            report.generation = writer.base
            return report
        changes = ChangeSet(upserts=list(to_write.values()), deletes=report.removed)
        # (with no change but new metadata, e.g. the store sequence it reflects, the new
        # generation is hard links to the old one's files and a new meta.json)
        report.generation = writer.apply(changes, extra, progress)
    return report
