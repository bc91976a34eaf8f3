"""A query restricted to the records of one kind (documents or articles), segment by segment.

The writer keeps documents and articles in separate segments (regsearch.index.writer).
`OfKind(kind, q)` gives a segment without records of `kind` a null matcher before any
posting of `q` is opened there: a document search never reads article postings (whoosh's
union matchers read their postings eagerly when they are built), and the reverse.
"""

from __future__ import annotations

from typing import Any

from whoosh import query as Q
from whoosh.matching import NullMatcher

KINDS = ("doc", "article")


class OfKind(Q.WrappingQuery):
    """The records of `kind` that match `child` (all records of `kind` when child is None)."""

    def __init__(self, kind: str, child: Any = None) -> None:
        super().__init__(child if child is not None else Q.Term("kind", kind))
        self.kind = kind

    def __repr__(self) -> str:
        return f"OfKind({self.kind!r}, {self.child!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OfKind) and (self.kind, self.child) == (other.kind, other.child)

    def __hash__(self) -> int:
        return hash(("OfKind", self.kind, self.child))

    def apply(self, fn: Any) -> Any:
        return OfKind(self.kind, fn(self.child))

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        reader = searcher.reader()
        if ("kind", self.kind) not in reader:
            return NullMatcher()
        if any(("kind", k) in reader for k in KINDS if k != self.kind):
            # A segment holding both kinds (not written by our writer): intersect.
            both = Q.And([Q.Term("kind", self.kind), self.child])
            return both.matcher(searcher, context)
        # A segment of this kind only: the kind term (as long as the segment) is redundant.
        return self.child.matcher(searcher, context)
