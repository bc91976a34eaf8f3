"""Scoring a question over the whole index: BM25 per record kind, priors, article/document fusion.

A question is 10-30 OR-ed terms. Whoosh's union matcher trees take seconds on
such queries over 150k records, so `FusedQuery` scores term-at-a-time straight
from the posting blocks and hands Whoosh a ready list per segment (the service
keeps its filters, facets, paging and snippets unchanged).

- BM25 statistics are per record kind: an article is compared with articles
  (length, document frequency), a document with documents.
- Priors multiply each score: the level of the source (national law answers a
  question from the public first; local rules are demoted unless the question
  names a place) and the version (superseded, repealed or expired on the search
  day: demoted, not filtered, so it stays findable).
- Fusion: an article gets `1 + DOC_FUSION x` its document's normalized score (top
  DOC_POOL documents); a document scores `DOC_OWN x` its own normalized score plus
  its best article's normalized score (long documents are poor BM25 units).
- At most RESULT_CAP records of each kind are returned: the tail of a 30-term OR
  is noise, and counting facets over it would only cost time.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from whoosh import query as Q
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.matching.wrappers import FilterMatcher

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
K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class ScoredTerm:
    field: str
    text: str
    boost: float


class _Leaf:
    """Per-segment arrays, computed once per reader: kinds, levels, status ends, lengths."""

    def __init__(self, reader: Any) -> None:
        self.reader = reader
        self.size = reader.doc_count_all()
        kinds = self._col("kind")
        self.is_doc = [k == "doc" for k in kinds]
        self.doc_ids = self._col("doc_id")  # article -> its document; a doc record's own id
        self.levels = self._col("level")
        self.ends = [self._col(n) for n in ("st_sup", "st_rep", "st_inv")]
        self._lengths: dict[str, list[int]] = {}
        self._sums: dict[str, tuple[float, int, float, int]] = {}
        self._factors: dict[tuple[str, bool], list[float]] = {}
        self.live = [not reader.is_deleted(i) for i in range(self.size)]
        self._by_title: dict[str, list[Any]] | None = None

    def doc_ids_by_title(self) -> dict[str, list[Any]]:
        """title -> doc_ids of the live document records in this segment (for law boosts)."""
        if self._by_title is None:
            stored = self.reader.stored_fields
            by_title: dict[str, list[Any]] = {}
            for i in range(self.size):
                if self.is_doc[i] and self.live[i]:
                    by_title.setdefault(stored(i).get("title_s", ""), []).append(self.doc_ids[i])
            self._by_title = by_title
        return self._by_title

    def _col(self, name: str) -> list[Any]:
        if not self.reader.has_column(name):
            return [None] * self.size
        return list(self.reader.column_reader(name))

    def lengths(self, field: str) -> list[int]:
        if field not in self._lengths:
            dfl = self.reader.doc_field_length
            self._lengths[field] = [dfl(i, field, 0) or 0 for i in range(self.size)]
        return self._lengths[field]

    def length_sums(self, field: str) -> tuple[float, int, float, int]:
        """(doc length sum, doc count, article length sum, article count) of live records."""
        if field not in self._sums:
            self._sums[field] = self._length_sums(field)
        return self._sums[field]

    def _length_sums(self, field: str) -> tuple[float, int, float, int]:
        lens = self.lengths(field)
        ds = dc = as_ = ac = 0
        for i in range(self.size):
            if not self.live[i]:
                continue
            if self.is_doc[i]:
                ds += lens[i]
                dc += 1
            else:
                as_ += lens[i]
                ac += 1
        return ds, dc, as_, ac

    def factors(self, day: str, local: bool) -> list[float]:
        key = (day, local)
        if key not in self._factors:
            out = []
            for i, level in enumerate(self.levels):
                if local and level in LOCAL_LEVELS:
                    f = 1.0
                else:
                    f = LEVEL_PRIOR.get(level or "", DEFAULT_LEVEL_PRIOR)
                if any(c[i] and c[i] != NEVER and c[i] <= day for c in self.ends):
                    f *= NOT_CURRENT_FACTOR
                out.append(f)
            self._factors[key] = out
        return self._factors[key]


_leaves: dict[int, _Leaf] = {}


def leaf_for(reader: Any) -> _Leaf:
    leaf = _leaves.get(id(reader))
    if leaf is None or leaf.reader is not reader:
        if len(_leaves) > 64:
            _leaves.clear()
        leaf = _leaves[id(reader)] = _Leaf(reader)
    return leaf


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
        self._lists: dict[int, dict[int, tuple[list[int], list[float]]]] = {}

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

    def _score_leaves(self, leaves: list[_Leaf]) -> list[dict[int, float]]:
        """Raw BM25 per record in each leaf, with per-kind statistics."""
        acc: list[dict[int, float]] = [{} for _ in leaves]
        for term in self.terms:
            blocks = [list(_postings(lf.reader, term.field, term.text)) for lf in leaves]
            df_doc = df_art = 0
            for lf, bl in zip(leaves, blocks, strict=True):
                for ids, _w in bl:
                    for i in ids:
                        if lf.is_doc[i]:
                            df_doc += 1
                        else:
                            df_art += 1
            if not df_doc and not df_art:
                continue
            stats = [lf.length_sums(term.field) for lf in leaves]
            n_doc = sum(s[1] for s in stats) or 1
            n_art = sum(s[3] for s in stats) or 1
            avg_doc = (sum(s[0] for s in stats) / n_doc) or 1.0
            avg_art = (sum(s[2] for s in stats) / n_art) or 1.0
            idf_doc = term.boost * math.log(1 + (n_doc - df_doc + 0.5) / (df_doc + 0.5))
            idf_art = term.boost * math.log(1 + (n_art - df_art + 0.5) / (df_art + 0.5))
            k_doc, k_art = K1 * (1 - B), K1 * (1 - B)
            b_doc, b_art = K1 * B / avg_doc, K1 * B / avg_art
            for lf, bl, a in zip(leaves, blocks, acc, strict=True):
                lens = lf.lengths(term.field)
                is_doc = lf.is_doc
                for ids, weights in bl:
                    for i, w in zip(ids, weights, strict=True):
                        if is_doc[i]:
                            s = idf_doc * w * (K1 + 1) / (w + k_doc + b_doc * lens[i])
                        else:
                            s = idf_art * w * (K1 + 1) / (w + k_art + b_art * lens[i])
                        a[i] = a.get(i, 0.0) + s
        return acc

    def _compute(self, top: Any) -> dict[int, tuple[list[int], list[float]]]:
        leaf_searchers = [s for s, _off in top.leaf_searchers()]
        leaves = [leaf_for(s.reader()) for s in leaf_searchers]
        acc = self._score_leaves(leaves)
        for phrase in self.phrases:
            for s, a in zip(leaf_searchers, acc, strict=True):
                m = phrase.matcher(s)
                while m.is_active():
                    i = m.id()
                    if i in a:
                        a[i] += m.score()
                    m.next()
        docs: list[tuple[float, int, int]] = []
        arts: list[tuple[float, int, int]] = []
        for li, (lf, a) in enumerate(zip(leaves, acc, strict=True)):
            factors = lf.factors(self.day, self.local) if self.fused else [1.0] * lf.size
            for i, sc in a.items():
                if lf.live[i]:
                    (docs if lf.is_doc[i] else arts).append((sc * factors[i], li, i))
        if not self.fused:
            return self._lists_of([docs, arts], len(leaves))
        doc_max = max((d[0] for d in docs), default=0.0) or 1.0
        art_max = max((a[0] for a in arts), default=0.0) or 1.0
        doc_norm = {
            leaves[li].doc_ids[i]: s / doc_max for s, li, i in heapq.nlargest(DOC_POOL, docs)
        }
        boost = self._boost_by_doc_id(leaves)
        best: dict[Any, float] = {}
        final_arts = []
        for s, li, i in arts:
            key = leaves[li].doc_ids[i]
            norm = s / art_max
            if norm > best.get(key, 0.0):
                best[key] = norm
            fused = s * (1.0 + DOC_FUSION * doc_norm.get(key, 0.0))
            final_arts.append((fused * boost.get(key, 1.0), li, i))
        best.pop(None, None)  # an index without the doc_id column: no fusion
        final_docs = []
        for s, li, i in docs:
            key = leaves[li].doc_ids[i]
            own = DOC_OWN * s / doc_max + best.get(key, 0.0)
            final_docs.append((own * boost.get(key, 1.0), li, i))
        return self._lists_of([final_arts, final_docs], len(leaves))

    def _boost_by_doc_id(self, leaves: list[_Leaf]) -> dict[Any, float]:
        """doc_id -> the learned boost of its title (only the boosted documents)."""
        out: dict[Any, float] = {}
        if not self.doc_boost:
            return out
        for lf in leaves:
            by_title = lf.doc_ids_by_title()
            for title, factor in self.doc_boost.items():
                for doc_id in by_title.get(title, ()):
                    out[doc_id] = factor
        return out

    @staticmethod
    def _lists_of(
        groups: list[list[tuple[float, int, int]]], n_leaves: int
    ) -> dict[int, tuple[list[int], list[float]]]:
        """The best RESULT_CAP of each group, as per-leaf (docnums, scores) in docnum order."""
        lists: dict[int, dict[int, float]] = {li: {} for li in range(n_leaves)}
        for group in groups:
            for s, li, i in heapq.nlargest(RESULT_CAP, group):
                lists[li][i] = s
        return {li: (sorted(d), [d[i] for i in sorted(d)]) for li, d in lists.items()}

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        top = searcher.get_parent() if searcher.has_parent() else searcher
        key = id(top)
        if key not in self._lists:
            self._lists = {key: self._compute(top)}
        leaves = [s for s, _off in top.leaf_searchers()]
        li = next((n for n, s in enumerate(leaves) if s is searcher), None)
        if li is None:  # not a leaf of its parent (should not happen): score it alone
            lists = self._compute(searcher)
            li = 0
        else:
            lists = self._lists[key]
        ids, scores = lists.get(li, ([], []))
        return _Scored(ids, scores) if ids else NullMatcher()
