"""The PostgreSQL engine's postings table: every term's postings equal the embedded
engine's over the same documents (after a rebuild, an incremental publish, a migration
from schema 1), and collection leaves no batch without records."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from regsearch.index.update import update_index


def _count(url: str, sql: str) -> int:
    from regsearch import pg

    with pg.connection(url) as conn:
        return int(conn.execute(sql).fetchone()[0])


def _by_id(snap: Any, field: str, term: str) -> dict[str, float]:
    ids, weights = snap.postings(field, term)
    assert list(ids) == sorted(set(ids.tolist())) and str(weights.dtype) == "float32"
    return {snap.stored(int(r))["id"]: float(w) for r, w in zip(ids, weights, strict=True)}


def assert_same_postings(folder: Path, url: str) -> int:
    """Every (field, term) either engine knows has the same records and weights in both;
    returns how many were compared."""
    from regsearch import pg
    from regsearch.engine import open_engine
    from regsearch.engine.postgres.schema import TEXT_FIELDS

    with pg.connection(url) as conn:
        rows = conn.execute("SELECT DISTINCT field, term FROM ix_postings").fetchall()
    terms = {(TEXT_FIELDS[f], t) for f, t in rows}
    embedded, postgres = open_engine(folder), open_engine(url)
    with embedded.snapshot() as a, postgres.snapshot() as b:
        reader = a._searcher.searcher.reader()  # type: ignore[attr-defined]
        for field in TEXT_FIELDS:
            terms |= {(field, t.decode("utf-8")) for t in reader.lexicon(field)}
        for field, term in sorted(terms):
            assert _by_id(a, field, term) == _by_id(b, field, term), (field, term)
    embedded.close()
    postgres.close()
    return len(terms)


@pytest.fixture
def both(fixture_docs, pg_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "embedded"

    def publish(docs: list[Any], **options: Any) -> None:
        for where in (folder, pg_url):
            update_index(where, docs, **options)

    publish(fixture_docs)
    return folder, pg_url, publish


def _changed(fixture_docs: list[Any]) -> list[Any]:
    first = fixture_docs[0]
    changed = replace(first, body=first.body + "本办法补充一条：出租汽车。", content_hash="c")
    extra = replace(first, id="extra", source="extra.md", title="新增办法", content_hash="e")
    return [changed, extra, *fixture_docs[2:]]  # one changed, one added (and one deleted)


def test_after_a_rebuild_and_an_incremental_publish(both, fixture_docs) -> None:  # type: ignore[no-untyped-def]
    folder, url, publish = both
    assert assert_same_postings(folder, url) > 100
    publish(_changed(fixture_docs), deletes=[fixture_docs[1].id])
    assert _count(url, "SELECT COUNT(*) FROM ix_batches") == 2
    gone = f"doc_id = '{fixture_docs[1].id}'"
    assert _count(url, f"SELECT COUNT(*) FROM ix_records WHERE {gone} AND gen_to IS NULL") == 0
    assert_same_postings(folder, url)
    publish(fixture_docs, rebuild=True)
    assert_same_postings(folder, url)


def test_after_migrating_a_schema_1_database(both, fixture_docs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from regsearch import pg
    from regsearch.cli import main
    from regsearch.engine import open_engine, postgres
    from regsearch.errors import SchemaOutdated

    folder, url, publish = both
    publish(_changed(fixture_docs), deletes=[fixture_docs[1].id])  # two generations
    with pg.connection(url) as conn:  # as a schema-1 database has it
        conn.execute("DROP TABLE ix_postings, ix_batches")
        for column in ("level", "region", "collection", "publish"):  # migration 3's
            conn.execute(f"DROP INDEX ix_records_{column}")
        conn.execute("UPDATE ix_meta SET value = '1' WHERE key = 'schema_version'")
    monkeypatch.setattr(postgres, "_ready", set())
    with pytest.raises(SchemaOutdated, match="regsearch db migrate"):
        open_engine(url).snapshot()
    runner = CliRunner(env={"REGSEARCH_DATABASE_URL": None, "REGSEARCH_INDEX": None})
    assert runner.invoke(main, ["db", "migrate", "--database", url]).exit_code == 0
    assert runner.invoke(main, ["db", "check", "--database", url]).exit_code == 0
    assert _count(url, "SELECT COUNT(*) FROM ix_batches") == 2  # one per generation
    assert_same_postings(folder, url)
    publish(fixture_docs, deletes=["extra"])  # and the next publish adds its batch
    assert_same_postings(folder, url)


def test_collection_removes_batches_without_records(both, fixture_docs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from regsearch.engine.postgres import postings, writer

    monkeypatch.setattr(postings, "MERGE_FACTOR", 0)  # no merging: batches stay apart
    folder, url, publish = both
    first = _count(url, "SELECT MIN(rid_lo) FROM ix_batches")
    publish(_changed(fixture_docs))  # batch 2: the changed and the added document
    second = _count(url, "SELECT MAX(rid_lo) FROM ix_batches")
    monkeypatch.setattr(writer, "KEEP_S", -1)  # as if 10 minutes had passed
    again = _changed(fixture_docs)
    again[0] = replace(again[0], body=again[0].body + "再补充。", content_hash="d")
    publish(again)  # batch 3 replaces batch 2's changed document; batch 2 keeps `extra`
    assert _count(url, f"SELECT COUNT(*) FROM ix_batches WHERE rid_lo = {second}") == 1
    publish([d for d in again if d.id != "extra"], deletes=["extra"])  # batch 2 empties
    for table in ("ix_batches", "ix_postings"):
        assert _count(url, f"SELECT COUNT(*) FROM {table} WHERE rid_lo = {second}") == 0
    assert _count(url, f"SELECT COUNT(*) FROM ix_batches WHERE rid_lo = {first}") == 1
    assert_same_postings(folder, url)
    publish(fixture_docs, rebuild=True)  # the old batches' records all go at once
    assert _count(url, "SELECT COUNT(*) FROM ix_batches") == 1
    assert _count(url, "SELECT COUNT(DISTINCT rid_lo) FROM ix_postings") == 1
    assert_same_postings(folder, url)


def test_many_small_publishes_keep_few_batches(both, fixture_docs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from regsearch.engine.postgres import writer

    folder, url, publish = both
    monkeypatch.setattr(writer, "KEEP_S", -1)
    docs = list(fixture_docs)
    for round_ in range(2):
        for i, doc in enumerate(docs):
            body = doc.body + f"第{round_}次修订。"
            docs[i] = replace(doc, body=body, content_hash=f"{i}-{round_}")
            publish(docs)
            assert _count(url, "SELECT COUNT(*) FROM ix_batches") <= 5
    # no postings of collected records are left behind
    rows = _count(url, "SELECT SUM(records) FROM ix_batches")
    assert rows <= 2 * _count(url, "SELECT COUNT(*) FROM ix_records")
    assert_same_postings(folder, url)
