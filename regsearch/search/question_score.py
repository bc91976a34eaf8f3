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
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.numeric import byte_to_length

from regsearch.index.analyzer import normalize
from regsearch.index.records import unpack_text
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
PHRASE_POOL = 300
PHRASE_WEIGHT = 0.5
K1 = 1.2
B = 0.75
TEXT_CACHE = 50_000  # normalized article texts kept for phrase checks
# Postings kept in memory between questions (8 bytes each: id and weight).
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


_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))


class QuestionIndex:
    """Whole-index arrays of one top-level reader (global record numbers), built once.

    `dkey[r]` numbers the document a record belongs to (its own id for a document,
    its `doc_id` for an article; `n_keys` when it has none), so that fusion and law
    boosts are array lookups.
    """

    def __init__(self, top: Any) -> None:
        self.leaf_searchers = [s for s, _off in top.leaf_searchers()]
        self.offsets = [off for _s, off in top.leaf_searchers()]
        self.readers = [s.reader() for s in self.leaf_searchers]
        self.sizes = [r.doc_count_all() for r in self.readers]
        self.size = sum(self.sizes)
        kinds = self._col("kind")
        self.is_doc = np.fromiter((k == "doc" for k in kinds), dtype=bool, count=self.size)
        self.live = np.ones(self.size, dtype=bool)
        for reader, off, n in zip(self.readers, self.offsets, self.sizes, strict=True):
            if reader.has_deletions():
                for i in range(n):
                    if reader.is_deleted(i):
                        self.live[off + i] = False
        doc_ids = self._col("doc_id")
        keys: dict[Any, int] = {}
        for d in doc_ids:
            if d is not None and d not in keys:
                keys[d] = len(keys)
        self.key_of = keys
        self.n_keys = len(keys)
        self.doc_ids = doc_ids
        self.dkey = np.fromiter(
            (keys.get(d, self.n_keys) if d is not None else self.n_keys for d in doc_ids),
            dtype=np.int64,
            count=self.size,
        )
        self._levels = self._col("level")
        self._ends = [self._col(n) for n in ("st_sup", "st_rep", "st_inv")]
        self._lengths: dict[str, np.ndarray] = {}
        self._stats: dict[str, tuple[float, int, float, int]] = {}
        self._factors: OrderedDict[tuple[str, bool], np.ndarray] = OrderedDict()
        self._titles: dict[str, list[int]] | None = None
        self._cache: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cached = 0
        self._texts: OrderedDict[int, str] = OrderedDict()
        self._lock = threading.Lock()

    def _col(self, name: str) -> list[Any]:
        out: list[Any] = []
        for reader, n in zip(self.readers, self.sizes, strict=True):
            if reader.has_column(name):
                out.extend(reader.column_reader(name))
            else:
                out.extend([None] * n)
        return out

    def lengths(self, field: str) -> np.ndarray:
        if field not in self._lengths:
            table = [byte_to_length(b) for b in range(256)]
            parts = []
            for reader, n in zip(self.readers, self.sizes, strict=True):
                col = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
                if col is None:
                    parts.append(np.zeros(n))
                else:
                    parts.append(np.fromiter((table[col[i]] for i in range(n)), float, count=n))
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
        out = np.empty(self.size)
        for i, level in enumerate(self._levels):
            if local and level in LOCAL_LEVELS:
                f = 1.0
            else:
                f = LEVEL_PRIOR.get(level or "", DEFAULT_LEVEL_PRIOR)
            if any(c[i] and c[i] != NEVER and c[i] <= day for c in self._ends):
                f *= NOT_CURRENT_FACTOR
            out[i] = f
        with self._lock:
            self._factors[key] = out
            while len(self._factors) > 8:
                self._factors.popitem(last=False)
        return out

    def keys_by_title(self) -> dict[str, list[int]]:
        """title -> document keys of the live document records (for law boosts)."""
        if self._titles is None:
            titles: dict[str, list[int]] = {}
            for s, off in zip(self.leaf_searchers, self.offsets, strict=True):
                stored = s.reader().stored_fields
                for i in range(s.reader().doc_count_all()):
                    r = off + i
                    if self.is_doc[r] and self.live[r]:
                        title = stored(i).get("title_s", "")
                        titles.setdefault(title, []).append(int(self.dkey[r]))
            self._titles = titles
        return self._titles

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
                ids_parts.append(np.asarray(ids, dtype=np.int64) + off)
                w_parts.append(np.asarray(weights, dtype=np.float64))
        if not ids_parts:
            value = _EMPTY
        else:
            value = (np.concatenate(ids_parts), np.concatenate(w_parts))
        budget = int(POSTINGS_CACHE_MB * 1024 * 1024 / 16)
        n = len(value[0])
        with self._lock:
            if key not in self._cache and n <= budget:
                self._cache[key] = value
                self._cached += n
                while self._cached > budget and self._cache:
                    _k, (old, _w) = self._cache.popitem(last=False)
                    self._cached -= len(old)
        return value

    def text(self, record: int) -> str:
        """The normalized stored text of a record (articles: a few hundred characters)."""
        hit = self._texts.get(record)
        if hit is None:
            li = int(np.searchsorted(self.offsets, record, side="right")) - 1
            fields = self.readers[li].stored_fields(record - self.offsets[li])
            hit = normalize(unpack_text(fields.get("text_z")))
            with self._lock:
                self._texts[record] = hit
                while len(self._texts) > TEXT_CACHE:
                    self._texts.popitem(last=False)
        return hit

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
    ) -> None:
        self.terms = terms
        self.phrases = phrases or []
        self.day = day
        self.local = local
        self.fused = fused  # False: plain per-kind BM25 (no priors, no fusion), a baseline
        self.doc_boost = doc_boost or {}  # law title -> multiplier (question_model)
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
        d_keys = qi.dkey[d_ids]
        fused_d = (DOC_OWN * d_sc / doc_max + best[d_keys]) * boost[d_keys]
        return self._result(qi, [(a_ids, fused_a), (d_ids, fused_d)], a_ids, fused_a)

    def _boosts(self, qi: QuestionIndex) -> np.ndarray:
        """Per document key: the learned boost of its title (1.0 for the others)."""
        boost = np.ones(qi.n_keys + 1)
        if self.doc_boost:
            by_title = qi.keys_by_title()
            for title, factor in self.doc_boost.items():
                for k in by_title.get(title, ()):
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
            lst = best.setdefault(qi.doc_ids[r], [])
            if len(lst) < per_doc:
                lst.append(r)
        return best
