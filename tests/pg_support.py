"""A fresh PostgreSQL database per test, on the test server (scripts/pg_test_server.sh).

REGSEARCH_TEST_DATABASE_URL names a database on that server (CI: `.ci/run` starts it
and exports it). Each test gets a database of its own, created from template0 and
dropped afterwards. Without a URL, or with a server that does not answer, the
PostgreSQL tests are skipped with the reason locally, and fail under CI (`CI` set).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

URL_ENV = "REGSEARCH_TEST_DATABASE_URL"
HOW = 'start one with `eval "$(scripts/pg_test_server.sh start)"`'


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL tests skipped: {reason}; {HOW}")


def server_url() -> str:
    """The test server's admin URL (skip/fail as described above)."""
    url = os.environ.get(URL_ENV)
    if not url:
        _unavailable(f"{URL_ENV} is not set")
        raise AssertionError  # unreachable
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=5).close()
    except Exception as exc:  # noqa: BLE001 - the reason goes into the skip message
        _unavailable(f"{URL_ENV}={url} does not answer ({' '.join(str(exc).split())})")
    return url


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def fresh_database(server: str) -> Iterator[str]:
    """Create a database for one test; yield its URL; drop it (and its pools) afterwards."""
    import psycopg

    from regsearch import pg

    name = "t_" + secrets.token_hex(6)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    url = with_database(server, name)
    try:
        yield url
    finally:
        pg.close_pool(url)
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
