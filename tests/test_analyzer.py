"""The analyzer: digits, brackets, ordinals, positions, sub-words, one code for documents and
queries, the segmenters' agreement, and the whoosh behaviours the index relies on."""

from __future__ import annotations

import pytest
from whoosh import query as Q
from whoosh.fields import ID, Schema
from whoosh.filedb.filestore import RamStorage

from regsearch.engine.whoosh.schema import make_schema
from regsearch.index.analyzer import han_chars, query_terms, tokenize
from regsearch.index.segment import DICT_PATH, load_segmenter, user_words
from regsearch.text.clean import normalize


def test_digits_and_full_width_are_kept_whole():
    assert query_terms("国办函〔2018〕4号") == ["国办", "函", "2018", "4", "号"]
    assert query_terms("国办函〔2018〕40号") == ["国办", "函", "2018", "40", "号"]
    assert query_terms("ＡＢＣ４０号") == ["abc40", "号"]
    assert "4" not in query_terms("40号")


def test_brackets_normalize_to_one_form_without_changing_length():
    forms = ["国办函[2018]71号", "国办函（2018）71号", "国办函(2018)71号", "国办函【2018】71号"]
    assert {normalize(f) for f in forms} == {"国办函〔2018〕71号"}
    text = "第３条　规定…（一）"
    assert len(normalize(text)) == len(text)


@pytest.mark.parametrize("form", ["第3条", "第三条", "第３条", "第 3 条"])
def test_article_numbers_are_one_canonical_token(form):
    assert query_terms(form) == ["第三条"]


def test_article_number_variants():
    assert query_terms("第十七条之一") == ["第十七条之一"]
    assert query_terms("第17条之1") == ["第十七条之一"]
    assert query_terms("第2章") == ["第二章"]
    assert query_terms("第零条") == ["第零", "条"]  # not an ordinal: plain words


def test_positions_are_ordinal_and_offsets_point_into_the_original():
    text = "根据第３条规定，推进一网通查"
    toks = tokenize(text, "query")
    assert [(t, p) for t, p, _s, _e in toks] == [
        ("根据", 0),
        ("第三条", 1),
        ("规定", 2),
        ("推进", 3),
        ("一网通查", 4),
    ]
    assert [text[s:e] for _t, _p, s, e in toks] == ["根据", "第３条", "规定", "推进", "一网通查"]


def test_sub_words_share_the_parents_position():
    toks = tokenize("推进一网通查工作", "index")
    inside = [(t, p, s, e) for t, p, s, e in toks if p == 1]
    assert inside[0] == ("一网通查", 1, 2, 6)
    assert {t for t, _p, _s, _e in inside} == {
        "一网通查",
        "一网通",
        "一网",
        "网通",
        "通查",
        "一",
        "网",
        "通",
        "查",
    }
    # Bodies keep dictionary sub-words but not single characters (those go to `chars`).
    body = {t for t, p, _s, _e in tokenize("推进一网通查工作", "body") if p == 1}
    assert body == {"一网通查", "一网通", "一网", "网通", "通查"}
    assert han_chars("推进一网通查 ab 12") == set("推进一网通查")


def test_queries_use_precise_words_only():
    assert query_terms("一网通查") == ["一网通查"]
    assert query_terms("规范性文件的审查") == ["规范性文件", "的", "审查"]
    assert query_terms("网") == ["网"]
    assert query_terms("，。") == []


def test_same_code_for_documents_and_queries():
    schema = make_schema()
    text = "《劳动合同法》第3条规定的经济补偿"
    analyzer = schema["title"].analyzer
    assert [t.text for t in analyzer(text, mode="query")] == query_terms(text)
    indexed = [
        (t.text, t.pos, t.startchar, t.endchar) for t in analyzer(text, positions=True, chars=True)
    ]
    assert indexed == tokenize(text, "index")
    body = schema["body"].analyzer
    assert [t.text for t in body(text)] == [t for t, *_ in tokenize(text, "body")]


def test_legal_dictionary_lines_all_give_a_frequency():
    lines = [ln for ln in DICT_PATH.read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert len(user_words()) == len(lines)
    assert ("一网通查", 50000, "n") in user_words()


SAMPLE = (
    "为推进一网通查，规范性文件应当统一公开。各地区要深化放管服改革，做好立改废工作。"
    "用人单位解除劳动合同，应当依法向劳动者支付经济补偿。在工作中发现的问题，港外船舶出口产品。"
    "第十七条之一 国办函〔2018〕71号 ABC 2019年 住房公积金管理条例（2019年修订）"
)


def test_rjieba_and_jieba_give_identical_words():
    pytest.importorskip("rjieba")
    fast, slow = load_segmenter("rjieba"), load_segmenter("jieba")
    assert fast.cut(SAMPLE) == slow.cut(SAMPLE)
    grams = {SAMPLE[i : i + n] for n in (2, 3, 4) for i in range(len(SAMPLE) - n)}
    assert {g for g in grams if fast.is_word(g)} == {g for g in grams if slow.is_word(g)}


@pytest.mark.corpus
def test_rjieba_and_jieba_agree_on_real_text(corpora_dir):
    pytest.importorskip("rjieba")
    fast, slow = load_segmenter("rjieba"), load_segmenter("jieba")
    files = sorted((corpora_dir / "lawrefbook").rglob("*.md"))[::60]
    files += sorted((corpora_dir / "waystowork").rglob("*.md"))[::40]
    assert len(files) > 60
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert fast.cut(text) == slow.cut(text), path


def test_whoosh_term_range_on_date_strings():
    schema = Schema(id=ID(stored=True), d=ID(stored=True))
    ix = RamStorage().create_index(schema)
    with ix.writer() as w:
        for i, d in enumerate(
            ["2019-12-31", "2020-01-01", "2020-06-30", "2021-01-01", "9999-99-99"]
        ):
            w.add_document(id=str(i), d=d)
    with ix.searcher() as s:

        def found(q):
            return sorted(s.stored_fields(n)["d"] for n in s.docs_for_query(q))

        assert found(Q.TermRange("d", "2020-01-01", "2020-12-31")) == ["2020-01-01", "2020-06-30"]
        assert found(Q.TermRange("d", "2020-06-30", None, startexcl=True)) == [
            "2021-01-01",
            "9999-99-99",
        ]
        assert found(Q.TermRange("d", "0000-00-00", "2019-12-31")) == ["2019-12-31"]


def test_whoosh_keeps_character_offsets_for_snippets():
    from regsearch.engine.whoosh.records import _pre

    schema = make_schema()
    ix = RamStorage().create_index(schema)
    text = "用人单位解除劳动合同，应当支付经济补偿。劳动合同终止的，同样支付。"
    with ix.writer() as w:
        w.add_document(id="a", body=_pre("body", text))  # pre-computed postings
        w.add_document(id="b", body=text)  # whoosh's own analyzer path
    with ix.searcher() as s:
        offsets = {}
        for docnum in (0, 1):
            m = s.reader().postings("body", "劳动合同")
            m.skip_to(docnum)
            offsets[docnum] = list(m.value_as("characters"))
        assert offsets[0] == offsets[1] == [(2, 6, 10), (6, 20, 24)]
        assert [text[a:b] for _p, a, b in offsets[0]] == ["劳动合同", "劳动合同"]
        phrase = Q.Phrase("body", ["解除", "劳动合同"])
        assert sorted(s.docs_for_query(phrase)) == [0, 1]
