"""The PostgreSQL engine's writer: one at a time (a session advisory lock, released if
the process dies), a publish is one transaction.

`apply` closes the rows of replaced and deleted documents for the new generation,
copies the new rows in (COPY), writes their postings as one batch (`postings`), and
inserts the generation with its metadata; readers see the new generation only when that
transaction commits. Rows no generation can be read at any more (closed by a generation
older than KEEP_S) are deleted afterwards, with the postings batches they emptied.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from regsearch import pg, settings
from regsearch.engine import ChangeSet, Progress
from regsearch.engine.postgres import postings
from regsearch.engine.postgres.schema import INSERT_COLUMNS, TEXT_FIELDS, row_values, rows_for
from regsearch.errors import IndexBusy
from regsearch.index.layout import SCHEMA_VERSION
from regsearch.model import Document

POOL_THRESHOLD = 40
MAX_PROCS = settings.count("REGSEARCH_PROCS", 2)
WRITE_LOCK = 0x7265_6773_0002  # pg_try_advisory_lock key of the index writer
KEEP_S = 600  # a snapshot may read a superseded generation for this long


def _analyzed(docs: list[Document]) -> Iterable[list[dict[str, Any]]]:
    """Each document's rows, in order; analysis (the slow part) in forked worker processes
    for a large batch. Workers only compute rows: they never touch a connection."""
    procs = min(MAX_PROCS, os.cpu_count() or 1)
    if len(docs) < POOL_THRESHOLD or procs < 2:
        yield from map(rows_for, docs)
        return
    from regsearch.index.segment import get_segmenter

    get_segmenter()  # loaded once in the parent: forked workers inherit it
    with multiprocessing.get_context("fork").Pool(procs) as workers:
        yield from workers.imap(rows_for, docs, chunksize=4)


class PgWriter:
    """The one writer of the index in one database (see `regsearch.engine.Writer`)."""

    def __init__(self, url: str, rebuild: bool = False) -> None:
        self.url = url
        self.rebuild = rebuild
        self.base: str | None = None
        self.base_meta: Mapping[str, Any] = {}
        self._conn: Any = None

    def __enter__(self) -> PgWriter:
        from regsearch.engine.postgres import ensure_schema

        ensure_schema(self.url)
        self._conn = pg.connect(self.url)
        got = self._conn.execute("SELECT pg_try_advisory_lock(%s)", (WRITE_LOCK,)).fetchone()
        if not got or not got[0]:
            self._conn.close()
            raise IndexBusy(
                f"另一个进程正在写入数据库 {pg.redact(self.url)} 中的索引，请稍后再试。"
            )
        row = self._conn.execute(
            "SELECT gen, meta FROM ix_generations ORDER BY gen DESC LIMIT 1"
        ).fetchone()
        if row is not None and not self.rebuild:
            self.base, self.base_meta = str(row[0]), json.loads(row[1])
        return self

    def __exit__(self, *exc: object) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            # unlocked before closing: the server ends a closed session (and frees its
            # locks) a moment later, and the next writer may already be asking
            with contextlib.suppress(Exception):
                conn.execute("SELECT pg_advisory_unlock(%s)", (WRITE_LOCK,))
            conn.close()  # a killed process's session ends too: the lock goes with it

    def documents(self) -> Iterator[Document]:
        if self.base is None:
            return
        from regsearch.engine.postgres.snapshot import visible

        with self._conn.cursor(name="regsearch_documents") as cur:  # server-side: streamed
            with self._conn.transaction():
                cur.execute(
                    "SELECT doc_json, text FROM ix_records WHERE kind = 'doc' AND "
                    f"{visible(int(self.base))} ORDER BY rid"
                )
                for doc_json, text in cur:
                    data = json.loads(doc_json)
                    data["body"] = text or ""
                    yield Document.from_dict(data)

    def apply(
        self, changes: ChangeSet, meta: Mapping[str, Any], progress: Progress | None = None
    ) -> str:
        conn = self._conn
        docs = list(changes.upserts)
        with conn.transaction():
            row = conn.execute("SELECT COALESCE(MAX(gen), 0) + 1 FROM ix_generations").fetchone()
            gen = int(row[0])
            if self.base is None:
                conn.execute("UPDATE ix_records SET gen_to = %s WHERE gen_to IS NULL", (gen,))
            else:
                gone = sorted({*changes.deletes, *(d.id for d in docs)})
                if gone:
                    conn.execute(
                        "UPDATE ix_records SET gen_to = %s WHERE gen_to IS NULL "
                        "AND doc_id = ANY(%s)",
                        (gen, gone),
                    )
            rid = postings.next_rid(conn)
            batch = postings.Batch(rid)
            columns = ", ".join(INSERT_COLUMNS)
            with conn.cursor().copy(f"COPY ix_records ({columns}) FROM STDIN") as copy:
                for i, rows in enumerate(_analyzed(docs), 1):
                    for rec in rows:
                        copy.write_row(row_values(rid, gen, rec))
                        batch.add(rid, [rec[f][3] for f in TEXT_FIELDS])
                        rid += 1
                    if progress:
                        progress(i, len(docs))
            batch.write(conn)
            counts = dict(
                conn.execute(
                    "SELECT kind, COUNT(*) FROM ix_records WHERE gen_to IS NULL GROUP BY kind"
                ).fetchall()
            )
            full = {
                **(self.base_meta if self.base is not None else {}),
                **meta,
                "schema_version": SCHEMA_VERSION,
                "built_at": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "documents": int(counts.get("doc", 0)),
                "articles": int(counts.get("article", 0)),
                "generation": str(gen),
            }
            conn.execute(
                "INSERT INTO ix_generations (gen, meta) VALUES (%s, %s)",
                (gen, json.dumps(full, ensure_ascii=False)),
            )
        self._collect()
        self.base, self.base_meta = str(gen), full
        return str(gen)

    def _collect(self) -> None:
        """Delete rows that only generations superseded more than KEEP_S ago hold, and
        the postings batches left without records (`postings.collect`)."""
        with self._conn.transaction():
            self._conn.execute(
                "DELETE FROM ix_records WHERE gen_to <= (SELECT MAX(gen) FROM ix_generations "
                f"WHERE created_at < now() - interval '{KEEP_S} seconds')"
            )
            postings.collect(self._conn)
