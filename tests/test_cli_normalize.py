from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from regsearch.cli import main


def test_normalize_writes_jsonl_and_summary(data_dir, tmp_path):
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        main, ["normalize", str(data_dir / "ingest" / "html"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["source"] for r in records) == [
        "no_table.html",
        "province_list.html",
        "table.html",
    ]
    assert "读取文件 4 个，生成记录 3 条" in result.stderr
    assert "元数据文件 1 个" in result.stderr


def test_normalize_exit_1_on_failed_file(data_dir):
    result = CliRunner().invoke(main, ["normalize", str(data_dir / "ingest" / "latin1.txt")])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "[失败] latin1.txt: 不是UTF-8文本" in result.stderr


def test_normalize_help_ends_with_example():
    result = CliRunner().invoke(main, ["normalize", "--help"])
    assert result.output.rstrip().splitlines()[-1].strip().startswith("regsearch normalize ")


def test_normalize_summary_accounts_for_every_file(data_dir):
    result = CliRunner().invoke(main, ["normalize", str(data_dir / "ingest")])
    assert result.exit_code == 1  # latin1.txt and two bad JSONL lines fail
    # export.jsonl gave records and two bad lines: it counts once, as a source of records
    assert "文件核对：16 = 生成记录的文件 13 + 跳过的文件 2 + 元数据文件 1\n" in result.stderr


def test_normalize_a_relative_lawrefbook_folder(tmp_path, monkeypatch):
    from lawrefbook_folder import build_lawrefbook

    build_lawrefbook(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["normalize", "lawrefbook"])
    assert result.exit_code == 0, result.stderr
    assert "LawRefBook 数据库无法读取" not in result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["format"] for r in records} == {"lawrefbook"}
    assert not any("db.sqlite3 无法读取" in w for r in records for w in r["warnings"])


@pytest.mark.corpus
def test_normalize_the_shared_corpora(corpora_dir, tmp_path):
    out = tmp_path / "all.jsonl"
    folders = [str(corpora_dir / name) for name in ("lawrefbook", "waystowork", "govcn-html")]
    result = CliRunner().invoke(main, ["normalize", *folders, "-o", str(out)])
    assert result.exit_code == 0, result.stderr[-2000:]
    err = result.stderr
    # 4,558 source documents, one record per version: 4,025 records
    assert "读取文件 4598 个，生成记录 4025 条\n" in err
    assert "  govcn-html: 40\n  lawrefbook: 3386\n  markdown: 1132\n" in err
    assert "文件核对：4598 = 生成记录的文件 4558 + 跳过的文件 31 + 元数据文件 9\n" in err
    assert "跳过 31 项：" in err and "[失败]" not in err
    skipped = [line for line in err.splitlines() if line.startswith("  [跳过] ")]
    assert len(skipped) == 31
    assert len([s for s in skipped if "/_index.md:" in s or s.startswith("  [跳过] _index")]) == 26
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 4025
    assert sum(len(r["sources"]) for r in records) == 4558
    assert not any("packed" in ref for r in records for ref in r["sources"])  # internal
    # the waystowork copy of the current 护士条例 (amended 2020) is that version, not older
    [nurses] = [
        r
        for r in records
        if r["title"] == "护士条例" and "waystowork" in {s["collection"] for s in r["sources"]}
    ]
    assert nurses["version_date"] == "2020-03-27" and nurses["status"] == "现行有效"
    assert not [r for r in nurses["relations"] if r["type"] == "superseded_by"]
