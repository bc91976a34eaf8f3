"""The PostgreSQL engine: the index in tables of a database that many processes share.

`schema` (tables, a document's rows, the migrations), `writer` (one writer, a publish
is one transaction), `postings` (a term's postings per batch of records, written with
them, collected and merged), `snapshot` (a snapshot is a generation number), `scoring`
(query trees evaluated over postings with the embedded engine's BM25F). Every psycopg access of
the engine lives in this package and `regsearch.pg`.

    >>> engine = open_engine("postgresql://regsearch@db/regsearch")
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

from regsearch import pg, settings
from regsearch.engine.cache import BoundedCache
from regsearch.engine.postgres.schema import ENGINE_SCHEMA, MIGRATIONS
from regsearch.engine.postgres.snapshot import Generation, PgSnapshot
from regsearch.engine.postgres.writer import PgWriter
from regsearch.errors import IndexMissing, SchemaOutdated

POSTINGS = BoundedCache(settings.megabytes("REGSEARCH_POSTINGS_CACHE_MB", 256))
SCHEMA_LOCK = 0x7265_6773_0003
_ready: set[str] = set()
_ready_lock = threading.Lock()


def _version(conn: Any) -> int:
    row = conn.execute(
        "SELECT COUNT(*) FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_name = 'ix_meta'"
    ).fetchone()
    if not row[0]:
        return 0
    found = conn.execute("SELECT value FROM ix_meta WHERE key = 'schema_version'").fetchone()
    return int(found[0]) if found else 0


def ensure_schema(url: str, migrate: bool = True) -> None:
    """Create or migrate the engine's tables (serialized across processes); with
    `migrate` False, SchemaOutdated naming `regsearch db migrate` if they are not current."""
    if url in _ready:
        return
    with pg.connection(url) as conn:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            version = _version(conn)
            if version > ENGINE_SCHEMA:
                raise SchemaOutdated(
                    f"数据库 {pg.redact(url)} 的索引表版本 {version} 比本程序（{ENGINE_SCHEMA}）"
                    "新：请升级 regsearch。"
                )
            if version < ENGINE_SCHEMA and not migrate:
                raise SchemaOutdated(
                    f"数据库 {pg.redact(url)} 的索引表版本是 {version}，本程序需要 "
                    f"{ENGINE_SCHEMA}：请运行 regsearch db migrate。"
                )
            for number, statements in MIGRATIONS:
                if number <= version:
                    continue
                for stmt in statements:
                    stmt(conn) if callable(stmt) else conn.execute(stmt)
                conn.execute(
                    "INSERT INTO ix_meta (key, value) VALUES ('schema_version', %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                    (str(number),),
                )
    with _ready_lock:
        _ready.add(url)


READ_URL_ENV = "REGSEARCH_DATABASE_READ_URL"


class PgEngine:
    """Snapshots of the current generation and the writer of the index in one database.

    Searches may read a replica (`read_url`, default `$REGSEARCH_DATABASE_READ_URL`):
    a snapshot takes the newest generation the replica has, and reads only it there, so a
    lagging replica answers consistently from an older generation. The writer (and the
    store) always use the primary `url`."""

    def __init__(self, url: str, read_url: str | None = None) -> None:
        self.url = url
        self.location = url
        self.read_url = read_url or pg.configured_url(os.environ.get(READ_URL_ENV)) or url
        pg.pool(url)  # an unreachable server is reported here, in one line
        if self.read_url != url:
            pg.pool(self.read_url)
        self._lock = threading.Lock()
        self._gen: Generation | None = None
        self._schema_seen = False

    def init_schema(self) -> None:
        ensure_schema(self.url)

    def _current_row(self, strict: bool = False) -> tuple[int, dict[str, Any]] | None:
        with pg.connection(self.read_url) as conn:
            # the tables, once seen current, stay (a request then costs one query)
            version = ENGINE_SCHEMA if self._schema_seen else _version(conn)
            if version == 0 and strict:
                raise IndexMissing(
                    f"数据库 {pg.redact(self.url)} 还没有 regsearch 的表：请先运行 "
                    "regsearch db init，再 regsearch ingest SRC（或 regsearch db copy）。"
                )
            if version == 0:
                return None
            if version != ENGINE_SCHEMA:
                ensure_schema(self.url, migrate=False)  # SchemaOutdated, saying what to run
            row = conn.execute(
                "SELECT gen, meta FROM ix_generations ORDER BY gen DESC LIMIT 1"
            ).fetchone()
            self._schema_seen = True
        return (int(row[0]), json.loads(row[1])) if row else None

    def snapshot(self) -> PgSnapshot:
        found = self._current_row(strict=True)
        if found is None:
            raise IndexMissing(
                f"数据库 {pg.redact(self.url)} 中还没有索引：请先运行 regsearch ingest SRC "
                "（或 regsearch reindex，从文件库建立）。"
            )
        gen, meta = found
        with self._lock:
            current = self._gen
            if current is None or current.gen != gen:
                if current is not None and current.base_gen is not None:
                    # keep the postings of `current` (the next generation's are derived
                    # from them), drop those of the one before
                    POSTINGS.drop((self.read_url, str(current.base_gen)))
                current = self._gen = Generation(self.read_url, gen, meta, POSTINGS, base=current)
        return PgSnapshot(current)

    def current_meta(self) -> dict[str, Any] | None:
        found = self._current_row()
        return None if found is None else found[1]

    def writer(self, rebuild: bool = False) -> PgWriter:
        return PgWriter(self.url, rebuild=rebuild)

    def close(self) -> None:
        with self._lock:
            self._gen = None

    def __repr__(self) -> str:
        return f"PgEngine({pg.redact(self.url)!r})"
