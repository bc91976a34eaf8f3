"""Cleanup worklists (清理结论 CSV): the decision record, bad rows, encodings, and the targets'
statuses changing on the decision date with the row as evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from regsearch.ingest import detect_format, ingest_paths
from regsearch.ingest.worklist import read_worklist
from regsearch.model import Document, Skip
from regsearch.search.cleanup import CleanupQuery, build_report
from regsearch.status import compute_status

WORKLIST = Path(__file__).resolve().parent / "data" / "cleanup" / "worklist"
MAIN = WORKLIST / "清理结论.csv"  # UTF-8 without BOM, CRLF, a preamble with the decision
BOM = WORKLIST / "旅游规章清理结果.csv"  # UTF-8 with BOM, the decision in columns
TARGETS = WORKLIST / "targets.jsonl"

DECISION_TITLE = "贵州省人民政府关于公布规范性文件清理结果的决定"
EVIDENCE = {
    "t-repeal": (
        "第5行：清理结论 废止 《贵州省城市绿化管理办法》（黔府发〔2003〕12号）；理由：上位法已修订"
    ),
    "t-expire": "第6行：清理结论 宣布失效 《贵州省农村公路养护办法》；理由：适用期已过",
    "t-amend": "第7行：清理结论 修改 《贵州省道路运输管理规定》；理由：与上位法不一致",
    "t-keep": "第8行：清理结论 继续有效 黔府发〔2016〕3号",
}
BAD_ROWS = [
    Skip(
        "清理结论.csv:9",
        "第9行：清理结论“作废”无法识别，"
        "应为 继续有效 / 修改 / 修订 / 废止 / 宣布失效 / 失效，已跳过",
    ),
    Skip("清理结论.csv:10", "第10行：没有指明文件：id、标题、文号至少填写一项，已跳过"),
    Skip("清理结论.csv:11", "第11行：未填写清理结论，未处理", failed=False),
]


def rels(doc: Document) -> list[tuple]:
    return [
        (r.type, r.target_id, r.target_title, r.target_doc_number, r.date) for r in doc.relations
    ]


@pytest.fixture(scope="module")
def linked() -> dict[str, Document]:
    result = ingest_paths([TARGETS, MAIN, BOM])
    assert result.skips == BAD_ROWS
    assert result.per_format == {"jsonl": 5, "worklist": 2}
    return {d.id: d for d in result.documents}


def test_the_worklist_becomes_one_decision_record() -> None:
    items = list(read_worklist(MAIN, WORKLIST, "清理"))
    assert items[:3] == BAD_ROWS
    (decision,) = items[3:]
    assert isinstance(decision, Document)
    assert (decision.title, decision.doc_number, decision.level, decision.format) == (
        DECISION_TITLE,
        "黔府发〔2025〕2号",
        "其他",
        "worklist",
    )
    assert (decision.publish_date, decision.effective_date, decision.collection) == (
        "2025-03-01",
        "2025-03-01",
        "清理",
    )
    assert decision.warnings == []
    # Unresolved: ids as given, 文号 canonical (黔府发[2003]12号, 黔府发（2016）3号), no 《》.
    assert rels(decision) == [
        ("repeals", None, "贵州省城市绿化管理办法", "黔府发〔2003〕12号", "2025-03-01"),
        ("declares_expired", None, "贵州省农村公路养护办法", None, "2025-03-01"),
        ("amends", "t-amend", "贵州省道路运输管理规定", None, "2025-03-01"),
        ("confirms", "stale-id", None, "黔府发〔2016〕3号", "2025-03-01"),
    ]
    assert [r.evidence for r in decision.relations] == list(EVIDENCE.values())


def test_targets_are_resolved_by_id_then_doc_number_then_title(
    linked: dict[str, Document],
) -> None:
    decision = next(d for d in linked.values() if d.title == DECISION_TITLE)
    assert [(r.type, r.target_id) for r in decision.relations] == [
        ("repeals", "t-repeal"),  # by 文号 written 黔府发[2003]12号
        ("declares_expired", "t-expire"),  # by exact title
        ("amends", "t-amend"),  # by id
        ("confirms", "t-keep"),  # stale id: by 文号 黔府发（2016）3号
    ]
    inverse = {
        "t-repeal": "repealed_by",
        "t-expire": "expired_by",
        "t-amend": "amended_by",
        "t-keep": "confirmed_by",
    }
    for target_id, kind in inverse.items():
        target = linked[target_id]
        assert rels(target) == [
            (kind, decision.id, DECISION_TITLE, "黔府发〔2025〕2号", "2025-03-01")
        ], target_id
        assert target.relations[0].evidence == EVIDENCE[target_id]


@pytest.mark.parametrize(
    ("target_id", "before", "after"),
    [
        ("t-repeal", "现行有效", "已废止"),
        ("t-expire", "现行有效", "已失效"),
        ("t-amend", "现行有效", "现行有效"),  # to be amended: still in force
        ("t-keep", "现行有效", "现行有效"),
    ],
)
def test_statuses_change_on_the_decision_date(
    linked: dict[str, Document], target_id: str, before: str, after: str
) -> None:
    target = linked[target_id]
    assert compute_status(target, "2025-02-28")[0].value == before
    assert compute_status(target, "2025-03-01")[0].value == after


def test_bom_file_with_the_decision_in_columns(linked: dict[str, Document]) -> None:
    assert BOM.read_bytes().startswith(b"\xef\xbb\xbf")
    decision = next(d for d in linked.values() if d.source == BOM.name)
    # No 标题 line: the title is the file name; 决定文号 and 决定日期 come from the rows.
    assert (decision.title, decision.doc_number, decision.publish_date) == (
        "旅游规章清理结果",
        "黔府发〔2024〕9号",
        "2024-07-01",
    )
    target = linked["t-bom"]
    assert rels(target) == [
        ("repealed_by", decision.id, "旅游规章清理结果", "黔府发〔2024〕9号", "2024-07-01")
    ]
    assert target.relations[0].evidence == (
        "第2行：清理结论 废止 《贵州省旅游景区管理办法》（黔府发〔2012〕7号）；"
        "决定日期：2024-07-01；说明：已被新办法取代"
    )
    assert compute_status(target, "2024-06-30")[0].value == "现行有效"
    assert compute_status(target, "2024-07-01")[0].value == "已废止"


def test_the_cleanup_report_names_the_decision(linked: dict[str, Document]) -> None:
    report = build_report(
        linked.values(), CleanupQuery(as_of="2025-06-01", kinds=["repealed", "expired"])
    )
    assert [(r.kind, r.id, r.since, r.target_title, r.evidence) for r in report.rows] == [
        (
            "repealed",
            "t-bom",
            "2024-07-01",
            "旅游规章清理结果",
            "第2行：清理结论 废止 《贵州省旅游景区管理办法》（黔府发〔2012〕7号）；"
            "决定日期：2024-07-01；说明：已被新办法取代",
        ),
        ("repealed", "t-repeal", "2025-03-01", DECISION_TITLE, EVIDENCE["t-repeal"]),
        ("expired", "t-expire", "2025-03-01", DECISION_TITLE, EVIDENCE["t-expire"]),
    ]
    before = build_report(linked.values(), CleanupQuery(as_of="2024-06-30"))
    assert before.rows == []


def test_gb18030_as_excel_saves_it(tmp_path: Path) -> None:
    folder = tmp_path / "清理"
    folder.mkdir()
    text = MAIN.read_text(encoding="utf-8")
    (folder / "清理结论.csv").write_bytes(text.encode("gb18030"))
    (folder / "targets.jsonl").write_bytes(TARGETS.read_bytes())
    assert detect_format(folder / "清理结论.csv") == "worklist"
    result = ingest_paths([folder])
    decision = next(d for d in result.documents if d.format == "worklist")
    assert decision.title == DECISION_TITLE
    assert decision.warnings == [
        "CSV 不是 UTF-8 编码（Excel 另存为 CSV 时的 GB18030），已按 GB18030 解码"
    ]
    assert [(r.type, r.target_id) for r in decision.relations] == [
        ("repeals", "t-repeal"),
        ("declares_expired", "t-expire"),
        ("amends", "t-amend"),
        ("confirms", "t-keep"),
    ]
    assert [s.source for s in result.skips] == [
        "清理结论.csv:9",
        "清理结论.csv:10",
        "清理结论.csv:11",
    ]


def test_detect_and_reject(tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_text("标题,文号\n某办法,黔府发〔2020〕1号\n", encoding="utf-8")
    assert detect_format(plain) is None
    assert detect_format(MAIN) == detect_format(BOM) == "worklist"
    tab = tmp_path / "tab.csv"  # Excel's "Unicode text": UTF-16 with tabs
    tab.write_bytes(
        "标题\t清理结论（废止/继续有效）\n贵州省城市绿化管理办法\t废止\n".encode("utf-16")
    )
    assert detect_format(tab) == "worklist"
    (decision,) = read_worklist(tab, tmp_path, "c")
    assert isinstance(decision, Document)
    assert rels(decision) == [("repeals", None, "贵州省城市绿化管理办法", None, None)]
    assert decision.warnings == ["没有决定日期（决定日期列或“决定日期”行）：状态变更的日期不详"]
    no_target = tmp_path / "no_target.csv"
    no_target.write_text("序号,清理结论\n1,废止\n", encoding="utf-8")
    assert list(read_worklist(no_target, tmp_path, "c")) == [
        Skip("no_target.csv", "没有指明文件的列：需要 id、标题 或 文号 列之一")
    ]
    latin = tmp_path / "latin.csv"
    latin.write_bytes("标题,清理结论\n".encode() + b"caf\xe9,\xff\xfe\n")
    (skip,) = read_worklist(latin, tmp_path, "c")
    assert isinstance(skip, Skip) and skip.reason.startswith("不是UTF-8文本")
