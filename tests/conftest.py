"""Shared fixtures. Real-corpus tests read REGSEARCH_CORPORA (default ../shared/corpora)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def corpora_path() -> Path:
    return Path(os.environ.get("REGSEARCH_CORPORA", ROOT.parent / "shared" / "corpora"))


@pytest.fixture(scope="session")
def corpora_dir() -> Path:
    path = corpora_path()
    if not (path / "lawrefbook").is_dir():
        pytest.skip(f"real corpora not found at {path} (set REGSEARCH_CORPORA)")
    return path


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


# --- search fixtures (index, service, runner) -------------------------------------

SEARCH_DATA = DATA / "search"


@pytest.fixture(scope="session")
def fixture_docs():
    """Hand-written Documents: a superseded pair, a repealed one, 文号 in each bracket style,
    第3条 and 第三条, a `<script>` title, an expired and a not-yet-effective one."""
    import json

    from regsearch.model import Document

    lines = (SEARCH_DATA / "docs.jsonl").read_text(encoding="utf-8").splitlines()
    return [Document.from_dict(json.loads(line)) for line in lines if line.strip()]


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory, fixture_docs) -> Path:
    from regsearch.index.update import update_index

    path = tmp_path_factory.mktemp("search-index")
    update_index(path, fixture_docs)
    return path


@pytest.fixture(scope="session")
def service(index_dir):
    from regsearch.search.service import SearchService

    svc = SearchService(index_dir)
    yield svc
    svc.close()


@pytest.fixture
def runner():
    from click.testing import CliRunner

    return CliRunner()


# --- backends: the embedded default and PostgreSQL (tests/pg_support.py) -----------------

BACKENDS = ("embedded", "postgresql")


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The PostgreSQL test server's URL (skipped with the reason locally without one;
    a failure under CI)."""
    from pg_support import server_url

    return server_url()


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty database of its own for one test, dropped afterwards."""
    from pg_support import fresh_database

    yield from fresh_database(pg_server)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """Run a test once per backend: `embedded` (Whoosh + SQLite files) or `postgresql`."""
    return request.param


@pytest.fixture
def database(backend, request, tmp_path):
    """Where a test's store (and index) live: None for embedded files under tmp_path, or
    the URL of a fresh PostgreSQL database with the schema in place."""
    if backend == "embedded":
        yield None
        return
    url = request.getfixturevalue("pg_url")
    from regsearch.store.postgres import PostgresStore

    PostgresStore(url, migrate=True).close()
    yield url
