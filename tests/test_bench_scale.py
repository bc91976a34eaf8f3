"""The synthetic copies of the scale benchmark (scripts/scale_copies.py), and one tiny run
of scripts/bench_scale.py on the fixture documents. No timing is asserted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from scale_copies import scaled  # noqa: E402

SCALE = 4


@pytest.fixture(scope="module")
def copies(fixture_docs):
    return list(scaled(fixture_docs, SCALE))


def by_copy(docs, n):
    return [docs[k * n : (k + 1) * n] for k in range(SCALE)]


def test_the_originals_come_first_unchanged(fixture_docs, copies):
    assert len(copies) == SCALE * len(fixture_docs)
    assert copies[: len(fixture_docs)] == fixture_docs


def test_copies_have_distinct_ids_titles_and_numbers(fixture_docs, copies):
    assert len({d.id for d in copies}) == len(copies)
    # versions of one law share a title, and so do their copies; no other two do
    assert len({d.title for d in copies}) == SCALE * len({d.title for d in fixture_docs})
    numbers = [d.doc_number for d in copies if d.doc_number]
    assert len(numbers) == SCALE * sum(1 for d in fixture_docs if d.doc_number)
    assert len(set(numbers)) == len(numbers)
    raw = [d.doc_number_raw for d in copies if d.doc_number_raw]
    assert len(set(raw)) == len(raw)


def test_a_copy_is_issued_by_another_province(copies, fixture_docs):
    n = len(fixture_docs)
    one = {d.source: d for d in by_copy(copies, n)[1]}
    wangtong = one["copy1/wangtong.md"]
    assert wangtong.title == "北京市人民政府办公厅关于印发一网通查工作方案的通知"
    assert wangtong.doc_number == "京政办函〔2018〕1071号"
    assert wangtong.authority == "北京市人民政府办公厅"
    assert wangtong.region == "北京市"
    qianfu = one["copy1/qianfu.md"]  # 贵州省's own document goes to the next province
    assert qianfu.title == "云南省人民政府关于加强行政执法监督的意见"
    assert qianfu.doc_number == "滇府发〔2020〕1013号"
    assert qianfu.doc_number_raw == "滇府发[2020]1013号"
    forty = one["copy1/forty.md"]  # the body's own number follows the document's
    assert "京政发〔2019〕1040号" in forty.body and "国发" not in forty.body


def test_articles_keep_their_structure(fixture_docs, copies):
    n = len(fixture_docs)
    for copy in by_copy(copies, n)[1:]:
        for orig, new in zip(fixture_docs, copy, strict=True):
            assert [(a.number, a.path, a.ordinal) for a in new.articles] == [
                (a.number, a.path, a.ordinal) for a in orig.articles
            ]
            assert len(new.body) >= len(orig.body) - 8 * len(orig.articles) - 8


def test_relations_point_within_the_same_copy(fixture_docs, copies):
    n = len(fixture_docs)
    for copy in by_copy(copies, n):
        ids = {d.id: d for d in copy}
        for doc in copy:
            for rel in doc.relations:
                assert rel.target_id in ids
                if rel.target_title:
                    assert rel.target_title == ids[rel.target_id].title


def test_bench_scale_runs_on_the_fixture(tmp_path):
    import bench_scale

    docs = ROOT / "tests" / "data" / "search" / "docs.jsonl"
    out = tmp_path / "results.json"
    code = bench_scale.main(
        [
            "--docs",
            str(docs),
            "--corpora",
            str(tmp_path / "no-corpora"),
            "--scales",
            "1,2",
            "--backend",
            "whoosh,fts5,postgres",
            "--database-url",
            "",
            "--questions",
            "2",
            "--http-requests",
            "10",
            "--seconds",
            "10",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    rows = {(r["scale"], r["backend"]): r for r in report["rows"]}
    assert set(rows) == {(s, b) for s in (1, 2) for b in ("whoosh", "fts5", "postgres")}
    assert rows[(2, "whoosh")]["records"] == 24
    assert rows[(1, "postgres")]["skipped"].startswith("no --database-url")
    for scale in (1, 2):
        for backend in ("whoosh", "fts5"):
            row = rows[(scale, backend)]
            assert row["index_bytes"] > 0 and row["http"]["requests"] > 0
