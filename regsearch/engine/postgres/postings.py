"""The PostgreSQL engine's postings table: a term's records in a few rows, not a scan.

`ix_postings` holds one row per (field, term, batch): a batch is the records one
publish wrote (`ix_batches`: record numbers `rid_lo <= rid < rid_hi`), and the row packs
the records holding the term and their frequencies as big-endian int4 (`tfs` NULL when
every frequency is 1). Rows of `ix_records` never change but for `gen_to`, so a batch's
postings never do either: a publish adds its batch's rows in its own transaction,
gathered in Python from the term counts its rows were made with and copied in (COPY): for
the 1× corpus (13 million postings) 16 s, where one `INSERT … SELECT` per field over
`unnest(<field>_tsv)` of the copied rows took 159 s in the server. A reader concatenates a
term's batches and keeps the records its generation holds (the layout's live mask).

Garbage: once collection has deleted every record of a batch, the batch goes. A batch
that still holds some live records keeps its dead ones (the live mask skips them) until
a rewrite: the newest batches are merged into one when the older neighbour holds at
most MERGE_FACTOR times as many open records (sizes then fall geometrically from the
oldest batch to the newest, so there are about log(records) batches and each record is
rewritten about that many times), and a batch whose postings are mostly of deleted
records is rewritten without them. A rebuild needs neither: its old batches are
deleted whole when collected.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from regsearch.engine.postgres.schema import TEXT_FIELDS

MERGE_FACTOR = 2


def next_rid(conn: Any) -> int:
    """The first record number of a new batch: past every record and every batch (a
    batch's range outlives its collected last records; their numbers are not reused)."""
    row = conn.execute(
        "SELECT GREATEST((SELECT MAX(rid) + 1 FROM ix_records), "
        "(SELECT MAX(rid_hi) FROM ix_batches), 0)"
    ).fetchone()
    return int(row[0])


class Batch:
    """The postings of the records one publish writes, gathered as its rows are made."""

    def __init__(self, lo: int) -> None:
        self.lo = self.hi = lo
        self._terms: list[dict[str, tuple[array[int], array[int]]]] = [{} for _ in TEXT_FIELDS]

    def add(self, rid: int, counts: Sequence[Mapping[str, int]]) -> None:
        """Record `rid` (the next one) with each text field's term frequencies."""
        for terms, found in zip(self._terms, counts, strict=True):
            for term, n in found.items():
                entry = terms.get(term)
                if entry is None:
                    terms[term] = entry = (array("i"), array("i"))
                entry[0].append(rid)
                entry[1].append(n)
        self.hi = rid + 1

    def write(self, conn: Any) -> None:
        if self.hi <= self.lo:
            return
        conn.execute(
            "INSERT INTO ix_batches (rid_lo, rid_hi, records) VALUES (%s, %s, %s)",
            (self.lo, self.hi, self.hi - self.lo),
        )
        with conn.cursor().copy(COPY) as copy:
            for field, terms in enumerate(self._terms):
                for term, (rids, tfs) in terms.items():
                    ids = np.frombuffer(rids, dtype=np.int32)
                    freqs = np.frombuffer(tfs, dtype=np.int32)
                    copy.write_row((field, term, self.lo, self.hi, *_packed(ids, freqs)))


COPY = "COPY ix_postings (field, term, rid_lo, rid_hi, rids, tfs) FROM STDIN"


def _packed(ids: np.ndarray, tfs: np.ndarray) -> tuple[bytes, bytes | None]:
    return ids.astype(">i4").tobytes(), tfs.astype(">i4").tobytes() if (tfs > 1).any() else None


def fill(conn: Any) -> None:
    """Schema 2's migration: the batches of the rows already there, one per generation
    that wrote them."""
    spans = conn.execute(
        "SELECT MIN(rid), MAX(rid) + 1 FROM ix_records GROUP BY gen_from ORDER BY 1"
    ).fetchall()
    columns = ", ".join(f"tsvector_to_array({f}_tsv), {f}_tf" for f in TEXT_FIELDS)
    for lo, hi in spans:
        batch = Batch(int(lo))
        rows = conn.execute(
            f"SELECT rid, {columns} FROM ix_records WHERE rid >= %s AND rid < %s ORDER BY rid",
            (lo, hi),
        )
        for row in rows:
            counts = []
            for i in range(len(TEXT_FIELDS)):
                terms, tf = row[1 + 2 * i], row[2 + 2 * i] or {}
                counts.append({t: int(tf.get(t, 1)) for t in terms or ()})
            batch.add(int(row[0]), counts)
        batch.hi = int(hi)
        batch.write(conn)


def decode(rows: Iterable[tuple[bytes, bytes | None]]) -> tuple[np.ndarray, np.ndarray]:
    """(records int32, frequencies float32) of packed rows, in their order."""
    ids: list[np.ndarray] = []
    tfs: list[np.ndarray] = []
    for rids, freqs in rows:
        got = np.frombuffer(rids, dtype=">i4").astype(np.int32)
        ids.append(got)
        if freqs is None:
            tfs.append(np.ones(len(got), dtype=np.float32))
        else:
            tfs.append(np.frombuffer(freqs, dtype=">i4").astype(np.float32))
    if not ids:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    return np.concatenate(ids), np.concatenate(tfs)


def collect(conn: Any) -> None:
    """Delete batches none of whose records are left; rewrite those worth it (see the
    module docstring). Called after the writer deleted collected records."""
    batches = conn.execute(
        "SELECT b.rid_lo, b.rid_hi, b.records, "
        "(SELECT COUNT(*) FROM ix_records r WHERE r.rid >= b.rid_lo AND r.rid < b.rid_hi), "
        "(SELECT COUNT(*) FROM ix_records r WHERE r.rid >= b.rid_lo AND r.rid < b.rid_hi "
        "AND r.gen_to IS NULL) FROM ix_batches b ORDER BY b.rid_lo"
    ).fetchall()
    empty = [int(b[0]) for b in batches if b[3] == 0]
    if empty:
        conn.execute("DELETE FROM ix_postings WHERE rid_lo = ANY(%s)", (empty,))
        conn.execute("DELETE FROM ix_batches WHERE rid_lo = ANY(%s)", (empty,))
    alive = [(int(lo), int(hi), int(n), int(p), int(o)) for lo, hi, n, p, o in batches if p]
    for run in _rewrites(alive):
        _rewrite(conn, run)


def _rewrites(batches: list[tuple[int, int, int, int, int]]) -> list[list[int]]:
    """The runs of batches (their rid_lo) to rewrite into one: the newest batches whose
    older neighbour has at most MERGE_FACTOR times their open records (not past a batch
    nothing is open in: it waits to be collected), and any batch mostly of collected
    records."""
    runs: list[list[int]] = []
    end = len(batches)
    start = end - 1
    total = batches[-1][4] if batches else 0
    while start > 0:
        before = batches[start - 1][4]
        if before == 0 or before > MERGE_FACTOR * total:
            break
        start -= 1
        total += before
    if end - start > 1:
        runs.append([b[0] for b in batches[start:end]])
    merged = set(runs[0]) if runs else set()
    for lo, _hi, records, present, _open in batches:
        if lo not in merged and present * 2 < records:
            runs.append([lo])
    return runs


def _rewrite(conn: Any, run: Sequence[int]) -> None:
    """Batches `run` (adjacent) as one batch, without the postings of collected records."""
    lo = run[0]
    hi = int(
        conn.execute(
            "SELECT MAX(rid_hi) FROM ix_batches WHERE rid_lo = ANY(%s)", (list(run),)
        ).fetchone()[0]
    )
    present = np.asarray(
        [
            r[0]
            for r in conn.execute(
                "SELECT rid FROM ix_records WHERE rid >= %s AND rid < %s", (lo, hi)
            ).fetchall()
        ],
        dtype=np.int64,
    )
    keep = np.zeros(hi - lo, dtype=bool)
    keep[present - lo] = True
    rows = conn.execute(
        "SELECT field, term, rids, tfs FROM ix_postings WHERE rid_lo = ANY(%s) "
        "ORDER BY field, term, rid_lo",
        (list(run),),
    ).fetchall()
    conn.execute("DELETE FROM ix_postings WHERE rid_lo = ANY(%s)", (list(run),))
    conn.execute("DELETE FROM ix_batches WHERE rid_lo = ANY(%s)", (list(run),))
    conn.execute(
        "INSERT INTO ix_batches (rid_lo, rid_hi, records) VALUES (%s, %s, %s)",
        (lo, hi, len(present)),
    )
    with conn.cursor().copy(COPY) as copy:
        i = 0
        while i < len(rows):
            j = i
            while j < len(rows) and rows[j][:2] == rows[i][:2]:
                j += 1
            ids, tfs = decode((r[2], r[3]) for r in rows[i:j])
            mask = keep[ids.astype(np.int64) - lo]
            if mask.any():
                packed = _packed(ids[mask], tfs[mask])
                copy.write_row((rows[i][0], rows[i][1], lo, hi, *packed))
            i = j
