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
def index_dir(new_location, fixture_docs):
    """The fixture index on the session's backend (a folder, or a database URL)."""
    from regsearch.index.update import update_index

    path = new_location("search-index")
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
#
# A module marked `pytestmark = pytest.mark.backends` runs every test that uses
# `backend` (directly, or through `index_dir`, `service`, `new_location`, `database`)
# once per backend; elsewhere `backend` is "embedded".

BACKENDS = ("embedded", "postgresql")


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("backends"):
        metafunc.parametrize("backend", BACKENDS, indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request) -> str:
    """`embedded` (Whoosh + SQLite files) or `postgresql` (one database for both)."""
    return getattr(request, "param", "embedded")


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


@pytest.fixture(scope="session")
def new_location(backend, tmp_path_factory, request):
    """`new_location(name)`: where a new, empty index (and its store) lives on this
    backend: a folder under the session's tmp dir, or the URL of a fresh database with the
    store's schema in place (dropped at the end of the session)."""
    made = []

    def make(name: str = "index"):
        if backend == "embedded":
            return tmp_path_factory.mktemp(name)
        from pg_support import fresh_database

        from regsearch.store.postgres import PostgresStore

        server = request.getfixturevalue("pg_server")
        databases = fresh_database(server)
        url = next(databases)
        made.append(databases)
        PostgresStore(url, migrate=True).close()
        return url

    yield make
    for databases in made:
        next(databases, None)


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
