"""Repeal clauses and decisions, amendment decisions, 有效期 and citations read from text."""

from __future__ import annotations

import pytest

from regsearch.ingest.relations import (
    effective_from_text,
    extract_citations,
    extract_expiry,
    extract_relations,
    norm_title,
)
from regsearch.model import Document


def doc(body: str, title: str = "贵州省示例办法", **kw: object) -> Document:
    return Document(id="x", title=title, collection="c", source="s", body=body, **kw)


def triples(rels: list) -> list[tuple]:
    return [(r.type, r.target_title, r.target_doc_number) for r in rels]


def test_repeal_clause_with_doc_number() -> None:
    d = doc("第三十条 本办法自2020年1月1日起施行，《贵州省旧办法》（黔府令第12号）同时废止。")
    rels = extract_relations(d)
    assert triples(rels) == [("repeals", "贵州省旧办法", "黔府令第12号")]
    assert (
        rels[0].evidence
        == "第三十条 本办法自2020年1月1日起施行，《贵州省旧办法》（黔府令第12号）同时废止。"
    )


def test_repeal_clause_skips_the_amending_decision_it_mentions() -> None:
    d = doc(
        "第五十六条 本条例自2022年4月1日起施行。2006年9月15日北京市第十二届人民代表大会常务委员会"
        "第三十次会议通过，根据2018年3月30日北京市第十五届人民代表大会常务委员会第三次会议"
        "《关于修改〈北京市大气污染防治条例〉等七部地方性法规的决定》修正的《北京市城市道路条例》同时废止。"
    )
    assert triples(extract_relations(d)) == [("repeals", "北京市城市道路条例", None)]


def test_repeal_clause_with_several_titles() -> None:
    d = doc("本规定自发布之日起施行。《甲管理办法》、《乙实施细则》同时废止。")
    assert triples(extract_relations(d)) == [
        ("repeals", "甲管理办法", None),
        ("repeals", "乙实施细则", None),
    ]


def test_no_repeal_clause_no_relation() -> None:
    assert extract_relations(doc("第一条 根据《中华人民共和国行政许可法》，制定本办法。")) == []


def test_repeal_and_expire_decision_with_numbered_lists() -> None:
    d = doc(
        "根据《中华人民共和国立法法》，省人民政府决定：\n"
        "一、决定废止的规章（2件）\n"
        "1.《贵州省甲办法》（贵州省人民政府令第10号）\n"
        "2.《贵州省乙规定》（贵州省人民政府令第20号）\n"
        "3. 黔府发〔2010〕1号\n"
        "二、决定宣布失效的规章（1件）\n"
        "1.《贵州省丙办法》（贵州省人民政府令第30号）\n"
        "本决定自公布之日起施行。",
        title="贵州省人民政府关于废止和宣布失效部分规章的决定",
    )
    assert triples(extract_relations(d)) == [
        ("repeals", "贵州省甲办法", "贵州省人民政府令第10号"),
        ("repeals", "贵州省乙规定", "贵州省人民政府令第20号"),
        ("repeals", None, "黔府发〔2010〕1号"),
        ("declares_expired", "贵州省丙办法", "贵州省人民政府令第30号"),
    ]


def test_repeal_decision_naming_its_target_in_the_title() -> None:
    d = doc("本决定自公布之日起施行。", title="国务院关于废止《城市私有房屋管理条例》的决定")
    assert triples(extract_relations(d)) == [("repeals", "城市私有房屋管理条例", None)]


def test_items_that_say_what_they_repeal() -> None:
    d = doc(
        "一、废止《北京市社会治安综合治理条例》（1992年9月19日北京市第九届人民代表大会常务委员会"
        "第三十六次会议通过）\n二、废止《北京市邮政通信条例》\n本决定自公布之日起施行。",
        title="北京市人民代表大会常务委员会关于废止部分地方性法规的决定",
    )
    assert triples(extract_relations(d)) == [
        ("repeals", "北京市社会治安综合治理条例", None),
        ("repeals", "北京市邮政通信条例", None),
    ]


def test_amendment_decision() -> None:
    d = doc(
        "一、将第三条修改为：……\n二、删去第十条。\n本决定自公布之日起施行。",
        title="重庆市人民代表大会常务委员会关于修改〈重庆市道路运输管理条例〉的决定",
    )
    assert triples(extract_relations(d)) == [("amends", "重庆市道路运输管理条例", None)]
    listed = doc(
        "一、对《上海市公路管理条例》作如下修改：……\n二、对《上海市音像制品管理条例》作如下修改：……",
        title="上海市人民代表大会常务委员会关于修改本市部分地方性法规的决定",
    )
    assert triples(extract_relations(listed)) == [
        ("amends", "上海市公路管理条例", None),
        ("amends", "上海市音像制品管理条例", None),
    ]


