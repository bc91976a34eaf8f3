"""Scoring a question over the whole index: BM25 per record kind, priors, article/document fusion.

A question is 10-30 OR-ed terms, several of them common words with 100,000
postings. Whoosh's union matcher trees take seconds on such queries, and even a
term-at-a-time loop in Python costs ~100 ms a question, so `FusedQuery` scores
with numpy over whole-index arrays: one array per record attribute (kind, level,
status ends, field lengths, document key), built once per index reader
(`QuestionIndex`), and each term's postings read once into (ids, weights) arrays
kept in a bounded LRU cache (`POSTINGS_CACHE_MB`). Whoosh then gets a ready list
per segment, so the service keeps its filters, facets, paging and snippets.

- BM25 statistics are per record kind: an article is compared with articles
  (length, document frequency), a document with documents.
- Priors multiply each score: the level of the source (national law answers a
  question from the public first; local rules are demoted unless the question
  names a place) and the version (superseded, repealed or expired on the search
  day: demoted, not filtered, so it stays findable).
- Proximity: the question's adjacent word pairs, as sloppy phrases, add a bonus to
  the best PHRASE_POOL records of each kind (phrase matching is the costly part,
  and a bonus cannot lift a record from far below the pool into the results).
- Fusion: an article gets `1 + DOC_FUSION x` its document's normalized score (top
  DOC_POOL documents); a document scores `DOC_OWN x` its own normalized score plus
  its best article's normalized score (long documents are poor BM25 units).
- At most RESULT_CAP records of each kind are returned: the tail of a 30-term OR
  is noise, and counting facets over it would only cost time.
"""

from __future__ import annotations

import math
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh import query as Q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.columns import NumericColumn
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length

from regsearch.index.analyzer import normalize
from regsearch.index.records import exact_title, unpack_text
from regsearch.index.schema import NEVER

# Score multipliers by level (Document.level values); unknown levels get DEFAULT_LEVEL_PRIOR.
LEVEL_PRIOR = {
    "宪法": 1.0,
    "法律": 1.0,
    "司法解释": 1.0,
    "行政法规": 0.9,
    "监察法规": 0.9,
    "部门规章": 0.7,
    "规范性文件": 0.6,
    "地方性法规": 0.5,
    "地方政府规章": 0.5,
    "自治条例": 0.5,
    "单行条例": 0.5,
    "案例": 0.5,
}
DEFAULT_LEVEL_PRIOR = 0.6
LOCAL_LEVELS = frozenset({"地方性法规", "地方政府规章", "自治条例", "单行条例"})
NOT_CURRENT_FACTOR = 0.7
DOC_FUSION = 0.5
DOC_POOL = 50
DOC_OWN = 0.3
RESULT_CAP = 1000
PHRASE_POOL = 150
PHRASE_WEIGHT = 0.5
K1 = 1.2
B = 0.75
TEXT_CACHE = 50_000  # normalized article texts kept for phrase checks
# Postings kept in memory between questions (POSTING_BYTES each).
POSTINGS_CACHE_MB = float(os.environ.get("REGSEARCH_POSTINGS_CACHE_MB") or 256)


@dataclass(frozen=True)
class ScoredTerm:
    field: str
    text: str
    boost: float


def _postings(reader: Any, field: str, text: str) -> Iterator[tuple[Any, Any]]:
    """(ids, weights) blocks of a term's postings (deleted records included; callers filter)."""
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


def _length_bytes(reader: Any, field: str, n: int) -> np.ndarray:
    """The one-byte encoded lengths of `field` for a segment's `n` records, read at once
    from whoosh's fixed-width lengths column (one byte per record, trailing zeros
    omitted), or one by one from any other column reader."""
    col = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    if col is None:
        return np.zeros(n, dtype=np.uint8)
    if isinstance(col, NumericColumn.Reader) and col._typecode == "B":
        raw = col._dbfile.get(col._basepos, min(col._count, n))
        out = np.zeros(n, dtype=np.uint8)
        out[: len(raw)] = np.frombuffer(raw, dtype=np.uint8)
        return out
    return np.fromiter((col[i] for i in range(n)), dtype=np.uint8, count=n)


