"""Build and update the index: incremental (content hash), atomic (generations), locked.

Analysis and posting writing are the slow parts, so a large batch is split
between forked worker processes, each writing whoosh segments of its own; the
parent (the one process holding the lock) deletes replaced documents and commits
all segments in one table of contents, so readers see all or nothing.

Documents and articles always go to separate segments (one per kind per writer),
so that a document query never reads article postings (search.kindq); updates
merge small segments of the same kind once there are more than MAX_SEGMENTS.
"""

from __future__ import annotations

import datetime as _dt
import gc
import json
import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import Any

from whoosh import index as windex
from whoosh.query import Term
from whoosh.reading import SegmentReader
from whoosh.writing import NO_MERGE

from regsearch.index import store
from regsearch.index.fastwrite import fast_writer
from regsearch.index.records import records_for, unpack_document
from regsearch.index.schema import SCHEMA_VERSION, make_schema
from regsearch.index.segment import get_segmenter
from regsearch.ingest.derive import changes_anything, rederive
from regsearch.ingest.identity import source_ids
from regsearch.model import Document

Progress = Callable[[int, int], None]

# Below this many documents worker processes cost more than they save.
POOL_THRESHOLD = 40
MAX_PROCS = int(os.environ.get("REGSEARCH_PROCS") or 2)
KINDS = ("doc", "article")
# More segments of one kind than this are merged (see _compact).
MAX_SEGMENTS = 8


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


def _balanced(docs: list[Document], parts: int) -> list[list[Document]]:
    """Split `docs` into `parts` lists of about the same amount of text."""
    shares: list[list[Document]] = [[] for _ in range(parts)]
    loads = [0] * parts
    for doc in sorted(docs, key=lambda d: -(len(d.body) * 2 + len(d.title))):
        i = loads.index(min(loads))
        shares[i].append(doc)
        loads[i] += len(doc.body) * 2 + len(doc.title) + 1000
    return shares


def _kind_writers(ix: Any) -> dict[str, Any]:
    """One side writer per record kind: documents and articles go to separate segments."""
    return {kind: fast_writer(ix, _lk=False, compound=False) for kind in KINDS}


def _add(writers: dict[str, Any], doc: Document) -> None:
    for rec in records_for(doc):
        writers[rec["kind"]].add_document(**rec)


def _finalize(writers: dict[str, Any]) -> list[Any]:
    """The non-empty segments of the side writers (the empty ones are discarded)."""
    out = []
    for w in writers.values():
        if w._added:
            out.append(w._finalize_segment())
        else:
            w._close_segment()  # its files are not in the TOC: the commit removes them
    return out


def _worker(ix: Any, docs: list[Document], queue: Any, parent: int) -> None:
    """Child process: analyze `docs` and write them to segments of its own (one per kind)."""
    # Millions of small posting tuples and no reference cycles: the cyclic garbage
    # collector would only rescan them over and over (a third of the build time).
    gc.disable()
    try:
        writers = _kind_writers(ix)
        for i, doc in enumerate(docs, 1):
            if os.getppid() != parent:  # the parent was killed: stop, leave nothing behind
                os._exit(1)
            _add(writers, doc)
            if i % 8 == 0:
                queue.put(("n", 8))
        queue.put(("n", len(docs) % 8))
        queue.put(("segments", _finalize(writers)))
    except BaseException:  # noqa: BLE001 - reported to the parent, which re-raises
        queue.put(("error", traceback.format_exc()))
    finally:
        queue.close()
        queue.join_thread()
        os._exit(0)


