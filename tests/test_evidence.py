"""Levels (效力级别), issuing bodies and court cases from the evidence a document carries."""

from __future__ import annotations

import pytest

from regsearch.ingest.authority import normalize_authority
from regsearch.ingest.classify import apply_evidence, classify_level, is_court_case
from regsearch.model import Document


def doc(title: str, body: str = "第一条 为了规范管理，制定本办法。", **kw: object) -> Document:
    return Document(id="x", title=title, collection="c", source="x.md", body=body, **kw)


@pytest.mark.parametrize(
    ("number", "level"),
    [
        ("国令第707号", "行政法规"),  # the portal's short form of 国务院令
        ("中华人民共和国国务院令第706号", "行政法规"),
        ("交通运输部令2016年第60号", "部门规章"),
        ("中华人民共和国主席令第81号", "法律"),
        ("浙江省人民政府令第388号", "地方政府规章"),
        ("某省政府令第12号", "地方政府规章"),
        ("国办发〔2018〕115号", "规范性文件"),
    ],
)
def test_level_from_the_order_number(number: str, level: str) -> None:
    assert classify_level("某办法", None, number) == level


@pytest.mark.parametrize(
    ("body", "history", "level", "authority"),
    [
        # the promulgation heading above the text
        (
            "中华人民共和国国务院令\n（第499号）\n现公布《某条例》，自公布之日起施行。"
            "\n第一条 甲。",
            [],
            "行政法规",
            "国务院",
        ),
        ("山东省人民政府令\n第336号\n第一条 甲。", [], "地方政府规章", "山东省人民政府"),
        (
            "（中华人民共和国农业部 国家林业局令 2010年第2号）\n第一条 甲。",
            [],
            "部门规章",
            "农业部",
        ),
        # the meeting that adopted it
        (
            "《某规定》已于2022年3月30日经第8次部务会议通过，现予公布。\n第一条 甲。",
            [],
            "部门规章",
            None,
        ),
        # who published it
        ("第一条 甲。", ["(2014年9月30日交通运输部第16号发布)"], "部门规章", "交通运输部"),
        (
            "第一条 甲。",
            ["(2016年7月27日交通运输部、工业和信息化部、公安部发布)"],
            "部门规章",
            "交通运输部",
        ),
        ("第一条 甲。", ["（1988年5月18日国务院发布）"], "行政法规", "国务院"),
        (
            "第一条 甲。",
            ["1987年10月14日国务院批准 1987年10月20日农牧渔业部发布"],
            "行政法规",
            "农牧渔业部",
        ),
    ],
)
def test_level_and_body_from_the_text_and_history(
    body: str, history: list[str], level: str, authority: str | None
) -> None:
    d = apply_evidence(doc("某管理规定", body=body, history=history))
    assert (d.level, d.authority) == (level, authority)


def test_other_only_when_nothing_says_otherwise() -> None:
    assert apply_evidence(doc("某某导则", body="一、适用范围。")).level == "其他"
    assert apply_evidence(doc("中国共产党某工作条例")).level == "其他"  # 党内法规
    assert apply_evidence(doc("中华人民共和国某某法")).level == "法律"
    assert apply_evidence(doc("某某条例")).level == "行政法规"
    assert apply_evidence(doc("浙江省某某条例")).level == "地方性法规"
    assert apply_evidence(doc("某某管理办法")).level == "部门规章"  # a national rule in articles
    assert apply_evidence(
        doc("关于做好某某工作的通知", body="各省：现将有关事项通知如下。")
    ).level == ("规范性文件")
    # a level the source states is kept
    assert apply_evidence(doc("某某管理办法", level="规范性文件")).level == "规范性文件"


@pytest.mark.parametrize(
    ("raw", "region", "name"),
    [
        ("中华人民共和国农业部", None, "农业部"),
        ("主席", None, "中华人民共和国主席"),
        ("中华人民共和国主席", None, "中华人民共和国主席"),
        ("日自然资源部", None, "自然资源部"),  # residue of "…17日自然资源部第1次部务会议"
        ("中中华人民共和国主席", None, "中华人民共和国主席"),
        ("生态环境部部", None, "生态环境部"),
        ("国家质检检总局", None, "国家质量监督检验检疫总局"),
        ("国家发展改革委", None, "国家发展和改革委员会"),
        ("全国人民代表大会常务委员会委员长", None, "全国人民代表大会常务委员会"),
        ("最高人民法院审判委员会", None, "最高人民法院"),
        ("省政府", "山东省", "山东省人民政府"),
        ("临沂市人民代表大会常务委员会", None, "临沂市人民代表大会常务委员会"),
        ("部", None, None),  # 部令第33号 lost its body's name
    ],
)
def test_one_name_per_body(raw: str, region: str | None, name: str | None) -> None:
    assert normalize_authority(raw, region) == name


def test_court_cases_are_their_own_kind() -> None:
    body = "## 基本案情\n张某于2020年入职。\n## 裁判结果\n支持张某的请求。"
    case = apply_evidence(doc("劳动者拒绝加班，用人单位能否解除劳动合同", body=body))
    assert (case.kind, case.level) == ("case", "案例")
    assert is_court_case("指导案例15号：某公司诉某公司买卖合同纠纷案", None)
    assert is_court_case("某标题", "案例")  # the source says so
    assert not is_court_case("最高人民法院关于发布第十批指导性案例的通知", None)
    assert apply_evidence(doc("某某管理办法")).kind == "normative"
