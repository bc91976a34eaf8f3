"""Filters, facets and statuses, composed from the engine's `select` and `counts`.

The engine finds the records and counts the values (in SQL on PostgreSQL); this module
decides what to ask for. A filter becomes a set of record numbers (remembered per
generation, in a cache with a bound on the records it holds), and a status is computed
by `status_at` once per distinct set of status dates and day (remembered in a bounded
cache too): no client can grow either past its bound, whatever days and filters it
sends. A status filter is the set of the status date tuples whose status on the day is
wanted (the engine selects the records holding one), so both engines share the one
status function.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Collection, Sequence
from typing import Any

from regsearch.engine import Conditions, Group, Snapshot
from regsearch.engine.cache import BoundedCache
from regsearch.index.layout import FACET_COLUMNS, STATUS_FIELDS, stored_dates
from regsearch.model import FacetCount, SearchQuery, Status
from regsearch.status import status_at

# Records held by the remembered filter sets of one generation, all sets together.
FILTER_SET_BUDGET = 2_000_000
# (day, status dates) -> status entries remembered per generation.
STATUS_MEMO_ENTRIES = 100_000


class Filters:
    """The filter sets and status keys of one generation (shared by its snapshots)."""

    def __init__(self, snap: Snapshot) -> None:
        self._sets = BoundedCache(FILTER_SET_BUDGET)
        self._statuses = BoundedCache(STATUS_MEMO_ENTRIES)
        self._keys: dict[int, tuple[Any, ...]] = {}  # record -> status dates (bounded by size)
        self._lock = threading.Lock()

    @staticmethod
    def of(snap: Snapshot) -> Filters:
        return snap.shared("filters", Filters)

    # -- statuses ---------------------------------------------------------------------
    def _status_keys(self, snap: Snapshot, records: Sequence[int]) -> list[tuple[Any, ...]]:
        keys = self._keys
        missing = [r for r in records if r not in keys]
        if missing:
            cols = [snap.column(c).values(missing) for c in STATUS_FIELDS]
            keys.update(zip(missing, zip(*cols, strict=True), strict=True))
        return list(map(keys.__getitem__, records))

    def status_of_key(self, key: tuple[Any, ...], day: str) -> str:
        memo_key = (day, *key)
        status = self._statuses.get(memo_key)
        if status is None:
            status = status_at(stored_dates(key), day)[0].value
            self._statuses.put(memo_key, status, 1)
        return status  # type: ignore[no-any-return]

    def status(self, snap: Snapshot, record: int, day: str) -> str:
        return self.status_of_key(self._status_keys(snap, [record])[0], day)

    def status_tuples(self, snap: Snapshot) -> frozenset[tuple[Any, ...]]:
        """The distinct status date tuples of the live documents, once per generation (a
        status filter is the set of those with the wanted status; an article has its
        document's, see `regsearch.index.layout`)."""
        key = ("status tuples",)
        hit = self._sets.get(key)
        if hit is None:
            hit = frozenset(snap.counts("doc", [STATUS_FIELDS])[STATUS_FIELDS])
            self._sets.put(key, hit, len(hit) + 1)
        return hit  # type: ignore[no-any-return]

    # -- filter sets --------------------------------------------------------------------
    def allowed(
        self,
        snap: Snapshot,
        kind: str,
        sq: SearchQuery,
        day: str,
        start: str | None,
        end: str | None,
    ) -> frozenset[int] | None:
        """Records of `kind` passing every filter of `sq`; None when there is no filter."""
        if not (
            sq.status or sq.level or sq.authority or sq.region or sq.collection or start or end
        ):
            return None
        key = (
            kind,
            day if sq.status else "",
            *(
                tuple(sorted(v))
                for v in (sq.status, sq.level, sq.authority, sq.region, sq.collection)
            ),
            start,
            end,
        )
        hit = self._sets.get(key)
        if hit is not None:
            return hit  # type: ignore[no-any-return]
        statuses = None
        if sq.status:
            wanted = set(sq.status)
            statuses = frozenset(
                t for t in self.status_tuples(snap) if self.status_of_key(t, day) in wanted
            )
        conditions = Conditions(
            level=frozenset(sq.level) if sq.level else None,
            region=frozenset(sq.region) if sq.region else None,
            collection=frozenset(sq.collection) if sq.collection else None,
            authority=frozenset(sq.authority) if sq.authority else None,
            publish=(start or "0000", end or "9999-99-99") if start or end else None,
            status=statuses,
        )
        result = snap.select(kind, conditions)
        self._sets.put(key, result, len(result) + 1)
        return result

    # -- facets -------------------------------------------------------------------------
    def facets(
        self, snap: Snapshot, kind: str, records: Collection[int] | None, day: str
    ) -> dict[str, list[FacetCount]]:
        """The facet counts of `records` of `kind` (every live record of it when None)."""
        groups: list[Group] = [*FACET_COLUMNS.values(), STATUS_FIELDS]
        found = snap.counts(kind, groups, records)
        out: dict[str, list[FacetCount]] = {}
        for name, col in FACET_COLUMNS.items():
            counts = found[col]
            counts.pop(None, None)
            counts.pop("", None)
            out[name] = facet_list(counts, by_value=name == "year")
        statuses: Counter[str] = Counter()
        for t, n in found[STATUS_FIELDS].items():
            statuses[self.status_of_key(t, day)] += n
        statuses.pop(Status.NOT_APPLICABLE.value, None)  # court cases have none (issue 11)
        out["status"] = facet_list(statuses)
        return out


def facet_list(counts: Counter[str], by_value: bool = False) -> list[FacetCount]:
    items = (
        sorted(counts.items(), key=lambda kv: kv[0], reverse=True)
        if by_value
        else counts.most_common()
    )
    return [FacetCount(value=v, count=c) for v, c in items]
