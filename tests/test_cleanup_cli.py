# ruff: noqa: E501 - exact expected tables and messages are wider than 100 columns
"""`regsearch cleanup` through CliRunner over an index of hand-written documents covering every
kind (tests/data/cleanup/index: JSON Lines documents plus a 清理结论 worklist)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from regsearch.cli import main
from regsearch.model import make_id

INDEX_SRC = Path(__file__).resolve().parent / "data" / "cleanup" / "index"
DAY = "2025-06-01"
NOTICE = make_id("index", "清理结果.csv")  # the worklist's decision record
NOTICE_TITLE = "贵州省人民政府办公厅关于公布规范性文件清理结果的通知"
TOUR_EVIDENCE = (
    "第5行：清理结论 宣布失效 《贵州省旅游市场管理办法》（黔府发〔2010〕8号）；理由：调整对象已消失"
)
CSV_HEADER = (
    "类别,文档ID,标题,文号,发文机关,效力级别,地区,集合,时效状态,发布日期,"
    "事由日期（取代/废止/失效/到期/施行）,依据,关联文件标题,关联文件文号,关联文件ID,关联文件状态,"
    "链接,清理结论,理由"
)


pytestmark = pytest.mark.backends  # cleanup on both backends (conftest.py)


@pytest.fixture(scope="module")
def cleanup_index(new_location) -> Path:
    from regsearch.index.update import update_index
    from regsearch.ingest import ingest_paths

    result = ingest_paths([INDEX_SRC])
    assert result.skips == []
    path = new_location("cleanup-index")
    update_index(path, result.documents)
    return path


@pytest.fixture()
def run(cleanup_index):
    # piped output (no $COLUMNS) and the default base URL for the 链接 column
    runner = CliRunner(env={"COLUMNS": None, "REGSEARCH_BASE_URL": None})

    def invoke(*args: str):
        return runner.invoke(main, ["cleanup", "--index", str(cleanup_index), *args])

    return invoke


def kinds_and_ids(stdout: str) -> list[tuple[str, str]]:
    return [(row["kind"], row["id"]) for row in map(json.loads, stdout.splitlines())]


def test_every_kind_and_the_summary(run) -> None:
    res = run("--as-of", DAY, "--format", "jsonl")
    assert res.exit_code == 0, res.output
    assert kinds_and_ids(res.stdout) == [
        ("superseded", "v2005"),
        ("repealed", "old2001"),
        ("expired", "temp2020"),
        ("expired", "tour2010"),
        ("expiring", "soon2022"),
        ("not-yet-effective", "data2025"),
        ("broken-basis", "rules2015"),
        ("duplicates", "dup-a"),
        ("duplicates", "dup-b"),
    ]
    assert res.stderr == (
        "清理报告（截至 2025-06-01）：已被新版本取代 1，已废止 1，已失效 2，即将到期 1，"
        "尚未施行 1，依据已失效 1，重复收录 2；共 9 条\n"
    )


def test_json_exactly(run) -> None:
    res = run("--as-of", DAY, "--format", "json", "--kind", "superseded", "--kind", "expired")
    assert res.exit_code == 0, res.output
    common = {"region": "贵州省", "collection": "index", "target_status": None}
    assert json.loads(res.stdout) == {
        "as_of": DAY,
        "kinds": ["superseded", "expired"],
        "rows": [
            {
                "kind": "superseded",
                "id": "v2005",
                "title": "贵州省行政执法监督办法",
                "doc_number": "贵州省人民政府令第80号",
                "authority": "贵州省人民政府",
                "level": "地方政府规章",
                "status": "已修改",
                "publish_date": "2005-01-01",
                "since": "2020-01-01",
                "evidence": "同一文件的新版本《贵州省行政执法监督办法》（2020-01-01施行）",
                "target_id": "v2019",
                "target_title": "贵州省行政执法监督办法",
                "target_doc_number": "贵州省人民政府令第190号",
                **common,
            },
            {
                "kind": "expired",
                "id": "temp2020",
                "title": "贵州省临时补助办法",
                "doc_number": "黔府办发〔2019〕20号",
                "authority": "贵州省人民政府办公厅",
                "level": "规范性文件",
                "status": "已失效",
                "publish_date": "2019-12-01",
                "since": "2025-01-01",
                "evidence": "有效期至2024-12-31",
                "target_id": None,
                "target_title": None,
                "target_doc_number": None,
                **common,
            },
            {
                "kind": "expired",
                "id": "tour2010",
                "title": "贵州省旅游市场管理办法",
                "doc_number": "黔府发〔2010〕8号",
                "authority": "贵州省人民政府",
                "level": "规范性文件",
                "status": "已失效",
                "publish_date": "2010-01-01",
                "since": "2025-03-01",
                "evidence": TOUR_EVIDENCE,
                "target_id": NOTICE,
                "target_title": NOTICE_TITLE,
                "target_doc_number": "黔府办发〔2025〕3号",
                **common,
            },
        ],
        "counts": {"superseded": 1, "expired": 2},
        "groups": [],
        "group_by": None,
    }
    # Non-ASCII is kept as is, not \u-escaped.
    assert "贵州省临时补助办法" in res.stdout


EXPECTED_CSV = (
    CSV_HEADER + "\n"
    "已废止,old2001,贵州省旧管理办法,黔府发〔2001〕2号,贵州省人民政府,规范性文件,贵州省,"
    "index,已废止,2001-01-01,2021-06-01,一、《贵州省旧管理办法》（黔府发〔2001〕2号）,"
    "贵州省人民政府关于废止部分规范性文件的决定,黔府发〔2021〕5号,dec2021,,"
    "http://127.0.0.1:8000/doc/old2001,,\n"
    "依据已失效,rules2015,贵州省旧管理办法实施细则,黔府办发〔2015〕9号,"
    "贵州省人民政府办公厅,规范性文件,贵州省,index,现行有效,2015-01-01,2021-06-01,"
    "第一条 根据《贵州省旧管理办法》（黔府发〔2001〕2号），制定本细则。,"
    "贵州省旧管理办法,黔府发〔2001〕2号,old2001,已废止,http://127.0.0.1:8000/doc/rules2015,,\n"
)


def test_csv_exactly(run) -> None:
    res = run("--as-of", DAY, "--format", "csv", "--kind", "repealed,broken-basis")
    assert res.exit_code == 0, res.output
    assert res.stdout == EXPECTED_CSV


def test_csv_with_bom_to_a_file(run, tmp_path: Path) -> None:
    out = tmp_path / "清理清单.csv"
    res = run(
        "--as-of", DAY, "--format", "csv", "--kind", "repealed,broken-basis", "--bom",
        "--output", str(out),
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert res.stdout == ""
    assert out.read_bytes() == b"\xef\xbb\xbf" + EXPECTED_CSV.encode("utf-8")
    assert res.stderr.splitlines() == [
        f"已写入 {out}（2 条）",
        "清理报告（截至 2025-06-01）：已废止 1，依据已失效 1；共 2 条",
    ]


@pytest.mark.parametrize(
    ("as_of", "kinds", "expected"),
    [
        ("2019-12-31", "superseded", []),
        ("2020-01-01", "superseded", [("superseded", "v2005")]),
        ("2021-05-31", "repealed,broken-basis", []),
        ("2021-06-01", "repealed,broken-basis", [("repealed", "old2001"), ("broken-basis", "rules2015")]),
        ("2025-02-28", "expired", [("expired", "temp2020")]),
        ("2025-03-01", "expired", [("expired", "temp2020"), ("expired", "tour2010")]),
        ("2025-06-30", "not-yet-effective", [("not-yet-effective", "data2025")]),
        ("2025-07-01", "not-yet-effective", []),
        ("2025-04-02", "expiring", []),  # 181 days before 2025-09-30
        ("2025-04-03", "expiring", [("expiring", "soon2022")]),
        ("2025-10-01", "expiring,expired", [("expired", "temp2020"), ("expired", "tour2010"), ("expired", "soon2022")]),
    ],
)  # fmt: skip
def test_as_of_on_both_sides_of_each_change(run, as_of, kinds, expected) -> None:
    res = run("--as-of", as_of, "--kind", kinds, "--format", "jsonl")
    assert res.exit_code == 0, res.output
    assert kinds_and_ids(res.stdout) == expected


def test_within(run) -> None:
    res = run("--as-of", "2025-04-02", "--kind", "expiring", "--within", "181", "--format", "jsonl")
    assert kinds_and_ids(res.stdout) == [("expiring", "soon2022")]


def test_check_exit_codes(run) -> None:
    res = run("--as-of", DAY, "--kind", "expiring", "--check")
    assert res.exit_code == 1
    assert res.stderr.splitlines()[-1] == "--check：有 1 条需要清理，退出码 1。"
    res = run("--as-of", "2025-01-01", "--kind", "expiring", "--check")
    assert res.exit_code == 0
    assert res.stdout == "没有需要清理的文件（截至 2025-01-01）。\n"
    assert run("--as-of", DAY, "--kind", "expiring").exit_code == 0  # without --check


def test_group_by_with_subtotals(run) -> None:
    """Piped, the table keeps whole cells; on a terminal it fits (test_cli_daily)."""
    res = run("--as-of", DAY, "--kind", "superseded,repealed,expired", "--group-by", "authority")
    assert res.exit_code == 0, res.output
    assert res.stdout == (
        "发文机关：贵州省人民政府（已被新版本取代 1，已废止 1，已失效 1；共 3 条）\n"
        "类别            标题                    文号                    时效状态  事由日期    "
        "依据                                                                                            "
        "关联文件                                                                         ID\n"
        "--------------  ----------------------  ----------------------  --------  ----------  "
        "----------------------------------------------------------------------------------------------  "
        "-------------------------------------------------------------------------------  --------\n"
        "已被新版本取代  贵州省行政执法监督办法  贵州省人民政府令第80号  已修改    2020-01-01  "
        "同一文件的新版本《贵州省行政执法监督办法》（2020-01-01施行）                                    "
        "《贵州省行政执法监督办法》（贵州省人民政府令第190号）                            v2005\n"
        "已废止          贵州省旧管理办法        黔府发〔2001〕2号       已废止    2021-06-01  "
        "一、《贵州省旧管理办法》（黔府发〔2001〕2号）                                                   "
        "《贵州省人民政府关于废止部分规范性文件的决定》（黔府发〔2021〕5号）              old2001\n"
        "已失效          贵州省旅游市场管理办法  黔府发〔2010〕8号       已失效    2025-03-01  "
        "第5行：清理结论 宣布失效 《贵州省旅游市场管理办法》（黔府发〔2010〕8号）；理由：调整对象已消失  "
        "《贵州省人民政府办公厅关于公布规范性文件清理结果的通知》（黔府办发〔2025〕3号）  tour2010\n"
        "\n"
        "发文机关：贵州省人民政府办公厅（已失效 1；共 1 条）\n"
        "类别    标题                文号                  时效状态  事由日期    依据                "
        "关联文件  ID\n"
        "------  ------------------  --------------------  --------  ----------  ------------------  "
        "--------  --------\n"
        "已失效  贵州省临时补助办法  黔府办发〔2019〕20号  已失效    2025-01-01  有效期至2024-12-31"
        "            temp2020\n"
    )
    assert res.stderr.splitlines() == [
        "清理报告（截至 2025-06-01）：已被新版本取代 1，已废止 1，已失效 2；共 4 条",
        "  贵州省人民政府：已被新版本取代 1，已废止 1，已失效 1；共 3 条",
        "  贵州省人民政府办公厅：已失效 1；共 1 条",
    ]
    res = run("--as-of", DAY, "--group-by", "region", "--format", "json")
    groups = json.loads(res.stdout)["groups"]
    assert [(g["value"], g["total"]) for g in groups] == [("贵州省", 8), ("贵阳市", 1)]
    assert groups[1]["counts"]["not-yet-effective"] == 1


def test_filters(run) -> None:
    res = run("--as-of", DAY, "--authority", "贵阳市人民政府", "--format", "jsonl")
    assert kinds_and_ids(res.stdout) == [("not-yet-effective", "data2025")]
    res = run("--as-of", DAY, "--level", "地方政府规章", "--format", "jsonl")
    assert kinds_and_ids(res.stdout) == [("superseded", "v2005"), ("not-yet-effective", "data2025")]
    res = run("--as-of", DAY, "--kind", "duplicates", "--format", "jsonl")
    assert kinds_and_ids(res.stdout) == [("duplicates", "dup-a"), ("duplicates", "dup-b")]
    res = run("--as-of", DAY, "--collection", "web", "--format", "jsonl")
    assert kinds_and_ids(res.stdout) == []
    res = run("--as-of", DAY, "--region", "贵阳市", "--region", "某市", "--format", "jsonl")
    assert kinds_and_ids(res.stdout) == [("not-yet-effective", "data2025")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2025-13-01"], "Invalid value for '--as-of': 不是有效日期：2025-13-01（应为 YYYY-MM-DD，也可写 YYYY 或 YYYY-MM）"),
        (["--kind", "obsolete"], "Invalid value for '--kind': 没有这个清理类别：obsolete（可选：superseded、repealed、expired、expiring、not-yet-effective、broken-basis、duplicates）"),
        (["--group-by", "topic"], "Invalid value for '--group-by': 没有这个分组方式：topic（可选：authority、level、region、collection）"),
        (["--within", "-5"], "Invalid value for '--within': -5 is not in the range x>=0."),
        (["--bom"], "Error: --bom 只适用于 --format csv。"),
    ],
)  # fmt: skip
def test_bad_options_are_usage_errors(run, args, message) -> None:
    """A typo is exit 2, so a scheduled `--check` (exit 1: rows listed) can tell them apart."""
    res = run(*args)
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines()[-1].endswith(message)
    assert res.stdout == ""


def test_usage_errors_and_missing_index(runner, tmp_path: Path) -> None:
    res = runner.invoke(main, ["cleanup", "--format", "xml"])
    assert res.exit_code == 2
    res = runner.invoke(main, ["cleanup", "--index", str(tmp_path / "none")])
    assert res.exit_code == 1 and "regsearch ingest" in res.stderr
    res = runner.invoke(main, ["cleanup", "--help"])
    assert res.exit_code == 0
    assert res.stdout.rstrip().splitlines()[-2:] == [
        "  Example:",
        "    regsearch cleanup --kind repealed --kind expiring --within 90 --group-by authority "
        "--format csv --bom --output 清理清单.csv",
    ]


def test_show_lists_the_decision_event(runner, cleanup_index) -> None:
    res = runner.invoke(
        main, ["show", "tour2010", "--as-of", DAY, "--json", "--index", str(cleanup_index)]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["status"] == "已失效"
    assert data["relations"] == [
        {
            "type": "expired_by",
            "target_id": NOTICE,
            "target_title": NOTICE_TITLE,
            "target_doc_number": "黔府办发〔2025〕3号",
            "evidence": TOUR_EVIDENCE,
            "date": "2025-03-01",
        }
    ]
    res = runner.invoke(main, ["show", "tour2010", "--index", str(cleanup_index)])
    assert NOTICE_TITLE in res.stdout and "2025-03-01" in res.stdout


def test_a_report_with_its_conclusions_filled_in_is_a_worklist(run, tmp_path: Path) -> None:
    """The cleanup team's round trip: export, fill in the blank 清理结论 and 理由 columns as
    a spreadsheet would, save as CSV with a BOM, ingest it back."""
    import csv
    import io

    from regsearch.ingest import ingest_paths
    from regsearch.status import compute_status

    res = run("--as-of", DAY, "--kind", "expiring,broken-basis", "--format", "csv", "--bom")
    table = list(csv.reader(io.StringIO(res.stdout.removeprefix("\ufeff"))))
    head = table[0]
    assert head[-2:] == ["清理结论", "理由"] and all(row[-2:] == ["", ""] for row in table[1:])
    conclusion, reason = head.index("清理结论"), head.index("理由")
    rows = {row[head.index("文档ID")]: row for row in table[1:]}
    rows["soon2022"][conclusion], rows["soon2022"][reason] = "废止", "已被新规定替代"
    rows["rules2015"][conclusion] = "修改"
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerows(
        [["标题", "关于2025年第二批清理结果的决定"], ["决定日期", "2025-07-01"], *table]
    )
    (tmp_path / "第二批.csv").write_text(buf.getvalue(), encoding="utf-8-sig")
    result = ingest_paths([INDEX_SRC, tmp_path])
    assert [s.reason for s in result.skips if s.failed] == []
    docs = {d.id: d for d in result.documents}
    soon, rules = docs["soon2022"], docs["rules2015"]
    assert [(r.type, r.target_title, r.date) for r in soon.relations[-1:]] == [
        ("repealed_by", "关于2025年第二批清理结果的决定", "2025-07-01")
    ]
    assert "理由：已被新规定替代" in soon.relations[-1].evidence
    assert compute_status(soon, "2025-06-30")[0].value == "现行有效"
    assert compute_status(soon, "2025-07-01")[0].value == "已废止"
    assert [r.type for r in rules.relations] == ["cites", "amended_by"]


def test_an_export_left_blank_is_listed_not_failed(run, tmp_path: Path) -> None:
    """Ingesting the export before anyone filled it in: every row is reported as undecided,
    nothing fails and no status changes."""
    from regsearch.ingest import ingest_paths

    res = run("--as-of", DAY, "--kind", "expiring,broken-basis", "--format", "csv")
    (tmp_path / "待填.csv").write_text(res.stdout, encoding="utf-8")
    result = ingest_paths([tmp_path])
    assert [(s.reason, s.failed) for s in result.skips] == [
        ("第2行：未填写清理结论，未处理", False),
        ("第3行：未填写清理结论，未处理", False),
    ]
    assert [d.relations for d in result.documents] == [[]]


def test_ingesting_a_worklist_into_an_existing_index(runner, tmp_path: Path) -> None:
    """Ingesting 清理结果.csv later on (what `regsearch ingest` does): the stored targets are
    re-linked and rewritten, so the report over the index shows the decision."""
    from regsearch.index.update import update_index
    from regsearch.ingest import ingest_paths

    index = tmp_path / "index"
    update_index(index, ingest_paths([INDEX_SRC / "docs.jsonl"]).documents)
    args = ["cleanup", "--index", str(index), "--as-of", DAY, "--kind", "expired"]
    assert kinds_and_ids(runner.invoke(main, [*args, "--format", "jsonl"]).stdout) == [
        ("expired", "temp2020")
    ]
    report = update_index(index, ingest_paths([INDEX_SRC / "清理结果.csv"]).documents)
    assert report.counts() == {
        "added": 1,
        "updated": 0,
        "unchanged": 0,
        "removed": 0,
        "relinked": 2,  # the two targets: 宣布失效 and 继续有效
    }
    res = runner.invoke(main, [*args, "--format", "jsonl"])
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert [(r["id"], r["since"], r["target_title"], r["evidence"]) for r in rows] == [
        ("temp2020", "2025-01-01", None, "有效期至2024-12-31"),
        ("tour2010", "2025-03-01", NOTICE_TITLE, TOUR_EVIDENCE),
    ]
    before = ["cleanup", "--index", str(index), "--as-of", "2025-02-28", "--kind", "expired"]
    assert "贵州省旅游市场管理办法" not in runner.invoke(main, before).stdout
