"""Filters and value counts of a Whoosh snapshot, from its columns (see
`Snapshot.select` and `Snapshot.counts`).

Column values are read per record through the generation's column memo
(`columns.LazyColumn`), and a record's tuple of several columns (its status dates) is
remembered per generation too, so a filter or a facet reads only the records it is
about, and a record's value is read from disk once per generation. A Whoosh column
reads '' where a record has no value: counts give None, as every engine's do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from typing import Any

from regsearch.engine import Conditions, Group, Snapshot
from regsearch.index.layout import STATUS_FIELDS

# The generation's memo of a group's tuples by record (`Generation.memo`).
Memo = Callable[[str], dict[int, Any]]


def select(snap: Snapshot, memo: Memo, kind: str, cond: Conditions) -> frozenset[int]:
    docs: frozenset[int] | set[int] = snap.records(kind)
    for name in Conditions.VALUE_COLUMNS:
        wanted = getattr(cond, name)
        if wanted is not None:
            col = snap.column(name)
            docs = {d for d in docs if col[d] in wanted}
    if cond.authority is not None:
        holders: set[int] = set()
        for a in cond.authority:
            holders.update(snap.find("authority_kw", a))
        docs = set(docs) & holders
    if cond.publish is not None:
        col, (lo, hi) = snap.column("publish"), cond.publish
        docs = {d for d in docs if col[d] and lo <= col[d] <= hi}
    if cond.status is not None:
        ordered = sorted(docs)
        keys = _tuples(snap, memo, STATUS_FIELDS, ordered)
        docs = {r for r, k in zip(ordered, keys, strict=True) if k in cond.status}
    return frozenset(docs)


def counts(
    snap: Snapshot,
    memo: Memo,
    kind: str,
    groups: Sequence[Group],
    within: Collection[int] | None,
) -> dict[Group, Counter[Any]]:
    every = snap.records(kind)
    records = sorted(every) if within is None else [r for r in within if r in every]
    out: dict[Group, Counter[Any]] = {}
    for group in groups:
        if isinstance(group, str):
            found = Counter(snap.column(group).values(records))
            if "" in found:
                merged: Counter[Any] = Counter()
                for value, n in found.items():  # in the order of first records still
                    merged[None if value == "" else value] += n
                found = merged
        else:
            found = Counter(_tuples(snap, memo, group, records))
        out[group] = found
    return out


def _tuples(
    snap: Snapshot, memo: Memo, names: Sequence[str], records: list[int]
) -> list[tuple[Any, ...]]:
    known = memo("tuples:" + ",".join(names))
    missing = [r for r in records if r not in known]
    if missing:
        cols = [snap.column(c).values(missing) for c in names]
        found = (tuple(None if v == "" else v for v in t) for t in zip(*cols, strict=True))
        known.update(zip(missing, found, strict=True))
    return list(map(known.__getitem__, records))
