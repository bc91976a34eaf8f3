"""The pre-search resolver: records a query names outright, put before its ranked results.

A citation (`刑法第二百六十四条`, also inside a longer question) pins that article of
the law's version in force, then the same article of its other versions; in the
document view the same documents, with the cited article named first under each.
A query that is only a law's name (`民法典`, `个保法`) pins the law's documents in the
order of `regsearch.search.names`. Everything else resolves to None and is ranked
as before.

Pure: it talks to a `Catalog` (names learned from the stored documents, documents by
law, an article of a document); `regsearch.search.catalog` gives one over any engine's
snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from regsearch.search.citation import NAME_SUFFIXES, LawNames, article_refs, law_key
from regsearch.search.names import LawDoc, names_first, versions_first

IN_FORCE = ("现行有效", "部分失效")
MAX_NAME_QUERY = 60  # characters: a longer text is not "only a name"
MAX_ARTICLES = 2000  # articles a law's name pins in the article view


class Catalog(Protocol):
    """What the resolver reads of one index generation."""

    def names(self) -> LawNames:
        """The corpus' name table (see citation.learn_names)."""
        ...

    def related(self, law: str, day: str) -> list[LawDoc]:
        """Every document whose title key contains `law`'s stem (a superset of the law's
        own versions, implementing rules, interpretations …), status judged on `day`."""
        ...

    def article(self, record: int, number: str) -> int | None:
        """The record of article `number` (canonical 第N条) of document `record`, if any."""
        ...

    def articles_of(self, record: int) -> list[int]:
        """The article records of document `record`, in their order."""
        ...


@dataclass
class Pins:
    """Records to show first, in order, before the query's ranked results."""

    kind: str  # citation | name
    law: str  # the law's key
    documents: list[int] = field(default_factory=list)  # document view
    articles: list[int] = field(default_factory=list)  # article view
    cited: dict[int, list[int]] = field(default_factory=dict)  # document -> cited articles
    label: str = ""  # what was recognized, for display: 刑法 第二百六十四条


def might_reference(query: str) -> bool:
    """A cheap test before the name table is needed: an article number, or a short text
    shaped like a law's name."""
    q = (query or "").strip()
    if not q:
        return False
    if article_refs(q):
        return True
    key = law_key(q)
    return len(q) <= MAX_NAME_QUERY and (key.endswith(NAME_SUFFIXES) or key.endswith("编"))


def resolve(query: str, catalog: Catalog, day: str) -> Pins | None:
    """The pins of `query` on `day` (module doc), or None."""
    if not might_reference(query):
        return None
    names = catalog.names()
    citations = [c for c in names.citations(query) if c.article is not None]
    if citations:
        return _citation_pins(citations, catalog, day)
    if len(query.strip()) > MAX_NAME_QUERY:
        return None
    named = names.named_law(query)
    if named is None:
        return None
    docs = names_first(named.key, catalog.related(named.key, day))
    if not docs:
        return None
    pins = Pins("name", named.key, [d.record for d in docs], label=named.key)
    # The article view of a law is its text: the articles of the version first in line
    # (every part of a law filed in parts), in order.
    lead = [d for d in docs if d.key == named.key]
    first = [d for d in lead if d.in_force and d.date == lead[0].date] or lead[:1]
    for doc in first:
        pins.articles.extend(catalog.articles_of(doc.record)[: MAX_ARTICLES - len(pins.articles)])
    return pins


def _citation_pins(citations: list, catalog: Catalog, day: str) -> Pins | None:
    pins = Pins("citation", citations[0].law.key)
    labels = []
    seen: set[tuple[str, str]] = set()
    versions: dict[str, list] = {}  # law key -> its documents (several articles of one law)
    for c in citations:
        number = c.article.number
        if (c.law.key, number) in seen:
            continue
        seen.add((c.law.key, number))
        labels.append(f"{c.law.key} {number}")
        own = versions.get(c.law.key)
        if own is None:
            own = versions[c.law.key] = versions_first(c.law.key, catalog.related(c.law.key, day))
        found = False
        for doc in own:
            record = catalog.article(doc.record, number)
            if record is None:
                continue
            found = True
            pins.articles.append(record)
            if doc.record not in pins.cited:
                pins.documents.append(doc.record)
            pins.cited.setdefault(doc.record, []).append(record)
        if not found:  # no such article: the law itself still comes first
            pins.documents.extend(d.record for d in own if d.record not in pins.documents)
    pins.label = "、".join(labels)
    return pins if pins.documents or pins.articles else None
