"""Citations and law names (regsearch.search.citation): pure, over hand-written titles."""

from __future__ import annotations

import pytest

from regsearch.search.citation import NamedText, article_refs, law_key, learn_names

TITLES = [
    ("中华人民共和国刑法", "法律"),
    ("中华人民共和国民法典", "法律"),
    ("中华人民共和国仲裁法", "法律"),
    ("中华人民共和国劳动争议调解仲裁法", "法律"),
    ("中华人民共和国劳动合同法", "法律"),
    ("中华人民共和国个人信息保护法", "法律"),
    ("中华人民共和国个人所得税法", "法律"),
    ("中华人民共和国民事诉讼法", "法律"),
    ("中华人民共和国治安管理处罚法", "法律"),
    ("中华人民共和国农村土地承包法", "法律"),
    ("中华人民共和国道路交通安全法", "法律"),
    ("中华人民共和国道路交通安全法实施条例", "行政法规"),
    ("中华人民共和国国防交通法", "法律"),
    ("中华人民共和国消防法", "法律"),
    ("中华人民共和国消费者权益保护法", "法律"),
    ("国有土地上房屋征收与补偿条例", "行政法规"),
    ("最高人民法院关于适用《中华人民共和国合同法》若干问题的解释（二）", "司法解释"),
    ("浙江省物业管理条例", "地方性法规"),
]


@pytest.fixture(scope="module")
def names():
    rows = [NamedText(t, level) for t, level in TITLES]
    rows.append(
        NamedText(
            "",
            "",
            "第一条 根据《国有土地上房屋征收与补偿条例》（以下简称国务院房屋征收补偿条例），"
            "结合本市实际，制定本办法。本办法所称《条例》（以下简称《条例》）。",
        )
    )
    return learn_names(rows)


@pytest.mark.parametrize(
    ("text", "number", "ordinal", "paragraph", "item"),
    [
        ("第二百六十四条", "第二百六十四条", 264, None, None),
        ("第264条", "第二百六十四条", 264, None, None),
        ("264条", "第二百六十四条", 264, None, None),
        ("第１０７９条", "第一千零七十九条", 1079, None, None),
        ("第一千零七十九条", "第一千零七十九条", 1079, None, None),
        ("第十七条之一", "第十七条之一", 17, None, None),
        ("第17条之1", "第十七条之一", 17, None, None),
        ("第三十九条第二项", "第三十九条", 39, None, 2),
        ("第三十九条第一款第（二）项", "第三十九条", 39, 1, 2),
        ("第 三 条 第 二 款", "第三条", 3, 2, None),
    ],
)
def test_article_numbers_in_every_form(text, number, ordinal, paragraph, item):
    (ref,) = article_refs(text)
    assert (ref.number, ref.ordinal, ref.paragraph, ref.item) == (number, ordinal, paragraph, item)


def test_words_that_are_not_article_numbers():
    assert article_refs("治安管理处罚条例") == []  # 条例 is not 条
    assert article_refs("这三条件都满足") == []
    assert article_refs("第零条") == []


def test_law_key_drops_the_state_name_marks_and_spaces():
    assert law_key("《中华人民共和国 刑法》") == "刑法"
    assert law_key("刑法修正案(十一)") == law_key("刑法修正案（十一）")


@pytest.mark.parametrize(
    ("query", "law", "how"),
    [
        ("刑法", "刑法", "exact"),
        ("中华人民共和国刑法", "刑法", "exact"),
        ("《民法典》", "民法典", "exact"),
        ("民法典婚姻家庭编", "民法典", "part"),
        ("刑法 全文", "刑法", "exact"),
        ("国务院房屋征收补偿条例", "国有土地上房屋征收与补偿条例", "alias"),
        ("个保法", "个人信息保护法", "abbreviation"),
        ("民诉法", "民事诉讼法", "abbreviation"),
        ("个税法", "个人所得税法", "abbreviation"),
        ("治安处罚法", "治安管理处罚法", "abbreviation"),
        ("土地承包法", "农村土地承包法", "abbreviation"),
        ("劳动仲裁法", "劳动争议调解仲裁法", "abbreviation"),
        ("消保法", "消费者权益保护法", "abbreviation"),
        ("道交法实施条例", "道路交通安全法实施条例", "implementing"),
        ("浙江省物业管理条例", "浙江省物业管理条例", "exact"),
    ],
)
def test_names_resolve(names, query, law, how):
    match = names.named_law(query)
    assert match is not None and (match.key, match.how) == (law, how)


@pytest.mark.parametrize(
    "query",
    [
        "合同法",  # a law the texts cite that has no document: not 劳动合同法
        "消法",  # one character of one word: not 消防法
        "交通法",  # one last word: not 国防交通法
        "民法",
        "条例",  # a generic word defined as 简称 is never an alias
        "劳动合同 经济补偿",
    ],
)
def test_what_does_not_resolve(names, query):
    assert names.named_law(query) is None


def test_citation_alone_inside_a_sentence_and_joined(names):
    (c,) = names.citations("《中华人民共和国刑法》第264条")
    assert (c.law.key, c.article.number, c.start) == ("刑法", "第二百六十四条", 0)
    (c,) = names.citations("请问劳动合同法第四十七条说的经济补偿怎么算")
    assert (c.law.key, c.article.number, c.start) == ("劳动合同法", "第四十七条", 2)
    both = names.citations("刑法第二百六十四条、第二百六十六条")
    assert [(c.law.key, c.article.number) for c in both] == [
        ("刑法", "第二百六十四条"),
        ("刑法", "第二百六十六条"),
    ]
    (c,) = names.citations("个保法第十三条")
    assert (c.law.key, c.law.how) == ("个人信息保护法", "abbreviation")
    assert names.citations("第十七条之一") == []  # no law named
    assert names.citations("我有3条狗") == []


def test_the_longest_name_wins(names):
    (c,) = names.citations("劳动仲裁法第二十七条")
    assert c.law.key == "劳动争议调解仲裁法"  # not 仲裁法, the name it ends with
    (c,) = names.citations("道路交通安全法实施条例第九十条")
    assert c.law.key == "道路交通安全法实施条例"


def test_what_the_table_learns_from_texts(names):
    assert names.aliases == {"国务院房屋征收补偿条例": "国有土地上房屋征收与补偿条例"}
    assert "合同法" in names.absent
    assert names.cited["国有土地上房屋征收与补偿条例"] == 1