_EMPTY = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
POSTING_BYTES = 8  # an int32 record number and a float32 weight


def _budget() -> int:
    """How many postings the cache may hold (POSTINGS_CACHE_MB)."""
    return int(POSTINGS_CACHE_MB * 1024 * 1024 / POSTING_BYTES)


class QuestionIndex:
    """Whole-index arrays of one top-level reader (global record numbers), built once.

    `dkey[r]` numbers the document a record belongs to (its own id for a document,
    its `doc_id` for an article; `n_keys` when it has none), so that fusion and law
    boosts are array lookups.
    """

    def __init__(self, top: Any) -> None:
        self.reader = top.reader()  # whole-index stored fields by global record number
        self.leaf_searchers = [s for s, _off in top.leaf_searchers()]
        self.offsets = [off for _s, off in top.leaf_searchers()]
        self.readers = [s.reader() for s in self.leaf_searchers]
        self.sizes = [r.doc_count_all() for r in self.readers]
        self.size = sum(self.sizes)
        # Everything below comes from postings and per-document values, never from a
        # per-record column walk: a one-shot CLI question pays this on every run.
        self.is_doc = np.zeros(self.size, dtype=bool)
        self.live = np.ones(self.size, dtype=bool)
        keys: dict[str, int] = {}
        names: list[str] = []
        dkey = np.full(self.size, -1, dtype=np.int64)
        for reader, off, n in zip(self.readers, self.offsets, self.sizes, strict=True):
            if reader.has_deletions():
                for i in range(n):
                    if reader.is_deleted(i):
                        self.live[off + i] = False
            for text in reader.field_terms("doc_id"):
                k = keys.get(text)
                if k is None:
                    k = keys[text] = len(names)
                    names.append(text)
                for ids, _w in _postings(reader, "doc_id", text):
                    dkey[np.asarray(ids, dtype=np.int64) + off] = k
        self.is_doc[self._records("kind", "doc")] = True
        self.key_of = keys
        self.key_names = names
        self.n_keys = len(names)
        dkey[dkey < 0] = self.n_keys
        self.dkey = dkey
        # Level and status ends per document key (an article has its document's).
        self._key_level: list[str | None] = [None] * (self.n_keys + 1)
        self._key_ends: list[list[str]] = [[] for _ in range(self.n_keys + 1)]
        for reader, off in zip(self.readers, self.offsets, strict=True):
            cols = {
                name: reader.column_reader(name) if reader.has_column(name) else None
                for name in ("level", "st_sup", "st_rep", "st_inv")
            }
            for r in np.flatnonzero(self.is_doc[off : off + reader.doc_count_all()]).tolist():
                k = int(self.dkey[off + r])
                level = cols["level"]
                self._key_level[k] = level[r] if level is not None else None
                self._key_ends[k] = [
                    c[r] for name, c in cols.items() if name != "level" and c is not None
                ]
        self._lengths: dict[str, np.ndarray] = {}
        self._stats: dict[str, tuple[float, int, float, int]] = {}
        self._factors: OrderedDict[tuple[str, bool], np.ndarray] = OrderedDict()
        self._titles: dict[str, list[int]] = {}
        self._cache: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cached = 0
        self._texts: OrderedDict[int, str] = OrderedDict()
        self._by_key: dict[int, np.ndarray] | None = None
        self._numbers: dict[int, dict[str, list[int]]] = {}
        self._lock = threading.Lock()

    def lengths(self, field: str) -> np.ndarray:
        """Each record's length in `field` (whoosh's one-byte encoded length, decoded)."""
        if field not in self._lengths:
            table = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
            parts = [
                table[_length_bytes(reader, field, n)]
                for reader, n in zip(self.readers, self.sizes, strict=True)
            ]
            self._lengths[field] = np.concatenate(parts) if parts else np.zeros(0)
        return self._lengths[field]

    def stats(self, field: str) -> tuple[float, int, float, int]:
        """(average document length, document count, average article length, article count)."""
        if field not in self._stats:
            lens = self.lengths(field)
            docs = self.live & self.is_doc
            arts = self.live & ~self.is_doc
            n_doc, n_art = int(docs.sum()), int(arts.sum())
            avg_doc = float(lens[docs].sum()) / (n_doc or 1) or 1.0
            avg_art = float(lens[arts].sum()) / (n_art or 1) or 1.0
            self._stats[field] = (avg_doc, n_doc or 1, avg_art, n_art or 1)
        return self._stats[field]

    def factors(self, day: str, local: bool) -> np.ndarray:
        """Per-record prior: level (local rules not demoted when `local`) x version."""
        key = (day, local)
        hit = self._factors.get(key)
        if hit is not None:
            return hit
        per_key = np.empty(self.n_keys + 1)
        for k, level in enumerate(self._key_level):
            if local and level in LOCAL_LEVELS:
                f = 1.0
            else:
                f = LEVEL_PRIOR.get(level or "", DEFAULT_LEVEL_PRIOR)
            if any(end and end != NEVER and end <= day for end in self._key_ends[k]):
                f *= NOT_CURRENT_FACTOR
            per_key[k] = f
        out = per_key[self.dkey]
        with self._lock:
            self._factors[key] = out
            while len(self._factors) > 8:
                self._factors.popitem(last=False)
        return out

    def keys_for_title(self, title: str) -> list[int]:
        """Document keys of the live document records titled `title` (for law boosts)."""
        hit = self._titles.get(title)
        if hit is None:
            term = exact_title(title)
            found: set[int] = set()
            if term:
                rec = self._records("title_exact", term)
                rec = rec[self.live[rec] & self.is_doc[rec]]
                found.update(int(k) for k in self.dkey[rec])
            hit = sorted(found)
            with self._lock:
                self._titles[title] = hit
        return hit

    def _records(self, field: str, text: str) -> np.ndarray:
        """The global record numbers of a term's postings (uncached: short lists)."""
        parts = [
            np.asarray(ids, dtype=np.int64) + off
            for reader, off in zip(self.readers, self.offsets, strict=True)
            for ids, _w in _postings(reader, field, text)
        ]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(global record numbers, weights) of a term, from the cache or read once."""
        key = (field, text)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        ids_parts: list[np.ndarray] = []
        w_parts: list[np.ndarray] = []
        for reader, off in zip(self.readers, self.offsets, strict=True):
            for ids, weights in _postings(reader, field, text):
                ids_parts.append(np.asarray(ids, dtype=np.int32) + np.int32(off))
                w_parts.append(np.asarray(weights, dtype=np.float32))
        if not ids_parts:
            value = _EMPTY
        else:
            value = (np.concatenate(ids_parts), np.concatenate(w_parts))
        budget = _budget()
        n = len(value[0])
        with self._lock:
            if key not in self._cache and n <= budget:
                self._cache[key] = value
                self._cached += n
                while self._cached > budget and self._cache:
                    _k, (old, _w) = self._cache.popitem(last=False)
                    self._cached -= len(old)
        return value

    def article_records(self, key: int) -> dict[str, list[int]]:
        """第N条 -> the live article records of document key `key` (read once per key)."""
        hit = self._numbers.get(key)
        if hit is not None:
            return hit
        if self._by_key is None:
            arts = np.flatnonzero(~self.is_doc & self.live)
            arts = arts[np.argsort(self.dkey[arts], kind="stable")]
            keys = self.dkey[arts]
            cuts = np.flatnonzero(np.diff(keys)) + 1
            chunks = zip(np.split(arts, cuts), np.split(keys, cuts), strict=True)
            self._by_key = {int(k[0]): chunk for chunk, k in chunks if len(chunk)}
        out: dict[str, list[int]] = {}
        for record in self._by_key.get(key, np.zeros(0, dtype=np.int64)).tolist():
            number = self.reader.stored_fields(record).get("article")
            if number:
                out.setdefault(number, []).append(record)
        with self._lock:
            self._numbers[key] = out
        return out

    def text(self, record: int) -> str:
        """The normalized stored text of a record (articles: a few hundred characters)."""
        hit = self._texts.get(record)
        if hit is None:
            hit = normalize(unpack_text(self.reader.stored_fields(record).get("text_z")))
            with self._lock:
                self._texts[record] = hit
                while len(self._texts) > TEXT_CACHE:
                    self._texts.popitem(last=False)
        return hit

    def warm(self, terms: list[str], fields: tuple[str, ...] = ("body", "title")) -> int:
        """Read the postings of `terms` into the cache (most useful first, until the cache
        is full); returns how many were read."""
        budget = _budget()
        n = 0
        for term in terms:
            for field in fields:
                if self._cached >= budget * 0.9:
                    return n
                self.postings(field, term)
                n += 1
        return n

    def leaf_of(self, searcher: Any) -> int | None:
        return next((n for n, s in enumerate(self.leaf_searchers) if s is searcher), None)


_indexes: OrderedDict[int, QuestionIndex] = OrderedDict()
_indexes_lock = threading.Lock()


def index_for(top: Any) -> QuestionIndex:
    """The QuestionIndex of a top-level searcher (rebuilt when its readers change)."""
    key = id(top.reader())
    with _indexes_lock:
        qi = _indexes.get(key)
    readers = [s.reader() for s, _off in top.leaf_searchers()]
    if (
        qi is None
        or len(qi.readers) != len(readers)
        or any(a is not b for a, b in zip(qi.readers, readers, strict=True))
    ):
        qi = QuestionIndex(top)
        with _indexes_lock:
            _indexes[key] = qi
            while len(_indexes) > 4:
                _indexes.popitem(last=False)
    return qi


@dataclass
class _Result:
    """One computation: per-leaf (local docnums, scores) lists, and every article's score."""

    lists: dict[int, tuple[list[int], list[float]]]
    art_ids: np.ndarray
    art_scores: np.ndarray


