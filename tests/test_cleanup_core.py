"""Cleanup worklists built from documents: every kind, as-of dates, filters, grouping."""

from __future__ import annotations

from pathlib import Path

import pytest
from lawrefbook_folder import expired_rows

from regsearch.errors import BadQuery
from regsearch.model import Document, Relation
from regsearch.search.cleanup import CleanupQuery, build_report

DAY = "2025-06-01"


def make(doc_id: str, title: str, **kw: object) -> Document:
    kw.setdefault("collection", "c")
    kw.setdefault("level", "规范性文件")
    kw.setdefault("authority", "贵州省人民政府")
    return Document(id=doc_id, title=title, source=f"{doc_id}.md", **kw)


def link(kind: str, target: Document, date: str | None, evidence: str = "") -> Relation:
    return Relation(
        type=kind,
        target_id=target.id,
        target_title=target.title,
        target_doc_number=target.doc_number,
        date=date,
        evidence=evidence,
    )


@pytest.fixture()
def docs() -> list[Document]:
    v1 = make("v1", "贵州省行政执法监督办法", level="地方政府规章", publish_date="2005-01-01")
    v2 = make("v2", "贵州省行政执法监督办法", level="地方政府规章", publish_date="2019-10-01")
    v2.doc_number = "贵州省人民政府令第190号"
    v1.relations.append(link("superseded_by", v2, "2020-01-01", "同一文件的新版本"))
    v2.relations.append(link("supersedes", v1, "2020-01-01"))
    decision = make(
        "dec",
        "贵州省人民政府关于废止部分规范性文件的决定",
        doc_number="黔府发〔2021〕5号",
        publish_date="2021-06-01",
    )
    old = make("old", "贵州省旧办法", doc_number="黔府发〔2001〕2号", publish_date="2001-01-01")
    old.relations.append(link("repealed_by", decision, "2021-06-01", "一、废止《贵州省旧办法》"))
    flagged = make("flag", "某市旧条例", region="某市", level="地方性法规")
    flagged.relations.append(Relation(type="repealed_by", evidence="来源数据库标记为已失效"))
    temp = make("temp", "临时措施", effective_date="2020-01-01", expiry_date="2024-12-31")
    soon = make("soon", "即将到期的通知", effective_date="2022-10-01", expiry_date="2025-09-30")
    later = make("later", "长期有效的通知", effective_date="2022-01-01", expiry_date="2027-01-01")
    future = make("future", "新办法", publish_date="2025-05-01", effective_date="2025-07-01")
    citing = make(
        "citing",
        "贵州省实施细则",
        co_authorities=["贵州省司法厅"],
        publish_date="2015-01-01",
        relations=[
            link("cites", old, None, "根据《贵州省旧办法》，制定本细则。"),
            link("cites", v2, None, "依照《贵州省行政执法监督办法》处理。"),
            Relation(
                type="cites", target_title="不在库中的办法", evidence="参照《不在库中的办法》"
            ),
        ],
    )
    dup_a = make("dup_a", "关于加强管理的通知", doc_number="黔府发〔2020〕1号", body="第一条 甲。")
    dup_b = make(
        "dup_b",
        "关于加强管理的通知（网页版）",
        doc_number="黔府发〔2020〕1号",
        body="第一条  乙。",
    )
    same_a = make("same_a", "同文通知", publish_date="2018-01-01", body="第一条 同。")
    same_b = make(
        "same_b", "同文通知", publish_date="2018-01-01", body="第一条\n同。", collection="web"
    )
    return [
        v1,
        v2,
        decision,
        old,
        flagged,
        temp,
        soon,
        later,
        future,
        citing,
        dup_a,
        dup_b,
        same_a,
        same_b,
    ]


def rows(report) -> list[tuple]:
    return [(r.kind, r.id, r.status, r.since, r.target_id) for r in report.rows]


