"""A faster posting path for whoosh-reloaded 2.7.5's SegmentWriter (pinned exactly).

Whoosh spends ~12 µs per posting when it writes a segment: a size-accounting
pool that spills sorted runs to disk, then per posting a field-length lookup
through a column reader and an assertion-laden `add_posting`. With ~20 million
postings in the whole corpus that alone is minutes. Here, for our own writers:

- `MemoryPool` keeps postings in one list (memory is ample; no spilled runs) and
  sorts it once by (field, term, docnum), the order whoosh requires;
- `add_postings` reads each field's document lengths once into a list and feeds
  whoosh's own postings writer the same calls whoosh would make, minus the checks.

The segment files are byte-for-byte the format whoosh writes and reads.
"""

from __future__ import annotations

import types
from typing import Any

from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3PostingsWriter,
    W3TermInfo,
    _lenfield,
)
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

from regsearch.index.schema import Preindexed

# Whoosh zlib-compresses every posting block, even the one-posting blocks of most terms,
# where it saves little and costs ~25 µs each (zlib's state set-up): only blocks of at
# least this many postings are compressed (the block header records it for readers),
# at zlib level 1 (the values are already compact arrays; level 3 costs 1.5x the time).
COMPRESS_MIN = 8


class _PostingsWriter(W3PostingsWriter):
    def _write_block(self, last: bool = False) -> None:
        self._compression = 1 if len(self._ids) >= COMPRESS_MIN else 0
        super()._write_block(last)


class FastCodec(W3Codec):
    """whoosh's W3 codec, writing small posting blocks uncompressed (same file format)."""

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        return _PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


class MemoryPool:
    """Whoosh's PostingPool interface, in memory."""

    def __init__(self, tempstore: Any, segment: Any, limitmb: int = 128, **kwargs: Any) -> None:
        self.items: list[tuple[str, bytes, int, float, bytes | None]] = []
        self.add = self.items.append
        self.fieldnames: set[str] = set()

    def iter_postings(self) -> Any:
        items = self.items
        # (field, term, docnum, ...) tuples: docnums are unique within a term, so the plain
        # tuple order is (field, term, docnum) and no key tuples need building.
        items.sort()
        return iter(items)

    def cleanup(self) -> None:
        self.items = []
        self.add = self.items.append


def _lengths(pdr: Any, fieldname: str, doccount: int) -> list[int]:
    reader = pdr._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN) if pdr else None
    if reader is None:
        return [0] * (doccount + 1)
    table = [byte_to_length(b) for b in range(256)]
    return [table[reader[d]] for d in range(doccount)] + [0]


def add_postings(self: Any, schema: Any, pdr: Any, items: Any) -> None:
    """W3FieldWriter.add_postings without per-posting lookups and checks (same output)."""
    doccount = pdr.doc_count_all() if pdr else 0
    lastfn = None
    lasttext = None
    pw: Any = None
    lengths: list[int] = []
    for fieldname, btext, docnum, weight, value in items:
        if fieldname != lastfn:
            if lasttext is not None:
                self.finish_term()
            if lastfn is not None:
                self.finish_field()
            fieldobj = schema[fieldname]
            self.start_field(fieldname, fieldobj)
            pw = self._postwriter
            lengths = _lengths(pdr, fieldname, doccount) if fieldobj.scorable else []
            lastfn = fieldname
            lasttext = None
        if btext != lasttext:
            if lasttext is not None:
                _finish_term(self, pw)
            self._btext = btext
            pw.start_postings(fieldobj.format, W3TermInfo())
            lasttext = btext
        # W3PostingsWriter.add_posting minus its type assertions, inline (per posting).
        if len(pw._ids) >= pw._blocklimit:
            pw._write_block()
        pw._ids.append(docnum)
        pw._weights.append(weight)
        if weight > pw._maxweight:
            pw._maxweight = weight
        if value:
            pw._values.append(value)
        if lengths:
            length = lengths[docnum]
            if length:
                if pw._minlength is None or length < pw._minlength:
                    pw._minlength = length
                if length > pw._maxlength:
                    pw._maxlength = length
    if lasttext is not None:
        _finish_term(self, pw)
    if lastfn is not None:
        self.finish_field()


def _finish_term(fw: Any, pw: Any) -> None:
    terminfo = pw.finish_postings()
    fw._tindex.add(pack_ushort(fw._fieldid) + fw._btext, terminfo.to_bytes())


def add_document(self: Any, **fields: Any) -> None:
    """SegmentWriter.add_document with `Preindexed` postings filed in bulk (same result)."""
    perdocwriter = self.perdocwriter
    schema = self.schema
    docnum = self.docnum
    items = self.pool.items
    perdocwriter.start_doc(docnum)
    for fieldname in sorted(fields):
        value = fields[fieldname]
        if value is None:
            continue
        field = schema[fieldname]
        length = 0
        if field.indexed:
            pre = value.items if isinstance(value, Preindexed) else list(field.index(value))
            items.extend([(fieldname, t, docnum, w, v) for t, _f, w, v in pre])
            if field.scorable:
                length = sum(f for _t, f, _w, _v in pre)
        perdocwriter.add_field(fieldname, field, value if field.stored else None, length)
        column = field.column_type
        if column:
            perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
    perdocwriter.finish_doc()
    self._added = True
    self.docnum += 1


def fast_writer(ix: Any, **kwargs: Any) -> SegmentWriter:
    """A SegmentWriter using the memory pool and the fast posting path."""
    writer = SegmentWriter(ix, codec=FastCodec(), **kwargs)
    writer.pool = MemoryPool(writer._tempstorage, writer.newsegment)
    writer.fieldwriter.add_postings = types.MethodType(add_postings, writer.fieldwriter)
    writer.add_document = types.MethodType(add_document, writer)
    return writer
