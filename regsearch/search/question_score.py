"""Scoring a question over the whole index: BM25 per record kind, priors, article/document fusion.

Pure ranking over the arrays of `QuestionIndex` and the postings a snapshot gives
(`Snapshot.postings`, numpy arrays, cached by the engine within a byte budget); the
tuned weights are one frozen `QuestionWeights` passed in, so tests and evaluations
build their own instead of patching module globals.

- BM25 statistics are per record kind: an article is compared with articles
  (length, document frequency), a document with documents.
- Priors multiply each score: the level of the source (national law answers a
  question from the public first; local rules are demoted unless the question
  names their place: 深圳 keeps 广东's, not every province's) and the version
  (superseded, repealed or expired on the search day: demoted, not filtered, so it
  stays findable).
- Proximity: the question's adjacent word pairs add a bonus to the best
  `phrase_pool` articles (phrase matching is the costly part, and a bonus cannot
  lift a record from far below the pool into the results).
- Fusion: an article gets `1 + doc_fusion x` its document's normalized score (top
  `doc_pool` documents); a document scores `doc_own x` its own normalized score plus
  its best articles' normalized scores as the article view ranks them, the best in full
  and the next `doc_articles - 1` decayed (long documents are poor BM25 units; the law
  whose articles answer the question comes first).
- At most `result_cap` records of each kind are returned: the tail of a 30-term OR
  is noise, and counting facets over it would only cost time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from regsearch.engine import Snapshot
from regsearch.search.question_index import QuestionIndex

LEVEL_PRIOR = MappingProxyType(
    {
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
)
LOCAL_LEVELS = frozenset({"地方性法规", "地方政府规章", "自治条例", "单行条例"})


@dataclass(frozen=True)
class QuestionWeights:
    """The tuned weights of question scoring (measured on stard-train, see README)."""

    level_prior: Mapping[str, float] = field(default_factory=lambda: LEVEL_PRIOR)
    default_level_prior: float = 0.6  # levels not in level_prior
    local_levels: frozenset[str] = LOCAL_LEVELS
    not_current: float = 0.7
    doc_fusion: float = 0.5
    doc_pool: int = 50
    doc_own: float = 0.3
    # A document scores its best articles, the i-th best weighted doc_article_decay ** i:
    # of two laws with an equally good best article, the one whose other articles answer
    # the question too comes first.
    doc_articles: int = 3
    doc_article_decay: float = 0.3
    result_cap: int = 1000
    phrase_pool: int = 150
    phrase_weight: float = 0.5
    k1: float = 1.2
    b: float = 0.75
    # Per-field weights of question terms: the words of a question describe a situation,
    # which articles' text matches far better than titles do (more title weight, lower
    # recall on stard-train).
    field_weights: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType({"body": 1.0, "title": 0.05})
    )
    fused: bool = True  # False: plain per-kind BM25 (no priors, no fusion), a baseline
    max_terms: int = 80  # scored terms (word x field) at most: the heaviest are kept


DEFAULT_WEIGHTS = QuestionWeights()
PLAIN_BM25 = QuestionWeights(fused=False)


@dataclass(frozen=True)
class ScoredTerm:
    field: str
    text: str
    boost: float


@dataclass
class QuestionScores:
    """A question's ranked records: the best `result_cap` of each kind, and every article's
    score (for the articles listed under a document hit)."""

    docs: tuple[np.ndarray, np.ndarray]
    articles: tuple[np.ndarray, np.ndarray]
    art_ids: np.ndarray
    art_scores: np.ndarray

    def of_kind(self, kind: str) -> tuple[np.ndarray, np.ndarray]:
        return self.docs if kind == "doc" else self.articles

    def best_articles(
        self, qi: QuestionIndex, doc_ids: list[str], per_doc: int
    ) -> dict[str, list[int]]:
        """The `per_doc` best-scoring articles of each document (so a document hit lists
        the articles that made it rank)."""
        keys = [qi.key_of[d] for d in doc_ids if d in qi.key_of]
        if not keys or not len(self.art_ids):
            return {}
        mask = np.isin(qi.dkey[self.art_ids], keys)
        ids, scores = self.art_ids[mask], self.art_scores[mask]
        order = np.lexsort((ids, -scores))
        best: dict[str, list[int]] = {}
        for r in ids[order].tolist():
            lst = best.setdefault(qi.key_names[qi.dkey[r]], [])
            if len(lst) < per_doc:
                lst.append(r)
        return best


@dataclass(frozen=True)
class Question:
    """What is scored: weighted terms, adjacent-word phrases, the day, learned boosts."""

    terms: tuple[ScoredTerm, ...]
    phrases: tuple[tuple[str, ...], ...] = ()
    day: str = ""
    places: tuple[str, ...] = ()  # places named: their regions' local rules are not demoted
    doc_boost: Mapping[str, float] = field(default_factory=dict)  # law title -> multiplier
    # (law title, 第N条) -> multiplier
    article_boost: Mapping[tuple[str, str], float] = field(default_factory=dict)


def _top(ids: np.ndarray, scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The `n` best (ids, scores), in no particular order."""
    if len(ids) > n:
        part = np.argpartition(-scores, n - 1)[:n]
        return ids[part], scores[part]
    return ids, scores


