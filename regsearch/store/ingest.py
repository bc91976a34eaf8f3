"""Folder ingest through the store: read files -> store (new and changed revisions) -> index."""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from regsearch.errors import EmptySource
from regsearch.model import Document
from regsearch.store.base import Actor, PutReport, Store
from regsearch.store.sync import Progress, SyncReport, sync_index


@dataclass
class IngestReport:
    put: PutReport
    sync: SyncReport

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.put.added),
            "updated": len(self.put.updated),
            "unchanged": len(self.put.unchanged),
            "removed": len(self.put.removed),
            "relinked": (self.sync.counts or {}).get("relinked", 0),
        }

    @property
    def generation(self) -> str:
        return self.sync.generation


def command_line_actor() -> Actor:
    """The operator running a command on the server, for the change and audit logs."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "?"
    return Actor(name=f"命令行（{who}）", address="本机")


def ingest_documents(
    store: Store,
    index_dir: str | Path,
    documents: list[Document],
    *,
    prune: bool = False,
    rebuild: bool = False,
    collections: Iterable[str] = (),
    keep_sources: Iterable[str] = (),
    actor: Actor | None = None,
    progress: Progress | None = None,
    allow_empty: bool = False,
) -> IngestReport:
    """Store `documents` (as their files state them, unlinked), then bring the index up to date.

    `prune` marks the stored documents of `collections` (and of those present in
    `documents`) that this run did not produce as removed, except `keep_sources`
    (files that failed to read this time); `rebuild` does so for every collection and
    rebuilds the index. Their revisions stay in the store.
    """
    actor = actor or command_line_actor()
    documents = list(documents)
    if rebuild and not documents and not allow_empty:
        raise EmptySource(
            "没有读到任何文档，重建后索引将为空：请检查来源路径；确要建立空索引请加 --allow-empty。"
        )
    scope = sorted({d.collection for d in documents} | set(collections)) if prune else []
    if rebuild:
        # Only what this run gives: every other document that came from a folder ingest is
        # marked removed (departments' publications stay: they are not files of a folder).
        ingested = {s.document.collection for s in store.documents() if s.origin == "ingest"}
        scope = sorted(ingested | set(scope) | set(collections))
    with store.transaction():
        put = store.put_documents(
            documents,
            origin="ingest",
            actor=actor,
            prune_collections=scope,
            keep_sources=keep_sources,
        )
        store.audit(
            actor,
            "ingest",
            "collection",
            "、".join(sorted({d.collection for d in documents} | set(collections))),
            after={
                "added": len(put.added),
                "updated": len(put.updated),
                "unchanged": len(put.unchanged),
                "removed": len(put.removed),
            },
        )
    return IngestReport(
        put=put,
        sync=sync_index(
            store, index_dir, rebuild=rebuild, progress=progress, allow_empty=allow_empty
        ),
    )
