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


def _relink(docs: list[Document]) -> None:
    """Resolve relations across `docs`."""
    from regsearch.ingest.linking import link_documents

    link_documents(docs, None)


def _fingerprint(doc: Document) -> str:
    data = doc.to_dict()
    return json.dumps(
        [data["relations"], data["status"], data["status_source"], data["status_evidence"]],
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

    `prune` removes stored documents of `collections` (and of the collections present
    in `documents`) that this run did not produce, except those from `keep_sources`
    (files that exist but failed to read this time); `deletes` removes documents by id.
    An index that would end up empty
    is refused (EmptySource) unless `allow_empty`. Raises IndexBusy if another writer
    holds the lock, IndexDamaged (naming --rebuild) if the index cannot be read.
    """
    engine = target if not isinstance(target, (str, Path)) else open_engine(target)
    report = UpdateReport()
    with engine.writer(rebuild=rebuild) as writer:
        stored = {d.id: d for d in writer.documents()}
        incoming: dict[str, Document] = {}
        for doc in documents:
            incoming[doc.id] = doc
        to_write: dict[str, Document] = {}
        for doc_id, doc in incoming.items():
            old = stored.get(doc_id)
            if old is None:
                report.added.append(doc_id)
                to_write[doc_id] = doc
            elif old.content_hash != doc.content_hash or not doc.content_hash:
                report.updated.append(doc_id)
                to_write[doc_id] = doc
            else:
                report.unchanged.append(doc_id)
        if prune:
            scope = {d.collection for d in incoming.values()} | set(collections)
            keep = set(keep_sources)
            report.removed = [
                i
                for i, d in stored.items()
                if d.collection in scope and i not in incoming and d.source not in keep
            ]
        gone = set(report.removed)
        report.removed += [i for i in dict.fromkeys(deletes) if i in stored and i not in gone]
        remaining = len(stored) - len(report.removed) + len(report.added)
        if remaining == 0 and not allow_empty and (rebuild or writer.base is None or stored):
            raise EmptySource(
                "没有读到任何文档，索引将为空：请检查来源路径；确要建立空索引请加 --allow-empty。"
            )

        # A new collection may repeal or supersede stored documents: re-link the union.
        if stored and (to_write or report.removed):
            union = {i: d for i, d in stored.items() if i not in report.removed}
            union.update(incoming)
            before = {i: _fingerprint(d) for i, d in stored.items() if i in union}
            _relink(list(union.values()))
            for i, fp in before.items():
                if i not in to_write and _fingerprint(union[i]) != fp:
                    report.relinked.append(i)
                    to_write[i] = union[i]

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
