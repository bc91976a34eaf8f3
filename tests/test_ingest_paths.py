from __future__ import annotations

import json

import pytest

from regsearch.ingest import detect_format, ingest_paths


def test_fixture_folder_accounts_for_every_file(data_dir):
    result = ingest_paths([data_dir / "ingest"], collection="fx")
    assert result.files == 16
    assert result.per_format == {"markdown": 7, "text": 2, "jsonl": 2, "govcn-html": 3}
    assert result.metadata_files == ["html/urls.tsv"]
    assert sorted(s.source for s in result.failed) == [
        "export.jsonl:2",
        "export.jsonl:3",
        "latin1.txt",
    ]
    sources = {d.source for d in result.sources} | {s.path for s in result.skips}
    assert len(sources) + len(result.metadata_files) == result.files
    c = result.counts()
    assert (c["record_files"], c["skipped_files"], c["failed_files"]) == (13, 2, 1)
    assert {d.collection for d in result.documents} == {"fx"}


def test_detect_format(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("<!DOCTYPE html><html></html>", encoding="utf-8")
    assert detect_format(page) == "govcn-html"
    assert detect_format(tmp_path / "a.md") == "markdown"
    assert detect_format(tmp_path / "a.pdf") is None


def test_missing_path_and_progress(tmp_path):
    calls = []
    (tmp_path / "x.md").write_text("# 某办法\n\n第一条 内容。\n", encoding="utf-8")
    result = ingest_paths([tmp_path, tmp_path / "nope"], progress=lambda d, t: calls.append((d, t)))
    assert [d.title for d in result.documents] == ["某办法"]
    assert result.documents[0].collection == tmp_path.name
    assert [s.reason for s in result.skips] == ["路径不存在"]
    assert calls == [(1, 1)]


@pytest.mark.corpus
def test_waystowork_and_govcn_accounted(corpora_dir):
    result = ingest_paths([corpora_dir / "waystowork", corpora_dir / "govcn-html"])
    assert result.files == 1176
    assert result.per_format == {"markdown": 1132, "govcn-html": 40}
    assert result.metadata_files == ["urls.tsv"]
    assert len(result.sources) + len(result.skips) + len(result.metadata_files) == result.files
    c = result.counts()
    assert c["record_files"] + c["skipped_files"] + 1 == result.files
    assert result.failed == []
    # copies of one version inside waystowork are one record, each file kept on it
    assert len(result.documents) < len(result.sources)
    assert sum(len(d.sources) for d in result.documents) == len(result.sources)


def test_a_jsonl_record_with_its_own_source_still_accounts_for_the_file(tmp_path):
    record = {"title": "示例办法", "source": "cms/123.html", "body": "第一条 示例。"}
    (tmp_path / "export.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
    result = ingest_paths([tmp_path])
    assert [d.source for d in result.documents] == ["cms/123.html"]
    assert result.skips == []
    assert (result.files, result.record_files, result.skipped_files) == (1, 1, 0)
