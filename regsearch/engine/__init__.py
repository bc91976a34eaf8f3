"""The engine seam: what the search service, the question scorer, the highlighter and
cleanup need from an index, and nothing about how an engine provides it.

An `Engine` hands out `Snapshot`s. A snapshot is one immutable generation of the
index (its readers, columns and metadata) held by one request on one thread: it is
never swapped under the request, and a newer generation is picked up by the next
`snapshot()`. A generation's files stay until no snapshot holds them. A `Writer`
(one at a time) applies a `ChangeSet` and publishes a new generation.

Records are numbered `0 <= record < snapshot.size` within one snapshot. Each
document version is one `doc` record plus one `article` record per 条; the record
layout (field and column names) is `regsearch.index.layout`'s, shared by every
engine. Each engine is one package below this one (`regsearch.engine.whoosh`)
holding all of that engine's private knowledge; nothing above imports it.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

import numpy as np

from regsearch.model import Document, QueryNode

T = TypeVar("T")

DEFAULT_FIELDS = ("title", "body", "number")
KINDS = ("doc", "article")


@dataclass(frozen=True)
class Match:
    """What to match: a parsed query tree over `fields`, and keyword terms OR-ed in with a
    boost (`(field, value, boost)`: the known-item keys of a whole 文号 or title).
    No tree and no keywords matches every record of the kind (score 0)."""

    root: QueryNode | None
    fields: tuple[str, ...] = DEFAULT_FIELDS
    exact: tuple[tuple[str, str, float], ...] = ()


@dataclass(frozen=True)
class Layout:
    """Whole-index arrays of one generation (read-only, shared by every snapshot of it).

    `dkey[r]` numbers the document a record belongs to (its own id for a document,
    its `doc_id` for an article; `len(key_names)` for a record with none)."""

    size: int
    live: np.ndarray  # bool per record: not deleted
    is_doc: np.ndarray  # bool per record: a `doc` record
    dkey: np.ndarray  # int64 per record
    key_names: tuple[str, ...]  # document id of each key
    key_of: Mapping[str, int]  # document id -> key

    @property
    def n_keys(self) -> int:
        return len(self.key_names)


@dataclass(frozen=True)
class Conditions:
    """What `Snapshot.select` keeps: records meeting every condition given (None: no
    condition). `level`, `region`, `collection`: the column's value is one of these;
    `authority`: the record holds one of these `authority_kw` keywords; `publish`:
    (first, last) inclusive, compared as strings (a record without one fails);
    `status`: the record's status dates (its STATUS_FIELDS values, in that order) are one
    of these tuples (the caller decides which tuples have the status it wants, with
    the one status function: `regsearch.status.status_at`)."""

    level: frozenset[str] | None = None
    region: frozenset[str] | None = None
    collection: frozenset[str] | None = None
    authority: frozenset[str] | None = None
    publish: tuple[str, str] | None = None
    status: frozenset[tuple[Any, ...]] | None = None

    VALUE_COLUMNS: ClassVar[tuple[str, ...]] = ("level", "region", "collection")


# A column group of `Snapshot.counts`: one column (counts its values) or a tuple of
# columns (counts the tuples of their values, e.g. STATUS_FIELDS).
Group = str | tuple[str, ...]


class Column(Protocol):
    """One column's values by record number (None where a record has none)."""

    def __getitem__(self, record: int) -> Any: ...

    def values(self, records: Sequence[int]) -> list[Any]: ...


