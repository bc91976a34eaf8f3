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


def test_arrays_and_postings_derived_from_the_previous_generation_equal_a_full_read(
    pg_url: str, fixture_docs, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import numpy as np

    from regsearch.engine.postgres import PgEngine, arrays

    loads: list[int] = []
    full = arrays.load
    monkeypatch.setattr(arrays, "load", lambda rows, gen: loads.append(gen) or full(rows, gen))

    update_index(pg_url, fixture_docs)
    engine = PgEngine(pg_url)
    terms = [("body", "办法"), ("title", "办法"), ("body", "劳动"), ("title", "条例")]
    with engine.snapshot() as snap:  # this process reads generation 1 whole
        snap.layout()
        for field, term in terms:
            snap.postings(field, term)
    first = fixture_docs[0]
    changed = replace(first, body=first.body + "本办法补充一条。", content_hash="changed")
    extra = replace(first, id="extra", source="extra.md", title="新增办法", content_hash="e")
    update_index(pg_url, [changed, extra, *fixture_docs[2:]])  # one changed, one added, one gone
    with engine.snapshot() as derived, PgEngine(pg_url).snapshot() as fresh:
        assert derived._gen.base_gen is not None and fresh._gen.base_gen is None
        a, b = derived._arrays(), fresh._arrays()
        assert loads == [1, 2]  # generation 1 read whole, 2 derived by one engine, read by one
        assert a.keys() == b.keys()
        for name in a:
            assert a[name].tolist() == b[name].tolist(), name
        la, lb = derived.layout(), fresh.layout()
        assert la.key_names == lb.key_names and np.array_equal(la.dkey, lb.dkey)
        for field, term in terms:
            (ia, wa), (ib, wb) = derived.postings(field, term), fresh.postings(field, term)
            assert ia.tolist() == ib.tolist() and wa.tolist() == wb.tolist(), (field, term)
