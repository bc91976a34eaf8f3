"""The index: atomic and locked updates (crash test), incremental runs, schema versions,
the status filter against `status_at`, and the fast writer against whoosh's own."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest
from whoosh import index as windex
from whoosh.filedb.filestore import RamStorage
from whoosh.writing import SegmentWriter

from regsearch.engine.whoosh import store
from regsearch.engine.whoosh.fastwrite import fast_writer
from regsearch.engine.whoosh.records import records_for
from regsearch.engine.whoosh.schema import ColumnOnly, Unstored, make_schema
from regsearch.engine.whoosh.writer import MAX_SEGMENTS, segment_kind
from regsearch.errors import IndexBusy, IndexDamaged, IndexMissing
from regsearch.index.layout import stored_dates
from regsearch.index.update import update_index
from regsearch.model import SearchQuery
from regsearch.search.params import STATUS_VALUES
from regsearch.search.service import SearchService
from regsearch.status import dates_of, status_at

DOCS = Path(__file__).resolve().parent / "data" / "search" / "docs.jsonl"


def hits(svc: SearchService, q: str) -> list[str]:
    return [h.id for h in svc.search(SearchQuery(q=q, per_page=50)).results]


def big_update_script(index_dir: Path, marker: Path, copies: int) -> str:
    """A child process that indexes `copies` large documents, touching `marker` midway."""
    return textwrap.dedent(
        f"""
        import json, sys
        from dataclasses import replace
        from regsearch.model import Document
        from regsearch.index.update import update_index
        lines = open({str(DOCS)!r}, encoding="utf-8").read().splitlines()
        base = [Document.from_dict(json.loads(x)) for x in lines if x.strip()]
        docs = list(base)
        for i in range({copies}):
            d = base[i % len(base)]
            # distinct documents (identical copies would be merged into one record)
            docs.append(replace(d, id=f"copy{{i}}", source=f"copy{{i}}.md",
                                title=f"{{d.title}}{{i}}",
                                body=(d.body + "\\n") * 300, articles=[], content_hash=f"c{{i}}"))
        def progress(done, total):
            if done >= 16:
                open({str(marker)!r}, "w").close()
        update_index({str(index_dir)!r}, docs, progress=progress)
        print("finished")
        """
    )


def start_update(
    tmp_path: Path, index_dir: Path, copies: int = 400
) -> tuple[subprocess.Popen, Path]:
    marker = tmp_path / "midway"
    script = tmp_path / "update.py"
    script.write_text(big_update_script(index_dir, marker, copies), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not marker.exists():
        assert proc.poll() is None, "the update ended before reaching midway"
        assert time.time() < deadline
        time.sleep(0.05)
    return proc, marker


@pytest.fixture
def small_index(tmp_path, fixture_docs) -> Path:
    path = tmp_path / "ix"
    update_index(path, fixture_docs)
    return path


def test_killed_update_leaves_the_old_index_answering(tmp_path, small_index):
    with SearchService(small_index) as svc:
        before = hits(svc, "劳动合同")
    gen_before = store.current_generation(small_index)
    proc, _marker = start_update(tmp_path, small_index)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert store.current_generation(small_index) == gen_before
    with SearchService(small_index) as svc:
        assert hits(svc, "劳动合同") == before
        assert svc.stats()["documents"] == 12
    # The lock died with the writer (its workers notice and exit): a new update runs.
    deadline = time.time() + 30
    while True:
        try:
            report = update_index(small_index, [])
            break
        except IndexBusy:
            assert time.time() < deadline
            time.sleep(0.2)
    assert report.generation == gen_before.name


def test_searches_keep_working_during_an_update_and_a_second_writer_is_busy(
    tmp_path, small_index, fixture_docs
):
    with SearchService(small_index) as svc:
        before = hits(svc, "劳动合同")
        proc, _marker = start_update(tmp_path, small_index, copies=200)
        assert hits(svc, "劳动合同") == before  # the old generation is still the current one
        assert hits(svc, "国办函〔2018〕71号")[0] == "wangtong"
        with pytest.raises(IndexBusy, match="另一个进程正在写入索引"):
            update_index(small_index, fixture_docs)
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0 and "finished" in out
        assert svc.stats()["documents"] == 12 + 200  # the next call reads the new generation
        assert "copy0" in hits(svc, "一网通查")


def test_schema_version_mismatch_says_how_to_rebuild(small_index):
    gen = store.current_generation(small_index)
    meta = json.loads((gen / store.META).read_text(encoding="utf-8"))
    meta["schema_version"] = 0
    (gen / store.META).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexDamaged) as err:
        SearchService(small_index).search(SearchQuery(q="劳动"))
    assert f"regsearch ingest --rebuild --index {small_index}" in str(err.value)
    # An update of an index of another version refuses (it would drop every document
    # but the new ones) and says how to rebuild; a rebuild works.
    with pytest.raises(IndexDamaged, match="--rebuild"):
        update_index(small_index, [])
    update_index(small_index, [], rebuild=True, allow_empty=True)
    with SearchService(small_index) as svc:
        assert svc.stats()["documents"] == 0


def test_missing_index_says_how_to_build(tmp_path):
    with pytest.raises(IndexMissing, match="regsearch ingest --index"):
        SearchService(tmp_path / "none").search(SearchQuery(q="劳动"))


def test_incremental_update_skips_replaces_and_prunes(small_index, fixture_docs):
    again = update_index(small_index, fixture_docs)
    assert again.counts() == {
        "added": 0,
        "updated": 0,
        "unchanged": 12,
        "removed": 0,
        "relinked": 0,
    }
    changed = [
        replace(d, body=d.body + "新增内容：智慧监管。", content_hash="new")
        if d.id == "qianfu"
        else d
        for d in fixture_docs
        if d.id != "forty"
    ]
    report = update_index(small_index, changed, prune=True)
    assert (report.updated, report.removed) == (["qianfu"], ["forty"])
    assert len(report.unchanged) == 10
    with SearchService(small_index) as svc:
        assert hits(svc, "智慧监管") == ["qianfu"]
        assert hits(svc, "40号") == []
        assert svc.stats()["documents"] == 11
    # Without --prune a vanished document stays.
    update_index(small_index, fixture_docs)
    report = update_index(small_index, [d for d in fixture_docs if d.id != "paren"])
    assert report.removed == []
    with SearchService(small_index) as svc:
        assert svc.stats()["documents"] == 12


AS_OF = [
    "1990-01-01",
    "2018-10-27",
    "2019-12-31",
    "2020-06-30",
    "2020-07-01",
    "2021-01-01",
    "2030-01-01",
]


def test_status_filter_agrees_with_status_at(service, fixture_docs):
    with service.read() as reader:
        snap = reader.snap
        record = {snap.stored(r)["id"]: r for r in snap.records("doc")}
        for doc in fixture_docs:
            for day in AS_OF:
                expected = status_at(dates_of(doc), day)[0].value
                values = snap.column("st_eff"), snap.column("st_rep")  # columns are read
                assert values[0][record[doc.id]] is not None
                fields = snap.stored(record[doc.id])
                assert status_at(stored_dates(fields), day)[0].value == expected
                assert reader.filters.status(snap, record[doc.id], day) == expected
    seen = set()
    for day in AS_OF:
        for status in STATUS_VALUES:
            sq = SearchQuery(q="", status=[status], as_of=day, per_page=50)
            found = {h.id for h in service.search(sq).results}
            want = {d.id for d in fixture_docs if status_at(dates_of(d), day)[0].value == status}
            assert found == want, (status, day)
            seen |= {status} if found else set()
    # Every status is reached by some fixture on some day (不适用, a court case's, is
    # checked in test_identity_index.py).
    assert seen >= set(STATUS_VALUES) - {"不适用"}


def _plain(rec: dict) -> dict:
    """A record as whoosh's own writer takes it (it knows neither `Unstored` nor
    `ColumnOnly`, whose values have no postings)."""
    return {
        k: v.value if isinstance(v, Unstored) else v
        for k, v in rec.items()
        if not isinstance(v, ColumnOnly)
    }


def test_fast_writer_writes_what_whoosh_writes(fixture_docs):
    records = [r for d in fixture_docs for r in records_for(d)]
    indexes = []
    for make, prepare in ((SegmentWriter, _plain), (fast_writer, lambda rec: rec)):
        ix = RamStorage().create_index(make_schema())
        writer = make(ix)
        for rec in records:
            writer.add_document(**prepare(rec))
        writer.commit()
        indexes.append(ix)
    # Articles keep the document's level as a column (filters, facets), not stored.
    article = next(r for r in records if r["kind"] == "article" and "level" in r)
    with indexes[1].searcher() as s:
        n = s.document_number(id=article["id"])
        parent = s.stored_fields(s.document_number(id=article["doc_id"]))
        assert "level" not in s.stored_fields(n)
        assert "st_eff" not in s.stored_fields(n)
        assert s.reader().column_reader("level")[n] == parent["level"]
        assert s.reader().column_reader("st_eff")[n] == parent["st_eff"]
    dumps = []
    for ix in indexes:
        with ix.searcher() as s:
            r = s.reader()
            postings = {}
            for fieldname, text in r.all_terms():
                m = r.postings(fieldname, text)
                items = []
                while m.is_active():
                    items.append((m.id(), m.weight(), m.value()))
                    m.next()
                postings[fieldname, text] = items
            lengths = [[r.doc_field_length(n, "body") for n in range(r.doc_count_all())]]
            dumps.append((postings, lengths))
    assert len(dumps[0][0]) > 500
    assert dumps[0] == dumps[1]


def test_segments_hold_one_kind_and_many_updates_are_compacted(tmp_path, fixture_docs):
    index_dir = tmp_path / "ix"
    for i in range(1, len(fixture_docs) + 1):  # one more document per update
        update_index(index_dir, fixture_docs[:i])
    ix = windex.open_dir(str(store.current_generation(index_dir)))
    kinds = [segment_kind(ix, seg) for seg in ix._segments()]
    assert len(fixture_docs) > MAX_SEGMENTS  # enough updates to need compaction
    assert 0 < kinds.count("doc") <= MAX_SEGMENTS
    assert 0 < kinds.count("article") <= MAX_SEGMENTS
    with ix.searcher() as s:
        for seg_reader, _offset in s.reader().leaf_readers():
            found = {k for k in ("doc", "article") if ("kind", k) in seg_reader}
            assert len(found) == 1
    rebuilt = tmp_path / "rebuilt"
    update_index(rebuilt, fixture_docs, rebuild=True)
    for q in ("劳动合同", "第三条", "应当"):
        for articles in (False, True):
            sq = SearchQuery(q=q, articles=articles, per_page=50, as_of="2024-01-01")
            with SearchService(index_dir) as a, SearchService(rebuilt) as b:
                pa, pb = a.search(sq), b.search(sq)
            assert pa.total == pb.total
            assert sorted(h.id for h in pa.results) == sorted(h.id for h in pb.results)
            assert [h.articles for h in sorted(pa.results, key=lambda h: h.id)] == [
                h.articles for h in sorted(pb.results, key=lambda h: h.id)
            ]


def test_a_large_rebuild_writes_bounded_segments_and_finds_the_same(
    tmp_path, fixture_docs, monkeypatch
):
    from regsearch.engine.whoosh import writer

    whole = tmp_path / "whole"
    update_index(whole, fixture_docs, rebuild=True)
    monkeypatch.setattr(writer, "POOL_THRESHOLD", 2)  # worker processes, as for a corpus
    monkeypatch.setattr(writer, "SEGMENT_POSTINGS", 100)  # ... writing many segments each
    split = tmp_path / "split"
    update_index(split, fixture_docs, rebuild=True)
    ix = windex.open_dir(str(store.current_generation(split)))
    kinds = [segment_kind(ix, seg) for seg in ix._segments()]
    assert kinds.count("doc") > 2 and kinds.count("article") > 2  # several per worker
    for q in ("劳动合同", "第三条", "应当"):
        for articles in (False, True):
            sq = SearchQuery(q=q, articles=articles, per_page=50, as_of="2024-01-01")
            with SearchService(whole) as a, SearchService(split) as b:
                pa, pb = a.search(sq), b.search(sq)
            assert pa.total == pb.total > 0
            # the same hits and snippets; scores may differ in the last digits, as they
            # do between an updated index and a rebuilt one
            assert sorted((h.id, h.snippet) for h in pa.results) == sorted(
                (h.id, h.snippet) for h in pb.results
            )
            for x, y in zip(pa.results, pb.results, strict=True):
                assert abs(x.score - y.score) < 0.01 * abs(x.score)


def test_a_written_out_segment_frees_its_writer(tmp_path, fixture_docs, monkeypatch):
    import gc
    import weakref

    from whoosh import index as whoosh_index

    from regsearch.engine.whoosh import writer
    from regsearch.engine.whoosh.schema import make_schema

    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    monkeypatch.setattr(writer, "SEGMENT_POSTINGS", 1)
    writers = writer._kind_writers(ix)
    gc.disable()  # as in a worker process
    try:
        writer._add(writers, next(d for d in fixture_docs if d.articles))
        old = [weakref.ref(w) for w in writers.values()]
        written = writer._write_full(ix, writers)
        assert len(written) == 2 and all(w.pool.postings == 0 for w in writers.values())
        assert all(ref() is None for ref in old)  # its postings went with it
    finally:
        gc.enable()
        for w in writers.values():
            w._close_segment()
