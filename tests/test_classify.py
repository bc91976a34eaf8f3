from __future__ import annotations

import pytest

from regsearch.ingest.classify import (
    authority_from_doc_number,
    canonical_region,
    classify_level,
    infer_region,
)


@pytest.mark.parametrize(
    ("number", "authority", "level"),
    [
        ("贵州省人民政府令第179号", "贵州省人民政府", "地方政府规章"),
        ("黔府发〔2020〕13号", "贵州省人民政府", "规范性文件"),
        ("国办函〔2018〕71号", "国务院办公厅", "规范性文件"),
        ("鲁政办发〔2019〕2号", "山东省人民政府办公厅", "规范性文件"),
        ("中华人民共和国国务院令第492号", "国务院", "行政法规"),
        ("农业部令2016年第3号", "农业部", "部门规章"),
    ],
)
def test_level_from_number(number, authority, level):
    assert authority_from_doc_number(number) == authority
    assert classify_level("某办法", None, number, None) == level


def test_level_from_history_and_title():
    assert classify_level("中华人民共和国宪法", None, None, None) == "宪法"
    assert (
        classify_level(
            "某法", None, None, ["2001年10月27日第九届全国人民代表大会常务委员会第二十四次会议通过"]
        )
        == "法律"
    )
    assert (
        classify_level(
            "山东省某条例",
            None,
            None,
            ["2008年11月27日 山东省第十一届人民代表大会常务委员会第七次会议通过"],
        )
        == "地方性法规"
    )
    assert (
        classify_level("某办法", None, None, ["（2007年1月19日国土资源部第38号令公布）"])
        == "部门规章"
    )
    assert classify_level("最高人民法院关于适用某法的解释", None, None, None) == "司法解释"


def test_infer_region():
    assert infer_region("贵州省行政执法监督办法", None) == "贵州省"
    assert infer_region("国务院办公厅关于", "国务院办公厅") is None
    assert infer_region("某条例", "深圳市人民代表大会常务委员会") == "深圳市"
    assert infer_region("广西壮族自治区行政执法监督办法", None) == "广西壮族自治区"
    assert infer_region("宁波市生活垃圾管理条例", None) == "宁波市"
    assert infer_region("农贸市场管理办法", None) is None


@pytest.mark.parametrize(
    ("title", "authority", "region"),
    [
        # a word that ends in 市 is not a city
        ("城市市容和环境卫生管理条例", None, None),
        ("城市市容和环境卫生管理条例", "国务院", None),
        ("超市管理办法", None, None),
        # a national body: a place in the title is the subject, not the region
        ("台湾海峡两岸间航运管理办法", "交通运输部", None),
        ("上海航运交易所管理规定", "交通部", None),
        # a relative authority defers to the title
        ("新疆维吾尔自治区规范行政裁量权办法", "自治区人民政府", "新疆维吾尔自治区"),
        ("青海省规范行政处罚裁量权办法", "省政府", "青海省"),
        # other cities only when their government or congress confirms them
        ("临沂市文明行为促进条例", "临沂市人民代表大会常务委员会", "临沂市"),
        ("临沂市文明行为促进条例", None, None),
        ("某办法", "示例市人民政府", "示例市"),
        ("某办法", "本市人民政府", None),
        ("石家庄市供热管理办法", None, "石家庄市"),
        ("延边朝鲜族自治州朝鲜语言文字工作条例", None, "延边朝鲜族自治州"),
        # short province names only count when the authority gives the full name
        ("台湾同胞投资保护法实施细则", None, None),
        ("某规定", "山东省人民政府办公厅", "山东省"),
    ],
)
def test_infer_region_accepts_only_real_places(title, authority, region):
    assert infer_region(title, authority) == region


def test_canonical_region():
    assert [canonical_region(n) for n in ("山东", "重庆", "内蒙古", "示例", None)] == [
        "山东省",
        "重庆市",
        "内蒙古自治区",
        "示例",
        None,
    ]
