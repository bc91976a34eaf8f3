"""Names first (regsearch.search.names): the order of a named law's documents."""

from __future__ import annotations

from regsearch.search.names import LawDoc, mentions, names_first, versions_first

DOCS = [
    LawDoc(1, "最高人民法院关于适用公司法若干问题的规定〔一〕", "司法解释", True, "2014-02-20"),
    LawDoc(2, "某省实施公司法办法", "地方性法规", True, "2019-01-01"),
    LawDoc(3, "公司法", "法律", False, "2018-10-26"),
    LawDoc(4, "公司法", "法律", True, "2023-12-29"),
    LawDoc(5, "公司法实施条例", "行政法规", True, "2020-01-01"),
    LawDoc(6, "关于修改公司法的决定", "法律", True, "2013-12-28"),
    LawDoc(7, "公司法", "法律", False, "2005-10-27"),
    LawDoc(8, "最高人民法院关于适用公司法时间效力的若干规定", "司法解释", False, "2024-06-29"),
    LawDoc(9, "证券公司监督管理条例", "行政法规", True, "2014-07-29"),  # not named: 证券公司
    LawDoc(10, "个人独资企业法", "法律", True, "1999-08-30"),
]


def test_the_law_in_force_then_versions_rules_interpretations_others_local():
    order = [d.record for d in names_first("公司法", DOCS)]
    assert order == [4, 3, 7, 5, 1, 8, 6, 2]


def test_parts_of_one_law_in_the_order_of_their_articles():
    parts = [
        LawDoc(21, "民法典", "法律", True, "2020-05-28", part=1040),
        LawDoc(22, "民法典", "法律", True, "2020-05-28", part=1),
        LawDoc(23, "民法典", "法律", True, "2020-05-28", part=463),
    ]
    assert [d.record for d in names_first("民法典", parts)] == [22, 23, 21]


def test_a_name_inside_another_word_is_not_named():
    assert mentions("社会保险法", "保险法") is False
    assert mentions("最高人民法院关于审理保险纠纷适用保险法的解释", "保险法") is True
    assert mentions("浙江省工会劳动法律监督条例", "劳动法") is False


def test_versions_first_keeps_the_law_only():
    assert [d.record for d in versions_first("公司法", DOCS)] == [4, 3, 7]
