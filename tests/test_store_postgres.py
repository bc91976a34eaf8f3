"""The PostgreSQL store's own promises: commit-ordered change sequence under concurrent
writers, one-line errors for a server that is down or a schema that is old."""

from __future__ import annotations

import threading

import pytest
from store_support import ADMIN, DEPT_A, doc

from regsearch.errors import DatabaseUnavailable, SchemaOutdated
from regsearch.store import open_store


def test_concurrent_writers_get_a_commit_ordered_sequence(pg_url) -> None:  # type: ignore[no-untyped-def]
    from regsearch.store.postgres import PostgresStore

    store = PostgresStore(pg_url, migrate=True)
    seen: list[int] = []
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                store.put_documents(
                    [doc(f"w{n}-{i}", f"第{n}-{i}号办法", DEPT_A)], origin="ingest", actor=ADMIN
                )
                seen.append(store.last_seq())
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    reader_seqs: list[list[int]] = []

    def reader() -> None:
        # what a sync does: read "after the last seen", never miss a smaller one later
        last, got = 0, []
        while any(t.is_alive() for t in threads):
            new = [c.seq for c in store.changes(after=last)]
            got += new
            last = max(new, default=last)
        got += [c.seq for c in store.changes(after=last)]
        reader_seqs.append(got)

    for t in threads:
        t.start()
    r = threading.Thread(target=reader)
    r.start()
    for t in threads:
        t.join()
    r.join()
    assert not errors
    all_seqs = [c.seq for c in store.changes()]
    assert len(all_seqs) == 40 and all_seqs == sorted(all_seqs)
    assert reader_seqs[0] == all_seqs  # the incremental reader saw every change
    current = store._rows(
        "SELECT doc_id, COUNT(*) FROM documents WHERE is_current = 1 GROUP BY doc_id"
    )
    assert all(n == 1 for _id, n in current) and len(current) == 40


def test_a_server_that_is_down_is_one_clear_error() -> None:
    down = "无法连接数据库 postgresql://u:\\*\\*\\*@127.0.0.1:9/x"
    with pytest.raises(DatabaseUnavailable, match=down):
        open_store(database="postgresql://u:secret@127.0.0.1:9/x")


def test_an_empty_or_old_database_names_the_command(pg_url) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SchemaOutdated, match="regsearch db init"):
        open_store(database=pg_url)
    from regsearch.store.postgres import PostgresStore

    store = PostgresStore(pg_url, migrate=True)
    store.set_meta("schema_version", "0")
    with pytest.raises(SchemaOutdated, match="db init"):
        open_store(database=pg_url)
    store.set_meta("schema_version", "99")
    with pytest.raises(SchemaOutdated, match="请升级"):
        open_store(database=pg_url)
