"""The pre-search resolver's view of one index generation (`pins.Catalog` over a
`regsearch.engine.Snapshot`): engine-neutral, it reads only the snapshot protocol.

Built once per generation and shared by its snapshots (`Snapshot.shared`), in about
0.3 s on the whole corpus (`Reader.warm_up` builds it ahead for a server):

- titles from the `title_exact` keywords (`Snapshot.keywords`), levels, dates and
  statuses from columns;
- the 简称 clauses and 《》 citations of the name table from the article texts that
  contain 简称 (one postings list, ~1,300 short records), not from every body.
"""

from __future__ import annotations

import threading

from regsearch.engine import Snapshot
from regsearch.search.citation import LawNames, NamedText, law_key, learn_names, level_rank
from regsearch.search.filters import Filters
from regsearch.search.names import LawDoc
from regsearch.search.pins import IN_FORCE


class _Titles:
    """law key -> document records, and one title form per key (shared per generation)."""

    def __init__(self, snap: Snapshot) -> None:
        docs = snap.records("doc")
        self.by_key: dict[str, list[int]] = {}
        self.term: dict[str, str] = {}
        for term, records in snap.keywords("title_exact").items():
            key = law_key(term)
            found = [r for r in records if r in docs]
            if found:
                self.by_key.setdefault(key, []).extend(found)
                self.term.setdefault(key, term)
        self.parts: dict[int, int] = {}  # record -> its first article's number
        self.lock = threading.Lock()


def _names(snap: Snapshot) -> LawNames:
    titles = snap.shared("law-titles", _Titles)
    level = snap.column("level")
    rows = [
        NamedText(titles.term[key], max(level.values(records), key=lambda v: level_rank(v or "")))
        for key, records in titles.by_key.items()
    ]
    ids, _w = snap.postings("body", "简称")
    arts = snap.records("article")
    rows.extend(NamedText("", "", snap.text(int(r))) for r in ids.tolist() if int(r) in arts)
    return learn_names(rows)


class SnapshotCatalog:
    """Names, documents by law and articles by number, from one snapshot."""

    def __init__(self, snap: Snapshot, filters: Filters | None = None) -> None:
        self.snap = snap
        self.filters = filters or Filters.of(snap)

    def names(self) -> LawNames:
        return self.snap.shared("law-names", _names)

    def _titles(self) -> _Titles:
        return self.snap.shared("law-titles", _Titles)

    def related(self, law: str, day: str) -> list[LawDoc]:
        stem = law[: -len("条例")] if law.endswith("条例") and len(law) > 4 else law
        titles = self._titles()
        level = self.snap.column("level")
        publish = self.snap.column("publish")
        out = []
        for key, records in titles.by_key.items():
            if stem not in key:
                continue
            for r in records:
                out.append(
                    LawDoc(
                        record=r,
                        key=key,
                        level=level[r] or "",
                        in_force=self.filters.status(self.snap, r, day) in IN_FORCE,
                        date=publish[r] or "",
                        part=self._part(titles, r) if len(records) > 1 else 0,
                    )
                )
        return out

    def _part(self, titles: _Titles, record: int) -> int:
        """The number of a document's first article (orders the parts of one law)."""
        hit = titles.parts.get(record)
        if hit is None:
            first = self.articles_of(record)[:1]
            hit = int(self.snap.stored(first[0]).get("ordinal") or 0) if first else 0
            with titles.lock:
                titles.parts[record] = hit
        return hit

    def _members(self, record: int) -> set[int]:
        doc_id = self.snap.column("doc_id")[record]
        if not doc_id:
            return set()
        arts = self.snap.records("article")
        return {r for r in self.snap.find("doc_id", doc_id) if r in arts}

    def articles_of(self, record: int) -> list[int]:
        return sorted(self._members(record))

    def article(self, record: int, number: str) -> int | None:
        members = self._members(record)
        if not members:
            return None
        ids, _w = self.snap.postings("body", number)
        for candidate in sorted(members.intersection(int(r) for r in ids.tolist())):
            if self.snap.stored(candidate).get("article") == number:
                return candidate
        return None
