from __future__ import annotations

import pytest

from regsearch.ingest.classify import authority_from_doc_number, classify_level, infer_region


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
