"""Generations and snapshots of a Whoosh index (see `regsearch.engine`).

A `Generation` is one published index directory opened once per process: its
metadata, its pin (so no writer removes its files while it is read), a pool of
searchers, and the values derived from it that every snapshot shares (columns read
so far, record sets, whole-index arrays). A Whoosh searcher reads through file
handles it seeks, so a searcher is used by one snapshot, on one thread, at a time:
a snapshot borrows one from the pool and gives it back on `close()`. The pool grows
to the number of concurrent snapshots and keeps at most POOL_MAX idle searchers.
"""

from __future__ import annotations

import heapq
import threading
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from whoosh import query as Q
from whoosh.matching import IntersectionMatcher, ListMatcher

from regsearch.engine import Conditions, Group, Layout, Match
from regsearch.engine.cache import shared_value
from regsearch.engine.whoosh import filtering
from regsearch.engine.whoosh import postings as P
from regsearch.engine.whoosh.columns import LazyColumn, column_readers
from regsearch.engine.whoosh.records import unpack_document, unpack_text
from regsearch.engine.whoosh.store import Pin, damaged, index_bytes
from regsearch.engine.whoosh.translate import to_whoosh
from regsearch.model import Document

T = TypeVar("T")
POOL_MAX = 8
# Stored fields kept for the life of one snapshot (a request reads a record's
# attributes and text separately).
_STORED_PER_SNAPSHOT = 256


class Closed(Exception):
    """The generation was retired and closed before a snapshot could borrow from it."""


class Generation:
    """One opened generation, shared by the snapshots of every thread of a process."""

    def __init__(self, path: Path, meta: dict[str, Any], pin: Pin, ix: Any, cache: Any) -> None:
        self.path = path
        self.name = path.name
        self.meta = meta
        self._pin = pin
        self._ix = ix
        self.postings_cache = cache
        self._lock = threading.RLock()
        self._idle: list[_Searcher] = []
        self._refs = 1  # the engine's own reference while this generation is current
        self._shared: dict[str, Any] = {}
        self.memos: dict[str, dict[int, Any]] = {}

    # -- lifetime ------------------------------------------------------------------
    def acquire(self) -> _Searcher:
        with self._lock:
            if self._refs <= 0:
                raise Closed(self.name)
            self._refs += 1
            if self._idle:
                return self._idle.pop()
        try:
            return _Searcher(self._ix.searcher())
        except Exception as exc:  # noqa: BLE001 - a damaged segment surfaces here
            self.release(None)
            raise damaged(self.path, exc) from None

    def release(self, searcher: _Searcher | None) -> None:
        close: list[_Searcher] = []
        with self._lock:
            if searcher is not None:
                searcher.forget()
                if len(self._idle) < POOL_MAX:
                    self._idle.append(searcher)
                else:
                    close.append(searcher)
            self._refs -= 1
            if self._refs == 0:
                close.extend(self._idle)
                self._idle = []
        for s in close:
            s.close()
        if self._refs == 0:
            self.postings_cache.drop(self.name)
            self._pin.release()

    def retire(self) -> None:
        """The engine no longer hands this generation out: drop its own reference."""
        self.release(None)

    # -- shared values ---------------------------------------------------------------
    def shared(self, key: str, build: Callable[[], T]) -> T:
        return shared_value(self._shared, self._lock, key, build)

    def memo(self, name: str) -> dict[int, Any]:
        found = self.memos.get(name)
        if found is None:
            with self._lock:
                found = self.memos.setdefault(name, {})
        return found

    def bytes(self) -> int:
        return index_bytes(self.path)