def test_every_kind(docs: list[Document]) -> None:
    report = build_report(docs, CleanupQuery(as_of=DAY))
    assert rows(report) == [
        ("superseded", "v1", "已修改", "2020-01-01", "v2"),
        ("repealed", "flag", "已废止", None, None),
        ("repealed", "old", "已废止", "2021-06-01", "dec"),
        ("expired", "temp", "已失效", "2025-01-01", None),
        ("expiring", "soon", "现行有效", "2025-09-30", None),
        ("not-yet-effective", "future", "尚未施行", "2025-07-01", None),
        ("broken-basis", "citing", "现行有效", "2021-06-01", "old"),
        ("duplicates", "dup_a", "现行有效", None, "dup_b"),
        ("duplicates", "dup_b", "现行有效", None, "dup_a"),
        ("duplicates", "same_b", "现行有效", "2018-01-01", "same_a"),
    ]
    assert report.counts == {
        "superseded": 1,
        "repealed": 2,
        "expired": 1,
        "expiring": 1,
        "not-yet-effective": 1,
        "broken-basis": 1,
        "duplicates": 3,
    }
    by_kind = {r.kind: r for r in report.rows}
    assert by_kind["expiring"].evidence == "有效期至2025-09-30（还有121天）"
    assert by_kind["expired"].evidence == "有效期至2024-12-31"
    broken = by_kind["broken-basis"]
    assert (broken.target_title, broken.target_doc_number, broken.target_status) == (
        "贵州省旧办法",
        "黔府发〔2001〕2号",
        "已废止",
    )
    assert broken.evidence == "根据《贵州省旧办法》，制定本细则。"
    assert [r.evidence for r in report.rows if r.kind == "duplicates"] == [
        # two texts of one source claiming the same 文号
        "文号同为 黔府发〔2020〕1号 的 2 份文本内容不同：c/dup_a.md 与 c/dup_b.md",
        "文号同为 黔府发〔2020〕1号 的 2 份文本内容不同：c/dup_b.md 与 c/dup_a.md",
        # one version in two records: these hand-made records were never merged
        "同一版本的 2 条记录（不同来源，未合并）：c/same_a.md 与 web/same_b.md",
    ]


def test_as_of_before_the_changes(docs: list[Document]) -> None:
    report = build_report(docs, CleanupQuery(as_of="2019-12-31", kinds=["superseded", "repealed"]))
    assert rows(report) == [("repealed", "flag", "已废止", None, None)]
    report = build_report(docs, CleanupQuery(as_of="2021-05-31", kinds=["broken-basis"]))
    assert rows(report) == []
    report = build_report(docs, CleanupQuery(as_of="2021-06-01", kinds=["broken-basis"]))
    assert rows(report) == [("broken-basis", "citing", "现行有效", "2021-06-01", "old")]


def test_expiring_window(docs: list[Document]) -> None:
    q = CleanupQuery(as_of=DAY, kinds=["expiring"], within=1000)
    assert [r.id for r in build_report(docs, q).rows] == ["soon", "later"]
    q = CleanupQuery(as_of=DAY, kinds=["expiring"], within=30)
    assert build_report(docs, q).rows == []


def test_filters(docs: list[Document]) -> None:
    by_level = build_report(docs, CleanupQuery(as_of=DAY, level=["地方政府规章"]))
    assert [r.id for r in by_level.rows] == ["v1"]
    by_region = build_report(docs, CleanupQuery(as_of=DAY, region=["某市"]))
    assert [r.id for r in by_region.rows] == ["flag"]
    co = build_report(docs, CleanupQuery(as_of=DAY, authority=["贵州省司法厅"]))
    assert [r.id for r in co.rows] == ["citing"]
    web = build_report(docs, CleanupQuery(as_of=DAY, collection=["web"]))
    assert [r.id for r in web.rows] == ["same_b"]


def test_group_by_with_subtotals(docs: list[Document]) -> None:
    q = CleanupQuery(as_of=DAY, kinds=["superseded", "repealed", "expired"], group_by="level")
    report = build_report(docs, q)
    assert [(g.value, g.total, g.counts) for g in report.groups] == [
        ("规范性文件", 2, {"superseded": 0, "repealed": 1, "expired": 1}),
        ("地方性法规", 1, {"superseded": 0, "repealed": 1, "expired": 0}),
        ("地方政府规章", 1, {"superseded": 1, "repealed": 0, "expired": 0}),
    ]
    assert [r.id for r in report.rows] == ["old", "temp", "flag", "v1"]
    grouped = build_report(docs, CleanupQuery(as_of=DAY, kinds=["repealed"], group_by="region"))
    assert [(g.value, g.total) for g in grouped.groups] == [("某市", 1), ("（未注明）", 1)]


