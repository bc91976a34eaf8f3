"""Version chains, repeals, expiry, source flags and citations across a set of documents."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from lawrefbook_folder import build_lawrefbook, expired_rows

from regsearch.ingest.lawrefbook import read_lawrefbook
from regsearch.ingest.linking import SOURCE_FLAG_EVIDENCE, link_documents
from regsearch.model import Document, Relation
from regsearch.status import compute_status

AS_OF = "2026-01-01"


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Document]:
    folder = build_lawrefbook(tmp_path_factory.mktemp("lrb"))
    docs = [d for d in read_lawrefbook(folder, folder, "c") if isinstance(d, Document)]
    link_documents(docs, as_of=AS_OF)
    return {d.source.removesuffix(".md"): d for d in docs}


LOCAL = "地方性法规/示例市/"
DECISION = LOCAL + "示例市人民代表大会常务委员会关于废止部分地方性法规的决定(2020-12-01)"


def rels(doc: Document, kind: str) -> list[tuple]:
    return [(r.target_id, r.date) for r in doc.relations if r.type == kind]


def test_version_chain(linked: dict[str, Document]) -> None:
    old, new = linked["法律/劳动合同法(2007-06-29)"], linked["法律/劳动合同法(2012-12-28)"]
    assert rels(old, "superseded_by") == [(new.id, "2013-07-01")]
    assert rels(new, "supersedes") == [(old.id, "2013-07-01")]
    assert (old.status, old.status_source) == ("已修改", "version_chain")
    assert old.status_evidence == "被《中华人民共和国劳动合同法》（2013-07-01施行）取代"
    assert (new.status, new.status_evidence) == ("现行有效", "自2013-07-01起施行")
    assert compute_status(old, "2013-06-30")[0].value == "现行有效"
    assert compute_status(old, "2013-07-01")[0].value == "已修改"


def test_identical_duplicates_are_not_versions_of_each_other(linked: dict[str, Document]) -> None:
    a, b = linked["宪法相关法/居民身份证法(2011-10-29)"], linked["法律/居民身份证法(2011-10-29)"]
    assert a.publish_date == b.publish_date == "2011-10-29"
    for d in (a, b):
        assert rels(d, "superseded_by") == rels(d, "supersedes") == []
        assert d.status == "现行有效"


def test_repeal_decision_resolved_by_title_and_by_doc_number(linked: dict[str, Document]) -> None:
    decision = linked[DECISION]
    jia, yi = (
        linked[LOCAL + "示例市甲条例(2001-05-01)"],
        linked[LOCAL + "示例市乙管理办法(2015-03-01)"],
    )
    assert rels(decision, "repeals") == [(jia.id, "2020-12-01"), (yi.id, "2020-12-01")]
    # 乙 is listed under another title; its 文号 decides.
    assert [r.target_title for r in decision.relations if r.type == "repeals"] == [
        "示例市甲条例",
        "示例市乙办法",
    ]
    for target in (jia, yi):
        assert rels(target, "repealed_by") == [(decision.id, "2020-12-01")]
        assert (target.status, target.status_source) == ("已废止", "repeal")
        assert target.status_evidence == (
            "被《示例市人民代表大会常务委员会关于废止部分地方性法规的决定》（2020-12-01施行）废止"
        )
        assert compute_status(target, "2020-11-30")[0].value == "现行有效"
        assert compute_status(target, "2020-12-01")[0].value == "已废止"
    evidence = [r.evidence for r in yi.relations if r.type == "repealed_by"]
    assert evidence == ["二、废止《示例市乙办法》（示政发〔2015〕3号）"]


def test_source_flag_without_successor_or_repealer(linked: dict[str, Document]) -> None:
    """A bare source flag is shown for what it is: not 已废止 by a document nobody found."""
    bing = linked[LOCAL + "示例市丙规定"]
    assert (bing.status, bing.status_source) == ("已失效", "source")
    assert bing.status_evidence == SOURCE_FLAG_EVIDENCE == "来源标注已失效，未找到废止或修改文件"
    assert [(r.type, r.target_id) for r in bing.relations] == [("expired_by", None)]


def test_expiry_from_text(linked: dict[str, Document]) -> None:
    wu = linked[LOCAL + "示例市戊办法(2020-01-01)"]
    assert wu.expiry_date == "2024-12-31"
    assert (wu.status, wu.status_source, wu.status_evidence) == (
        "已失效",
        "expiry",
        "有效期至2024-12-31",
    )
    assert compute_status(wu, "2024-12-31")[0].value == "现行有效"
    assert compute_status(wu, "2025-01-01")[0].value == "已失效"


def test_citations_resolved_to_the_newest_version(linked: dict[str, Document]) -> None:
    wu = linked[LOCAL + "示例市戊办法(2020-01-01)"]
    cites = [(r.target_title, r.target_id) for r in wu.relations if r.type == "cites"]
    assert cites == [
        ("中华人民共和国劳动合同法", linked["法律/劳动合同法(2012-12-28)"].id),
        ("示例市乙管理办法", linked[LOCAL + "示例市乙管理办法(2015-03-01)"].id),
    ]
    decision = linked[DECISION]
    assert [(r.target_title, r.target_id) for r in decision.relations if r.type == "cites"] == [
        ("中华人民共和国立法法", None)
    ]


def test_linking_twice_changes_nothing(linked: dict[str, Document]) -> None:
    docs = copy.deepcopy(list(linked.values()))
    before = [[(r.type, r.target_id) for r in d.relations] for d in docs]
    link_documents(docs, as_of=AS_OF)
    assert [[(r.type, r.target_id) for r in d.relations] for d in docs] == before


def make(title: str, source: str, **kw: object) -> Document:
    return Document(id=source, title=title, collection="c", source=source, **kw)


def test_three_versions_with_and_without_the_state_prefix() -> None:
    v1 = make("劳动法", "a", publish_date="1994-07-05", effective_date="1995-01-01")
    v2 = make("中华人民共和国劳动法", "b", publish_date="2009-08-27", effective_date="2009-08-27")
    v3 = make("中华人民共和国 劳动法", "c", publish_date="2018-12-29", effective_date="1995-01-01")
    link_documents([v3, v1, v2], as_of=AS_OF)
    assert rels(v1, "superseded_by") == [("b", "2009-08-27")]
    # the newest version carries the original effective date: its publication date counts
    assert rels(v2, "superseded_by") == [("c", "2018-12-29")]
    assert v2.status_evidence == "被《中华人民共和国 劳动法》（2018-12-29公布）取代"
    assert rels(v3, "supersedes") == [("b", "2018-12-29")]
    assert [d.status for d in (v1, v2, v3)] == ["已修改", "已修改", "现行有效"]


def test_same_title_in_two_regions_is_not_a_chain() -> None:
    a = make("物业管理条例", "a", region="北京", publish_date="2020-01-01")
    b = make("物业管理条例", "b", region="上海", publish_date="2021-01-01")
    link_documents([a, b], as_of=AS_OF)
    assert a.relations == b.relations == []


def test_decisions_with_the_same_title_are_not_versions() -> None:
    t = "重庆市人民代表大会常务委员会关于修改部分地方性法规的决定"
    a = make(t, "a", publish_date="2010-07-23")
    b = make(t, "b", publish_date="2016-09-29")
    link_documents([a, b], as_of=AS_OF)
    assert rels(a, "superseded_by") == []


def test_repealer_does_not_touch_later_versions_and_unresolved_targets_stay() -> None:
    old = make("示例条例", "old", publish_date="2001-01-01")
    later = make("示例条例", "later", publish_date="2030-01-01")
    repealer = make(
        "示例新条例",
        "new",
        publish_date="2020-01-01",
        effective_date="2020-03-01",
        doc_number="示例市人民政府令第5号",
        body="第九条 本条例自2020年3月1日起施行，《示例条例》和《不存在的办法》同时废止。",
    )
    link_documents([old, later, repealer], as_of="2026-01-01")
    assert rels(old, "repealed_by") == [("new", "2020-03-01")]
    assert rels(later, "repealed_by") == []
    assert [(r.target_title, r.target_id) for r in repealer.relations if r.type == "repeals"] == [
        ("示例条例", "old"),
        ("不存在的办法", None),
    ]
    assert old.status_evidence == "被《示例新条例》（示例市人民政府令第5号）废止"


def test_source_flag_with_a_successor_is_amended() -> None:
    old = make("示例条例", "old", publish_date="2001-01-01", source_expired=True)
    new = make("示例条例", "new", publish_date="2010-01-01", effective_date="2010-03-01")
    link_documents([old, new], as_of=AS_OF)
    assert (old.status, old.status_source) == ("已修改", "version_chain")
    assert [r.type for r in old.relations] == ["superseded_by"]


def test_source_flagged_undated_version_is_the_older_one() -> None:
    old = make("示例条例", "old", source_expired=True)
    new = make("示例条例", "new", publish_date="2010-01-01")
    link_documents([new, old], as_of=AS_OF)
    assert rels(old, "superseded_by") == [("new", "2010-01-01")]
    assert old.status_evidence == "被《示例条例》（2010-01-01公布）取代"


def test_declared_expired_and_not_yet_effective() -> None:
    target = make("示例暂行办法", "t", publish_date="2001-01-01", doc_number="示府发〔2001〕1号")
    decision = make(
        "示例市人民政府关于宣布失效一批规范性文件的决定",
        "d",
        publish_date="2021-06-01",
        body="一、宣布失效的文件\n1. 示府发〔2001〕1号\n",
    )
    future = make("示例新办法", "f", publish_date="2026-01-01", effective_date="2027-01-01")
    link_documents([target, decision, future], as_of=AS_OF)
    assert rels(target, "expired_by") == [("d", "2021-06-01")]
    assert (target.status, target.status_evidence) == (
        "已失效",
        "被《示例市人民政府关于宣布失效一批规范性文件的决定》宣布失效",
    )
    assert (future.status, future.status_evidence) == ("尚未施行", "自2027-01-01起施行")


def test_jsonl_relations_given_by_the_source_are_kept() -> None:
    target = make("示例办法", "t", publish_date="2001-01-01")
    target.relations.append(Relation(type="repealed_by", evidence="清理结果", date="2019-01-01"))
    link_documents([target], as_of=AS_OF)
    assert (target.status, target.status_source) == ("已废止", "repeal")
    assert target.status_evidence == "清理结果"


def test_corpus_linking_is_idempotent_on_fixture_paths(tmp_path: Path) -> None:
    folder = build_lawrefbook(tmp_path)
    docs = [d for d in read_lawrefbook(folder, folder, "c") if isinstance(d, Document)]
    link_documents(docs, as_of=AS_OF)
    statuses = sorted((d.source, d.status) for d in docs)
    assert statuses == [
        ("地方性法规/示例市/示例市丁条例(2019-06-01).md", "现行有效"),
        ("地方性法规/示例市/示例市丙规定.md", "已失效"),
        ("地方性法规/示例市/示例市乙管理办法(2015-03-01).md", "已废止"),
        (DECISION + ".md", "现行有效"),
        ("地方性法规/示例市/示例市戊办法(2020-01-01).md", "已失效"),
        ("地方性法规/示例市/示例市甲条例(2001-05-01).md", "已废止"),
        ("宪法相关法/居民身份证法(2011-10-29).md", "现行有效"),
        ("民法典/总则.md", "现行有效"),
        ("法律/劳动合同法(2007-06-29).md", "已修改"),
        ("法律/劳动合同法(2012-12-28).md", "现行有效"),
        ("法律/居民身份证法(2011-10-29).md", "现行有效"),
        ("行政法规/收费标准(2010-01-01).md", "现行有效"),
    ]


# --- the real LawRefBook data -------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(corpora_dir: Path) -> tuple[Path, dict[str, Document], list]:
    from regsearch.ingest import ingest_paths

    root = corpora_dir / "lawrefbook"
    result = ingest_paths([root])
    # every file's record (identical files in two folders are one record)
    return root, {ref.source: d for d in result.documents for ref in d.sources}, result.skips


@pytest.mark.corpus
def test_corpus_every_md_file_accounted_for(corpus: tuple) -> None:
    root, docs, skips = corpus
    md_files = {p.relative_to(root).as_posix() for p in root.rglob("*.md")}
    assert len(md_files) == len(docs) + len(skips)
    assert set(docs) | {s.source for s in skips} == md_files
    assert len([s for s in skips if not s.source.endswith("_index.md")]) == 2


@pytest.mark.corpus
def test_corpus_every_expired_row_is_amended_or_repealed_with_evidence(corpus: tuple) -> None:
    root, docs, _ = corpus
    ids = {d.id for d in docs.values()}
    rows = expired_rows(root)
    assert len(rows) == 116
    outcome: dict[str, int] = {}
    for source, _name in rows:
        doc = docs[source]
        assert doc.source_expired, source
        outcome[doc.status] = outcome.get(doc.status, 0) + 1
        assert doc.status_evidence, source
        if doc.status == "已修改":
            succ = [r for r in doc.relations if r.type == "superseded_by"]
            assert succ and succ[0].target_id in ids, source
        elif doc.status == "已废止":  # only by a repealing document that is in the corpus
            reps = [r for r in doc.relations if r.type == "repealed_by"]
            assert reps and all(r.target_id in ids for r in reps), source
        else:  # the flag alone: shown for what it is, never as 已废止
            assert doc.status == "已失效", (source, doc.status)
            ends = [r for r in doc.relations if r.type == "expired_by"]
            assert [r.evidence for r in ends] == [SOURCE_FLAG_EVIDENCE], source
            assert doc.status_source == "source" and ends[0].target_id is None, source
            assert doc.status_evidence == "来源标注已失效，未找到废止或修改文件"
    assert sum(outcome.values()) == 116 and set(outcome) <= {"已修改", "已废止", "已失效"}


@pytest.mark.corpus
def test_corpus_status_on_both_sides_of_a_change(corpus: tuple) -> None:
    _, docs, _ = corpus
    # the database has no effective date for the 2023 公司法: the text's 施行 clause gives it
    old = docs["民法商法/公司法(2018-10-26).md"]
    new = docs["民法商法/公司法(2023-12-29).md"]
    assert new.effective_date == "2024-07-01"
    assert [(r.type, r.target_id, r.date) for r in old.relations if r.type == "superseded_by"] == [
        ("superseded_by", new.id, "2024-07-01")
    ]
    assert old.status_evidence == "被《中华人民共和国公司法》（2024-07-01施行）取代"
    assert compute_status(old, "2024-06-30")[0].value == "现行有效"
    assert compute_status(old, "2024-07-01")[0].value == "已修改"
    assert compute_status(new, "2024-06-30")[0].value == "尚未施行"

    beijing = "DLC/北京地方法规/地方性法规/北京/"
    target = docs[beijing + "北京市信息化促进条例.md"]
    decision = docs[beijing + "北京市人民代表大会常务委员会关于废止部分地方性法规的决定.md"]
    assert [(r.target_id, r.date) for r in target.relations if r.type == "repealed_by"] == [
        (decision.id, "2021-09-24")
    ]
    assert compute_status(target, "2021-09-23")[0].value == "现行有效"
    assert compute_status(target, "2021-09-24")[0].value == "已废止"
    assert target.status_evidence == (
        "被《北京市人民代表大会常务委员会关于废止部分地方性法规的决定》（2021-09-24施行）废止"
    )


def test_a_reused_order_number_needs_the_title_to_agree() -> None:
    # 令号 carry no year: 北京市人民政府令第14号 of 1993 is not the one of 1996
    other = make(
        "北京市行政处罚听证程序实施办法",
        "other",
        publish_date="1996-09-23",
        doc_number="北京市人民政府令第14号",
    )
    repealer = make(
        "北京市征兵工作条例",
        "new",
        publish_date="2003-05-30",
        body="1993年9月23日北京市人民政府第14号令发布的《北京市兵役登记工作规定》同时废止。",
    )
    link_documents([other, repealer], as_of=AS_OF)
    assert other.relations == []
    assert [(r.target_doc_number, r.target_id) for r in repealer.relations] == [
        ("北京市人民政府令第14号", None)
    ]
