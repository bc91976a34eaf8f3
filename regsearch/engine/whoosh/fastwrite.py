"""A faster posting path for whoosh-reloaded 2.7.5's SegmentWriter (pinned exactly).

Whoosh spends ~12 µs per posting when it writes a segment: a size-accounting
pool that spills sorted runs to disk, then per posting a field-length lookup
through a column reader and an assertion-laden `add_posting`. With ~20 million
postings in the whole corpus that alone is minutes. Here, for our own writers:

- `MemoryPool` keeps postings in memory (ample; no spilled runs), grouped by term
  as they arrive, and sorts only the distinct terms at the end;
- `add_document` files pre-analyzed postings (`Preindexed`) straight into it;
- `add_postings` reads each field's document lengths once into a list and fills
  whoosh's own postings writer a block at a time, writing the blocks whoosh would.

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
from whoosh.fields import ID
from whoosh.system import emptybytes, pack_ushort
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

from regsearch.engine.whoosh.schema import Preindexed, Unstored

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
    """Whoosh's PostingPool interface, in memory, grouped by term as postings arrive.

    `terms[(field, term bytes)]` is the list of (docnum, weight, value) of that term,
    in the order added (ascending docnums, as both add_document and whoosh's
    add_reader add them); only the distinct terms are sorted at the end.
    """

    def __init__(self, tempstore: Any, segment: Any, limitmb: int = 128, **kwargs: Any) -> None:
        self.terms: dict[tuple[str, bytes], list[tuple[int, float, bytes | None]]] = {}
        self.fieldnames: set[str] = set()
        self.postings = 0  # filed by add_document (the writer's memory grows with it)

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, btext, docnum, weight, value = item
        lst = self.terms.get((fieldname, btext))
        if lst is None:
            self.terms[(fieldname, btext)] = [(docnum, weight, value)]
        else:
            lst.append((docnum, weight, value))

    def iter_postings(self) -> Any:
        terms = self.terms
        return ((key, terms[key]) for key in sorted(terms))

    def cleanup(self) -> None:
        self.terms = {}


def _lengths(pdr: Any, fieldname: str, doccount: int) -> list[int]:
    reader = pdr._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN) if pdr else None
    if reader is None:
        return [0] * (doccount + 1)
    table = [byte_to_length(b) for b in range(256)]
    return [table[reader[d]] for d in range(doccount)] + [0]


def add_postings(self: Any, schema: Any, pdr: Any, items: Any) -> None:
    """W3FieldWriter.add_postings over the MemoryPool's grouped terms, a block at a time
    (the same blocks whoosh writes: `blocklimit` postings each, the rest at the end)."""
    doccount = pdr.doc_count_all() if pdr else 0
    lastfn = None
    pw: Any = None
    fieldobj: Any = None
    lengths: list[int] = []
    for (fieldname, btext), postings in items:
        if fieldname != lastfn:
            if lastfn is not None:
                self.finish_field()
            fieldobj = schema[fieldname]
            self.start_field(fieldname, fieldobj)
            pw = self._postwriter
            lengths = _lengths(pdr, fieldname, doccount) if fieldobj.scorable else []
            lastfn = fieldname
        self._btext = btext
        pw.start_postings(fieldobj.format, W3TermInfo())
        limit = pw._blocklimit
        for i in range(0, len(postings), limit):
            if i:
                pw._write_block()
            docs, weights, values = zip(*postings[i : i + limit], strict=True)
            pw._ids.extend(docs)
            pw._weights.extend(weights)
            top = max(weights)
            if top > pw._maxweight:
                pw._maxweight = top
            pw._values.extend(v for v in values if v)
            if lengths:
                lens = [n for n in map(lengths.__getitem__, docs) if n]
                if lens:
                    low = min(lens)
                    if pw._minlength is None or low < pw._minlength:
                        pw._minlength = low
                    pw._maxlength = max(pw._maxlength, max(lens))
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
    terms = self.pool.terms
    filed = 0
    perdocwriter.start_doc(docnum)
    for fieldname in sorted(fields):
        value = fields[fieldname]
        if value is None:
            continue
        field = schema[fieldname]
        stored, indexed = field.stored, field.indexed
        if isinstance(value, Unstored):
            stored, indexed = False, indexed and value.indexed
            value = value.value
        length = 0
        if indexed:
            if isinstance(value, Preindexed):
                pre = value.items
            elif type(field) is ID:  # one whole-value term, as whoosh's IDTokenizer gives
                pre = [(value.encode("utf-8"), 1, field.format.field_boost, emptybytes)]
            else:
                pre = list(field.index(value))
            for t, f, w, v in pre:
                lst = terms.get((fieldname, t))
                if lst is None:
                    terms[(fieldname, t)] = [(docnum, w, v)]
                else:
                    lst.append((docnum, w, v))
                length += f
            filed += len(pre)
            if not field.scorable:
                length = 0
        perdocwriter.add_field(fieldname, field, value if stored else None, length)
        column = field.column_type
        if column:
            perdocwriter.add_column_value(fieldname, column, field.to_column_value(value))
    perdocwriter.finish_doc()
    self.pool.postings += filed
    self._added = True
    self.docnum += 1


def fast_writer(ix: Any, **kwargs: Any) -> SegmentWriter:
    """A SegmentWriter using the memory pool and the fast posting path."""
    writer = SegmentWriter(ix, codec=FastCodec(), **kwargs)
    writer.pool = MemoryPool(writer._tempstorage, writer.newsegment)
    writer.fieldwriter.add_postings = types.MethodType(add_postings, writer.fieldwriter)
    writer.add_document = types.MethodType(add_document, writer)
    return writer
