"""CSV exports opened the way a spreadsheet opens them: UTF-8 by its BOM, cells split by
the CSV rules, and any cell that starts with = + - @ (after tabs or line breaks) run as a
formula. No exported cell may be one; the cleanup list is in Chinese, links to each
document and goes back in as the decision once filled in."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from daily_index import AS_OF, build_daily_index, load_daily_docs

from regsearch.cli import main

BASE = "https://fagui.example.gov.cn"


@pytest.fixture(scope="module")
def daily_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_daily_index(tmp_path_factory.mktemp("exports") / "index")


@pytest.fixture()
def export(daily_index: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner(env={"REGSEARCH_BASE_URL": BASE})

    def invoke(*args: str) -> bytes:
        res = runner.invoke(main, [args[0], "--index", str(daily_index), *args[1:]])
        assert res.exit_code in (0, 1), res.output
        return res.stdout_bytes

    return invoke


def spreadsheet(data: bytes) -> list[list[str]]:
    """The cells a spreadsheet shows: UTF-8 only with a BOM (else it guesses the locale)."""
    assert data.startswith(b"\xef\xbb\xbf"), "without a BOM Excel reads UTF-8 as GBK"
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def runs_as_formula(cell: str) -> bool:
    return cell.lstrip(" \t\r\n").startswith(("=", "+", "-", "@"))


def test_the_formula_check_itself() -> None:
    assert runs_as_formula('=HYPERLINK("http://evil.example/","点此")')
    assert runs_as_formula("\t+1") and runs_as_formula("-2") and runs_as_formula("@SUM(A1)")
    assert not runs_as_formula("'=1+1") and not runs_as_formula("国办发〔2019〕1号")
    titles = [d.title for d in load_daily_docs()]
    assert sum(runs_as_formula(t) for t in titles) == 4  # the fixture carries the attack
    assert sum(t.startswith("\t") for t in titles) == 1  # and a tab (\t=… hides one)


def test_search_csv_cells_never_run_as_formulas(export) -> None:  # type: ignore[no-untyped-def]
    for args in (["--limit", "50"], ["--articles", "--limit", "50"]):
        table = spreadsheet(export("search", "示范", "--csv", "--bom", *args))
        cells = [c for row in table for c in row]
        assert len(table) > 5
        assert [c for c in cells if runs_as_formula(c)] == []
    table = spreadsheet(export("search", "示范", "--csv", "--bom", "--limit", "50"))
    head = table[0]
    assert head == [
        "ID",
        "状态",
        "文号",
        "发布日期",
        "标题",
        "发文机关",
        "效力级别",
        "摘要",
        "链接",
    ]
    row = next(r for r in table if r[0] == "d-eq")
    assert row[head.index("标题")] == "'" + '=HYPERLINK("http://evil.example/","点此")示范通知'
    assert row[head.index("摘要")].startswith("'=1+1 ")
    assert row[head.index("链接")] == f"{BASE}/doc/d-eq"
    tab = next(r for r in table if r[0] == "d-tab")
    assert tab[head.index("标题")] == "'\t示范制表符开头的通知"


def test_cleanup_csv_is_chinese_linked_and_safe(export) -> None:  # type: ignore[no-untyped-def]
    table = spreadsheet(export("cleanup", "--as-of", AS_OF, "--format", "csv", "--bom"))
    head = table[0]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in head), head
    assert "日期" not in head  # every date column says which date it is
    assert {"发布日期", "事由日期（取代/废止/失效/到期/施行）", "链接", "清理结论", "理由"} <= set(
        head
    )
    assert [c for row in table for c in row if runs_as_formula(c)] == []
    rows = {r[head.index("文档ID")]: dict(zip(head, r, strict=True)) for r in table[1:]}
    assert set(rows) == {"d-law-2010", "d-eq", "d-plus", "d-minus", "d-at", "d-tab", "d-finance"}
    assert all(r["链接"] == f"{BASE}/doc/{i}" for i, r in rows.items())
    assert all(r["清理结论"] == r["理由"] == "" for r in rows.values())
    eq = rows["d-eq"]
    assert (
        eq["类别"],
        eq["时效状态"],
        eq["发布日期"],
        eq["事由日期（取代/废止/失效/到期/施行）"],
    ) == (
        "已失效",
        "已失效",
        "2019-02-01",
        "2021-01-01",
    )


def test_the_issuing_body_the_document_carries_is_used(export) -> None:  # type: ignore[no-untyped-def]
    table = spreadsheet(export("cleanup", "--as-of", AS_OF, "--format", "csv", "--bom"))
    head = table[0]
    body = {r[head.index("文档ID")]: r[head.index("发文机关")] for r in table[1:]}
    assert body["d-eq"] == "国务院办公厅"  # from its 文号 国办发〔2019〕2号
    assert body["d-plus"] == "某省交通运输厅"  # its only (co-)issuer
    assert body["d-finance"] == "某省财政厅"  # 某省财政厅关于…的通知
    grouped = export("cleanup", "--as-of", AS_OF, "--group-by", "authority").decode("utf-8")
    assert "（未注明）" not in grouped and "（未知）" not in grouped
    assert "发文机关：某省财政厅（已失效 1；共 1 条）" in grouped


def test_base_url_option_and_default(daily_index: Path) -> None:
    args = ["cleanup", "--index", str(daily_index), "--as-of", AS_OF, "--format", "csv"]
    runner = CliRunner(env={"REGSEARCH_BASE_URL": None})
    default = runner.invoke(main, args).stdout
    assert ",http://127.0.0.1:8000/doc/d-eq," in default  # where `regsearch serve` listens
    chosen = runner.invoke(main, [*args, "--base-url", "https://x.example/fagui/"]).stdout
    assert ",https://x.example/fagui/doc/d-eq," in chosen


def test_a_filled_in_export_is_the_decision(export, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The team fills 清理结论 in the spreadsheet, saves it, and ingests it: the documents
    it names (a neutralized title included) get the decision, found by their ID."""
    from regsearch.ingest import ingest_paths
    from regsearch.ingest.linking import link_documents
    from regsearch.status import compute_status

    table = spreadsheet(export("cleanup", "--as-of", AS_OF, "--format", "csv", "--bom"))
    head = table[0]
    for row in table[1:]:
        if row[head.index("文档ID")] in ("d-eq", "d-finance"):
            row[head.index("清理结论")] = "宣布失效"
            row[head.index("理由")] = "有效期已过"
    buf = io.StringIO()
    csv.writer(buf).writerows([["决定日期", "2025-07-01"], *table])
    (tmp_path / "清理结果.csv").write_text(buf.getvalue(), encoding="utf-8-sig")
    result = ingest_paths([tmp_path])
    assert [s.reason for s in result.skips if s.failed] == []
    docs = load_daily_docs() + result.documents
    link_documents(docs, None)
    by_id = {d.id: d for d in docs}
    for doc_id in ("d-eq", "d-finance"):
        rel = by_id[doc_id].relations[-1]
        assert (rel.type, rel.date) == ("expired_by", "2025-07-01")
        assert "理由：有效期已过" in rel.evidence
    assert compute_status(by_id["d-plus"], "2025-07-02")[0].value == "已失效"  # its own expiry
    assert [r.type for r in by_id["d-plus"].relations] == []