@pytest.mark.parametrize(
    ("body", "kw", "expected"),
    [
        ("第二条 本办法自2020年1月1日起施行，有效期5年。", {}, "2024-12-31"),
        ("本通知有效期至2025年12月31日。", {}, "2025-12-31"),
        ("本规定自印发之日起施行，有效期为3年。", {"publish_date": "2021-03-15"}, "2024-03-14"),
        ("本意见自2022年7月1日起施行，有效期五年。", {}, "2027-06-30"),
        ("本办法有效期两年。", {"effective_date": "2023-05-10"}, "2025-05-09"),
        ("本办法自2020年2月29日起施行，有效期1年。", {}, "2021-02-28"),
        ("护士执业注册有效期为5年。", {"effective_date": "2008-05-12"}, None),
        (
            "对具备本条例规定条件的，准予延续，延续执业注册有效期为5年。",
            {"effective_date": "2008-05-12"},
            None,
        ),
        ("本条例施行前取得的许可证，有效期届满前继续有效。", {}, None),
        ("本办法有效期5年。", {}, None),  # no date to count from: never guessed
    ],
)
def test_expiry(body: str, kw: dict, expected: str | None) -> None:
    assert extract_expiry(doc(body, **kw)) == expected


def test_effective_date_from_the_text() -> None:
    assert effective_from_text("第九十八条 本法自2008年1月1日起施行。", None) == "2008-01-01"
    assert effective_from_text("本决定自公布之日起施行。", "2020-12-01") == "2020-12-01"
    assert effective_from_text("第一条 为了规范管理，制定本办法。", "2020-12-01") is None


def test_citations_deduplicated_without_self_or_repealed_targets() -> None:
    d = doc(
        "第一条 根据《中华人民共和国行政许可法》和《国务院关于加强X工作的通知》"
        "（国发〔2015〕7号），制定本办法。\n"
        "第二条 违反本办法的，依照《中华人民共和国行政许可法》处理；"
        "《贵州省示例办法》另有规定的除外。\n"
        "第三条 具体标准见黔府发〔2019〕5号，参阅《人民日报》。\n"
        "第四条 本办法自2020年1月1日起施行，《贵州省旧办法》同时废止。",
        doc_number="黔府发〔2020〕1号",
    )
    rels = extract_citations(d)
    assert triples(rels) == [
        ("cites", "中华人民共和国行政许可法", None),
        ("cites", "国务院关于加强X工作的通知", "国发〔2015〕7号"),
        ("cites", None, "黔府发〔2019〕5号"),
    ]
    assert rels[0].evidence.startswith("第一条 根据《中华人民共和国行政许可法》")


def test_norm_title() -> None:
    assert norm_title("中华人民共和国劳动合同法") == norm_title("劳动合同法") == "劳动合同法"
    assert norm_title("北京市实施《中华人民共和国种子法》办法") == "北京市实施《种子法》办法"
    assert norm_title("上海市实施〈教师法〉办法（修订）") == "上海市实施《教师法》办法(修订)"
    assert norm_title(" 《示例 条例》 ") == "示例条例"


def test_doc_number_written_before_a_title_belongs_to_it() -> None:
    d = doc(
        "1993年6月17日北京市第十届人民代表大会常务委员会第三次会议通过的《北京市征兵工作若干规定》，"
        "1993年9月23日北京市人民政府第14号令发布的《北京市兵役登记工作规定》同时废止。"
    )
    assert triples(extract_relations(d)) == [
        ("repeals", "北京市征兵工作若干规定", None),
        ("repeals", "北京市兵役登记工作规定", "北京市人民政府令第14号"),
    ]


def test_bare_doc_number_next_to_a_title_is_its_own_target() -> None:
    d = doc("本办法自2020年1月1日起施行。《甲办法》和黔府发〔2010〕1号文件同时废止。")
    assert triples(extract_relations(d)) == [
        ("repeals", "甲办法", None),
        ("repeals", None, "黔府发〔2010〕1号"),
    ]


def test_conflicting_provisions_lapsing_is_not_a_repeal() -> None:
    d = doc("其他文件中有关企业名称的规定，与《企业名称登记管理规定》和本办法抵触的，同时失效。")
    assert extract_relations(d) == []


def test_old_version_of_itself_is_left_to_the_version_chain() -> None:
    d = doc(
        "本办法自2015年1月1日起施行。2002年8月26日交通部第5号令发布的《水上交通事故统计办法》同时废止。",
        title="水上交通事故统计办法",
    )
    assert extract_relations(d) == []
