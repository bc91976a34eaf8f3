"""A parsed query tree -> (records, scores), evaluated over postings in numpy.

The same matching and the same BM25F arithmetic as the embedded engine's translation
(`regsearch.engine.whoosh.translate`), so both rank alike: a term scores
`idf * tf*(K1+1) / (tf + K1*(1-B + B*len/avglen))` with Whoosh's `idf = ln(N/(df+1)) + 1`
and its one-byte field-length approximation; AND and OR add their children's scores,
a phrase scores the sum of its words (its positions checked by PostgreSQL with a
`<->` tsquery on the GIN index), a boost multiplies, a keyword match scores its boost.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from regsearch.engine import Match
from regsearch.errors import BadQuery
from regsearch.index.analyzer import is_single_han, query_terms
from regsearch.index.layout import canonical_doc_number
from regsearch.model import QueryNode

K1 = 1.2
B = 0.75
_HAN_ONLY = re.compile(r"^[\u3400-\u9fff]+$")

# Whoosh keeps a field length in one byte: the smallest of these at or above the length.
_LENGTH_TABLE = np.asarray([int(round((pow(1.033, i) - 1) * 27)) for i in range(256)])


def quantized(lengths: np.ndarray) -> np.ndarray:
    """Field lengths as the embedded engine's scoring sees them (float64)."""
    idx = np.searchsorted(_LENGTH_TABLE, lengths, side="left")
    return _LENGTH_TABLE[np.minimum(idx, 255)].astype(np.float64)


def length_byte(length: int) -> int:
    return 255 if length >= 106374 else bisect_left(list(_LENGTH_TABLE), length)


@dataclass
class Scored:
    """Matching records (sorted, unique) and their scores; `negated` for a NOT."""

    ids: np.ndarray
    scores: np.ndarray
    negated: bool = False


_EMPTY = Scored(np.zeros(0, dtype=np.int64), np.zeros(0))


class Evaluator:
    """Evaluates one Match for one snapshot. `postings(field, term)` gives (ids, weights);
    `lengths(field)`, `stats(field) -> (N, avglen)`, `phrase(field, terms)` (records where
    the terms stand in a row), `keyword(field, value)` (records holding the keyword)."""

    def __init__(
        self,
        postings: Callable[[str, str], tuple[np.ndarray, np.ndarray]],
        lengths: Callable[[str], np.ndarray],
        stats: Callable[[str], tuple[int, float]],
        phrase: Callable[[str, list[str]], np.ndarray],
        keyword: Callable[[str, str], list[int]],
    ) -> None:
        self._postings = postings
        self._lengths = lengths
        self._stats = stats
        self._phrase = phrase
        self._keyword = keyword

    # -- leaves ----------------------------------------------------------------------
    def term(self, field: str, term: str, boost: float = 1.0) -> Scored:
        ids, weights = self._postings(field, term)
        if not len(ids):
            return _EMPTY
        n, avg = self._stats(field)
        idf = math.log(n / (len(ids) + 1)) + 1
        fl = self._lengths(field)[ids]
        tf = weights.astype(np.float64)
        scores = idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / (avg or 1))))
        return Scored(ids.astype(np.int64), scores * boost)

    def keyword(self, field: str, value: str, boost: float) -> Scored:
        ids = np.asarray(sorted(set(self._keyword(field, value))), dtype=np.int64)
        return Scored(ids, np.full(len(ids), float(boost)))

    def _term(self, field: str, term: str) -> Scored:
        if field == "body" and is_single_han(term):
            return union([self.term("body", term), self.term("chars", term)])
        return self.term(field, term)

    def phrase(self, field: str, terms: list[str], boost: float = 1.0) -> Scored:
        parts = [self.term(field, t) for t in terms]
        words = intersect(parts)
        if not len(words.ids):
            return _EMPTY
        keep = np.isin(words.ids, self._phrase(field, terms))
        return Scored(words.ids[keep], words.scores[keep] * boost)

    def _term_query(self, node: QueryNode, field: str) -> Scored | None:
        terms = query_terms(node.text)
        if not terms:
            return None
        if len(terms) == 1:
            return self._term(field, terms[0])
        if node.op == "word" and _HAN_ONLY.match(node.text):
            words = intersect([self._term(field, t) for t in terms])
            if field == "body":
                return words
            return union([self.phrase(field, terms, 2.0), words])
        return self.phrase(field, terms)

    def _leaf(self, node: QueryNode, fields: tuple[str, ...]) -> Scored | None:
        targets = (node.field,) if node.field else fields
        parts = [q for f in targets if (q := self._term_query(node, f)) is not None]
        if node.field == "number":
            canon = canonical_doc_number(node.text)
            if canon:
                parts.append(self.keyword("docnum", canon, 10.0))
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else union(parts)

    # -- tree ------------------------------------------------------------------------
    def node(self, node: QueryNode, fields: tuple[str, ...]) -> Scored | None:
        if node.op in ("word", "phrase"):
            return self._leaf(node, fields)
        if node.op == "not":
            inner = self.node(node.children[0], fields)
            return Scored(inner.ids, inner.scores, negated=True) if inner is not None else None
        parts = [p for c in node.children if (p := self.node(c, fields)) is not None]
        if not parts:
            return None
        if node.op == "or":
            return parts[0] if len(parts) == 1 else union([p for p in parts if not p.negated])
        positive = [p for p in parts if not p.negated]
        if not positive:
            raise BadQuery("查询不能只包含排除词：请至少给出一个要查找的词。")
        found = intersect(positive)
        for p in parts:
            if p.negated:  # Whoosh scores a NOT it passes as 1 (its inverse matcher's weight)
                keep = ~np.isin(found.ids, p.ids)
                found = Scored(found.ids[keep], found.scores[keep] + 1.0)
        return found

    def match(self, match: Match, every: Callable[[], np.ndarray]) -> Scored | None:
        """The records of `match` (None: it matches every record, with score 0)."""
        main = self.node(match.root, match.fields) if match.root else None
        if main is not None and main.negated:
            rest = every()
            main = Scored(rest[~np.isin(rest, main.ids)], np.zeros(0))
            main.scores = np.zeros(len(main.ids))
        boosts = [self.keyword(f, v, b) for f, v, b in match.exact]
        if not boosts:
            return main
        return union([main, *boosts] if main is not None else boosts)


def union(parts: list[Scored]) -> Scored:
    parts = [p for p in parts if len(p.ids)]
    if not parts:
        return _EMPTY
    if len(parts) == 1:
        return parts[0]
    ids = np.concatenate([p.ids for p in parts])
    scores = np.concatenate([p.scores for p in parts])
    uniq, inverse = np.unique(ids, return_inverse=True)
    return Scored(uniq, np.bincount(inverse, weights=scores, minlength=len(uniq)))


def intersect(parts: list[Scored]) -> Scored:
    if not parts or any(not len(p.ids) for p in parts):
        return _EMPTY
    found = parts[0]
    for p in parts[1:]:
        common, a, b = np.intersect1d(found.ids, p.ids, assume_unique=True, return_indices=True)
        found = Scored(common, found.scores[a] + p.scores[b])
    return found
