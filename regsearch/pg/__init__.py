"""PostgreSQL plumbing shared by the PostgreSQL store and engine: URLs, one connection
pool per URL and process, and errors turned into one-line messages.

Only this package, `regsearch.store.postgres` and `regsearch.engine.postgres` import
psycopg; a user of the embedded default never loads it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from regsearch import settings
from regsearch.errors import DatabaseUnavailable

URL_ENV = "REGSEARCH_DATABASE_URL"
SCHEMES = ("postgresql://", "postgres://")
CONNECT_TIMEOUT_S = 5
POOL_MAX = settings.count("REGSEARCH_DATABASE_POOL", 10)

_pools: dict[str, Any] = {}
_pools_lock = threading.Lock()


def is_url(location: object) -> bool:
    """Whether `location` (an --index/--database value) names a PostgreSQL database."""
    return url_of(location) is not None


def url_of(location: object) -> str | None:
    """The postgresql:// URL `location` names, or None for an index directory.

    An index location travels through the code as a `Path`, and `Path()` folds the
    URL's `//` into `/`; the folded form is recognised and unfolded here, the one place
    that knows."""
    if location is None:
        return None
    text = str(location)
    for scheme in SCHEMES:
        folded = scheme[:-1]  # "postgresql:/"
        if text.startswith(scheme):
            return text
        if text.startswith(folded):
            return scheme + text[len(folded) :]
    return None


def configured_url(explicit: str | None = None) -> str | None:
    """--database, else $REGSEARCH_DATABASE_URL, else None (the embedded default)."""
    url = explicit or os.environ.get(URL_ENV) or None
    if url is not None and not is_url(url):
        raise DatabaseUnavailable(
            f"数据库地址 {redact(url)} 无效：应形如 postgresql://用户@主机:端口/库名。"
        )
    return url


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[-1]}"))


def unavailable(url: str, exc: BaseException) -> DatabaseUnavailable:
    reason = " ".join(str(exc).split()) or type(exc).__name__
    return DatabaseUnavailable(
        f"无法连接数据库 {redact(url)}：{reason}。请确认 PostgreSQL 服务已启动、地址和"
        "用户名密码正确（REGSEARCH_DATABASE_URL 或 --database）。"
    )


def connect(url: str, **kwargs: Any) -> Any:
    """One connection of its own (autocommit), e.g. for a LISTEN or a long copy."""
    import psycopg

    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S, **kwargs)
    except psycopg.OperationalError as exc:
        raise unavailable(url, exc) from None


def pool(url: str) -> Any:
    """The process's connection pool for `url` (opened on first use; autocommit connections).

    The first connection is made directly so an unreachable server is reported with the
    server's own reason rather than a pool timeout."""
    found = _pools.get(url)
    if found is not None:
        return found
    with _pools_lock:
        found = _pools.get(url)
        if found is not None:
            return found
        from psycopg_pool import ConnectionPool

        connect(url).close()
        new = ConnectionPool(
            url,
            min_size=1,
            max_size=POOL_MAX,
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
            open=False,
            name="regsearch",
        )
        try:
            new.open(wait=True, timeout=CONNECT_TIMEOUT_S * 2)
        except Exception as exc:  # noqa: BLE001 - psycopg_pool.PoolTimeout and friends
            new.close()
            raise unavailable(url, exc) from None
        _pools[url] = new
        return new


@contextlib.contextmanager
def connection(url: str) -> Iterator[Any]:
    """A pooled connection for the block; a lost server is DatabaseUnavailable."""
    import psycopg
    from psycopg_pool import PoolTimeout

    try:
        with pool(url).connection(timeout=30) as conn:
            yield conn
    except (psycopg.OperationalError, PoolTimeout) as exc:
        state = getattr(exc, "sqlstate", None)
        if state and not state.startswith(("08", "57P")):
            raise  # a statement's error (serialization, lock timeout ...), not a lost server
        raise unavailable(url, exc) from None


def close_pool(url: str) -> None:
    """Close the pool of one database (before it is dropped, or a process forks)."""
    with _pools_lock:
        found = _pools.pop(url, None)
    if found is not None:
        with contextlib.suppress(Exception):
            found.close()


def close_pools() -> None:
    """Close every pool of the process (tests, and a forked worker before it starts)."""
    with _pools_lock:
        for p in _pools.values():
            with contextlib.suppress(Exception):
                p.close()
        _pools.clear()
