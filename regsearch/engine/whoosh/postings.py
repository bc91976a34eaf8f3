"""Whole postings lists and field lengths as numpy arrays, read past whoosh's
one-posting-at-a-time matcher API (whoosh-reloaded 2.7.5 internals, pinned exactly).

A question is 10-30 OR-ed terms, several of them common words with 100,000
postings; reading whole blocks instead of stepping a matcher is what keeps question
scoring in milliseconds. Every private whoosh access for that lives here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.columns import NumericColumn
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length

_LENGTH_TABLE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


def blocks(reader: Any, field: str, text: str) -> Iterator[tuple[Any, Any]]:
    """(ids, weights) blocks of a term's postings in one segment, deleted records included
    (callers filter them)."""
    if (field, text) not in reader:
        return
    m = reader.postings(field, text)
    if isinstance(m, FilterMatcher):
        m = m.child
    if hasattr(m, "_read_ids") and hasattr(m, "_next_block"):
        # Whoosh's on-disk matcher: read whole blocks instead of one posting at a time.
        while m.is_active():
            if m._ids is None:
                m._read_ids()
            if m._weights is None:
                m._read_weights()
            yield m._ids, m._weights
            m._next_block()
        return
    ids, weights = [], []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        m.next()
    yield ids, weights


def segment_postings(
    reader: Any, field: str, text: str, offset: int, live: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """One segment's live postings of a term as global (ids, weights) array parts."""
    ids_parts: list[np.ndarray] = []
    w_parts: list[np.ndarray] = []
    for ids, weights in blocks(reader, field, text):
        gids = np.asarray(ids, dtype=np.int32) + np.int32(offset)
        w = np.asarray(weights, dtype=np.float32)
        keep = live[gids]
        if not keep.all():
            gids, w = gids[keep], w[keep]
        ids_parts.append(gids)
        w_parts.append(w)
    return ids_parts, w_parts


def lengths(reader: Any, field: str, n: int) -> np.ndarray:
    """A segment's `n` decoded field lengths, read at once from whoosh's fixed-width
    lengths column (one byte per record, trailing zeros omitted), or one by one from any
    other column reader."""
    perdoc = getattr(reader, "_perdoc", None)  # an empty index has an EmptyReader
    col = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN) if perdoc and n else None
    if col is None:
        raw = np.zeros(n, dtype=np.uint8)
    elif isinstance(col, NumericColumn.Reader) and col._typecode == "B":
        data = col._dbfile.get(col._basepos, min(col._count, n))
        raw = np.zeros(n, dtype=np.uint8)
        raw[: len(data)] = np.frombuffer(data, dtype=np.uint8)
    else:
        raw = np.fromiter((col[i] for i in range(n)), dtype=np.uint8, count=n)
    return _LENGTH_TABLE[raw]
