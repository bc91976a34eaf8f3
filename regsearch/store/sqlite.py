"""The embedded store: one SQLite file next to the index, in WAL mode.

WAL lets the web process read while `regsearch ingest` (another process) writes;
write transactions start with BEGIN IMMEDIATE so two writers queue on the
busy timeout instead of failing half-way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from regsearch.store.sql import SQLStore

BUSY_TIMEOUT_S = 30.0


class SQLiteStore(SQLStore):
    dialect = "sqlite"
    placeholder = "?"
    integrity_errors = (sqlite3.IntegrityError,)

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.migrate()

    def _connect(self) -> Any:
        conn = sqlite3.connect(
            str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")  # a commit survives a power cut too
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def _begin(self, conn: Any) -> None:
        conn.execute("BEGIN IMMEDIATE")

    def _insert(self, sql: str, params: Sequence[Any], key: str) -> int:
        cur = self._exec(sql, params)
        return int(cur.lastrowid)

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"