def _bm25(
    snap: Snapshot, qi: QuestionIndex, q: Question, w: QuestionWeights, idf_of: dict[str, float]
) -> np.ndarray:
    """Raw BM25 of every record, with per-kind statistics; fills `idf_of` (term -> the
    article idf of its body postings, for phrases)."""
    acc = np.zeros(qi.size)
    is_doc = qi.is_doc
    k1, b = w.k1, w.b
    terms = q.terms
    if len(terms) > w.max_terms:
        terms = tuple(sorted(terms, key=lambda t: -t.boost)[: w.max_terms])
    for term in terms:
        ids, tf = snap.postings(term.field, term.text)
        if not len(ids):
            continue
        doc_mask = is_doc[ids]
        df_doc = int(np.count_nonzero(doc_mask))
        df_art = len(ids) - df_doc
        avg_doc, n_doc, avg_art, n_art = qi.stats(snap, term.field)
        idf_doc = term.boost * math.log(1 + (n_doc - df_doc + 0.5) / (df_doc + 0.5))
        idf_art = term.boost * math.log(1 + (n_art - df_art + 0.5) / (df_art + 0.5))
        if term.field == "body":
            idf_of[term.text] = idf_art / (term.boost or 1.0)
        k = k1 * (1 - b)
        idf = np.where(doc_mask, idf_doc, idf_art)
        bb = np.where(doc_mask, k1 * b / avg_doc, k1 * b / avg_art)
        acc[ids] += idf * tf * (k1 + 1) / (tf + k + bb * snap.lengths(term.field)[ids])
    return acc


def _phrase_bonus(
    snap: Snapshot,
    qi: QuestionIndex,
    q: Question,
    w: QuestionWeights,
    ids: np.ndarray,
    scores: np.ndarray,
    idf: dict[str, float],
    factors: np.ndarray | None,
) -> None:
    """Add a proximity bonus (in place) to the best `phrase_pool` articles that contain a
    phrase of the question, its words adjacent: `phrase_weight` x the words' mean idf x
    the saturated count. Articles are short, so reading their text is cheaper than
    walking positional postings."""
    if not q.phrases or not len(ids):
        return
    where = np.flatnonzero(~qi.is_doc[ids])
    if len(where) > w.phrase_pool:
        where = where[np.argpartition(-scores[where], w.phrase_pool - 1)[: w.phrase_pool]]
    wanted = [
        ("".join(words), sum(idf.get(x, 0.0) for x in words) / len(words))
        for words in q.phrases
        if len(words) > 1
    ]
    wanted = [(joined, weight) for joined, weight in wanted if weight > 0]
    if not wanted:
        return
    k1 = w.k1
    for n in where.tolist():
        record = int(ids[n])
        text = qi.text(snap, record)
        extra = 0.0
        for joined, weight in wanted:
            c = text.count(joined)
            if c:
                extra += weight * c * (k1 + 1) / (c + k1)
        if extra:
            prior = factors[record] if factors is not None else 1.0
            scores[n] += w.phrase_weight * extra * prior


