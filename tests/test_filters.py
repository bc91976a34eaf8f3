"""Every search filter and facet on both engines (filters and facets are the engine's
`select` and `counts`: in SQL on PostgreSQL), checked against the documents themselves
with the one status function, and the same answers from both engines."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict

import pytest

from regsearch.index.layout import STATUS_FIELDS, authorities
from regsearch.model import Article, Document, Relation, SearchQuery
from regsearch.search.service import SearchService
from regsearch.status import dates_of, status_at, today

pytestmark = pytest.mark.backends  # on both backends (conftest.py)

LEVELS = ["法律", "行政法规", "部门规章", "地方性法规", "案例"]
REGIONS = ["全国", "贵州省", "上海市", None]
AUTHORITIES = ["国务院", "公安部", "贵州省人民政府"]
DAYS = ["2016-06-01", "2020-01-01", "2024-01-01"]


def _documents() -> list[Document]:
    """Documents covering every value of every filter, and each status on some day."""
    docs = []
    for i in range(30):
        year = 2014 + i % 10
        publish = None if i == 7 else f"{year}-{1 + i % 12:02d}-{1 + i % 27:02d}"
        doc = Document(
            id=f"f{i:02d}",
            title=f"第{i}号管理办法",
            collection="甲" if i % 3 else "乙",
            source=f"f{i}.md",
            authority=AUTHORITIES[i % 3],
            co_authorities=["公安部"] if i % 5 == 0 and i % 3 != 1 else [],
            level=LEVELS[i % 5],
            region=REGIONS[i % 4],
            publish_date=publish,
            effective_date=(publish if i % 6 else f"{year + 2}-01-01") if publish else None,
            expiry_date=f"{year + 3}-12-31" if i % 7 == 3 else None,
            repeal_date=f"{year + 4}-06-30" if i % 8 == 5 else None,
            body=f"第一条 本办法规定管理事项{i}。\n第二条 本办法自公布之日起施行。",
            articles=[
                Article(number="第一条", text=f"第一条 本办法规定管理事项{i}。", ordinal=1),
                Article(number="第二条", text="第二条 本办法自公布之日起施行。", ordinal=2),
            ],
            kind="case" if LEVELS[i % 5] == "案例" else "normative",
            content_hash=f"h{i}",
        )
        if i % 9 == 2:
            doc.relations.append(
                Relation(type="superseded_by", target_id=f"f{i + 1:02d}", date=f"{year + 1}-03-01")
            )
        if i % 10 == 3:
            doc.relations.append(
                Relation(type="partially_invalidated_by", target_id="f00", date=f"{year + 1}-05-01")
            )
        docs.append(doc)
    return docs


@pytest.fixture(scope="module")
def filtered(new_location):  # type: ignore[no-untyped-def]
    from regsearch.index.update import update_index

    where = new_location("filters")
    update_index(where, _documents())
    with SearchService(where, rewrite=None) as svc:
        yield svc


def _stored(svc: SearchService) -> list[Document]:
    return list(svc.iter_documents())


def _status(doc: Document, day: str) -> str:
    return status_at(dates_of(doc), day)[0].value


def _passes(doc: Document, sq: SearchQuery, day: str) -> bool:
    lo, hi = sq.date_from or "0000", sq.date_to or "9999-99-99"
    return (
        (not sq.level or doc.level in sq.level)
        and (not sq.region or doc.region in sq.region)
        and (not sq.collection or doc.collection in sq.collection)
        and (not sq.authority or bool(set(authorities(doc)) & set(sq.authority)))
        and (
            not (sq.date_from or sq.date_to)
            or bool(doc.publish_date and lo <= doc.publish_date <= hi)
        )
        and (not sq.status or _status(doc, day) in sq.status)
    )


FILTERS = [
    {"level": ["法律"]},
    {"level": ["法律", "部门规章"]},
    {"region": ["贵州省"]},
    {"region": ["全国", "上海市"]},
    {"collection": ["乙"]},
    {"authority": ["公安部"]},
    {"authority": ["国务院", "贵州省人民政府"]},
    {"date_from": "2018-01-01"},
    {"date_to": "2016-12-31"},
    {"date_from": "2017-03-04", "date_to": "2019-12-31"},
    {"status": ["现行有效"]},
    {"status": ["已废止", "已失效"]},
    {"status": ["尚未施行"]},
    {"status": ["已修改"]},
    {"status": ["部分失效"]},
    {"status": ["尚未发布"]},
    {"level": ["部门规章", "地方性法规"], "region": ["全国"], "status": ["现行有效"]},
    {"authority": ["公安部"], "date_from": "2016-01-01", "collection": ["甲"]},
    {"status": ["现行有效", "尚未施行"], "date_to": "2020-12-31", "level": ["行政法规"]},
    {"level": ["宪法"]},  # no such value: nothing
]


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("articles", [False, True])
@pytest.mark.parametrize("given", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()))
def test_each_filter_keeps_exactly_the_documents_that_pass(filtered, given, articles, day) -> None:  # type: ignore[no-untyped-def]
    sq = SearchQuery(q="", per_page=100, as_of=day, articles=articles, **given)
    page = filtered.search(sq)
    docs = [d for d in _stored(filtered) if _passes(d, sq, day)]
    if articles:
        want = {f"{d.id}#{i}" for d in docs for i in range(len(d.articles))}
    else:
        want = {d.id for d in docs}
    assert {h.id for h in page.results} == want
    assert page.total == len(want) == filtered.count(sq)


def test_filters_find_something_for_most_cases(filtered) -> None:  # type: ignore[no-untyped-def]
    # the fixture documents exercise every filter: each case but the last keeps some
    # documents and leaves out others on at least one day
    docs = _stored(filtered)
    for given in FILTERS[:-1]:
        kept = [sum(_passes(d, SearchQuery(**given), day) for d in docs) for day in DAYS]
        assert any(0 < n < len(docs) for n in kept), given


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("given", [{}, {"region": ["贵州省", "全国"]}, {"status": ["现行有效"]}])
def test_facets_count_the_results(filtered, given, day) -> None:  # type: ignore[no-untyped-def]
    sq = SearchQuery(q="", per_page=5, as_of=day, **given)
    page = filtered.search(sq)
    docs = [d for d in _stored(filtered) if _passes(d, sq, day)]
    want = {
        "level": Counter(d.level for d in docs),
        "authority": Counter(authorities(d)[0] for d in docs),
        "region": Counter(d.region for d in docs if d.region),
        "year": Counter(d.publish_date[:4] for d in docs if d.publish_date),
        "status": Counter(_status(d, day) for d in docs),
    }
    want["status"].pop("不适用", None)  # court cases have no status
    got = {
        name: Counter({f.value: f.count for f in counts}) for name, counts in page.facets.items()
    }
    assert got == want
    assert [f.value for f in page.facets["year"]] == sorted(want["year"], reverse=True)


def test_stats_count_every_document(filtered) -> None:  # type: ignore[no-untyped-def]
    stats = filtered.stats()
    docs = _stored(filtered)
    assert stats["levels"] == dict(Counter(d.level for d in docs))
    assert stats["collections"] == {"甲": 20, "乙": 10}
    status = Counter(_status(d, today()) for d in docs)
    status.pop("不适用", None)
    assert stats["statuses"] == dict(status)


# -- the same answers from both engines ---------------------------------------------------


@pytest.fixture(scope="module")
def both(tmp_path_factory, pg_server):  # type: ignore[no-untyped-def]
    from pg_support import fresh_database

    from regsearch.index.update import update_index

    folder = tmp_path_factory.mktemp("filters-parity")
    databases = fresh_database(pg_server)
    url = next(databases)
    for where in (folder, url):
        update_index(where, _documents())
    with SearchService(folder, rewrite=None) as embedded, SearchService(url, rewrite=None) as pg:
        yield embedded, pg
    next(databases, None)


@pytest.mark.parametrize("sort", ["relevance", "newest"])
@pytest.mark.parametrize("given", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()))
def test_both_engines_filter_and_facet_alike(both, given, sort) -> None:  # type: ignore[no-untyped-def]
    embedded, pg = both
    for q in ("", "管理", "施行"):
        for articles in (False, True):
            sq = SearchQuery(
                q=q, sort=sort, per_page=100, as_of="2020-01-01", articles=articles, **given
            )
            a, b = embedded.search(sq), pg.search(sq)
            assert [asdict(h) for h in a.results] == [asdict(h) for h in b.results]
            assert a.total == b.total and a.facets == b.facets  # the order of ties too


def test_both_engines_count_alike(both) -> None:  # type: ignore[no-untyped-def]
    embedded, pg = both
    groups = ["level", "region", "publish", ("level", "region"), STATUS_FIELDS]
    with embedded.read() as a, pg.read() as b:
        for kind in ("doc", "article"):
            # records are numbered differently by each engine: the same ids, in one order
            ids = sorted(a.snap.stored(r)["id"] for r in a.snap.records(kind))
            ids = ids[::-3] + ids[:1]  # out of order, a repeat

            def records(snap, ids=ids, kind=kind):  # type: ignore[no-untyped-def]
                of_kind = snap.records(kind)
                return [next(r for r in snap.find("id", i) if r in of_kind) for i in ids]

            for subset in (None, records(a.snap), []):
                theirs = None if subset is None else records(b.snap) if subset else []
                mine = a.snap.counts(kind, groups, subset)
                other = b.snap.counts(kind, groups, theirs)
                assert {g: list(c.items()) for g, c in mine.items()} == {
                    g: list(c.items()) for g, c in other.items()
                }
            for snap in (a.snap, b.snap):
                others = sorted(snap.records("doc" if kind == "article" else "article"))
                assert snap.counts(kind, ["level"], others[:5])["level"] == Counter()


def test_postgres_filters_and_facets_read_no_column(both) -> None:  # type: ignore[no-untyped-def]
    # the point of doing them in SQL: no process holds a whole column to answer them
    from regsearch.engine import Conditions
    from regsearch.engine.postgres import PgEngine

    _embedded, pg = both
    engine = PgEngine(pg.engine.url)
    with engine.snapshot() as snap:
        found = snap.select("doc", Conditions(level=frozenset({"法律"}), publish=("2015", "9999")))
        counts = snap.counts("doc", ["level", STATUS_FIELDS], found)
        assert found and counts["level"] == Counter({"法律": len(found)})
        assert not snap._gen.has("arrays")
    engine.close()


def test_an_index_of_schema_1_gets_the_filter_indexes_by_db_migrate(pg_url) -> None:  # type: ignore[no-untyped-def]
    from regsearch import pg
    from regsearch.engine.postgres import PgEngine, ensure_schema, schema
    from regsearch.errors import SchemaOutdated

    with pg.connection(pg_url) as conn, conn.transaction():
        for stmt in schema.MIGRATIONS[0][1]:  # the tables as version 1 made them
            conn.execute(stmt)
        conn.execute("INSERT INTO ix_meta VALUES ('schema_version', '1')")
    with pytest.raises(SchemaOutdated, match="regsearch db migrate"):
        PgEngine(pg_url).snapshot()
    ensure_schema(pg_url)
    with pg.connection(pg_url) as conn:
        names = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes").fetchall()}
    assert {f"ix_records_{c}" for c in ("level", "region", "collection", "publish")} <= names
