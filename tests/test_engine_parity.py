"""The PostgreSQL engine ranks as the embedded one does: the same hits in the same order
with the same BM25F scores, over the same documents."""

from __future__ import annotations

import pytest

from regsearch.model import SearchQuery
from regsearch.search.service import SearchService

QUERIES = [
    "出租汽车",
    "网约车 OR 出租",
    '"道路运输"',
    "许可 -收费",
    "条例",
    "办法",
    "title:办法",
    "失业保险金怎么领",
    "国办函〔2018〕71号",
    "第三条",
    "劳",
]


def test_length_approximation_is_whoosh_s() -> None:
    import numpy as np
    from whoosh.util.numeric import byte_to_length, length_to_byte

    from regsearch.engine.postgres.scoring import quantized

    lengths = np.arange(0, 120000, 7)
    want = [byte_to_length(length_to_byte(int(n))) for n in lengths]
    assert quantized(lengths).tolist() == want


@pytest.fixture(scope="module")
def both(fixture_docs, tmp_path_factory, pg_server):  # type: ignore[no-untyped-def]
    from pg_support import fresh_database

    from regsearch.index.update import update_index

    folder = tmp_path_factory.mktemp("parity")
    databases = fresh_database(pg_server)
    url = next(databases)
    for where in (folder, url):
        update_index(where, fixture_docs)
    with SearchService(folder) as embedded, SearchService(url) as postgres:
        yield embedded, postgres
    next(databases, None)


@pytest.mark.parametrize("articles", [False, True])
@pytest.mark.parametrize("q", QUERIES)
def test_same_hits_same_order_same_scores(both, q: str, articles: bool) -> None:  # type: ignore[no-untyped-def]
    embedded, postgres = both
    sq = SearchQuery(q=q, articles=articles, per_page=50, as_of="2024-01-01")
    a, b = embedded.search(sq), postgres.search(sq)
    assert a.total == b.total
    assert [h.id for h in a.results] == [h.id for h in b.results]
    assert [h.score for h in a.results] == pytest.approx([h.score for h in b.results], rel=1e-5)
    assert a.facets == b.facets
    # snippets, best articles, statuses: everything a user sees but the score's last digits
    assert [_shown(h) for h in a.results] == [_shown(h) for h in b.results]


@pytest.mark.parametrize("field", ["title_exact", "docnum", "authority_kw"])
def test_same_keywords(both, field: str) -> None:  # type: ignore[no-untyped-def]
    # the name table of citation lookup reads every title in one pass (keywords)
    embedded, postgres = both

    def named(snap, records):  # type: ignore[no-untyped-def]
        rows = [snap.stored(r) for r in records]
        return sorted((s.get("doc_id") or s.get("id"), s.get("article") or "") for s in rows)

    with embedded.read() as a, postgres.read() as b:
        mine = {k: named(a.snap, v) for k, v in a.snap.keywords(field).items()}
        theirs = {k: named(b.snap, v) for k, v in b.snap.keywords(field).items()}
    assert mine and mine == theirs


def _shown(hit):  # type: ignore[no-untyped-def]
    from dataclasses import asdict

    data = asdict(hit)
    data.pop("score")
    for art in data.get("articles") or []:
        art.pop("score", None)
    return data


@pytest.mark.parametrize("field", ["body", "title"])
def test_same_longest_postings_lists(both, field: str) -> None:  # type: ignore[no-untyped-def]
    # what the question warm-up reads ahead: every term with its list's length
    embedded, postgres = both
    with embedded.read() as a, postgres.read() as b:
        mine, theirs = a.snap.largest_terms(field, 10**6), b.snap.largest_terms(field, 10**6)
        assert len(mine) > 100 and sorted(mine) == sorted(theirs)
        for found in (mine, theirs):
            counts = [n for _term, n in found]
            assert counts == sorted(counts, reverse=True)
        # a fresh index: each length is the list's, and a limit keeps the longest
        for term, n in mine[:: len(mine) // 20]:
            assert n == len(a.snap.postings(field, term)[0]) == len(b.snap.postings(field, term)[0])
        assert [n for _t, n in a.snap.largest_terms(field, 5)] == counts[:5]


def test_searches_read_the_read_url(both, pg_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A read URL (a replica) takes the snapshots; the writer keeps the primary."""
    from regsearch import pg
    from regsearch.engine import open_engine

    _embedded, postgres = both
    primary = postgres.engine.url
    replica = primary + "?application_name=regsearch-replica"  # the same data, another pool
    monkeypatch.setenv("REGSEARCH_DATABASE_READ_URL", replica)
    engine = open_engine(primary)
    with engine.snapshot() as snap:
        assert snap.generation == postgres.engine.current_meta()["generation"]
        assert len(snap.records("doc")) > 0
    with pg.connection(replica) as conn:
        names = conn.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'regsearch-replica'"
        ).fetchone()
    assert names[0] >= 1 and engine.writer().url == primary
    pg.close_pool(replica)