class _Searcher:
    """A whoosh searcher with the per-segment readers a snapshot needs, kept with it."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.leaves: list[tuple[Any, int]] = searcher.reader().leaf_readers()
        self.leaf_searchers: list[tuple[Any, int]] = searcher.leaf_searchers()
        self.offsets = [off for _r, off in self.leaves]
        self.columns: dict[str, list[Any]] = {}
        self.stored: dict[int, dict[str, Any]] = {}

    def forget(self) -> None:
        self.stored.clear()

    def close(self) -> None:
        self.searcher.close()


class WhooshSnapshot:
    """One generation for one request (see `regsearch.engine.Snapshot`)."""

    def __init__(self, gen: Generation) -> None:
        self._gen = gen
        self._s: _Searcher | None = gen.acquire()
        self.generation = gen.name

    @property
    def meta(self) -> dict[str, Any]:
        return self._gen.meta

    # -- lifetime ----------------------------------------------------------------------
    def close(self) -> None:
        s, self._s = self._s, None
        if s is not None:
            self._gen.release(s)

    def __enter__(self) -> WhooshSnapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _searcher(self) -> _Searcher:
        if self._s is None:
            raise RuntimeError("snapshot used after close()")
        return self._s

    def shared(self, key: str, factory: Callable[[Any], T]) -> T:
        return self._gen.shared(key, lambda: factory(self))

    def index_bytes(self) -> int:
        return self._gen.bytes()

    # -- records -------------------------------------------------------------------------
    @property
    def size(self) -> int:
        return int(self._searcher.searcher.doc_count_all())

    def records(self, kind: str) -> frozenset[int]:
        def build(snap: WhooshSnapshot) -> frozenset[int]:
            return frozenset(snap._searcher.searcher.docs_for_query(Q.Term("kind", kind)))

        return self.shared(f"records:{kind}", build)

    def find(self, field: str, value: str) -> list[int]:
        if not value:
            return []
        return sorted(self._searcher.searcher.docs_for_query(Q.Term(field, value)))

    def keywords(self, field: str) -> dict[str, list[int]]:
        def build(snap: WhooshSnapshot) -> dict[str, list[int]]:
            live = snap.layout().live
            out: dict[str, list[int]] = {}
            for reader, offset in snap._searcher.leaves:
                if field not in reader.indexed_field_names():
                    continue
                for raw in reader.lexicon(field):
                    value = raw.decode("utf-8")
                    parts, _w = P.segment_postings(reader, field, value, offset, live)
                    found = [int(r) for part in parts for r in part]
                    if found:
                        out.setdefault(value, []).extend(found)
            return out

        return self.shared(f"keywords:{field}", build)

    def layout(self) -> Layout:
        return self.shared("layout", _build_layout)

    # -- matching ------------------------------------------------------------------------
    def match(
        self, query: Match, kind: str, within: Iterable[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        q = to_whoosh(query)
        if q is None:
            every = self.records(kind)
            found = sorted(every if within is None else every.intersection(within))
            return np.asarray(found, dtype=np.int64), np.zeros(len(found))
        s = self._searcher
        allowed = sorted(within) if within is not None else None
        context = s.searcher.context()
        ids: list[int] = []
        scores: list[float] = []
        for leaf, offset in s.leaf_searchers:
            reader = leaf.reader()
            if ("kind", kind) not in reader:
                continue
            size = reader.doc_count_all()
            local = None
            if allowed is not None:
                lo, hi = np.searchsorted(allowed, [offset, offset + size])
                if lo == hi:
                    continue
                local = [r - offset for r in allowed[lo:hi]]
            leaf_q = q
            if any(("kind", k) in reader for k in ("doc", "article") if k != kind):
                leaf_q = Q.And([Q.Term("kind", kind), q])  # a segment of both kinds
            m = leaf_q.matcher(leaf, context)
            walk = IntersectionMatcher(ListMatcher(local), m) if local is not None else m
            while walk.is_active():
                ids.append(walk.id() + offset)
                scores.append(m.score())
                walk.next()
        return np.asarray(ids, dtype=np.int64), np.asarray(scores, dtype=np.float64)

    # -- stored values -------------------------------------------------------------------
    def _fields(self, record: int) -> dict[str, Any]:
        s = self._searcher
        found = s.stored.get(record)
        if found is None:
            found = s.searcher.stored_fields(record)
            if len(s.stored) >= _STORED_PER_SNAPSHOT:
                s.stored.clear()
            s.stored[record] = found
        return found

    def stored(self, record: int) -> dict[str, Any]:
        f = self._fields(record)
        out = {k: v for k, v in f.items() if k not in ("doc_z", "text_z", "title_s")}
        out["title"] = f.get("title_s", "")
        return out

    def text(self, record: int) -> str:
        return unpack_text(self._fields(record).get("text_z"))

    def document(self, record: int) -> Document:
        f = self._fields(record)
        return unpack_document(f["doc_z"], f.get("text_z"))

    def column(self, name: str) -> LazyColumn:
        s = self._searcher
        readers = s.columns.get(name)
        if readers is None:
            readers = s.columns[name] = column_readers(s.leaves, name)
        return LazyColumn(self._gen.memo(name), readers, s.offsets)

    def select(self, kind: str, conditions: Conditions) -> frozenset[int]:
        return filtering.select(self, self._gen.memo, kind, conditions)

    def counts(
        self, kind: str, groups: Sequence[Group], within: Collection[int] | None = None
    ) -> dict[Group, Counter[Any]]:
        return filtering.counts(self, self._gen.memo, kind, groups, within)

    def offsets(
        self, field: str, term: str, records: Sequence[int]
    ) -> dict[int, list[tuple[int, int, int]]]:
        out: dict[int, list[tuple[int, int, int]]] = {}
        s = self._searcher
        for reader, offset in s.leaves:
            size = reader.doc_count_all()
            local = [r - offset for r in records if offset <= r < offset + size]
            if not local or (field, term) not in reader:
                continue
            m = reader.postings(field, term)
            for r in local:
                if not m.is_active():
                    break
                if m.id() < r:
                    m.skip_to(r)
                if m.is_active() and m.id() == r:
                    out[r + offset] = list(m.value_as("characters"))
        return out

    # -- scoring arrays ------------------------------------------------------------------
    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        cache = self._gen.postings_cache
        key = (self.generation, field, term)
        hit = cache.get(key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        live = self.layout().live
        ids_parts: list[np.ndarray] = []
        w_parts: list[np.ndarray] = []
        for reader, offset in self._searcher.leaves:
            i, w = P.segment_postings(reader, field, term, offset, live)
            ids_parts += i
            w_parts += w
        if ids_parts:
            value = (np.concatenate(ids_parts), np.concatenate(w_parts))
        else:
            value = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
        cache.put(key, value, value[0].nbytes + value[1].nbytes)
        return value

    def lengths(self, field: str) -> np.ndarray:
        def build(snap: WhooshSnapshot) -> np.ndarray:
            parts = [P.lengths(r, field, r.doc_count_all()) for r, _off in snap._searcher.leaves]
            out = np.concatenate(parts) if parts else np.zeros(0)
            out.setflags(write=False)
            return out

        return self.shared(f"lengths:{field}", build)

    def largest_terms(self, field: str, limit: int) -> list[tuple[str, int]]:
        totals: dict[bytes, int] = {}
        for reader, _offset in self._searcher.leaves:
            if field not in reader.schema:
                continue
            for btext, info in reader.iter_field(field):  # deleted records counted too
                totals[btext] = totals.get(btext, 0) + info.doc_frequency()
        top = heapq.nlargest(limit, totals.items(), key=lambda kv: (kv[1], kv[0]))
        return [(btext.decode("utf-8"), n) for btext, n in top]

    def check(self) -> None:
        """Read a stored record, a postings list and a column value of every segment."""
        try:
            for reader, offset in self._searcher.leaves:
                n = reader.doc_count_all()
                if not n:
                    continue
                first = next(iter(reader.all_doc_ids()), None)
                if first is not None:
                    f = reader.stored_fields(first)
                    zlib.decompress(f["text_z"]) if f.get("text_z") else None
                    self.column("kind")[first + offset]
                for _ in P.blocks(
                    reader, "kind", "doc" if ("kind", "doc") in reader else "article"
                ):
                    break
        except Exception as exc:  # noqa: BLE001 - any read error means the files are damaged
            raise damaged(self._gen.path, exc) from None


def _build_layout(snap: WhooshSnapshot) -> Layout:
    """Kind, liveness and document key of every record, from postings (never a per-record
    column walk: a one-shot CLI question pays this on every run)."""
    s = snap._searcher
    size = int(s.searcher.doc_count_all())
    live = np.ones(size, dtype=bool)
    is_doc = np.zeros(size, dtype=bool)
    dkey = np.full(size, -1, dtype=np.int64)
    keys: dict[str, int] = {}
    names: list[str] = []
    for reader, off in s.leaves:
        n = reader.doc_count_all()
        if reader.has_deletions():
            for i in range(n):
                if reader.is_deleted(i):
                    live[off + i] = False
        for text in reader.field_terms("doc_id"):
            k = keys.get(text)
            if k is None:
                k = keys[text] = len(names)
                names.append(text)
            for ids, _w in P.blocks(reader, "doc_id", text):
                dkey[np.asarray(ids, dtype=np.int64) + off] = k
        for ids, _w in P.blocks(reader, "kind", "doc"):
            is_doc[np.asarray(ids, dtype=np.int64) + off] = True
    dkey[dkey < 0] = len(names)
    for arr in (live, is_doc, dkey):
        arr.setflags(write=False)
    return Layout(
        size=size, live=live, is_doc=is_doc, dkey=dkey, key_names=tuple(names), key_of=keys
    )
