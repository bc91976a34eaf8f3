"""Filters and facets from cached per-record column values, not from queries.

Whoosh evaluates a filter query (`Not(TermRange(...))` for a status, a range for
dates) over every record, articles included: hundreds of milliseconds on the
whole corpus. The same answers come from the sortable columns read once per
index generation: a filter becomes a set of record numbers (cached per filter),
and a status is computed by `status_at` once per distinct set of status dates.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, OrderedDict
from typing import Any

from whoosh import query as Q

from regsearch.index.records import stored_dates
from regsearch.status import STATUS_COLUMNS as ST_COLUMNS
from regsearch.status import status_at

_CACHE_SIZE = 128


class LazyColumn:
    """One column's values by record number, read record by record and remembered.

    Reading a whole column costs ~1 s on the corpus (200,000 records, mostly
    articles); a search reads the few thousand documents it counts, once per process.
    Whoosh's multi-segment column reader skips segments without the column (which
    would misalign record numbers), so each segment is read on its own.
    """

    def __init__(self, leaves: list[tuple[Any, int]], name: str) -> None:
        self._offsets = [offset for _leaf, offset in leaves]
        self._readers = [leaf.column_reader(name) for leaf, _offset in leaves]
        self._memo: dict[int, Any] = {}

    def __getitem__(self, docnum: int) -> Any:
        try:
            return self._memo[docnum]
        except KeyError:
            i = bisect_right(self._offsets, docnum) - 1
            value = self._memo[docnum] = self._readers[i][docnum - self._offsets[i]]
            return value

    def values(self, docnums: list[int]) -> list[Any]:
        """The values of many records (in C loops once they are remembered)."""
        memo = self._memo
        for d in docnums:
            if d not in memo:
                self[d]
        return list(map(memo.__getitem__, docnums))


class ColumnCache:
    """Column values and filter sets of one open searcher (one index generation)."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self._columns: dict[str, LazyColumn] = {}
        self._kinds: dict[str, set[int]] = {}
        self._status_memo: dict[tuple[str, ...], str] = {}
        self._status_keys: dict[int, tuple[Any, ...]] = {}
        self._sets: OrderedDict[tuple[Any, ...], set[int]] = OrderedDict()

    def column(self, name: str) -> LazyColumn:
        """Values of a sortable field by record number, read on demand and kept."""
        col = self._columns.get(name)
        if col is None:
            col = LazyColumn(self.searcher.reader().leaf_readers(), name)
            self._columns[name] = col
        return col

    def kind(self, kind: str) -> set[int]:
        """Live (not deleted) records of one kind: doc or article."""
        found = self._kinds.get(kind)
        if found is None:
            found = set(self.searcher.docs_for_query(Q.Term("kind", kind)))
            self._kinds[kind] = found
        return found

    def status_counts(self, docnums: list[int], day: str) -> Counter[str]:
        """How many of `docnums` have each status on `day` (status_at once per distinct
        set of status dates, not once per record)."""
        keys = self._status_keys
        missing = [d for d in docnums if d not in keys]
        if missing:
            cols = [self.column(c).values(missing) for c in ST_COLUMNS]
            keys.update(zip(missing, zip(*cols, strict=True), strict=True))
        out: Counter[str] = Counter()
        for key, n in Counter(map(keys.__getitem__, docnums)).items():
            out[self._status_of(key, day)] += n
        return out

    def _status_of(self, key: tuple[Any, ...], day: str) -> str:
        memo_key = (day, *key)
        status = self._status_memo.get(memo_key)
        if status is None:
            fields = dict(zip(ST_COLUMNS, key, strict=True))
            status = status_at(stored_dates(fields), day)[0].value
            self._status_memo[memo_key] = status
        return status

    def status(self, docnum: int, day: str) -> str:
        key = self._status_keys.get(docnum)
        if key is None:
            key = self._status_keys[docnum] = tuple(self.column(c)[docnum] for c in ST_COLUMNS)
        return self._status_of(key, day)

    def allowed(
        self,
        kind: str,
        *,
        day: str,
        status: list[str],
        level: list[str],
        authority: list[str],
        region: list[str],
        collection: list[str],
        start: str | None,
        end: str | None,
    ) -> set[int]:
        """Record numbers of `kind` passing every filter (cached per filter: do not modify)."""
        key = (
            kind,
            day if status else "",
            *(tuple(sorted(v)) for v in (status, level, authority, region, collection)),
            start,
            end,
        )
        hit = self._sets.get(key)
        if hit is not None:
            self._sets.move_to_end(key)
            return hit
        docs: set[int] = self.kind(kind)
        for values, name in ((level, "level"), (region, "region"), (collection, "collection")):
            if values:
                col, wanted = self.column(name), set(values)
                docs = {d for d in docs if col[d] in wanted}
        if authority:
            holders = self.searcher.docs_for_query(
                Q.Or([Q.Term("authority_kw", a) for a in authority])
            )
            docs = set(docs) & set(holders)
        if start or end:
            col, lo, hi = self.column("publish"), start or "0000", end or "9999-99-99"
            docs = {d for d in docs if col[d] and lo <= col[d] <= hi}
        if status:
            wanted = set(status)
            docs = {d for d in docs if self.status(d, day) in wanted}
        result = set(docs)
        self._sets[key] = result
        if len(self._sets) > _CACHE_SIZE:
            self._sets.popitem(last=False)
        return result
