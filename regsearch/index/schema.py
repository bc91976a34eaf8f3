"""The Whoosh schema (with its version) and the record layout of documents and articles.

Two kinds of records share one schema: `kind=doc` (one per Document, the whole
text) and `kind=article` (one per 条, so a hit can name 第N条). Dates are stored
as sortable `YYYY-MM-DD` strings (not NUMERIC, whose ranges are buggy in
whoosh-reloaded 2.7.5). Attributes that are only filtered, sorted or faceted on
are stored columns, not indexed (`Attr`): the service filters through cached
columns (`regsearch.index.columns`). Status inputs are stored as the
`StatusDates` events with sentinels for "never", so that a status as of any day
is also a plain term-range query (`regsearch.index.statusq`, pinned by tests).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.system import pack_uint

from regsearch.index.analyzer import LegalAnalyzer, is_single_han

# Bump when the schema or the record layout changes; an index of another version
# must be rebuilt (`regsearch ingest --rebuild`).
SCHEMA_VERSION = 3

NEVER = "9999-99-99"  # an event that never happens sorts after every date
ALWAYS = "0000-00-00"  # an unknown effective date: in force since forever

TITLE_BOOST = 4.0
NUMBER_BOOST = 3.0


class Preindexed:
    """Postings computed in a worker process: (term bytes, freq, weight, encoded value) rows."""

    __slots__ = ("items",)

    def __init__(self, items: list[tuple[bytes, int, float, bytes]]) -> None:
        self.items = items


class LegalText(TEXT):
    """A TEXT field with our analyzer and character offsets, that also takes `Preindexed`."""

    def __init__(self, field_boost: float = 1.0, index_mode: str = "index") -> None:
        super().__init__(
            analyzer=LegalAnalyzer(index_mode), phrase=True, chars=True, field_boost=field_boost
        )

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
        from regsearch.index.analyzer import normalize

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
        doc_id=ID(stored=True),
        # searchable text
        title=LegalText(field_boost=TITLE_BOOST),
        body=LegalText(index_mode="body"),
        chars=CharField(),  # the body's single characters
        number=LegalText(field_boost=NUMBER_BOOST),  # the 发文字号, analyzed
        authority=LegalText(),
        # exact keywords
        docnum=ID(stored=True),  # canonical 发文字号 of the document
        title_exact=ID(),  # normalized whole title, for known-item search
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
        # articles
        article=Attr(),  # canonical number, e.g. 第五十四条
        ordinal=STORED(),
        # compressed payloads: document JSON (without body) and the text for snippets
        doc_z=STORED(),
        text_z=STORED(),
    )
