"""SearchService over the fixture index: query features, filters, facets, snippets, as-of."""

from __future__ import annotations

import pytest

from regsearch.errors import BadQuery, DocumentNotFound
from regsearch.index.layout import SCHEMA_VERSION
from regsearch.model import SearchQuery

pytestmark = pytest.mark.backends  # on both backends (conftest.py)


def ids(service, q: str, **kw) -> list[str]:
    return [h.id for h in service.search(SearchQuery(q=q, per_page=50, **kw)).results]


@pytest.mark.parametrize(
    "number",
    [
        "国办函〔2018〕71号",
        "国办函[2018]71号",
        "国办函(2018)71号",
        "国办函（2018）71号",
        "国办函【2018】71号",
        "国办函﹝2018﹞71号",
    ],
)
def test_doc_number_any_bracket_style_is_top_1(service, number):
    assert ids(service, number)[0] == "wangtong"


def test_digits_are_whole_tokens(service):
    assert ids(service, "4号") == ["paren"]
    assert ids(service, "40号") == ["forty"]


def test_article_number_forms_match(service):
    assert set(ids(service, "第3条")) == set(ids(service, "第三条")) == {"labor2010", "labor2020"}


def test_subword_and_phrase_and_or_not(service):
    assert ids(service, "通查") == ["wangtong"]
    assert ids(service, '"劳动合同" -解除') == ["labor2010"]
    assert set(ids(service, "劳动合同 OR 出租汽车")) == {
        "labor2010",
        "labor2020",
        "oldrule",
        "repealer",
    }
    assert set(ids(service, "(出租汽车 OR 社会保险) -废止")) == {"oldrule", "paren"}
    assert ids(service, "机关:国务院办公厅") == ["wangtong"]
    assert ids(service, "文号:黔府发(2020)13号") == ["qianfu"]


def test_exact_title_first(service):
    assert ids(service, "国务院关于进一步做好社会保险工作的通知")[0] == "paren"


def test_one_character_query(service):
    assert "script" in ids(service, "网")


def test_snippet_escapes_script(service):
    hit = service.search(SearchQuery(q="脚本")).results[0]
    assert hit.id == "script"
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;alert(1)&lt;/script&gt;等<mark>脚本</mark> &amp; 其他代码" in hit.snippet


def test_best_articles_attached(service):
    hit = service.search(SearchQuery(q="经济补偿")).results[0]
    assert hit.id == "labor2020"
    assert [(a.number, a.snippet) for a in hit.articles] == [
        # the number is shown beside the snippet, not repeated in it (issue 12)
        ("第三条", "用人单位解除劳动合同，应当依法支付<mark>经济补偿</mark>。")
    ]


def test_articles_mode(service):
    hits = service.search(SearchQuery(q="经营许可", articles=True)).results
    assert [(h.doc_id, h.article, h.status) for h in hits] == [("oldrule", "第五条", "已废止")]


def test_status_as_of_both_sides_of_a_change(service):
    before = SearchQuery(q="劳动合同条例", status=["现行有效"], as_of="2020-06-30")
    after = SearchQuery(q="劳动合同条例", status=["现行有效"], as_of="2020-07-01")
    assert [h.id for h in service.search(before).results] == ["labor2010"]
    assert [h.id for h in service.search(after).results] == ["labor2020"]
    assert ids(service, "出租汽车管理办法", status=["已废止"], as_of="2021-01-01")[0] == "oldrule"
    assert ids(service, "出租汽车管理办法", status=["已废止"], as_of="2020-12-31") == []


def test_filters_sort_pagination_facets(service):
    page = service.search(SearchQuery(q="", level=["国务院规范性文件"], sort="newest", per_page=2))
    assert page.total == 3
    assert [h.id for h in page.results] == ["forty", "paren"]
    page2 = service.search(
        SearchQuery(q="", level=["国务院规范性文件"], sort="newest", per_page=2, page=2)
    )
    assert [h.id for h in page2.results] == ["wangtong"]
    assert {f.value: f.count for f in page.facets["authority"]} == {"国务院": 2, "国务院办公厅": 1}
    assert [(f.value, f.count) for f in page.facets["year"]] == [("2019", 2), ("2018", 1)]
    assert ids(service, "", date_from="2019-01-01", date_to="2019-12-31", sort="oldest") == [
        "paren",
        "forty",
    ]
    assert ids(service, "", region=["贵州省"]) == ["qianfu"]


def test_bad_queries(service):
    for q in ['"未闭合', "(劳动", "-劳动", "劳动 OR"]:
        with pytest.raises(BadQuery):
            service.search(SearchQuery(q=q))
    with pytest.raises(BadQuery):
        service.search(SearchQuery(q="劳动", date_from="2020-13-01"))
    with pytest.raises(BadQuery):
        service.search(SearchQuery(q="劳动", status=["有效"]))
    assert service.search(SearchQuery(q="不存在的词语组合")).total == 0


def test_get_versions_stats(service):
    doc = service.get("国办函[2018]71号")
    assert doc.id == "wangtong"
    assert service.get("oldrule").status_evidence == "决定废止《某市出租汽车管理办法》"
    assert service.get("labor2010", as_of="2019-01-01").status == "现行有效"
    assert [(v.id, v.status) for v in service.versions("labor2010")] == [
        ("labor2010", "已修改"),
        ("labor2020", "现行有效"),
    ]
    with pytest.raises(DocumentNotFound):
        service.get("nope")
    st = service.stats()
    assert (st["documents"], st["articles"], st["schema_version"]) == (12, 7, SCHEMA_VERSION)
    assert st["statuses"]["已失效"] == 1
    assert len(list(service.iter_documents())) == 12
    assert service.suggest("劳动合同规定")[0].id in {"labor2010", "labor2020"}


def test_questions_go_through_question_mode_by_default(index_dir) -> None:
    from regsearch.search.question_rank import QuestionParsed
    from regsearch.search.service import SearchService

    with SearchService(index_dir) as default, SearchService(index_dir, rewrite=None) as plain:
        assert isinstance(default.parse("公司不给交社保怎么办？"), QuestionParsed)
        assert not isinstance(plain.parse("公司不给交社保怎么办？"), QuestionParsed)
        # Titles, 文号 and phrases keep their exact behaviour.
        for text in ("国办函〔2018〕71号", '"行政执法"', "贵州省行政执法监督办法"):
            assert not isinstance(default.parse(text), QuestionParsed)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("国务院办公厅关于对国务院第五次大督查发现的典型经验做法给予表扬的通报", False),
        ("关于进一步做好稳就业工作的若干措施", False),
        ("离婚时关于房子的归属是怎样的", True),
        ("公司不给交社保怎么办", True),
    ],
)
def test_titles_of_any_shape_are_not_questions(text: str, question: bool) -> None:
    from regsearch.search.question import is_question

    assert is_question(text) is question


def test_snippet_passages_never_repeat_text() -> None:
    import re as _re

    from regsearch.search.highlight import PASSAGES, WINDOW, render

    # Every character distinct, so any text shown twice is a repeated character.
    text = "".join(chr(0x4E00 + i) for i in range(WINDOW * (PASSAGES + 3)))
    step = WINDOW // 3  # matches close enough that the best windows overlap
    spans = [(i, i + 2) for i in range(WINDOW, WINDOW + step * 6, step)]
    shown = _re.sub(r"</?mark>|…| ", "", render(text, spans))
    assert len(shown) == len(set(shown))
    assert all(text[s:e] in shown for s, e in spans)
