"""Everyday queries over a fixture index (issue 12): citations, names, no dead ends, 文号.

The fixture (tests/data/search/everyday.jsonl, hand-written) holds a law in two
versions with its implementing regulation, an interpretation and a local rule that
name it, a law filed in three parts, and a 行政法规 numbered 国令第706号.
"""

from __future__ import annotations

import json

import pytest

from regsearch.model import Document, SearchQuery

DAY = "2025-01-01"

pytestmark = pytest.mark.backends  # on both backends (conftest.py)


@pytest.fixture(scope="module")
def svc(new_location, data_dir):
    from regsearch.index.update import update_index
    from regsearch.search.service import SearchService

    lines = (data_dir / "search" / "everyday.jsonl").read_text(encoding="utf-8").splitlines()
    docs = [Document.from_dict(json.loads(line)) for line in lines if line.strip()]
    path = new_location("everyday-index")
    update_index(path, docs)
    service = SearchService(path)
    yield service
    service.close()


def search(svc, q: str, **kw):
    return svc.search(SearchQuery(q=q, as_of=DAY, per_page=20, **kw))


@pytest.mark.parametrize(
    "q",
    [
        "消费者权益保护法第五十五条",
        "中华人民共和国消费者权益保护法第五十五条",
        "《消费者权益保护法》第55条",
        "消费者权益保护法55条",
        "消费者权益保护法 第五十五条",
        "消费者权益保护法第五十五条第一款",
        "消保法第五十五条",
        "请问消费者权益保护法第五十五条是怎么规定的",
    ],
)
def test_a_citation_lands_on_the_article_in_force_in_both_views(svc, q):
    arts = search(svc, q, articles=True)
    assert [(h.doc_id, h.article) for h in arts.results[:2]] == [
        ("xb2023", "第五十五条"),
        ("xb2013", "第五十五条"),  # the other version follows, marked by its status
    ]
    assert [h.status for h in arts.results[:2]] == ["现行有效", "已修改"]
    assert arts.resolved == "消费者权益保护法 第五十五条"
    docs = search(svc, q)
    assert [h.id for h in docs.results[:2]] == ["xb2023", "xb2013"]
    assert docs.results[0].articles[0].number == "第五十五条"


def test_citation_forms_of_numbers(svc):
    (hit, *_rest) = search(svc, "消费者权益保护法第五十五条之一", articles=True).results
    assert (hit.doc_id, hit.article) == ("xb2023", "第五十五条之一")
    (hit, *_rest) = search(svc, "民法典第1079条", articles=True).results
    assert (hit.doc_id, hit.article) == ("mfhy", "第一千零七十九条")  # the part that holds it


def test_an_older_day_cites_the_version_then_in_force(svc):
    page = svc.search(
        SearchQuery(q="消费者权益保护法第五十五条", articles=True, as_of="2020-01-01")
    )
    assert page.results[0].doc_id == "xb2013"


def test_filters_still_apply_to_what_a_citation_pins(svc):
    page = search(svc, "消费者权益保护法第五十五条", articles=True, status=["已修改"])
    assert [h.doc_id for h in page.results] == ["xb2013"]


@pytest.mark.parametrize(
    "q", ["消费者权益保护法", "《消费者权益保护法》", "消保法", "中华人民共和国消费者权益保护法"]
)
def test_a_name_puts_the_law_in_force_first_then_its_family(svc, q):
    page = search(svc, q)
    assert [h.id for h in page.results[:5]] == ["xb2023", "xb2013", "xbtl", "xbjs", "xbdf"]
    assert page.resolved == "消费者权益保护法"


def test_a_law_in_parts_opens_with_its_first_part(svc):
    assert [h.id for h in search(svc, "民法典").results[:3]] == ["mfzz", "mfht", "mfhy"]
    arts = search(svc, "民法典", articles=True).results
    assert [h.article for h in arts[:2]] == ["第一条", "第十七条"]


