"""The document store, source of truth of the write side (issue 13).

open_store(index_dir=...)   the store that belongs to an index (one SQLite file
                            next to it), or $REGSEARCH_STORE
store.put_documents(...)    folder ingest and publishing write here
sync.sync_index(store, dir) the index catches up from the store (the one hook
                            into the index writer)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from regsearch.store.base import Store

STORE_SUFFIX = ".store.sqlite3"


def default_store_path(index_dir: str | Path | None = None) -> Path:
    """$REGSEARCH_STORE, else the file next to the index: `indexes/main.store.sqlite3`."""
    configured = os.environ.get("REGSEARCH_STORE")
    if configured:
        return Path(configured)
    if index_dir is None:
        from regsearch.engine import default_location as default_index_dir

        index_dir = default_index_dir()
    index = Path(index_dir)
    return index.with_name(index.name + STORE_SUFFIX)


def open_store(
    path: str | Path | None = None,
    index_dir: str | Path | None = None,
    database: str | None = None,
) -> Store:
    """Open the store: a PostgreSQL database when `database`, `path` or `index_dir` is a
    postgresql:// URL or $REGSEARCH_DATABASE_URL is set (its schema must be current:
    `regsearch db init/migrate`), else the SQLite file at `path` or next to `index_dir`
    (created and migrated if needed)."""
    from regsearch import pg

    url = next((u for x in (database, path, index_dir) if (u := pg.url_of(x))), None)
    if url is None and path is None and index_dir is None:
        url = pg.configured_url()
    if url is not None:
        from regsearch.store.postgres import PostgresStore

        return PostgresStore(url)
    from regsearch.store.sqlite import SQLiteStore

    return SQLiteStore(Path(path) if path else default_store_path(index_dir))


def database_has_store(url: str) -> bool:
    """Whether the PostgreSQL database at `url` holds a store's tables (of any version);
    one that holds only an index has none."""
    from regsearch.store.postgres import has_store

    return has_store(url)


def open_database_store(url: str, migrate: bool = False) -> Any:
    """The PostgreSQL store at `url`; `migrate` creates or upgrades its tables first
    (`regsearch db init/migrate`), otherwise an old schema is SchemaOutdated."""
    from regsearch.store.postgres import PostgresStore

    return PostgresStore(url, migrate=migrate)


__all__ = ["STORE_SUFFIX", "Store", "default_store_path", "open_database_store", "open_store"]