class _Scored(ListMatcher):
    """A segment's final (docnum, score) list, in docnum order."""

    def __init__(self, ids: list[int], scores: list[float], position: int = 0) -> None:
        super().__init__(ids, weights=scores, position=position)
        self._scores = scores

    def copy(self) -> _Scored:
        return _Scored(self._ids, self._scores, self._i)

    def supports_block_quality(self) -> bool:
        return False

    def score(self) -> float:
        return self._scores[self._i]


def _top(ids: np.ndarray, scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The `n` best (ids, scores), in no particular order."""
    if len(ids) > n:
        part = np.argpartition(-scores, n - 1)[:n]
        return ids[part], scores[part]
    return ids, scores


class FusedQuery(Q.Query):
    """A question's weighted terms and phrases, scored with priors and fusion (see module doc)."""

    def __init__(
        self,
        terms: list[ScoredTerm],
        phrases: list[Any] | None = None,
        day: str = "",
        local: bool = False,
        fused: bool = True,
        doc_boost: dict[str, float] | None = None,
        article_boost: dict[tuple[str, str], float] | None = None,
    ) -> None:
        self.terms = terms
        self.phrases = phrases or []
        self.day = day
        self.local = local
        self.fused = fused  # False: plain per-kind BM25 (no priors, no fusion), a baseline
        self.doc_boost = doc_boost or {}  # law title -> multiplier (question_model)
        self.article_boost = article_boost or {}  # (law title, 第N条) -> multiplier
        self.boost = 1.0
        self._results: dict[int, tuple[QuestionIndex, _Result]] = {}

    def __repr__(self) -> str:
        return f"FusedQuery({len(self.terms)} terms, {len(self.phrases)} phrases, {self.day})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, FusedQuery)
            and (self.terms, self.day, self.local, self.fused)
            == (other.terms, other.day, other.local, other.fused)
            and self.phrases == other.phrases
            and self.doc_boost == other.doc_boost
            and self.article_boost == other.article_boost
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(self.terms), self.day, self.local))

    def is_leaf(self) -> bool:
        return True

    def estimate_size(self, ixreader: Any) -> int:
        return RESULT_CAP * 2

    # -- scoring -----------------------------------------------------------------
    def _bm25(self, qi: QuestionIndex, idf_of: dict[str, float]) -> np.ndarray:
        """Raw BM25 of every record, with per-kind statistics; fills `idf_of` (term -> the
        article idf of its body postings, for phrases)."""
        acc = np.zeros(qi.size)
        is_doc = qi.is_doc
        for term in self.terms:
            ids, w = qi.postings(term.field, term.text)
            if not len(ids):
                continue
            doc_mask = is_doc[ids]
            df_doc = int(np.count_nonzero(doc_mask))
            df_art = len(ids) - df_doc
            avg_doc, n_doc, avg_art, n_art = qi.stats(term.field)
            idf_doc = term.boost * math.log(1 + (n_doc - df_doc + 0.5) / (df_doc + 0.5))
            idf_art = term.boost * math.log(1 + (n_art - df_art + 0.5) / (df_art + 0.5))
            if term.field == "body":
                idf_of[term.text] = idf_art / (term.boost or 1.0)
            k = K1 * (1 - B)
            idf = np.where(doc_mask, idf_doc, idf_art)
            b = np.where(doc_mask, K1 * B / avg_doc, K1 * B / avg_art)
            acc[ids] += idf * w * (K1 + 1) / (w + k + b * qi.lengths(term.field)[ids])
        return acc

    def _phrase_bonus(
        self, qi: QuestionIndex, ids: np.ndarray, scores: np.ndarray, idf: dict[str, float]
    ) -> None:
        """Add a proximity bonus (in place) to the best PHRASE_POOL articles that contain a
        phrase of the question, its words adjacent: PHRASE_WEIGHT x the words' mean idf x
        the saturated count. Articles are short, so reading their text is cheaper than
        walking positional postings."""
        if not self.phrases or not len(ids):
            return
        art = ~qi.is_doc[ids]
        where = np.flatnonzero(art)
        if len(where) > PHRASE_POOL:
            where = where[np.argpartition(-scores[where], PHRASE_POOL - 1)[:PHRASE_POOL]]
        factors = qi.factors(self.day, self.local) if self.fused else None
        wanted = [
            ("".join(words), sum(idf.get(w, 0.0) for w in words) / len(words))
            for words in self.phrases
            if len(words) > 1
        ]
        wanted = [(joined, weight) for joined, weight in wanted if weight > 0]
        if not wanted:
            return
        for n in where.tolist():
            record = int(ids[n])
            text = qi.text(record)
            extra = 0.0
            for joined, weight in wanted:
                c = text.count(joined)
                if c:
                    extra += weight * c * (K1 + 1) / (c + K1)
            if extra:
                prior = factors[record] if factors is not None else 1.0
                scores[n] += PHRASE_WEIGHT * extra * prior

    def _compute(self, qi: QuestionIndex) -> _Result:
        idf: dict[str, float] = {}
        acc = self._bm25(qi, idf)
        ids = np.flatnonzero(acc)
        ids = ids[qi.live[ids]]
        scores = acc[ids]
        if self.fused:
            scores = scores * qi.factors(self.day, self.local)[ids]
        self._phrase_bonus(qi, ids, scores, idf)
        doc_mask = qi.is_doc[ids]
        d_ids, d_sc = ids[doc_mask], scores[doc_mask]
        a_ids, a_sc = ids[~doc_mask], scores[~doc_mask]
        if not self.fused:
            return self._result(qi, [(d_ids, d_sc), (a_ids, a_sc)], a_ids, a_sc)
        doc_max = float(d_sc.max()) if len(d_sc) else 0.0
        doc_max = doc_max or 1.0
        art_max = float(a_sc.max()) if len(a_sc) else 0.0
        art_max = art_max or 1.0
        n = qi.n_keys + 1  # the last key: records without a document
        doc_norm = np.zeros(n)
        top_ids, top_sc = _top(d_ids, d_sc, DOC_POOL)
        doc_norm[qi.dkey[top_ids]] = top_sc / doc_max
        doc_norm[-1] = 0.0
        boost = self._boosts(qi)
        a_keys = qi.dkey[a_ids]
        best = np.zeros(n)
        np.maximum.at(best, a_keys, a_sc / art_max)
        best[-1] = 0.0
        fused_a = a_sc * (1.0 + DOC_FUSION * doc_norm[a_keys]) * boost[a_keys]
        if self.article_boost:
            fused_a = fused_a * self._article_boosts(qi, a_ids)
        d_keys = qi.dkey[d_ids]
        fused_d = (DOC_OWN * d_sc / doc_max + best[d_keys]) * boost[d_keys]
        return self._result(qi, [(a_ids, fused_a), (d_ids, fused_d)], a_ids, fused_a)

    def _article_boosts(self, qi: QuestionIndex, a_ids: np.ndarray) -> np.ndarray:
        """Per article of `a_ids`: the learned boost of its (law title, 第N条), else 1.0."""
        dense = np.ones(qi.size)
        for (title, number), factor in self.article_boost.items():
            for k in qi.keys_for_title(title):
                for record in qi.article_records(k).get(number, ()):
                    dense[record] = factor
        return dense[a_ids]

    def _boosts(self, qi: QuestionIndex) -> np.ndarray:
        """Per document key: the learned boost of its title (1.0 for the others)."""
        boost = np.ones(qi.n_keys + 1)
        if self.doc_boost:
            for title, factor in self.doc_boost.items():
                for k in qi.keys_for_title(title):
                    boost[k] = factor
        return boost

    @staticmethod
    def _result(
        qi: QuestionIndex,
        groups: list[tuple[np.ndarray, np.ndarray]],
        art_ids: np.ndarray,
        art_scores: np.ndarray,
    ) -> _Result:
        """The best RESULT_CAP of each group, as per-leaf (docnums, scores) in docnum order."""
        ids = np.concatenate([_top(i, s, RESULT_CAP)[0] for i, s in groups])
        scores = np.concatenate([_top(i, s, RESULT_CAP)[1] for i, s in groups])
        order = np.argsort(ids, kind="stable")
        ids, scores = ids[order], scores[order]
        lists: dict[int, tuple[list[int], list[float]]] = {}
        for li, (off, n) in enumerate(zip(qi.offsets, qi.sizes, strict=True)):
            lo, hi = np.searchsorted(ids, [off, off + n])
            if lo < hi:
                lists[li] = ((ids[lo:hi] - off).tolist(), scores[lo:hi].tolist())
        return _Result(lists, art_ids, art_scores)

    def _get(self, top: Any) -> tuple[QuestionIndex, _Result]:
        qi = index_for(top)
        key = id(qi)
        hit = self._results.get(key)
        if hit is None:
            hit = (qi, self._compute(qi))
            self._results = {key: hit}
        return hit

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        top = searcher.get_parent() if searcher.has_parent() else searcher
        qi, result = self._get(top)
        li = qi.leaf_of(searcher)
        if li is None:  # a searcher that is not a leaf of its parent: score it alone
            qi, result = self._get(searcher)
            li = 0
        ids, scores = result.lists.get(li, ([], []))
        return _Scored(ids, scores) if ids else NullMatcher()

    def best_articles(self, top: Any, doc_ids: list[str], per_doc: int) -> dict[str, list[int]]:
        """The `per_doc` best-scoring articles (global record numbers) of each document,
        by the scores of the last search (so a document hit lists the articles that
        made it rank)."""
        qi, result = self._get(top)
        keys = [qi.key_of[d] for d in doc_ids if d in qi.key_of]
        if not keys or not len(result.art_ids):
            return {}
        mask = np.isin(qi.dkey[result.art_ids], keys)
        ids, scores = result.art_ids[mask], result.art_scores[mask]
        order = np.lexsort((ids, -scores))
        best: dict[str, list[int]] = {}
        for r in ids[order].tolist():
            lst = best.setdefault(qi.key_names[qi.dkey[r]], [])
            if len(lst) < per_doc:
                lst.append(r)
        return best
