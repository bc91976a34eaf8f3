from __future__ import annotations

import json

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
