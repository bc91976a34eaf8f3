"""The PostgreSQL store: the same tables and SQL as the embedded one (`SQLStore`), over
pooled psycopg connections.

Writers are serialized by one transaction-scoped advisory lock, taken first in every
write transaction (SQLite's BEGIN IMMEDIATE, across processes and machines). That is
also what keeps the change sequence commit-ordered: a PostgreSQL identity value is
handed out when the row is inserted, not when it commits, so without the lock a
transaction could commit seq 7 while seq 6 is still open, and a sync reading "after 7"
would never see 6.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from regsearch import pg
from regsearch.errors import SchemaOutdated
from regsearch.store.schema import SCHEMA_VERSION
from regsearch.store.sql import STORE_EXISTS, SQLStore

WRITE_LOCK = 0x7265_6773_0001  # pg_advisory_xact_lock key of the store's writers


def _integrity_errors() -> tuple[type[BaseException], ...]:
    import psycopg

    return (psycopg.IntegrityError,)


def has_store(url: str) -> bool:
    """Whether the database at `url` holds a store's tables (of any version): a database
    that only holds an index (built by `update_index`, or copied) has none, and is served
    like an embedded index without a store file: search only."""
    with pg.connection(url) as conn:
        row = conn.execute(STORE_EXISTS["postgresql"]).fetchone()
    return bool(row and row[0])


class PostgresStore(SQLStore):
    dialect = "postgresql"
    placeholder = "%s"

    def __init__(self, url: str, *, migrate: bool = False) -> None:
        """The store in the database at `url`: its schema must be this program's
        (SchemaOutdated naming `regsearch db init` / `migrate` otherwise) unless `migrate`
        brings it there."""
        super().__init__()
        self.url = url
        self.integrity_errors = _integrity_errors()
        pg.pool(url)  # an unreachable server is reported here, in one line
        if migrate:
            self.migrate()
        else:
            self.check_schema()

    # -- plumbing: a pooled connection per statement, one per transaction -------------
    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            raise RuntimeError("PostgresStore._conn outside a transaction")
        return conn

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            cur = conn.cursor()
            cur.execute(self._sql(sql), tuple(params))
            return cur
        with pg.connection(self.url) as conn:
            cur = conn.cursor()
            cur.execute(self._sql(sql), tuple(params))
            return cur  # a client-side cursor: its rows are already here

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        if getattr(self._local, "conn", None) is not None:
            yield  # nested: part of the outer transaction
            return
        with pg.connection(self.url) as conn:
            self._local.conn = conn
            try:
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                    yield
            finally:
                self._local.conn = None

    def _insert(self, sql: str, params: Sequence[Any], key: str) -> int:
        row = self._exec(f"{sql} RETURNING {key}", params).fetchone()
        return int(row[0])

    def close(self) -> None:
        """Nothing of its own to close: connections go back to the process's pool."""

    # -- schema -------------------------------------------------------------------------
    def schema_version(self) -> int:
        """The schema version the database holds (0: no regsearch tables yet)."""
        if not self.has_tables():
            return 0
        return int(self.meta("schema_version") or 0)

    def check_schema(self) -> None:
        """SchemaOutdated unless the database holds this program's schema."""
        version = self.schema_version()
        if version == SCHEMA_VERSION:
            return
        if version == 0:
            raise SchemaOutdated(
                f"数据库 {pg.redact(self.url)} 还没有 regsearch 的表：请先运行 regsearch db init。"
            )
        if version < SCHEMA_VERSION:
            raise SchemaOutdated(
                f"数据库 {pg.redact(self.url)} 的文件库版本是 {version}，本程序需要 "
                f"{SCHEMA_VERSION}：请运行 regsearch db migrate。"
            )
        raise SchemaOutdated(
            f"数据库 {pg.redact(self.url)} 的文件库版本 {version} 比本程序（{SCHEMA_VERSION}）"
            "新：请升级 regsearch。"
        )

    def __repr__(self) -> str:
        return f"PostgresStore({pg.redact(self.url)!r})"
