"""Relations and statuses a lawyer would sign: explicit clauses only, no self-repeal, renamed
successors, 尚未发布 before issue, undated documents, bare source flags."""

from __future__ import annotations

from regsearch.ingest.linking import SOURCE_FLAG_EVIDENCE, link_documents
from regsearch.model import Document
from regsearch.status import compute_status


def doc(doc_id: str, title: str, body: str, **kw: object) -> Document:
    return Document(id=doc_id, title=title, collection="c", source=f"{doc_id}.md", body=body, **kw)


def rels(d: Document, *types: str) -> list[tuple[str, str | None]]:
    return [(r.type, r.target_id) for r in d.relations if r.type in types]


def test_a_citation_in_new_wording_is_never_an_amendment() -> None:
    company = doc(
        "company",
        "中华人民共和国公司法",
        "第一条 为了规范公司的组织和行为，制定本法。",
        publish_date="2018-10-26",
    )
    reply = doc(
        "reply",
        "最高人民法院关于破产企业财产问题的批复",
        "一、破产企业的财产……",
        publish_date="2003-01-01",
    )
    decision = doc(
        "decision",
        "最高人民法院关于修改《最高人民法院关于破产企业财产问题的批复》等二十九件司法解释的决定",
        "\n".join(
            [
                "根据《中华人民共和国民法典》《中华人民共和国公司法》等法律，结合审判实践，决定：",
                "一、修改《最高人民法院关于破产企业财产问题的批复》",
                "1.将引言修改为：",
                "“为正确审理案件，根据《中华人民共和国民法典》《中华人民共和国公司法》",
                "的有关规定，制定本批复。",
                "《中华人民共和国公司法》对股东会职权作出调整的，从其规定。”",
            ]
        ),
        publish_date="2020-12-29",
    )
    link_documents([company, reply, decision], "2025-01-01")
    assert rels(company, "amended_by") == []
    assert rels(reply, "amended_by") == [("amended_by", "decision")]
    assert ("cites", "company") in rels(decision, "cites")


def test_a_document_never_repeals_itself_or_its_own_versions() -> None:
    old = doc(
        "old",
        "某某管理办法",
        "第一条 旧的规定。",
        publish_date="2010-01-01",
        doc_number="某省人民政府令第1号",
    )
    new = doc(
        "new",
        "某某管理办法",
        "第一条 新的规定。\n第二十条 本办法自2020年1月1日起施行。2010年1月1日发布的《某某管理办法》"
        "（某省人民政府令第1号）同时废止。",
        publish_date="2020-01-01",
        doc_number="某省人民政府令第9号",
    )
    link_documents([old, new], "2025-01-01")
    assert rels(new, "repeals") == [] and rels(old, "repealed_by") == []
    assert rels(old, "superseded_by") == [("superseded_by", "new")]  # a version, not a repeal
    assert (old.status, new.status) == ("已修改", "现行有效")


def test_a_renamed_successor_is_linked_when_the_new_text_repeals_the_old() -> None:
    old = doc(
        "old",
        "信访条例",
        "第一条 为了保持各级人民政府同人民群众的密切联系，制定本条例。",
        publish_date="2005-01-10",
    )
    new = doc(
        "new",
        "信访工作条例",
        "第一条 为了坚持和加强党对信访工作的全面领导，制定本条例。\n"
        "第五十条 本条例自2022年5月1日起施行。《信访条例》同时废止。",
        publish_date="2022-02-25",
    )
    link_documents([old, new], "2025-01-01")
    assert rels(old, "repealed_by") == [("repealed_by", "new")]
    assert rels(old, "superseded_by") == [("superseded_by", "new")]
    assert rels(new, "supersedes") == [("supersedes", "old")]
    assert old.status == "已废止"  # repeal outranks the version link
    # an unrelated document it repeals is not its predecessor
    other = doc("other", "某市集贸市场管理办法", "第一条 甲。", publish_date="2000-01-01")
    repealer = doc(
        "rep",
        "某市市场管理条例",
        "第九条 本条例自2010年1月1日起施行。《某市集贸市场管理办法》同时废止。",
        publish_date="2009-01-01",
    )
    link_documents([other, repealer], "2025-01-01")
    assert rels(other, "superseded_by") == [] and rels(other, "repealed_by") == [
        ("repealed_by", "rep")
    ]


def test_before_its_issue_a_document_does_not_exist_yet() -> None:
    d = doc("d", "某办法", "第一条 甲。", publish_date="2020-03-01", effective_date="2020-05-01")
    assert compute_status(d, "2020-02-29")[0].value == "尚未发布"
    assert compute_status(d, "2020-03-01")[0].value == "尚未施行"
    assert compute_status(d, "2020-05-01")[0].value == "现行有效"


def test_a_document_with_no_dates_is_not_in_force_before_the_earliest_date_known() -> None:
    d = doc("d", "某办法", "第一条 根据2015年6月1日的会议精神，制定本办法。\n第二条 乙。")
    assert compute_status(d, "2015-05-31")[0].value == "尚未发布"
    assert compute_status(d, "2015-06-01")[0].value == "现行有效"
    only_effective = doc("e", "某办法", "第一条 甲。", effective_date="2021-01-01")
    assert compute_status(only_effective, "2020-12-31")[0].value == "尚未施行"


def test_a_bare_source_flag_is_shown_for_what_it_is() -> None:
    flagged = doc("f", "某市旧条例", "第一条 甲。", publish_date="2001-01-01", source_expired=True)
    link_documents([flagged], "2025-01-01")
    assert (flagged.status, flagged.status_source) == ("已失效", "source")
    assert flagged.status_evidence == SOURCE_FLAG_EVIDENCE == "来源标注已失效，未找到废止或修改文件"
    assert rels(flagged, "repealed_by") == []
