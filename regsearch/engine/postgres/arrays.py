"""A generation's whole-index arrays (every column and raw field length by record
number), read in one scan, or derived from the previous generation's.

A publish closes some rows and adds new ones (higher record numbers), so the arrays of
generation g are those of an earlier generation p with the rows closed in (p, g] blanked
and the rows added in (p, g] filled in: two small queries instead of a scan of the
whole table, for the first request after every publish. The derived arrays are checked
against the server's count of g's rows (a row collected meanwhile would break the
derivation; then the arrays are read whole).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from regsearch.engine.postgres.schema import COLUMNS, TEXT_FIELDS

LENGTHS = tuple(f"{f}_len" for f in TEXT_FIELDS)
NAMES = (*COLUMNS, *LENGTHS)
Rows = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]


def present(values: np.ndarray) -> np.ndarray:
    """True where an object array holds a value (not None)."""
    return np.fromiter((v is not None for v in values), dtype=bool, count=len(values))


def _visible(gen: int) -> str:
    return f"(gen_from <= {int(gen)} AND (gen_to IS NULL OR gen_to > {int(gen)}))"


def _empty(name: str, size: int) -> np.ndarray:
    if name in LENGTHS:
        return np.zeros(size, dtype=np.int64)
    return np.full(size, None, dtype=object)


def _fill(out: dict[str, np.ndarray], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    rid = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    for i, name in enumerate(NAMES, 1):
        if name in LENGTHS:
            out[name][rid] = np.fromiter((r[i] for r in rows), dtype=np.int64, count=len(rows))
        else:
            column = np.empty(len(rows), dtype=object)
            column[:] = [r[i] for r in rows]
            out[name][rid] = column


def _trimmed(out: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Sized to the last live record + 1 (as the layout numbers records), read-only."""
    live = np.flatnonzero(present(out["kind"]))
    size = int(live[-1]) + 1 if len(live) else 0
    done = {name: values[:size].copy() for name, values in out.items()}
    for values in done.values():
        values.setflags(write=False)
    return done


def load(rows: Rows, gen: int) -> dict[str, np.ndarray]:
    """Read generation `gen`'s arrays whole."""
    found = rows(f"SELECT rid, {', '.join(NAMES)} FROM ix_records WHERE {_visible(gen)}", ())
    size = max((r[0] for r in found), default=-1) + 1
    out = {name: _empty(name, size) for name in NAMES}
    _fill(out, found)
    return _trimmed(out)


def derive(
    rows: Rows, gen: int, base_gen: int, base: dict[str, np.ndarray]
) -> dict[str, np.ndarray] | None:
    """Generation `gen`'s arrays from generation `base_gen`'s (None if they cannot be
    derived: rows the derivation needs were collected)."""
    closed = rows(
        f"SELECT rid FROM ix_records WHERE gen_to > {int(base_gen)} AND gen_to <= {int(gen)} "
        f"AND gen_from <= {int(base_gen)}",
        (),
    )
    added = rows(
        f"SELECT rid, {', '.join(NAMES)} FROM ix_records WHERE gen_from > {int(base_gen)} "
        f"AND {_visible(gen)}",
        (),
    )
    size = max([len(base["kind"]), *(r[0] + 1 for r in added)])
    out = {}
    for name in NAMES:
        values = _empty(name, size)
        values[: len(base[name])] = base[name]
        out[name] = values
    gone = np.asarray([r[0] for r in closed if r[0] < size], dtype=np.int64)
    for name in NAMES:
        out[name][gone] = 0 if name in LENGTHS else None
    _fill(out, added)
    done = _trimmed(out)
    live = int(np.count_nonzero(present(done["kind"])))
    expected = rows(f"SELECT COUNT(*) FROM ix_records WHERE {_visible(gen)}", ())[0][0]
    return done if live == int(expected) else None
