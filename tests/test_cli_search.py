"""`regsearch search / show / stats` through CliRunner over the fixture index."""

from __future__ import annotations

import json

from regsearch.cli import main


def test_search_json_contract(runner, index_dir):
    res = runner.invoke(main, ["search", "国办函(2018)71号", "--json", "--index", str(index_dir)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert list(data) == ["query", "total", "page", "per_page", "results", "facets"]
    assert list(data["facets"]) == ["status", "level", "authority", "region", "year"]
    first = data["results"][0]
    assert first["id"] == "wangtong"
    assert list(first) == [
        "id",
        "title",
        "doc_number",
        "level",
        "authority",
        "region",
        "status",
        "publish_date",
        "effective_date",
        "expiry_date",
        "collection",
        "source",
        "score",
        "snippet",
        "articles",
    ]


def test_search_table_csv_and_errors(runner, index_dir):
    res = runner.invoke(main, ["search", "脚本", "--index", str(index_dir)])
    assert res.exit_code == 0
    assert "<mark>" not in res.output and "网页不得执行<script>" in res.output
    res = runner.invoke(main, ["search", "脚本", "--csv", "--index", str(index_dir)])
    assert res.output.splitlines()[0] == "id,状态,文号,日期,标题,摘要"
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
