"""Exact phrases checked on decoded positions with set operations.

Whoosh's `Phrase` builds span objects for every occurrence of every word in every
candidate record (for a common phrase such as 县级以上地方人民政府, thousands of
objects per document) and checks them in Python, which made phrases the slowest
queries. `FastPhrase` matches the same records (each word at consecutive
positions) with the same score (the sum of the words' scores, as whoosh's span
matcher gives): candidates come from the intersection of the words' postings, and
a candidate is kept when {p - k for each position p of word k} meet for all k.
"""

from __future__ import annotations

from typing import Any

from whoosh import query as Q
from whoosh.matching import IntersectionMatcher, NullMatcher, WrappingMatcher
from whoosh.util import make_binary_tree


class FastPhrase(Q.Phrase):
    """`Phrase` without slop, matched by `_PhraseMatcher` (same hits, same scores)."""

    def __init__(self, fieldname: str, words: list[str], boost: float = 1.0) -> None:
        super().__init__(fieldname, words, slop=1, boost=boost)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        if not searcher.schema[self.fieldname].format.supports("positions"):
            return super().matcher(searcher, context)
        reader = searcher.reader()
        for word in self.words:
            if (self.fieldname, word) not in reader:
                return NullMatcher()
        ms = [Q.Term(self.fieldname, w).matcher(searcher, context) for w in self.words]
        return _PhraseMatcher(ms, boost=self.boost)


def _positions(m: Any) -> list[int]:
    return m.value_as("positions")


class _PhraseMatcher(WrappingMatcher):
    """The records where the words of `ms` (term matchers) stand at consecutive positions."""

    def __init__(self, ms: list[Any], boost: float = 1.0) -> None:
        super().__init__(make_binary_tree(IntersectionMatcher, ms), boost=boost)
        self._ms = ms
        self._find()

    def _matches_here(self) -> bool:
        starts: set[int] | None = None
        for k, m in enumerate(self._ms):
            positions = _positions(m)
            if starts is None:
                starts = set(positions)
            else:
                starts.intersection_update([p - k for p in positions])
            if not starts:
                return False
        return True

    def _find(self) -> None:
        child = self.child
        while child.is_active() and not self._matches_here():
            child.next()

    def next(self) -> None:
        self.child.next()
        self._find()

    def skip_to(self, id: int) -> None:  # noqa: A002 - whoosh's signature
        self.child.skip_to(id)
        self._find()

    def copy(self) -> _PhraseMatcher:
        return _PhraseMatcher([m.copy() for m in self._ms], boost=self.boost)

    def replace(self, minquality: float = 0) -> Any:
        return self if self.is_active() else NullMatcher()

    def supports_block_quality(self) -> bool:
        return False

    def all_ids(self) -> Any:
        while self.is_active():
            yield self.id()
            self.next()