class Snapshot(Protocol):
    """One generation of the index, for one request on one thread (see module doc)."""

    generation: str

    @property
    def meta(self) -> Mapping[str, Any]:
        """The generation's metadata (schema version, when built, counts …)."""

    @property
    def size(self) -> int: ...

    def records(self, kind: str) -> frozenset[int]:
        """The live records of one kind (`doc` or `article`)."""

    def keywords(self, field: str) -> Mapping[str, Sequence[int]]:
        """Every value of a keyword field (as `find` takes them) with its live records,
        read once per generation: the titles of the whole index in one pass (issue 12:
        the name table of citation lookup)."""

    def layout(self) -> Layout: ...

    def match(
        self, query: Match, kind: str, within: Iterable[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(records, scores) of every record of `kind` that matches, in no particular
        order; only records of `within` when it is given."""

    def find(self, field: str, value: str) -> list[int]:
        """The live records holding the exact keyword `value` in `field` (id, doc_id,
        docnum, title_exact, authority_kw)."""

    def column(self, name: str) -> Column: ...

    def select(self, kind: str, conditions: Conditions) -> frozenset[int]:
        """The live records of `kind` meeting `conditions` (the search filters)."""

    def counts(
        self, kind: str, groups: Sequence[Group], within: Collection[int] | None = None
    ) -> dict[Group, Counter[Any]]:
        """For each group, how many live records of `kind` (only those of `within` when
        given) have each value (None counted too), the values in the order of their first
        record (in `within`'s order, else by record number): the facets (ties keep that
        order), and the distinct status date tuples of a kind."""

    def stored(self, record: int) -> dict[str, Any]:
        """A record's stored attributes (`regsearch.index.layout.STORED`)."""

    def text(self, record: int) -> str:
        """A record's full text (a document's body, an article's text)."""

    def document(self, record: int) -> Document: ...

    def offsets(
        self, field: str, term: str, records: Sequence[int]
    ) -> dict[int, list[tuple[int, int, int]]]:
        """(position, start, end) of each occurrence of `term` in `field`, for the given
        records (ascending) that hold it."""

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(records int32, weights float32) of a term's live postings, ascending."""

    def lengths(self, field: str) -> np.ndarray:
        """Each record's length in `field` (float64, as the engine's scoring sees it)."""

    def largest_terms(self, field: str, limit: int) -> list[tuple[str, int]]:
        """Up to `limit` terms of `field` with the longest postings lists, longest first,
        each with its list's length (records of earlier generations may be counted): what
        a warm-up reads ahead, as a long list is the costliest to read when first asked."""

    def shared(self, key: str, factory: Callable[[Snapshot], T]) -> T:
        """A value derived from this generation, built once by `factory(self)` and shared
        by every snapshot of the generation (it must be safe to share between threads)."""

    def index_bytes(self) -> int:
        """The generation's size on disk (or in the database)."""

    def check(self) -> None:
        """Read something of every part of the generation; IndexDamaged if it cannot."""

    def close(self) -> None: ...

    def __enter__(self) -> Snapshot: ...

    def __exit__(self, *exc: object) -> None: ...


@dataclass
class ChangeSet:
    """Documents to add or replace (by id) and ids to delete, applied as one generation."""

    upserts: list[Document] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.upserts or self.deletes)


Progress = Callable[[int, int], None]


class Writer(Protocol):
    """The one writer of an index (a context manager that holds the write lock)."""

    base: str | None  # the generation the changes apply to (None: a new, empty index)
    base_meta: Mapping[str, Any]

    def documents(self) -> Iterator[Document]:
        """Every document of the base generation."""

    def apply(
        self, changes: ChangeSet, meta: Mapping[str, Any], progress: Progress | None = None
    ) -> str:
        """Write the changes as a new generation with `meta`, publish it; its name."""

    def __enter__(self) -> Writer: ...

    def __exit__(self, *exc: object) -> None: ...


class Engine(Protocol):
    location: str  # where the index lives, for messages

    def snapshot(self) -> Snapshot:
        """The current generation (IndexMissing if there is none, IndexDamaged if it
        cannot be read)."""

    def current_meta(self) -> Mapping[str, Any] | None:
        """The serving generation's metadata without opening it (None: no index yet)."""

    def writer(self, rebuild: bool = False) -> Writer:
        """The writer (IndexBusy if another holds it; IndexDamaged, naming `--rebuild`,
        if the current generation cannot be read and `rebuild` is False)."""

    def close(self) -> None: ...


def default_location() -> Path:
    """Where the index lives unless told: the database of `$REGSEARCH_DATABASE_URL` (as a
    Path; `regsearch.pg.url_of` reads it back), else `$REGSEARCH_INDEX`, else
    `indexes/main`."""
    from regsearch.pg import configured_url

    url = configured_url()  # a value that is not a postgresql:// URL is an error
    return Path(url or os.environ.get("REGSEARCH_INDEX") or "indexes/main")


def open_engine(location: str | Path | None = None) -> Engine:
    """The engine for `location`: a postgresql:// URL (the PostgreSQL engine), or an index
    directory (the embedded Whoosh engine); default `default_location()`."""
    from regsearch.pg import url_of

    url = url_of(location if location is not None else default_location())
    if url is not None:
        from regsearch.engine.postgres import PgEngine

        return PgEngine(url)
    from regsearch.engine.whoosh import WhooshEngine

    return WhooshEngine(location)
