"""`regsearch search / show / stats` through CliRunner over the fixture index."""

from __future__ import annotations

import json

from test_web import DOC_KEYS, PAGE_KEYS

from regsearch.cli import main


def test_search_json_contract(runner, index_dir):
    res = runner.invoke(main, ["search", "国办函(2018)71号", "--json", "--index", str(index_dir)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert list(data) == PAGE_KEYS
    assert list(data["facets"]) == ["status", "level", "authority", "region", "year"]
    first = data["results"][0]
    assert first["id"] == "wangtong"
    assert list(first) == DOC_KEYS


def test_search_table_csv_and_errors(runner, index_dir):
    res = runner.invoke(main, ["search", "脚本", "--index", str(index_dir)])
    assert res.exit_code == 0
    assert "<mark>" not in res.output and "网页不得执行<script>" in res.output
    res = runner.invoke(main, ["search", "脚本", "--csv", "--index", str(index_dir)])
    assert res.output.splitlines()[0] == "ID,状态,文号,发布日期,标题,发文机关,效力级别,摘要,链接"
    res = runner.invoke(main, ["search", '"未闭合', "--index", str(index_dir)])
    assert res.exit_code == 1 and "查询有误" in res.output
    assert runner.invoke(main, ["search", "x", "--sort", "bad"]).exit_code == 2
    res = runner.invoke(main, ["search", "x", "--index", str(index_dir) + "-missing"])
    assert res.exit_code == 1 and "regsearch ingest" in res.output


def test_show_and_stats(runner, index_dir):
    res = runner.invoke(
        main, ["show", "labor2020", "--article", "第3条", "--index", str(index_dir)]
    )
    assert res.exit_code == 0 and "第三条 用人单位解除劳动合同" in res.output
    res = runner.invoke(main, ["stats", "--json", "--index", str(index_dir)])
    assert json.loads(res.output)["documents"] == 12


def test_ingest_summary_incremental_prune_and_failures(runner, tmp_path, data_dir):
    src = tmp_path / "src"
    src.mkdir()
    (src / "docs.jsonl").write_text(
        (data_dir / "search" / "docs.jsonl").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (src / "parking.md").write_text(
        "# 某市停车管理办法\n\n第一条 为了规范停车管理，制定本办法。\n", encoding="utf-8"
    )
    index = str(tmp_path / "ix")
    res = runner.invoke(main, ["ingest", str(src), "--index", index])
    assert res.exit_code == 0, res.output
    assert "文档 新增 13，更新 0，未变 0，删除 0" in res.output
    assert "失败 0 个" in res.output
    res = runner.invoke(main, ["search", "停车管理", "--json", "--index", index])
    assert json.loads(res.output)["results"][0]["source"] == "parking.md"

    (src / "parking.md").unlink()
    (src / "bad.jsonl").write_text('{"id": broken\n', encoding="utf-8")
    res = runner.invoke(main, ["ingest", str(src), "--prune", "--index", index])
    assert res.exit_code == 1
    assert "文档 新增 0，更新 0，未变 12，删除 1" in res.output
    assert "失败 bad.jsonl:1: 第1行不是有效的JSON" in res.output
    res = runner.invoke(main, ["search", "停车管理", "--json", "--index", index])
    data = json.loads(res.output)
    # The pruned file is gone; what is left are partial matches, marked as such.
    assert "parking.md" not in [r["source"] for r in data["results"]]
    assert data["relaxed"] is True


def test_help_does_not_import_the_engine():
    import subprocess
    import sys

    code = (
        "import sys; from regsearch.cli import main\n"
        "try:\n    main(['search', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('whoosh', 'jieba', 'rjieba', 'lxml') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
