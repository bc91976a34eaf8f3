"""Build and update the index: incremental (content hash), atomic (generations), locked.

Analysis (jieba) is the slow part, so documents are turned into records with
pre-computed postings in worker processes and one writer files them.
"""

from __future__ import annotations

import datetime as _dt
import json
import multiprocessing
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as windex
from whoosh.query import Term

from regsearch.index import store
from regsearch.index.analyzer import get_jieba
from regsearch.index.records import records_for, unpack_document
from regsearch.index.schema import SCHEMA_VERSION, make_schema
from regsearch.model import Document

Progress = Callable[[int, int], None]

# Below this many documents a worker pool costs more than it saves.
POOL_THRESHOLD = 40


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


def _load_stored(ix: Any) -> dict[str, Document]:
    docs: dict[str, Document] = {}
    with ix.searcher() as s:
        for docnum in s.docs_for_query(Term("kind", "doc")):
            f = s.stored_fields(docnum)
            docs[f["id"]] = unpack_document(f["doc_z"], f.get("text_z"))
    return docs


def _relink(docs: list[Document]) -> None:
    """Resolve relations across `docs` (H2's linker), if it is available."""
    try:
        from regsearch.ingest.linking import link_documents
    except ImportError:
        return
    link_documents(docs, None)


def _fingerprint(doc: Document) -> str:
    data = doc.to_dict()
    return json.dumps(
        [data["relations"], data["status"], data["status_source"], data["status_evidence"]],
        ensure_ascii=False,
        sort_keys=True,
    )


def _records(docs: list[Document], progress: Progress | None) -> Iterable[list[dict[str, Any]]]:
    total = len(docs)
    get_jieba()  # load once in the parent: forked workers inherit it
    if total < POOL_THRESHOLD or (os.cpu_count() or 1) < 2:
        for i, doc in enumerate(docs, 1):
            yield records_for(doc)
            if progress:
                progress(i, total)
        return
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes=min(2, os.cpu_count() or 1)) as pool:
        for i, recs in enumerate(pool.imap(records_for, docs, chunksize=4), 1):
            yield recs
            if progress:
                progress(i, total)


def update_index(
    index_dir: str | Path,
    documents: list[Document],
    *,
    prune: bool = False,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> UpdateReport:
    """Add new, replace changed and (with `prune`) remove vanished documents, atomically.

    `prune` removes stored documents of the collections present in `documents`
    that this run did not produce. Raises IndexBusy if another writer holds the lock.
    """
    index_dir = Path(index_dir)
    report = UpdateReport()
    with store.write_lock(index_dir):
        base = None if rebuild else store.current_generation(index_dir)
        if base is not None and store.read_meta(base).get("schema_version") != SCHEMA_VERSION:
            base = None  # an old schema cannot be updated in place: rebuild
        stored: dict[str, Document] = {}
        if base is not None:
            stored = _load_stored(windex.open_dir(str(base)))

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
            collections = {d.collection for d in incoming.values()}
            report.removed = [
                i for i, d in stored.items() if d.collection in collections and i not in incoming
            ]

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

        if base is not None and not to_write and not report.removed:
            report.generation = base.name
            return report

        gen = store.new_generation(index_dir, base)
        try:
            ix = (
                windex.open_dir(str(gen))
                if base is not None
                else windex.create_in(str(gen), make_schema())
            )
            writer = ix.writer(limitmb=256)
            try:
                for doc_id in [*report.removed, *(i for i in to_write if i in stored)]:
                    writer.delete_by_term("doc_id", doc_id)
                for recs in _records(list(to_write.values()), progress):
                    for rec in recs:
                        writer.add_document(**rec)
                writer.commit(optimize=base is None)
            except BaseException:
                writer.cancel()
                raise
            with ix.searcher() as s:
                n_docs = len(list(s.docs_for_query(Term("kind", "doc"))))
                n_all = s.doc_count()
            meta = {
                "schema_version": SCHEMA_VERSION,
                "built_at": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "documents": n_docs,
                "articles": n_all - n_docs,
            }
            store.publish(index_dir, gen, meta)
        except BaseException:
            store.discard(gen)
            raise
        report.generation = gen.name
        return report
