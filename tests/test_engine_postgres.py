"""The PostgreSQL engine's own mechanics: one writer at a time, superseded generations'
rows collected once no request can still read them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from regsearch.engine import open_engine
from regsearch.errors import IndexBusy
from regsearch.index.update import update_index
from regsearch.model import SearchQuery
from regsearch.search.service import SearchService


def test_a_second_writer_is_busy(pg_url: str, fixture_docs) -> None:  # type: ignore[no-untyped-def]
    update_index(pg_url, fixture_docs)
    with open_engine(pg_url).writer():
        with pytest.raises(IndexBusy, match="另一个进程正在写入数据库"):
            with open_engine(pg_url).writer():
                pass
    with open_engine(pg_url).writer() as w:  # released with its connection
        assert w.base is not None


def test_superseded_rows_are_collected_after_keep_s(pg_url: str, fixture_docs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from regsearch import pg
    from regsearch.engine.postgres import writer

    update_index(pg_url, fixture_docs)
    with SearchService(pg_url, rewrite=None) as svc:
        before = svc.search(SearchQuery(q="办法", per_page=50))
    changed = [replace(fixture_docs[0], body=fixture_docs[0].body + "补充。", content_hash="x")]
    update_index(pg_url, [*changed, *fixture_docs[1:]])

    def count(sql: str) -> int:
        with pg.connection(pg_url) as conn:
            return int(conn.execute(sql).fetchone()[0])

    closed = count("SELECT COUNT(*) FROM ix_records WHERE gen_to IS NOT NULL")
    assert closed > 0  # the replaced document's rows, kept for readers of generation 1
    monkeypatch.setattr(writer, "KEEP_S", -1)  # as if 10 minutes had passed
    update_index(pg_url, fixture_docs)  # a third generation; collects generation 1's rows
    assert count("SELECT COUNT(*) FROM ix_records WHERE gen_to IS NOT NULL AND gen_to <= 2") == 0
    with SearchService(pg_url, rewrite=None) as svc:
        after = svc.search(SearchQuery(q="办法", per_page=50))
    assert [h.id for h in after.results] == [h.id for h in before.results]
