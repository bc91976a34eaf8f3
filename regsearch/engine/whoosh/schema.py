"""The Whoosh schema of the record layout (`regsearch.index.layout`).

Two kinds of records share one schema: `kind=doc` (one per Document, the whole
text) and `kind=article` (one per 条). The writer puts them in separate segments
(`writer`), so a document query never walks the ~40x more numerous article
postings. Dates are stored as sortable `YYYY-MM-DD` strings (not NUMERIC, whose
ranges are buggy in whoosh-reloaded 2.7.5). Attributes that are only filtered,
sorted or faceted on are stored columns, not indexed (`Attr`): the service filters
through columns (`columns`). Text fields use our analyzer (`LegalTokenizer` over
`regsearch.index.analyzer.tokenize`), never jieba's ChineseAnalyzer.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections import Counter
from collections.abc import Iterator
from itertools import accumulate
from operator import add, sub
from typing import Any

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.formats import Characters
from whoosh.system import pack_uint

from regsearch.index.analyzer import is_single_han, tokenize
from regsearch.index.layout import ALWAYS, NEVER, SCHEMA_VERSION

__all__ = ["ALWAYS", "NEVER", "SCHEMA_VERSION", "make_schema"]

TITLE_BOOST = 4.0
NUMBER_BOOST = 3.0


class Preindexed:
    """Postings computed in a worker process: (term bytes, freq, weight, encoded value) rows."""

    __slots__ = ("items",)

    def __init__(self, items: list[tuple[bytes, int, float, bytes]]) -> None:
        self.items = items


class Unstored:
    """A record value that is indexed and kept as a column as its field says, but not
    stored (regsearch.index.fastwrite honours it): for attributes repeated on every
    article of a document."""

    __slots__ = ("value",)
    indexed = True

    def __init__(self, value: Any) -> None:
        self.value = value


class ColumnOnly(Unstored):
    """A record value kept only as a column: neither indexed nor stored."""

    indexed = False


_SWAP = sys.byteorder != "little"  # values are stored little-endian


class CompactCharacters(Characters):
    """Whoosh's Characters format (position, start, end per occurrence) in a compact
    encoding: one type code byte, then the delta triples as an array of unsigned
    bytes, shorts or ints (the smallest that fits) instead of a pickle. About half
    the size and several times faster to encode and decode; offsets are what the
    index mostly stores (snippets need them)."""

    def encode(self, poslist: Any) -> bytes:
        flat: list[int] = []
        posbase = charbase = 0
        for pos, start, end in poslist:
            flat += (pos - posbase, start - charbase, end - start)
            posbase, charbase = pos, end
        hi, lo = max(flat), min(flat)
        code = "i" if lo < 0 else "B" if hi < 256 else "H" if hi < 65536 else "I"
        arr = array(code, flat)
        if _SWAP:
            arr.byteswap()
        return code.encode("ascii") + arr.tobytes()

    @staticmethod
    def _flat(value: bytes) -> array:
        arr = array(chr(value[0]))
        arr.frombytes(value[1:])
        if _SWAP:
            arr.byteswap()
        return arr

    def decode_characters(self, value: bytes) -> list[tuple[int, int, int]]:
        flat = self._flat(value)
        lengths = flat[2::3]
        ends = list(accumulate(map(add, flat[1::3], lengths)))
        return list(zip(accumulate(flat[0::3]), map(sub, ends, lengths), ends, strict=True))

    def decode_positions(self, value: bytes) -> list[int]:
        return list(accumulate(self._flat(value)[0::3]))

    def decode_frequency(self, value: bytes) -> int:
        return (len(value) - 1) // array(chr(value[0])).itemsize // 3


_COMPACT = CompactCharacters()


_ONE = {code: struct.Struct("<c3" + code).pack for code in "BHI"}


def encode_tokens(tokens: list[tuple[str, int, int, int]]) -> bytes:
    """CompactCharacters.encode of one term's (term, position, start, end) tokens, with a
    fast path for the single occurrence that most postings have."""
    if len(tokens) == 1:
        _t, pos, start, end = tokens[0]
        hi = max(pos, start, end - start)
        code = "B" if hi < 256 else "H" if hi < 65536 else "I"
        return _ONE[code](code.encode("ascii"), pos, start, end - start)
    return _COMPACT.encode([(p, s, e) for _t, p, s, e in tokens])


class LegalTokenizer(Tokenizer):
    """Whoosh tokenizer over `tokenize`; `index_mode` is "index" or "body" (see MODES)."""

    def __init__(self, index_mode: str = "index") -> None:
        self.index_mode = index_mode

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LegalTokenizer) and other.index_mode == self.index_mode

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.index_mode))

    def __call__(  # type: ignore[override]
        self,
        value: Any,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize_: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for text, pos, start, end in tokenize(
            value, mode="query" if mode == "query" else self.index_mode
        ):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


def LegalAnalyzer(index_mode: str = "index") -> LegalTokenizer:  # noqa: N802 (whoosh naming)
    """The analyzer of the schema's text fields."""
    return LegalTokenizer(index_mode)


