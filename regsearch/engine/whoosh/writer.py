"""The Whoosh writer: applies a change set as a new generation, atomically, under a lock.

Analysis and posting writing are the slow parts, so a large batch is split between
forked worker processes, each writing whoosh segments of its own; the parent (the
one process holding the lock) deletes replaced documents and commits all segments
in one table of contents, so readers see all or nothing. Workers die with the
parent (PR_SET_PDEATHSIG) and drop their copy of the lock, so a killed ingest
releases the lock at once.

Documents and articles always go to separate segments (one per kind per writer),
so that a document query never reads article postings (`snapshot.match` skips the
segments of the other kind); updates merge small segments of the same kind once
there are more than MAX_SEGMENTS. A worker's postings are held in memory until its
segment is written, so a worker writes a segment whenever one holds
SEGMENT_POSTINGS postings, and the writer it replaces is freed at once, so the
postings held are bounded (two segments being written per worker, one of each kind).
A posting held costs about 35 bytes, packed (fastwrite.MemoryPool; ~100 as Python
tuples, when a 1x worker peaked at 1.37 GB against 0.54 GB now), so a 30 M-posting
pool is about 1 GB.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as _dt
import gc
import multiprocessing
import os
import signal
import traceback
from collections.abc import Iterator, Mapping
from pathlib import Path
from queue import Empty
from typing import Any

from whoosh import index as windex
from whoosh.query import Term
from whoosh.reading import SegmentReader
from whoosh.writing import NO_MERGE

from regsearch import settings
from regsearch.engine import ChangeSet, Progress
from regsearch.engine.whoosh import store
from regsearch.engine.whoosh.fastwrite import fast_writer
from regsearch.engine.whoosh.records import records_for, unpack_document
from regsearch.engine.whoosh.schema import SCHEMA_VERSION, make_schema
from regsearch.errors import IndexDamaged
from regsearch.index.segment import get_segmenter
from regsearch.model import Document

# Below this many documents worker processes cost more than they save.
POOL_THRESHOLD = 40
MAX_PROCS = settings.count("REGSEARCH_PROCS", 2)
KINDS = ("doc", "article")
# More segments of one kind than this are merged (see _compact).
MAX_SEGMENTS = 8
# Postings a worker's segment holds in memory before it is written: the corpus at 4x
# fits in one segment per kind per worker, 16x takes three.
SEGMENT_POSTINGS = settings.count("REGSEARCH_SEGMENT_POSTINGS", 30_000_000)
_PR_SET_PDEATHSIG = 1


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


def _write_full(ix: Any, writers: dict[str, Any]) -> list[Any]:
    """Write out the segments of `writers` that hold SEGMENT_POSTINGS postings, each
    replaced by a new writer; the segments written. The old writer is collected at once:
    workers run with the cyclic collector off, and a whoosh writer is a reference cycle:
    without this, what it held stayed (a 16x build grew by ~3 GB a worker)."""
    full = [kind for kind, w in writers.items() if w.pool.postings >= SEGMENT_POSTINGS]
    written = []
    for kind in full:
        written.append(writers[kind]._finalize_segment())
        writers[kind] = fast_writer(ix, _lk=False, compound=False)
    if full:
        gc.collect()
    return written


def _die_with_parent(lock_fd: int | None) -> None:
    """In a forked worker: be killed when the parent dies, and drop the inherited copy of
    the write lock, so that a killed ingest leaves no worker and no lock behind."""
    if lock_fd is not None:
        with contextlib.suppress(OSError):
            os.close(lock_fd)
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _worker(ix: Any, docs: list[Document], queue: Any, parent: int, lock_fd: int | None) -> None:
    """Child process: analyze `docs` and write them to segments of its own (one per kind)."""
    _die_with_parent(lock_fd)
    # Millions of small posting tuples and no reference cycles: the cyclic garbage
    # collector would only rescan them over and over (a third of the build time).
    gc.disable()
    try:
        writers = _kind_writers(ix)
        written: list[Any] = []
        for i, doc in enumerate(docs, 1):
            if os.getppid() != parent:  # the parent was killed: stop, leave nothing behind
                os._exit(1)
            _add(writers, doc)
            written += _write_full(ix, writers)
            if i % 8 == 0:
                queue.put(("n", 8))
        queue.put(("n", len(docs) % 8))
        queue.put(("segments", written + _finalize(writers)))
    except BaseException:  # noqa: BLE001 - reported to the parent, which re-raises
        queue.put(("error", traceback.format_exc()))
    finally:
        queue.close()
        queue.join_thread()
        os._exit(0)


def _parallel_segments(
    ix: Any, docs: list[Document], procs: int, progress: Progress | None, lock_fd: int | None
) -> list[Any]:
    """Write `docs` into new segments (one per kind per worker process); returns them."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    workers = [
        ctx.Process(target=_worker, args=(ix, share, queue, os.getpid(), lock_fd), daemon=True)
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


