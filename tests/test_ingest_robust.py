"""Ingest that loses nothing: every odd input gets a defined, reported outcome, and the
counts add up (files = files with records + skipped files + metadata files)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from regsearch.ingest import IngestResult, files, ingest_paths, jsonl

LAW = "# 某某管理办法\n\n（2020年1月1日某省人民政府令第1号公布）\n\n第一条 为了规范管理。\n"


def record(title: str, **kw: object) -> str:
    return json.dumps({"title": title, "body": "第一条 内容。", **kw}, ensure_ascii=False)


def adds_up(result: IngestResult) -> bool:
    c = result.counts()
    return c["files"] == c["record_files"] + c["skipped_files"] + c["metadata_files"]


def test_duplicate_jsonl_ids_keep_both_records(tmp_path: Path) -> None:
    (tmp_path / "export.jsonl").write_text(
        "\n".join(
            [record("甲办法", id="A1"), record("乙办法", id="A1"), record("丙办法", id="A1")]
        ),
        encoding="utf-8",
    )
    (tmp_path / "more.jsonl").write_text(record("丁办法", id="A1"), encoding="utf-8")
    result = ingest_paths([tmp_path])
    titles = {d.title: d for d in result.sources}
    assert sorted(titles) == ["丁办法", "丙办法", "乙办法", "甲办法"]
    assert len({d.id for d in result.sources}) == 4
    assert titles["甲办法"].id == "A1"
    assert any("重复" in w for w in titles["乙办法"].warnings)
    assert any("重复" in w for w in titles["丁办法"].warnings)
    assert adds_up(result) and result.skips == []


def test_a_json_array_file_is_read_as_records(tmp_path: Path) -> None:
    items = [json.loads(record("甲办法")), json.loads(record("乙办法")), {"title": "缺正文"}]
    (tmp_path / "export.json").write_text(json.dumps(items, ensure_ascii=False, indent=2), "utf-8")
    result = ingest_paths([tmp_path])
    assert sorted(d.title for d in result.sources) == ["乙办法", "甲办法"]
    assert [(s.source, s.reason) for s in result.skips] == [
        ("export.json:3", "第3项：缺少 body 或 articles")
    ]
    assert result.failed_files == ["export.json"] and adds_up(result)


def test_a_nul_byte_costs_only_its_line(tmp_path: Path) -> None:
    lines = [record("甲办法").encode(), b'{"title": "\x00\x00"}', record("乙办法").encode()]
    (tmp_path / "export.jsonl").write_bytes(b"\n".join(lines))
    result = ingest_paths([tmp_path])
    assert sorted(d.title for d in result.sources) == ["乙办法", "甲办法"]
    assert [s.source for s in result.skips] == ["export.jsonl:2"]
    assert "NUL" in result.skips[0].reason


def test_size_limits_say_which_file_and_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 4000)
    monkeypatch.setattr(jsonl, "MAX_LINE_BYTES", 2000)
    (tmp_path / "huge.md").write_text("# " + "很长的一行" * 1000, encoding="utf-8")
    (tmp_path / "oneline.md").write_text("# " + "标题" * 400 + " 第一条 内容。", encoding="utf-8")
    (tmp_path / "big.jsonl").write_text(
        record("甲办法") + "\n" + record("乙" * 3000) + "\n" + record("丙办法"), encoding="utf-8"
    )
    (tmp_path / "ok.md").write_text(LAW, encoding="utf-8")
    result = ingest_paths([tmp_path])
    reasons = {s.source: s.reason for s in result.skips}
    assert "文件过大" in reasons["huge.md"] and "REGSEARCH_MAX_FILE_MB" in reasons["huge.md"]
    assert "超过标题上限 300 字" in reasons["oneline.md"]
    assert "第2行超过" in reasons["big.jsonl:2"]
    assert sorted(d.title for d in result.sources) == ["丙办法", "某某管理办法", "甲办法"]
    assert adds_up(result)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_named_pipe_is_reported_not_read(tmp_path: Path) -> None:
    (tmp_path / "ok.md").write_text(LAW, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.md")
    result = ingest_paths([tmp_path])  # would block forever if the pipe were opened
    assert [(s.source, s.failed) for s in result.skips] == [("pipe.md", True)]
    assert "命名管道" in result.skips[0].reason
    given = ingest_paths([tmp_path / "pipe.md"])
    assert [s.source for s in given.skips] == ["pipe.md"] and adds_up(given)


def test_symlinked_folders_are_read_once_and_loops_reported(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "linked.md").write_text(LAW.replace("某某", "链接"), encoding="utf-8")
    src = tmp_path / "src"
    src.mkdir()
    (src / "ok.md").write_text(LAW, encoding="utf-8")
    (src / "shared").symlink_to(outside, target_is_directory=True)
    (src / "loop").symlink_to(src, target_is_directory=True)
    result = ingest_paths([src])
    assert sorted(d.source for d in result.sources) == ["ok.md", "shared/linked.md"]
    assert [(s.source, s.failed) for s in result.skips] == [("loop", False)]
    assert "已读取的文件夹" in result.skips[0].reason and adds_up(result)


def test_an_unreadable_folder_is_a_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ok.md").write_text(LAW, encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "hidden.md").write_text(LAW, encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if Path(path) == locked:  # what a folder without read permission does
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = ingest_paths([tmp_path])
    assert [(s.source, s.failed) for s in result.skips] == [("locked", True)]
    assert "文件夹无法读取" in result.skips[0].reason
    assert result.failed_files == ["locked"] and adds_up(result)


def test_a_file_name_with_a_colon_is_kept_whole(tmp_path: Path) -> None:
    (tmp_path / "a:b.md").write_bytes(b"\xff\xfe\x00broken")
    result = ingest_paths([tmp_path])
    assert result.failed_files == ["a:b.md"]


def test_a_history_line_running_into_the_text_is_split(tmp_path: Path) -> None:
    text = (
        "# 中华人民共和国某某法\n\n（1997年8月29日第八届全国人民代表大会常务委员会"
        "第二十七次会议通过，自1998年1月1日起施行）第一章 总则第一条 为了防治洪水，"
        "制定本法。第二条 防洪工作实行全面规划。\n"
    )
    (tmp_path / "law.md").write_text(text, encoding="utf-8")
    [d] = ingest_paths([tmp_path]).sources
    assert d.history == [
        "（1997年8月29日第八届全国人民代表大会常务委员会第二十七次会议通过，自1998年1月1日起施行）"
    ]
    assert d.body.startswith("第一章 总则\n第一条 为了防治洪水")
    assert [a.number for a in d.articles] == ["第一条", "第二条"]
    assert d.effective_date == "1998-01-01" and d.level == "法律"
