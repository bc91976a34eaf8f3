"""Column values by record number, read from one snapshot's own column readers.

Whoosh's column readers seek and read file handles, so each snapshot reads through
readers of its own searcher; the values read are remembered per generation (shared
by every snapshot of it, bounded by the generation's record count), so a column is
read from disk once per generation whichever thread asks. Reading a whole column
costs ~1 s on the corpus (200,000 records, mostly articles); a search reads the few
thousand documents it counts. Whoosh's multi-segment column reader skips segments
without the column (which would misalign record numbers), so each segment is read
on its own.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any


class LazyColumn:
    """One column of one snapshot: `memo` is the generation's, `readers` the snapshot's."""

    def __init__(self, memo: dict[int, Any], readers: list[Any], offsets: list[int]) -> None:
        self._memo = memo
        self._readers = readers
        self._offsets = offsets

    def __getitem__(self, record: int) -> Any:
        try:
            return self._memo[record]
        except KeyError:
            i = bisect_right(self._offsets, record) - 1
            value = self._memo[record] = self._readers[i][record - self._offsets[i]]
            return value

    def values(self, records: Sequence[int]) -> list[Any]:
        """The values of many records (in C loops once they are remembered)."""
        memo = self._memo
        for r in records:
            if r not in memo:
                self[r]
        return list(map(memo.__getitem__, records))


def column_readers(leaves: list[tuple[Any, int]], name: str) -> list[Any]:
    """One column reader per segment (a segment without the column reads as None)."""
    return [
        leaf.column_reader(name) if leaf.has_column(name) else _Nothing() for leaf, _off in leaves
    ]


class _Nothing:
    def __getitem__(self, i: int) -> None:
        return None