def _parallel_segments(
    ix: Any, docs: list[Document], procs: int, progress: Progress | None
) -> list[Any]:
    """Write `docs` into new segments (one per kind per worker process); returns them."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    workers = [
        ctx.Process(target=_worker, args=(ix, share, queue, os.getpid()), daemon=True)
        for share in _balanced(docs, procs)
    ]
    for w in workers:
        w.start()
    segments: list[Any] = []
    finished = 0
    done = 0
    try:
        while finished < len(workers):
            try:
                kind, value = queue.get(timeout=1.0)
            except Empty:
                if not any(w.is_alive() for w in workers) and queue.empty():
                    raise RuntimeError("索引子进程意外退出") from None
                continue
            if kind == "n":
                done += value
                if progress:
                    progress(done, len(docs))
            elif kind == "segments":
                segments.extend(value)
                finished += 1
            else:
                raise RuntimeError(f"索引子进程出错：\n{value}")
    finally:
        for w in workers:
            if w.is_alive() and finished < len(workers):
                w.terminate()
            w.join()
    return segments


def segment_kind(ix: Any, segment: Any) -> str:
    """The record kind a segment holds ("doc" or "article"; segments never mix them)."""
    reader = SegmentReader(ix.storage, ix.schema, segment)
    try:
        return "doc" if ("kind", "doc") in reader else "article"
    finally:
        reader.close()


def _compact(ix: Any, segments: list[Any]) -> list[Any]:
    """Merge the small segments of each kind once a kind has more than MAX_SEGMENTS,
    so that incremental updates do not pile up segments (never mixing kinds)."""
    by_kind: dict[str, list[Any]] = {kind: [] for kind in KINDS}
    for seg in segments:
        by_kind[segment_kind(ix, seg)].append(seg)
    out: list[Any] = []
    for kind in KINDS:
        segs = sorted(by_kind[kind], key=lambda s: -s.doc_count_all())
        if len(segs) <= MAX_SEGMENTS:
            out.extend(segs)
            continue
        keep, small = segs[: MAX_SEGMENTS // 2], segs[MAX_SEGMENTS // 2 :]
        merger = fast_writer(ix, _lk=False, compound=False)
        for seg in small:
            reader = SegmentReader(ix.storage, ix.schema, seg)
            merger.add_reader(reader)
            reader.close()
        out.extend(keep)
        out.extend(_finalize({kind: merger}))
    # Documents first: a document search then never reaches an article segment's postings.
    return out


def _write(ix: Any, delete: list[str], docs: list[Document], progress: Progress | None) -> None:
    """Delete, add and commit in one whoosh transaction (single writer, parallel analysis).

    New records go to side segments, one per kind (documents apart from articles, so
    that a document query never walks article postings); the main writer holds the
    lock, applies the deletions and commits one table of contents with all segments.
    """
    writer = fast_writer(ix, compound=False)
    try:
        for doc_id in delete:
            writer.delete_by_term("doc_id", doc_id)
        procs = min(MAX_PROCS, os.cpu_count() or 1)
        if len(docs) < POOL_THRESHOLD or procs < 2:
            writers = _kind_writers(ix)
            for i, doc in enumerate(docs, 1):
                _add(writers, doc)
                if progress:
                    progress(i, len(docs))
            segments = _finalize(writers)
        else:
            segments = _parallel_segments(ix, docs, procs, progress)
        existing = [s for s in writer._merge_segments(NO_MERGE, None, None) if s.doc_count()]
        writer._close_segment()
        writer._commit_toc(_compact(ix, [*existing, *segments]))
        writer._finish()
    except BaseException:
        writer.cancel()
        raise


def update_index(
    index_dir: str | Path,
    documents: list[Document],
    *,
    prune: bool = False,
    rebuild: bool = False,
    progress: Progress | None = None,
    collections: Iterable[str] = (),
    keep_sources: Iterable[str] = (),
) -> UpdateReport:
    """Add new, replace changed and (with `prune`) remove vanished documents, atomically.

    `documents` are records (`regsearch.ingest.ingest_paths` gives them); with an index
    already there, its records and these are derived again from their source documents
    (see the identity hook below), so a record's sources are replaced, never duplicated.
    `prune` removes stored source documents of `collections` (and of the collections
    present in `documents`) that this run did not produce, except those from
    `keep_sources` (files that exist but failed to read this time). Raises IndexBusy if
    another writer holds the lock.
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

        # --- identity hook (issue 11; to be re-seated on the engine writer) ----------
        # Records are derived from source documents: the stored records are taken apart
        # into theirs, the re-ingested ones replace them (prune drops vanished ones) and
        # all are merged into one record per version and linked again.
        scope = None
        if prune:
            scope = set(collections) | {d.collection for d in documents}
            scope |= {ref.collection for d in documents for ref in d.sources}
        if stored and not changes_anything(stored.values(), documents, scope, keep_sources):
            current = stored  # every source read again is as stored: nothing to derive
        elif stored:
            current = {
                d.id: d
                for d in rederive(
                    stored.values(),
                    documents,
                    prune_collections=scope,
                    keep_sources=keep_sources,
                ).records
            }
        else:
            current = {d.id: d for d in documents}
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
            delete = [*report.removed, *(i for i in to_write if i in stored)]
            get_segmenter()  # load once in the parent: forked workers inherit it
            _write(ix, delete, list(to_write.values()), progress)
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