def test_json_shape(docs: list[Document]) -> None:
    report = build_report(docs, CleanupQuery(as_of=DAY, kinds=["superseded"]))
    assert report.to_dict() == {
        "as_of": DAY,
        "kinds": ["superseded"],
        "rows": [
            {
                "kind": "superseded",
                "id": "v1",
                "title": "贵州省行政执法监督办法",
                "doc_number": None,
                "authority": "贵州省人民政府",
                "level": "地方政府规章",
                "region": None,
                "collection": "c",
                "status": "已修改",
                "publish_date": "2005-01-01",
                "since": "2020-01-01",
                "evidence": "同一文件的新版本",
                "target_id": "v2",
                "target_title": "贵州省行政执法监督办法",
                "target_doc_number": "贵州省人民政府令第190号",
                "target_status": None,
            }
        ],
        "counts": {"superseded": 1},
        "groups": [],
        "group_by": None,
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (CleanupQuery(kinds=["obsolete"]), "未知的清理类别：obsolete"),
        (CleanupQuery(group_by="topic"), "无法按 topic 分组"),
        (CleanupQuery(as_of="2025-13-01"), "日期格式应为 YYYY-MM-DD：2025-13-01"),
        (CleanupQuery(within=-1), "--within 必须是非负天数"),
    ],
)
def test_bad_queries(query: CleanupQuery, message: str) -> None:
    with pytest.raises(BadQuery, match=message):
        build_report([], query)


@pytest.mark.corpus
def test_corpus_expired_rows_are_listed_and_nothing_in_force_is(corpora_dir: Path) -> None:
    from regsearch.ingest import ingest_paths

    root = corpora_dir / "lawrefbook"
    docs = ingest_paths([root]).documents
    by_source = {ref.source: d for d in docs for ref in d.sources}  # every file's record
    report = build_report(docs, CleanupQuery(kinds=["superseded", "repealed", "expired"]))
    listed = {r.id: r for r in report.rows}
    for source, _name in expired_rows(root):
        row = listed[by_source[source].id]
        assert row.evidence, source
        if row.kind == "superseded":
            assert row.target_id and row.target_title, source
        elif row.kind == "repealed":  # by a repealing document in the corpus
            assert row.target_id, source
        else:  # the source's flag alone: 已失效, in plain words
            assert row.evidence == "来源标注已失效，未找到废止或修改文件", source
    statuses = {d.id: d.status for d in docs}
    assert all(statuses[r.id] in ("已修改", "已废止", "已失效") for r in report.rows)
    assert len(report.rows) == sum(report.counts.values())


def test_duplicates_ignore_formatting_and_versions() -> None:
    """Markdown marks, punctuation width, a table of contents or the title repeated above the
    articles are not a different text; two versions keeping the original 文号 are not copies.
    Merged, the copies of one version are one record and nothing is listed; with merging
    off the cross-source copy is listed; one source carrying it twice is listed either way."""
    from regsearch.ingest.derive import derive
    from regsearch.ingest.identity import IdentityRules

    def versions() -> list[Document]:
        md = make(
            "md",
            "某某条例",
            doc_number="国务院令第100号",
            publish_date="2010-01-01",
            body="# 某某条例\n目录\n第一章 总则\n## 第一章 总则\n第一条 为了规范管理，制定本条例。",
        )
        web = make(
            "web",
            "某某条例",
            doc_number="国务院令第100号",
            publish_date="2010-01-01",
            collection="web",
            body="第一章　总则\n第一条　为了规范管理,制定本条例.",
        )
        old = make(
            "old",
            "某某条例",
            doc_number="国务院令第100号",
            publish_date="2005-01-01",
            body="第一条 为了管理，制定本条例。",
        )
        return [md, web, old]

    q = CleanupQuery(as_of=DAY, kinds=["duplicates"])
    merged = derive(versions(), rules=IdentityRules(), as_of=DAY)  # merged and linked
    assert sorted(len(r.sources) for r in merged) == [1, 2]  # md + web, and old apart
    assert build_report(merged, q).rows == []
    apart = derive(versions(), rules=IdentityRules(enabled=False), as_of=DAY)
    report = build_report(apart, q)
    assert [(r.id, r.target_id) for r in report.rows] == [("web", "md")]
    assert (
        report.rows[0].evidence == "同一版本的 2 条记录（不同来源，未合并）：c/md.md 与 web/web.md"
    )
    md, web, old = versions()
    web.collection = "c"
    web.body += "\n第二条 新增的一条。"
    report = build_report(derive([md, web, old], as_of=DAY), q)
    assert [(r.id, r.target_id, r.evidence) for r in report.rows] == [
        ("md", "web", "同一版本在 c 中收录 2 份：md.md 与 web.md")
    ]