class LegalText(TEXT):
    """A TEXT field with our analyzer and character offsets, that also takes `Preindexed`."""

    def __init__(self, field_boost: float = 1.0, index_mode: str = "index") -> None:
        super().__init__(
            analyzer=LegalAnalyzer(index_mode), phrase=True, chars=True, field_boost=field_boost
        )
        self.format = CompactCharacters(field_boost=field_boost)

    def index(self, value: Any, **kwargs: Any) -> Any:
        if isinstance(value, Preindexed):
            return iter(value.items)
        return super().index(value, **kwargs)


class CharField(KEYWORD):
    """The Chinese characters of a body with their counts, no positions: one-character queries
    match any character of a body without a posting per character occurrence."""

    def __init__(self) -> None:
        super().__init__(scorable=True)

    def index(self, value: Any, **kwargs: Any) -> Any:
        if isinstance(value, Preindexed):
            return iter(value.items)
        from regsearch.text.clean import normalize

        counts = Counter(ch for ch in normalize(value) if is_single_han(ch))
        fb = self.format.field_boost
        return iter(
            sorted((ch.encode("utf-8"), n, n * fb, pack_uint(n)) for ch, n in counts.items())
        )


class Attr(ID):
    """A stored value, with `sortable=True` also a column, but not indexed: filters, sorts
    and facets read columns (regsearch.index.columns), so indexing these for 200,000
    article records would only cost postings."""

    def __init__(self, sortable: bool = False) -> None:
        super().__init__(stored=True, sortable=sortable)
        self.indexed = False


TEXT_FIELDS = ("title", "body", "number", "authority")


def make_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True, sortable=True),  # doc | article
        doc_id=ID(stored=True, sortable=True),  # a column too: article -> its document
        # searchable text
        title=LegalText(field_boost=TITLE_BOOST),
        body=LegalText(index_mode="body"),
        chars=CharField(),  # the body's single characters
        number=LegalText(field_boost=NUMBER_BOOST),  # the 发文字号, analyzed
        authority=LegalText(),
        # exact keywords
        docnum=ID(stored=True),  # canonical 发文字号 of the document
        title_exact=ID(),  # normalized whole title, for known-item search
        source_id=KEYWORD(commas=True),  # ids of a merged record's other source documents
        authority_kw=KEYWORD(commas=True, stored=True),
        authority1=Attr(sortable=True),  # the first authority, for facets
        title_s=STORED(),
        level=Attr(sortable=True),
        region=Attr(sortable=True),
        topic=Attr(),
        collection=Attr(sortable=True),
        source=Attr(),
        content_hash=ID(stored=True),
        # dates (sortable strings)
        publish=Attr(sortable=True),
        effective=Attr(),
        expiry=Attr(),
        year=Attr(sortable=True),
        # status inputs (StatusDates)
        st_eff=ID(stored=True, sortable=True),
        st_rep=ID(stored=True, sortable=True),
        st_inv=ID(stored=True, sortable=True),
        st_sup=ID(stored=True, sortable=True),
        st_par=ID(stored=True, sortable=True),
        st_iss=ID(stored=True, sortable=True),  # issued (尚未发布 before it), or "case"
        # articles
        article=Attr(),  # canonical number, e.g. 第五十四条
        ordinal=STORED(),
        # compressed payloads: document JSON (without body) and the text for snippets
        doc_z=STORED(),
        text_z=STORED(),
    )
