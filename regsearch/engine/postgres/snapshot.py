"""Snapshots of the PostgreSQL engine: one generation number per request.

Rows of a generation never change while it can be read (a publish only closes rows for
later generations), so a snapshot needs no open transaction: every statement filters on
its generation, takes a pooled connection and gives it back. What is derived from a
whole generation (the layout, columns, field lengths, BM25 statistics, postings) is read
once per process and shared by the snapshots of every thread (`Generation`). A term's
postings are one index range of `ix_postings` (`postings`); a phrase's positions are
checked by the tsvector GIN index.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np

from regsearch import pg, settings
from regsearch.engine import Conditions, Group, Layout, Match
from regsearch.engine.cache import BoundedCache, shared_value
from regsearch.engine.postgres import arrays, filtering, postings
from regsearch.engine.postgres.schema import (
    ARRAY_KEYWORDS,
    COLUMNS,
    FIELD_BOOST,
    FIELD_ID,
    FIELD_MODE,
    KEYWORD_COLUMNS,
    TEXT_FIELDS,
    field_text,
    quote_lexeme,
)
from regsearch.engine.postgres.scoring import Evaluator, quantized
from regsearch.errors import IndexDamaged
from regsearch.index.analyzer import tokenize
from regsearch.model import Document

T = TypeVar("T")
# Analyzed texts for snippets (see PgSnapshot.offsets), REGSEARCH_OFFSETS_CACHE_MB.
OFFSETS = BoundedCache(settings.megabytes("REGSEARCH_OFFSETS_CACHE_MB", 64))
_STORED_PER_SNAPSHOT = 512
READ_AHEAD = 32


def visible(gen: int) -> str:
    """The SQL condition of a row that generation `gen` holds."""
    return f"(gen_from <= {int(gen)} AND (gen_to IS NULL OR gen_to > {int(gen)}))"


class Generation:
    """One generation of one database, as this process has read it so far."""

    def __init__(
        self,
        url: str,
        gen: int,
        meta: dict[str, Any],
        cache: BoundedCache,
        base: Generation | None = None,
    ) -> None:
        self.url = url
        self.gen = gen
        self.name = str(gen)
        self.meta = meta
        self.postings_cache = cache
        # the generation this process served before: arrays and postings are derived
        # from its own where it has them (see arrays.derive)
        self.base = base if base is not None and base.gen < gen else None
        self.base_gen = self.base.gen if self.base is not None else None
        # its postings hold records below this (its layout's size), later batches above
        self.base_size: int | None = (
            self.base._shared["layout"].size
            if self.base is not None and self.base.has("layout")
            else None
        )
        self._shared: dict[str, Any] = {}
        self._lock = threading.RLock()

    def has(self, key: str) -> bool:
        return key in self._shared

    def shared(self, key: str, build: Callable[[], T]) -> T:
        return shared_value(self._shared, self._lock, key, build)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with pg.connection(self.url) as conn:
            return list(conn.execute(sql, tuple(params)).fetchall())


class ArrayColumn:
    """A column of a generation, read whole once (values by record number)."""

    def __init__(self, values: np.ndarray) -> None:
        self._values = values

    def __getitem__(self, record: int) -> Any:
        return self._values[record] if 0 <= record < len(self._values) else None

    def values(self, records: Sequence[int]) -> list[Any]:
        if not len(records):
            return []
        return self._values[np.asarray(records, dtype=np.int64)].tolist()


class PgSnapshot:
    """One generation for one request (see `regsearch.engine.Snapshot`)."""

    def __init__(self, gen: Generation) -> None:
        self._gen = gen
        self.generation = gen.name
        self._stored: dict[int, dict[str, Any]] = {}
        self._where = visible(gen.gen)

    @property
    def meta(self) -> dict[str, Any]:
        return self._gen.meta

    def close(self) -> None:
        self._stored.clear()

    def __enter__(self) -> PgSnapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def shared(self, key: str, factory: Callable[[Any], T]) -> T:
        return self._gen.shared(key, lambda: factory(self))

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._gen.rows(sql, params)

    def index_bytes(self) -> int:
        tables = ("ix_records", "ix_postings", "ix_batches")
        sizes = " + ".join(f"pg_total_relation_size('{t}')" for t in tables)
        return int(self._rows(f"SELECT {sizes}")[0][0])

    # -- records ---------------------------------------------------------------------
    @property
    def size(self) -> int:
        return self.layout().size

    def layout(self) -> Layout:
        return self.shared("layout", _build_layout)

    def records(self, kind: str) -> frozenset[int]:
        def build(snap: PgSnapshot) -> frozenset[int]:
            lay = snap.layout()
            want = lay.is_doc if kind == "doc" else ~lay.is_doc
            return frozenset(np.flatnonzero(want & lay.live).tolist())

        return self.shared(f"records:{kind}", build)

    def _every(self, kind: str) -> np.ndarray:
        def build(snap: PgSnapshot) -> np.ndarray:
            return np.asarray(sorted(snap.records(kind)), dtype=np.int64)

        return self.shared(f"every:{kind}", build)

    def find(self, field: str, value: str) -> list[int]:
        if not value:
            return []
        if field in KEYWORD_COLUMNS:
            cond = f"{KEYWORD_COLUMNS[field]} = %s"
        elif field in ARRAY_KEYWORDS:
            cond = f"{ARRAY_KEYWORDS[field]} @> ARRAY[%s]::text[]"
        else:
            raise KeyError(field)
        rows = self._rows(
            f"SELECT rid FROM ix_records WHERE {cond} AND {self._where} ORDER BY rid", (value,)
        )
        return [int(r[0]) for r in rows]

    def keywords(self, field: str) -> dict[str, list[int]]:
        if field in KEYWORD_COLUMNS:
            col = KEYWORD_COLUMNS[field]
            source = f"ix_records WHERE {col} IS NOT NULL AND {col} <> '' AND"
            value = col
        elif field in ARRAY_KEYWORDS:
            source = f"ix_records, unnest({ARRAY_KEYWORDS[field]}) AS v(value) WHERE"
            value = "v.value"
        else:
            raise KeyError(field)

        def build(snap: PgSnapshot) -> dict[str, list[int]]:
            rows = snap._rows(
                f"SELECT {value}, array_agg(rid ORDER BY rid) FROM {source} {snap._where} "
                f"GROUP BY {value}"
            )
            return {str(v): [int(r) for r in rids] for v, rids in rows}

        return self.shared(f"keywords:{field}", build)

    # -- matching --------------------------------------------------------------------
    def _evaluator(self) -> Evaluator:
        return Evaluator(self.postings, self.lengths, self._stats, self._phrase, self.find)

    def match(
        self, query: Match, kind: str, within: Iterable[int] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        every = self._every(kind)
        found = self._evaluator().match(query, lambda: every)
        if found is None:
            ids, scores = every, np.zeros(len(every))
        else:
            keep = np.isin(found.ids, every, assume_unique=True)
            ids, scores = found.ids[keep], found.scores[keep]
        if within is not None:
            allowed = np.fromiter(within, dtype=np.int64)
            keep = np.isin(ids, allowed)
            ids, scores = ids[keep], scores[keep]
        return ids.astype(np.int64), scores.astype(np.float64)

    def _stats(self, field: str) -> tuple[int, float]:
        """(records, average raw field length) of the generation (Whoosh's statistics)."""

        def build(snap: PgSnapshot) -> dict[str, tuple[int, float]]:
            sums = ", ".join(f"COALESCE(SUM({f}_len), 0)" for f in TEXT_FIELDS)
            row = snap._rows(f"SELECT COUNT(*), {sums} FROM ix_records WHERE {snap._where}")[0]
            n = int(row[0])
            return {f: (n, float(row[i + 1]) / (n or 1)) for i, f in enumerate(TEXT_FIELDS)}

        return self.shared("stats", build)[field]

    def _phrase(self, field: str, terms: list[str]) -> np.ndarray:
        query = " <-> ".join(quote_lexeme(t) for t in terms)

        def build(snap: PgSnapshot) -> np.ndarray:
            rows = snap._rows(
                f"SELECT rid FROM ix_records WHERE {field}_tsv @@ %s::tsquery AND {snap._where}",
                (query,),
            )
            return np.asarray(sorted(r[0] for r in rows), dtype=np.int64)

        return self.shared(f"phrase:{field}:{query}", build)

    # -- stored values ---------------------------------------------------------------
    def _row(self, record: int) -> dict[str, Any]:
        found = self._stored.get(record)
        if found is not None:
            return found
        # Read ahead: a document's articles are consecutive records and are read one
        # after another (question scoring reads each article's number), so one query
        # fetches the next READ_AHEAD records too.
        rows = self._rows(
            "SELECT rid, stored, doc_json, text, number_text, authority_text FROM ix_records "
            f"WHERE rid >= %s AND rid < %s AND {self._where}",
            (int(record), int(record) + READ_AHEAD),
        )
        if len(self._stored) + len(rows) > _STORED_PER_SNAPSHOT:
            self._stored.clear()
        for rid, stored, doc_json, text, number_text, authority_text in rows:
            self._stored[int(rid)] = {
                "stored": json.loads(stored),
                "doc_json": doc_json,
                "text": text,
                "number_text": number_text,
                "authority_text": authority_text,
            }
        found = self._stored.get(record)
        if found is None:
            raise IndexError(f"record {record} is not in generation {self.generation}")
        return found

    def stored(self, record: int) -> dict[str, Any]:
        return dict(self._row(record)["stored"])

    def text(self, record: int) -> str:
        return str(self._row(record)["text"] or "")

    def document(self, record: int) -> Document:
        row = self._row(record)
        data = json.loads(row["doc_json"])
        data["body"] = row["text"] or ""
        return Document.from_dict(data)

    def column(self, name: str) -> ArrayColumn:
        if name not in COLUMNS:
            raise KeyError(f"no column {name!r}")

        return ArrayColumn(self._arrays()[name])

    def select(self, kind: str, conditions: Conditions) -> frozenset[int]:
        return filtering.select(self._rows, self._where, kind, conditions)

    def counts(
        self, kind: str, groups: Sequence[Group], within: Collection[int] | None = None
    ) -> dict[Group, Counter[Any]]:
        return filtering.counts(self._rows, self._where, kind, groups, within)

    def _arrays(self) -> dict[str, np.ndarray]:
        """Every column and raw field length of the generation (`arrays`): derived from
        the previous generation's when this process has them, else read in one scan."""

        def build(snap: PgSnapshot) -> dict[str, np.ndarray]:
            gen = snap._gen
            base = gen.base
            found = None
            if base is not None and base.has("arrays"):
                found = arrays.derive(snap._rows, gen.gen, base.gen, base.shared("arrays", dict))
            gen.base = None  # nothing more to derive: let the older generation go
            return found if found is not None else arrays.load(snap._rows, gen.gen)

        return self.shared("arrays", build)

    def offsets(
        self, field: str, term: str, records: Sequence[int]
    ) -> dict[int, list[tuple[int, int, int]]]:
        """From the record's text analyzed again (the same tokens the index holds); a
        record's analyzed field is kept in a bounded cache shared by the process, so every
        term of a query and the next request showing it do not analyze it again."""
        out: dict[int, list[tuple[int, int, int]]] = {}
        if field not in FIELD_MODE:
            return out
        for record in records:
            found = self._occurrences(field, record).get(term)
            if found:
                out[record] = found
        return out

    def _occurrences(self, field: str, record: int) -> dict[str, list[tuple[int, int, int]]]:
        key = ((self._gen.url, self.generation), "offsets", field, int(record))
        hit = OFFSETS.get(key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        row = self._row(record)
        values = {**row["stored"], **row}
        article_title = field == "title" and row["stored"].get("kind") == "article"
        mode = "query" if article_title else FIELD_MODE[field]
        text = field_text(values, field)
        by_term: dict[str, list[tuple[int, int, int]]] = {}
        for term, pos, start, end in tokenize(text, mode):
            by_term.setdefault(term, []).append((pos, start, end))
        OFFSETS.put(key, by_term, 64 + 8 * len(text))
        return by_term

    # -- scoring arrays --------------------------------------------------------------
    def largest_terms(self, field: str, limit: int) -> list[tuple[str, int]]:
        fid = FIELD_ID.get(field)
        if fid is None:
            raise KeyError(field)
        # rids are packed 4 bytes a record; batches of closed records count until collected
        rows = self._rows(
            "SELECT term, SUM(octet_length(rids)) / 4 AS n FROM ix_postings WHERE field = %s "
            "GROUP BY term ORDER BY n DESC, term DESC LIMIT %s",
            (fid, limit),
        )
        return [(str(term), int(n)) for term, n in rows]

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The term's batches of `ix_postings` (one index range), less the records this
        generation does not hold; derived from the previous generation's postings (its
        records, less those closed since, plus the batches written after it) when this
        process has them: 0.27 against 0.61 ms a term at 1× after a one-document publish,
        as the big batch's rows are skipped unread."""
        cache = self._gen.postings_cache
        key = ((self._gen.url, self.generation), field, term)
        hit = cache.get(key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        fid = FIELD_ID.get(field)
        if fid is None:
            raise KeyError(field)
        live = self.layout().live
        base, cut = self._gen.base_gen, self._gen.base_size
        old = None
        if base is not None and cut is not None:
            old = cache.get(((self._gen.url, str(base)), field, term))
        sql = "SELECT rids, tfs FROM ix_postings WHERE field = %s AND term = %s"
        if old is not None and cut is not None:  # only the batches written after it
            sql += f" AND rid_hi > {int(cut)}"
        ids, tfs = postings.decode(self._rows(sql + " ORDER BY rid_lo", (fid, term)))
        weights = tfs * np.float32(FIELD_BOOST.get(field, 1.0))
        if old is not None and cut is not None:
            later = ids >= cut
            ids = np.concatenate([old[0], ids[later]])
            weights = np.concatenate([old[1], weights[later]])
        # batches are disjoint ranges read in order: ascending already; records past the
        # layout are of later generations
        keep = ids < len(live)
        keep[keep] = live[ids[keep]]
        ids, weights = ids[keep], weights[keep]
        cache.put(key, (ids, weights), ids.nbytes + weights.nbytes + 64)
        return ids, weights

    def lengths(self, field: str) -> np.ndarray:
        def build(snap: PgSnapshot) -> np.ndarray:
            out = quantized(snap._arrays()[f"{field}_len"])
            out.setflags(write=False)
            return out

        return self.shared(f"lengths:{field}", build)

    def check(self) -> None:
        try:
            rows = self._rows(f"SELECT rid FROM ix_records WHERE {self._where} LIMIT 1")
            if rows:
                self.stored(int(rows[0][0]))
        except Exception as exc:  # noqa: BLE001 - any read error: the index is unusable
            raise IndexDamaged(
                f"数据库中的索引无法读取（{exc}）：请运行 regsearch reindex --rebuild。"
            ) from None


def _build_layout(snap: PgSnapshot) -> Layout:
    found = snap._arrays()
    kind, doc_id = found["kind"], found["doc_id"]
    size = len(kind)
    live = arrays.present(kind)
    is_doc = np.equal(kind, "doc")
    names = sorted(set(doc_id[live].tolist()))
    keys = {name: i for i, name in enumerate(names)}
    dkey = np.full(size, len(names), dtype=np.int64)
    dkey[live] = np.asarray([keys[d] for d in doc_id[live]], dtype=np.int64)
    for arr in (live, is_doc, dkey):
        arr.setflags(write=False)
    return Layout(
        size=size, live=live, is_doc=is_doc, dkey=dkey, key_names=tuple(names), key_of=keys
    )