def _write(
    ix: Any,
    delete: list[str],
    docs: list[Document],
    progress: Progress | None,
    lock_fd: int | None = None,
) -> None:
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
            segments = _parallel_segments(ix, docs, procs, progress, lock_fd)
        existing = [s for s in writer._merge_segments(NO_MERGE, None, None) if s.doc_count()]
        writer._close_segment()
        writer._commit_toc(_compact(ix, [*existing, *segments]))
        writer._finish()
    except BaseException:
        writer.cancel()
        raise


class WhooshWriter:
    """The one writer of an index directory (see `regsearch.engine.Writer`)."""

    def __init__(self, index_dir: Path, rebuild: bool = False) -> None:
        self.index_dir = index_dir
        self.rebuild = rebuild
        self.base: str | None = None
        self.base_meta: Mapping[str, Any] = {}
        self._lock: Any = None
        self._fd: int | None = None
        self._base_ix: Any = None

    def __enter__(self) -> WhooshWriter:
        self._lock = store.write_lock(self.index_dir)
        self._fd = self._lock.__enter__()
        try:
            self._open_base()
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.__exit__(*exc)

    def _open_base(self) -> None:
        """The generation the changes apply to. One that cannot be read is refused (an
        update would otherwise rebuild from the new files alone and drop the rest)."""
        name = store.current_name(self.index_dir)
        store.remove_abandoned(self.index_dir, name)
        if self.rebuild or name is None:
            return
        gen = self.index_dir / name
        if not gen.is_dir():
            raise IndexDamaged(f"索引指针指向不存在的 {gen}；" + store.rebuild_hint(self.index_dir))
        meta = store.read_meta(gen)
        store.check_meta(gen, meta)
        self._base_ix = store.open_whoosh(gen)
        self.base, self.base_meta = name, meta

    def documents(self) -> Iterator[Document]:
        if self._base_ix is None:
            return
        try:
            with self._base_ix.searcher() as s:
                for docnum in s.docs_for_query(Term("kind", "doc")):
                    f = s.stored_fields(docnum)
                    yield unpack_document(f["doc_z"], f.get("text_z"))
        except IndexDamaged:
            raise
        except Exception as exc:  # noqa: BLE001 - damaged segment files
            raise store.damaged(self.index_dir / (self.base or ""), exc) from None

    def apply(
        self, changes: ChangeSet, meta: Mapping[str, Any], progress: Progress | None = None
    ) -> str:
        base = self.index_dir / self.base if self.base else None
        try:
            gen = store.new_generation(self.index_dir, base)
        except OSError as exc:
            raise store.unwritable(self.index_dir, exc) from None
        try:
            ix = (
                windex.open_dir(str(gen))
                if base is not None
                else windex.create_in(str(gen), make_schema())
            )
            docs = list(changes.upserts)
            delete = [*changes.deletes, *(d.id for d in docs)] if base is not None else []
            get_segmenter()  # load once in the parent: forked workers inherit it
            _write(ix, delete, docs, progress, self._fd)
            with ix.searcher() as s:
                n_docs = len(list(s.docs_for_query(Term("kind", "doc"))))
                n_all = s.doc_count()
            full = {
                **(self.base_meta if base is not None else {}),  # e.g. the store sequence
                **meta,
                "schema_version": SCHEMA_VERSION,
                "built_at": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "documents": n_docs,
                "articles": n_all - n_docs,
            }
            store.publish(self.index_dir, gen, full)
        except OSError as exc:
            store.discard(gen)
            raise store.unwritable(self.index_dir, exc) from None
        except BaseException:
            store.discard(gen)
            raise
        self.base, self.base_meta = gen.name, full
        self._base_ix = windex.open_dir(str(gen))
        return gen.name
