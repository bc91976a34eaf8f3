"""A faster posting path for whoosh-reloaded 2.7.5's SegmentWriter (pinned exactly).

Whoosh spends ~12 µs per posting when it writes a segment: a size-accounting
pool that spills sorted runs to disk, then per posting a field-length lookup
through a column reader and an assertion-laden `add_posting`. With ~20 million
postings in the whole corpus that alone is minutes. Here, for our own writers:

- `MemoryPool` keeps postings in memory (no spilled runs), grouped by term as they
  arrive, each term's postings packed into one bytearray (about 25 bytes a posting
  instead of ~100 as tuples: a segment of the corpus at 16x fits), and sorts only the
  distinct terms at the end;
- `add_document` files pre-analyzed postings (`Preindexed`) straight into it;
- `add_postings` reads each field's document lengths once into a list and fills
  whoosh's own postings writer a block at a time, writing the blocks whoosh would.

The segment files are byte-for-byte the format whoosh writes and reads.
"""

from __future__ import annotations

import struct
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


# One packed posting: docnum, weight, length of the value that follows it.
_POSTING = struct.Struct("<IdI")


class MemoryPool:
    """Whoosh's PostingPool interface, in memory, grouped by term as postings arrive.

    `terms[(field, term bytes)]` is a bytearray of that term's postings in the order
    added (ascending docnums, as both add_document and whoosh's add_reader add them),
    each a `_POSTING` header and its value; only the distinct terms are sorted at the
    end. Python tuples cost ~100 bytes a posting; this costs 16 plus the value (~9).
    """

    def __init__(self, tempstore: Any, segment: Any, limitmb: int = 128, **kwargs: Any) -> None:
        self.terms: dict[tuple[str, bytes], bytearray] = {}
        self.fieldnames: set[str] = set()
        self.postings = 0  # filed by add_document (the writer's memory grows with it)

    def add(self, item: tuple[str, bytes, int, float, bytes | None]) -> None:
        fieldname, btext, docnum, weight, value = item
        _file(self.terms, (fieldname, btext), docnum, weight, value or emptybytes)

    def iter_postings(self) -> Any:
        terms = self.terms
        return ((key, unpack_postings(terms[key])) for key in sorted(terms))

    def cleanup(self) -> None:
        self.terms = {}


def _file(
    terms: dict[tuple[str, bytes], bytearray], key: Any, docnum: int, w: float, v: bytes
) -> None:
    buf = terms.get(key)
    if buf is None:
        terms[key] = buf = bytearray()
    buf += _POSTING.pack(docnum, w, len(v))
    buf += v


def unpack_postings(buf: bytearray) -> tuple[list[int], list[float], list[bytes]]:
    """The docnums, weights and values (b"" where none) packed in `buf`, in order."""
    docs: list[int] = []
    weights: list[float] = []
    values: list[bytes] = []
    unpack, size, end, off = _POSTING.unpack_from, _POSTING.size, len(buf), 0
    while off < end:
        docnum, weight, n = unpack(buf, off)
        off += size
        docs.append(docnum)
        weights.append(weight)
        values.append(bytes(buf[off : off + n]) if n else emptybytes)
        off += n
    return docs, weights, values


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
    for (fieldname, btext), (docs, weights, values) in items:
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
        for i in range(0, len(docs), limit):
            if i:
                pw._write_block()
            block = docs[i : i + limit]
            bweights = weights[i : i + limit]
            pw._ids.extend(block)
            pw._weights.extend(bweights)
            top = max(bweights)
            if top > pw._maxweight:
                pw._maxweight = top
            pw._values.extend(v for v in values[i : i + limit] if v)
            if lengths:
                lens = [n for n in map(lengths.__getitem__, block) if n]
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
    pack = _POSTING.pack
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
            for t, f, w, v in pre:  # _file, inlined: this is the build's inner loop
                buf = terms.get((fieldname, t))
                if buf is None:
                    terms[(fieldname, t)] = buf = bytearray()
                if v:
                    buf += pack(docnum, w, len(v))
                    buf += v
                else:
                    buf += pack(docnum, w, 0)
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