def test_no_dead_end_for_a_situation_told_in_words(svc):
    page = search(svc, "欠钱不还")
    assert page.relaxed is True
    assert page.results and page.results[0].id == "mfht"
    arts = search(svc, "欠钱不还", articles=True)
    assert arts.relaxed and arts.results[0].article == "第六百七十五条"


def test_a_situation_typed_with_spaces_between_its_clauses_is_relaxed(svc):
    # No question word and no punctuation: the spaces separate clauses, not keywords.
    page = search(svc, "借出去五万块 到期了一直欠钱不还")
    assert page.relaxed is True
    assert page.results and page.results[0].id == "mfht"


def test_a_story_that_quotes_words_is_a_question(svc):
    # The quotation marks are the story's: read as a quoted phrase, nothing holds it.
    q = "朋友说“过两个月就还”，借了我五万块，到期了一直欠钱不还，怎么办？"
    page = search(svc, q)
    assert page.relaxed is False
    assert page.results and page.results[0].id == "mfht"
    arts = search(svc, q, articles=True)
    assert arts.results[0].article == "第六百七十五条"


def test_keywords_that_match_nothing_stay_at_nothing(svc):
    page = search(svc, "劳动合同 租金")
    assert (page.total, page.relaxed) == (0, False)
    assert search(svc, '"不存在的短语"').total == 0


def test_an_ordinary_query_is_not_resolved_or_relaxed(svc):
    page = search(svc, "退货")
    assert (page.resolved, page.relaxed, page.total_capped) == (None, False, False)
    assert {h.id for h in page.results} == {"xb2013", "xb2023"}


@pytest.mark.parametrize("q", ["国令第706号", "国务院令第706号", "中华人民共和国国务院令第706号"])
def test_order_numbers_in_every_form(svc, q):
    assert search(svc, q).results[0].id == "zldl"
    assert svc.get(q).id == "zldl"


def test_snippets_do_not_mark_characters_inside_words(svc):
    page = search(svc, "交")
    (hit,) = [h for h in page.results if h.id == "traffic"]
    assert "<mark>交</mark>通" not in hit.snippet


def test_the_page_says_what_was_recognized_and_what_was_relaxed(svc):
    from regsearch.web import create_app

    client = create_app({"SERVICE": svc, "TESTING": True}).test_client()
    cited = client.get("/search", query_string={"q": "消保法第五十五条", "as_of": DAY})
    body = cited.get_data(as_text=True)
    assert cited.status_code == 200
    assert "已识别为：<strong>消费者权益保护法 第五十五条</strong>" in body
    relaxed = client.get("/search", query_string={"q": "欠钱不还", "as_of": DAY})
    body = relaxed.get_data(as_text=True)
    assert "最接近的部分匹配" in body and "已识别为" not in body
    plain = client.get("/search", query_string={"q": "欠钱 租金 不存在的词", "as_of": DAY})
    assert "最接近的部分匹配" not in plain.get_data(as_text=True)


def test_the_terminal_says_so_too_and_a_capped_total_reads_n_plus(svc, monkeypatch):
    import dataclasses

    from regsearch.cli import search as cli_search

    monkeypatch.setattr(cli_search, "terminal_width", lambda: 120)
    page = search(svc, "欠钱不还")
    data = {"results": [dataclasses.asdict(h) for h in page.results]}
    text = cli_search.render_table(page, data, articles=False)
    assert text.startswith(f"共 {page.total} 条结果") and "最接近的部分匹配" in text
    capped = dataclasses.replace(page, total_capped=True)
    assert cli_search.render_table(capped, data, articles=False).startswith(f"共 {page.total}+ 条")
    named = search(svc, "消保法第五十五条")
    text = cli_search.render_table(
        named, {"results": [dataclasses.asdict(h) for h in named.results]}, False
    )
    assert "已识别为：消费者权益保护法 第五十五条" in text