def score_question(
    snap: Snapshot, q: Question, w: QuestionWeights = DEFAULT_WEIGHTS
) -> QuestionScores:
    """Score `q` over every record of `snap` (see module doc)."""
    qi = QuestionIndex.of(snap)
    idf: dict[str, float] = {}
    acc = _bm25(snap, qi, q, w, idf)
    ids = np.flatnonzero(acc)
    ids = ids[qi.live[ids]]
    scores = acc[ids]
    factors = None
    if w.fused:
        factors = qi.factors(
            q.day, q.places, w.level_prior, w.default_level_prior, w.not_current, w.local_levels
        )
        scores = scores * factors[ids]
    _phrase_bonus(snap, qi, q, w, ids, scores, idf, factors)
    doc_mask = qi.is_doc[ids]
    d_ids, d_sc = ids[doc_mask], scores[doc_mask]
    a_ids, a_sc = ids[~doc_mask], scores[~doc_mask]
    if not w.fused:
        return _result(w, (d_ids, d_sc), (a_ids, a_sc))
    doc_max = (float(d_sc.max()) if len(d_sc) else 0.0) or 1.0
    n = qi.n_keys + 1  # the last key: records without a document
    doc_norm = np.zeros(n)
    top_ids, top_sc = _top(d_ids, d_sc, w.doc_pool)
    doc_norm[qi.dkey[top_ids]] = top_sc / doc_max
    doc_norm[-1] = 0.0
    boost = _boosts(snap, qi, q)
    a_keys = qi.dkey[a_ids]
    # An article as the article view ranks it, before its law's learned boost (which
    # the document's own score takes once, below).
    answer = a_sc * (1.0 + w.doc_fusion * doc_norm[a_keys])
    if q.article_boost:
        answer = answer * _article_boosts(snap, qi, q, a_ids)
    fused_a = answer * boost[a_keys]
    # A document is as good as its best articles as the article view ranks them (learned
    # article associations included): the law whose articles answer the question.
    best = np.zeros(n)
    if len(a_ids):
        _add_best_articles(best, a_keys, answer / (float(fused_a.max()) or 1.0), w)
    best[-1] = 0.0
    d_keys = qi.dkey[d_ids]
    fused_d = (w.doc_own * d_sc / doc_max + best[d_keys]) * boost[d_keys]
    return _result(w, (d_ids, fused_d), (a_ids, fused_a))


def _add_best_articles(
    best: np.ndarray, keys: np.ndarray, scores: np.ndarray, w: QuestionWeights
) -> None:
    """Add (in place) to `best[key]` each document's `doc_articles` best article scores,
    the i-th best (from 0) weighted `doc_article_decay ** i`. One linear pass per rank
    (a sort of every matching article would cost more than the rest of the question)."""
    left = scores.copy()
    for i in range(w.doc_articles):
        top = np.zeros(len(best))
        np.maximum.at(top, keys, left)
        best += top * w.doc_article_decay**i
        if i + 1 < w.doc_articles:
            # Take out one article per document: the first that holds its best score.
            at = np.flatnonzero((left == top[keys]) & (left > 0))
            _, first = np.unique(keys[at], return_index=True)
            left[at[first]] = 0.0


def _article_boosts(
    snap: Snapshot, qi: QuestionIndex, q: Question, a_ids: np.ndarray
) -> np.ndarray:
    """Per article of `a_ids`: the learned boost of its (law title, 第N条), else 1.0."""
    dense = np.ones(qi.size)
    for (title, number), factor in q.article_boost.items():
        for k in qi.keys_for_title(snap, title):
            for record in qi.article_records(snap, k).get(number, ()):
                dense[record] = factor
    return dense[a_ids]


def _boosts(snap: Snapshot, qi: QuestionIndex, q: Question) -> np.ndarray:
    """Per document key: the learned boost of its title (1.0 for the others)."""
    boost = np.ones(qi.n_keys + 1)
    for title, factor in q.doc_boost.items():
        for k in qi.keys_for_title(snap, title):
            boost[k] = factor
    return boost


def _result(
    w: QuestionWeights,
    docs: tuple[np.ndarray, np.ndarray],
    arts: tuple[np.ndarray, np.ndarray],
) -> QuestionScores:
    return QuestionScores(
        docs=_top(*docs, w.result_cap),
        articles=_top(*arts, w.result_cap),
        art_ids=arts[0],
        art_scores=arts[1],
    )
