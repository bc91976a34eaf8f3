"""Filters and value counts of a PostgreSQL snapshot in SQL (see `Snapshot.select` and
`Snapshot.counts`): one statement each, so no process holds a column to answer them.

A filter is one `SELECT rid … WHERE` over the btree indexes of migration 3 (each led by
`kind`); a status filter is a semi-join on the status date tuples the caller chose (the
status of a tuple is computed in Python by `regsearch.status.status_at`, the function
the embedded engine uses too). Counts are one `GROUP BY GROUPING SETS` over the records
asked about. Publish dates compare in the "C" collation: the sortable `YYYY-MM-DD`
strings order by code point whatever the database's locale.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from typing import Any

from regsearch.engine import Conditions, Group
from regsearch.engine.postgres.schema import COLUMNS
from regsearch.index.layout import STATUS_FIELDS

Rows = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]


def select(rows: Rows, where: str, kind: str, cond: Conditions) -> frozenset[int]:
    """The rids of `kind` visible under `where` meeting `cond`."""
    parts = ["kind = %s", where]
    params: list[Any] = [kind]
    for name in Conditions.VALUE_COLUMNS:
        wanted = getattr(cond, name)
        if wanted is not None:
            if not wanted:
                return frozenset()
            parts.append(f"{name} = ANY(%s::text[])")
            params.append(sorted(wanted))
    if cond.authority is not None:
        if not cond.authority:
            return frozenset()
        parts.append("authority_kws && %s::text[]")
        params.append(sorted(cond.authority))
    if cond.publish is not None:
        parts.append("publish <> '' AND publish COLLATE \"C\" BETWEEN %s AND %s")
        params += list(cond.publish)
    if cond.status is not None:
        if not cond.status:
            return frozenset()
        arrays = ", ".join("%s::text[]" for _ in STATUS_FIELDS)
        parts.append(f"({', '.join(STATUS_FIELDS)}) IN (SELECT * FROM unnest({arrays}))")
        params += [list(column) for column in zip(*sorted(cond.status), strict=True)]
    found = rows(f"SELECT rid FROM ix_records WHERE {' AND '.join(parts)}", params)
    return frozenset(int(r[0]) for r in found)


def counts(
    rows: Rows, where: str, kind: str, groups: Sequence[Group], within: Collection[int] | None
) -> dict[Group, Counter[Any]]:
    """Value counts of each group over the rids of `kind` visible under `where` (only
    those of `within` when given), in one statement; keys in the order of their first
    record (as `Counter(values)` would hold them)."""
    out: dict[Group, Counter[Any]] = {g: Counter() for g in groups}
    if not groups or (within is not None and not within):
        return out
    sets = {g: (g,) if isinstance(g, str) else tuple(g) for g in groups}
    names = list(dict.fromkeys(c for cols in sets.values() for c in cols))
    for name in names:
        if name not in COLUMNS:
            raise KeyError(f"no column {name!r}")
    # GROUPING(...) sets a bit (the last column lowest) for each column not in the set
    # that made a row: the mask names the group.
    by_mask: dict[int, list[Group]] = {}
    for g, cols in sets.items():
        mask = sum(1 << (len(names) - 1 - i) for i, c in enumerate(names) if c not in cols)
        by_mask.setdefault(mask, []).append(g)
    listed = ", ".join(names)
    grouping = ", ".join("(" + ", ".join(cols) + ")" for cols in dict.fromkeys(sets.values()))
    # each value's first record (its place in `within`, else its rid) orders the keys
    params: list[Any]
    if within is None:
        source, first, params = "ix_records", "MIN(rid)", [kind]
    else:
        source = "unnest(%s::bigint[]) WITH ORDINALITY AS w(rid, ord) JOIN ix_records USING (rid)"
        first, params = "MIN(w.ord)", [[int(r) for r in within], kind]
    found = rows(
        f"SELECT {first}, GROUPING({listed}), {listed}, COUNT(*) FROM {source} "
        f"WHERE kind = %s AND {where} GROUP BY GROUPING SETS ({grouping})",
        params,
    )
    for _first, mask, *values, n in sorted(found, key=lambda row: row[0]):
        row = dict(zip(names, values, strict=True))
        for g in by_mask[int(mask)]:
            key = row[g] if isinstance(g, str) else tuple(row[c] for c in sets[g])
            out[g][key] += int(n)
    return out
