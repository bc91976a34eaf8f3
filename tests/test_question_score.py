"""The array scorer of question mode (search.question_score) and its snippets, on tiny indexes."""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import regsearch.engine.whoosh.postings as P
from regsearch.engine.whoosh import POSTINGS
from regsearch.index.analyzer import tokenize
from regsearch.index.update import update_index
from regsearch.model import Article, Document, SearchQuery
from regsearch.search import highlight
from regsearch.search.question_model import LawModel
from regsearch.search.question_rank import QuestionRewriter
from regsearch.search.question_score import (
    LEVEL_PRIOR,
    PLAIN_BM25,
    Question,
    QuestionWeights,
    ScoredTerm,
    _add_best_articles,
    score_question,
)
from regsearch.search.service import SearchService
from regsearch.text.clean import normalize

# Question mode without the shipped law model: the fixtures test the scorer, not the model.
NO_MODEL = QuestionRewriter(model=LawModel())


def _doc(
    doc_id: str, title: str, articles: list[str], level: str = "法律", region: str | None = None
) -> Document:
    arts = [
        Article(number=f"第{n}条", text=f"第{n}条 {text}", ordinal=i + 1)
        for i, (n, text) in enumerate(zip("一二三四五六七八九", articles, strict=False))
    ]
    return Document(
        id=doc_id,
        title=title,
        collection="fixture",
        source=f"{doc_id}.md",
        format="markdown",
        level=level,
        publish_date="2020-01-01",
        effective_date="2020-01-01",
        articles=arts,
        body="\n".join(a.text for a in arts),
        region=region,
    )


DOCS = [
    _doc(
        "wages",
        "工资支付条例",
        [
            "用人单位应当按月支付劳动者工资。",
            "用人单位拖欠工资的，劳动者可以申请支付令。",
            "工资标准由劳动合同约定。",
        ],
    ),
    _doc(
        "lease",
        "房屋租赁条例",
        [
            "承租人应当按照约定支付租金。",
            "出租人不得无故解除租赁合同。",
            "租金标准由双方约定，工资收入证明不是必要条件。",
        ],
    ),
    _doc(
        "phrases",
        "用语示例规定",
        [
            "劳动报酬应当足额支付，不得拖欠。",  # 足额支付: adjacent
            "支付应当及时，报酬不得足额以外扣减。",  # the same words, not adjacent
        ],
        level="部门规章",
    ),
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("qscore")
    update_index(path, DOCS[:1], rebuild=True)
    update_index(path, DOCS)  # several segments: global record numbers must line up
    return path


@pytest.fixture()
def service(index_dir: Path):
    svc = SearchService(index_dir, rewrite=NO_MODEL)
    yield svc
    svc.close()


def _scores(
    service: SearchService, q: Question, weights: QuestionWeights = PLAIN_BM25
) -> dict[str, float]:
    """Record id -> score of every record the scorer returns (both kinds)."""
    with service.read() as r:
        result = score_question(r.snap, q, weights)
        return {
            r.snap.stored(int(i))["id"]: float(s)
            for ids, scores in (result.docs, result.articles)
            for i, s in zip(ids, scores, strict=True)
        }


def _terms(*words: str, boost: float = 1.0) -> tuple[ScoredTerm, ...]:
    return tuple(ScoredTerm("body", w, boost) for w in words)


def _reference_bm25(service: SearchService, terms: list[str]) -> dict[str, float]:
    """Textbook BM25 per record kind, with term frequencies counted in the records' own
    text by the analyzer (not read from the index) and the index's field lengths."""
    k1, b = PLAIN_BM25.k1, PLAIN_BM25.b
    with service.read() as r:
        lengths = r.snap.lengths("body")
        records = {
            kind: [
                (
                    rec,
                    r.snap.stored(rec)["id"],
                    Counter(t for t, *_ in tokenize(r.snap.text(rec), "body")),
                )
                for rec in sorted(r.snap.records(kind))
            ]
            for kind in ("doc", "article")
        }
    out: dict[str, float] = {}
    for rs in records.values():
        avg = sum(lengths[rec] for rec, _i, _c in rs) / len(rs)
        for term in terms:
            df = sum(1 for _r, _i, counts in rs if counts[term])
            if not df:
                continue
            idf = math.log(1 + (len(rs) - df + 0.5) / (df + 0.5))
            for rec, rid, counts in rs:
                tf = counts[term]
                if tf:
                    norm = tf + k1 * (1 - b + b * lengths[rec] / avg)
                    out[rid] = out.get(rid, 0.0) + idf * tf * (k1 + 1) / norm
    return out


def test_a_named_place_keeps_only_its_own_local_rules_undemoted(tmp_path: Path) -> None:
    same = "用人单位拖欠劳动报酬的，劳动者可以向劳动行政部门投诉。"
    docs = [
        _doc("gd", "广东省工资支付条例", [same], level="地方性法规", region="广东省"),
        _doc("zj", "浙江省工资支付条例", [same], level="地方性法规", region="浙江省"),
        _doc("sh", "上海市工资支付条例", [same], level="地方性法规", region="上海市"),
    ]
    update_index(tmp_path, docs, rebuild=True)
    svc = SearchService(tmp_path, rewrite=NO_MODEL)
    try:

        def articles(place: tuple[str, ...]) -> dict[str, float]:
            q = Question(_terms("拖欠", "劳动报酬"), day="2024-01-01", places=place)
            scores = _scores(svc, q, QuestionWeights(doc_fusion=0.0))
            return {k.partition("#")[0]: v for k, v in scores.items() if "#" in k}

        none = articles(())
        assert none["gd"] == pytest.approx(none["zj"]) == pytest.approx(none["sh"])
        # 深圳 (and so 广东): 广东's rule is not demoted, the others stay demoted.
        shenzhen = articles(("广东", "深圳"))
        assert shenzhen["gd"] == pytest.approx(none["gd"] / LEVEL_PRIOR["地方性法规"])
        assert shenzhen["zj"] == pytest.approx(none["zj"])
        assert shenzhen["sh"] == pytest.approx(none["sh"])
        assert articles(("上海",))["sh"] == pytest.approx(none["sh"] / LEVEL_PRIOR["地方性法规"])
    finally:
        svc.close()


def test_named_places_add_the_province_of_a_city() -> None:
    from regsearch.search.question_rank import named_places

    assert named_places("我在深圳上班，公司拖欠工资") == ("广东", "深圳")
    assert named_places("上海的房东不退押金") == ("上海",)
    assert named_places("房东不退押金") == ()


def test_array_bm25_matches_a_textbook_computation(service) -> None:
    terms = ["工资", "支付", "约定", "拖欠"]
    got = _scores(service, Question(_terms(*terms)))
    want = _reference_bm25(service, terms)
    assert set(got) == set(want) and len(got) > 5
    for rid, score in want.items():
        assert got[rid] == pytest.approx(score, rel=1e-6), rid


def test_term_boost_scales_its_contribution(service) -> None:
    one = _scores(service, Question(_terms("租金")))
    two = _scores(service, Question(_terms("租金", boost=2.0)))
    assert one and {k: 2 * v for k, v in one.items()} == pytest.approx(two)


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The (field, term) of every postings list read from the index from now on."""
    reads: list[tuple[str, str]] = []
    real = P.segment_postings

    def counting(reader, field, text, offset, live):  # type: ignore[no-untyped-def]
        reads.append((field, text))
        return real(reader, field, text, offset, live)

    monkeypatch.setattr(P, "segment_postings", counting)
    return reads


def test_postings_are_read_once_and_the_cache_is_bounded(service, monkeypatch) -> None:
    q = SearchQuery(q="用人单位拖欠工资怎么办", articles=True)
    service.search(q)
    reads = _count_reads(monkeypatch)
    first = service.search(q)
    assert reads == []  # every term came from the cache
    assert first.total > 0

    monkeypatch.setattr(POSTINGS, "budget", 8 * 3)  # three postings (int32 + float32 each)
    POSTINGS.drop(first.generation)
    again = service.search(q)
    assert reads  # read again after the cache was emptied
    assert POSTINGS.used <= 8 * 3
    assert [(h.id, round(h.score, 9)) for h in again.results] == [
        (h.id, round(h.score, 9)) for h in first.results
    ]


def test_adjacent_words_earn_the_phrase_bonus(service) -> None:
    def phrases_article_scores(weight: float) -> dict[str, float]:
        q = Question(_terms("足额", "支付"), phrases=(("足额", "支付"),), day="2024-01-01")
        scores = _scores(service, q, QuestionWeights(phrase_weight=weight))
        return {k: v for k, v in scores.items() if k.startswith("phrases#")}

    without, with_ = phrases_article_scores(0.0), phrases_article_scores(0.5)
    adjacent, apart = "phrases#0", "phrases#1"
    assert with_[adjacent] > without[adjacent]
    assert with_[apart] == pytest.approx(without[apart])


def test_document_hits_list_the_articles_that_ranked_them(service) -> None:
    q = "公司拖欠工资怎么办"
    docs = service.search(SearchQuery(q=q, per_page=5, as_of="2024-01-01"))
    arts = service.search(SearchQuery(q=q, articles=True, per_page=50, as_of="2024-01-01"))
    assert docs.results[0].id == "wages"
    order = [h.article for h in arts.results if h.doc_id == "wages"]
    assert [a.number for a in docs.results[0].articles] == order[: len(docs.results[0].articles)]
    assert docs.results[0].articles[0].number == "第二条"
    assert re.search("<mark>[^<]*拖欠[^<]*</mark>", docs.results[0].articles[0].snippet)


def test_a_document_whose_other_articles_answer_too_ranks_first(tmp_path: Path) -> None:
    # Both laws have the same best article; only "more" has a second one that matches.
    same = "承租人拖欠租金的，出租人可以解除合同。"
    docs = [
        _doc("one", "甲条例", [same, "本条例自公布之日起施行。"]),
        _doc("more", "乙条例", [same, "出租人应当按期交付房屋。"]),
    ]
    update_index(tmp_path, docs, rebuild=True)
    q = Question(_terms("承租人", "租金", "出租人"), day="2024-01-01")
    svc = SearchService(tmp_path, rewrite=NO_MODEL)
    try:
        only_best = QuestionWeights(doc_own=0.0, doc_fusion=0.0, doc_articles=1)
        best_three = QuestionWeights(doc_own=0.0, doc_fusion=0.0)  # the default 3 and 0.3
        flat = _scores(svc, q, only_best)
        ranked = _scores(svc, q, best_three)
    finally:
        svc.close()
    assert flat["one"] == pytest.approx(flat["more"])
    # The second article adds doc_article_decay x its score (normalized by the best article).
    assert 0 < flat["more#1"] < flat["more#0"]
    second = flat["more#1"] / flat["more#0"] * flat["more"]
    assert ranked["one"] == pytest.approx(flat["one"])
    assert ranked["more"] == pytest.approx(flat["more"] + 0.3 * second)


def test_best_articles_sum_matches_a_sort_per_document_ties_included() -> None:
    rng = np.random.default_rng(7)
    keys = rng.integers(0, 40, 2_000)
    scores = rng.integers(1, 6, 2_000) / 5.0  # five values only: many ties
    w = QuestionWeights()
    got = np.zeros(41)
    _add_best_articles(got, keys, scores, w)
    want = np.zeros(41)
    for k in range(40):
        ranked = sorted(scores[keys == k], reverse=True)[: w.doc_articles]
        want[k] = sum(v * w.doc_article_decay**i for i, v in enumerate(ranked))
    assert got == pytest.approx(want)


def test_a_rebuilt_index_gets_fresh_arrays(tmp_path: Path) -> None:
    update_index(tmp_path, DOCS[:2], rebuild=True)
    svc = SearchService(tmp_path, rewrite=NO_MODEL)
    try:
        q = SearchQuery(q="报酬不能足额支付怎么办", articles=True, as_of="2024-01-01")
        before = {h.doc_id for h in svc.search(q).results}
        update_index(tmp_path, DOCS)
        after = {h.doc_id for h in svc.search(q).results}  # the next search sees it
    finally:
        svc.close()
    assert "phrases" not in before and "phrases" in after


def test_question_filters_apply_to_the_scored_records(service) -> None:
    q = "公司拖欠工资怎么办"
    every = service.search(SearchQuery(q=q, as_of="2024-01-01"))
    rules = service.search(SearchQuery(q=q, as_of="2024-01-01", level=["部门规章"]))
    assert {h.level for h in every.results} > {"部门规章"}
    assert rules.total and {h.level for h in rules.results} == {"部门规章"}
    assert [h.id for h in rules.results] == [h.id for h in every.results if h.level == "部门规章"]


# -- snippets by substring search ------------------------------------------------------


def test_substring_spans_keep_numbers_whole_and_offsets_true() -> None:
    text = "第４号文件……第40号和4号：工资支付，ＡＢＣ规则"
    spans = highlight.substring_spans(text, [("4",), ("工资",), ("工资", "支付"), ("abc",)])
    marked = [text[s:e] for s, e in spans]
    assert "４" in marked and "4" in marked  # full-width 4 matches 4
    assert all(m != "40" and not m.startswith("40") for m in marked)
    assert "工资支付" in marked  # the word and the phrase merge into one span
    assert "ＡＢＣ" in marked  # case and width normalized, offsets into the original
    assert len(normalize(text)) == len(text)


def test_question_snippets_mark_the_question_words(service) -> None:
    page = service.search(SearchQuery(q="房东不退租金怎么办", as_of="2024-01-01"))
    top = page.results[0]
    assert top.id == "lease" and re.search("<mark>[^<]*租金[^<]*</mark>", top.snippet)


def test_a_questions_documents_take_their_best_articles_passage(tmp_path: Path) -> None:
    notice = Document(
        id="notice",
        title="关于租金补贴的通知",
        collection="fixture",
        source="notice.md",
        format="markdown",
        level="规范性文件",
        publish_date="2021-01-01",
        body="各地落实租金补贴，房东不得拒绝退还押金。",
    )
    update_index(tmp_path, [*DOCS, notice], rebuild=True)
    svc = SearchService(tmp_path, rewrite=NO_MODEL)
    try:
        page = svc.search(SearchQuery(q="房东不退租金怎么办", as_of="2024-01-01"))
    finally:
        svc.close()
    hits = {h.id: h for h in page.results}
    lease, bare = hits["lease"], hits["notice"]
    # the passage shown for the document is the article that answers, named
    assert lease.articles and lease.snippet == (
        f"{lease.articles[0].number} {lease.articles[0].snippet}"
    )
    # a document without articles still gets a passage of its body
    assert not bare.articles and "<mark>租金</mark>" in bare.snippet


# -- warm-up ----------------------------------------------------------------------------


def test_warm_up_reads_the_model_words_ahead_of_questions(index_dir: Path, monkeypatch) -> None:
    model = LawModel(assoc={"工资": {"工资支付条例": 0.5}}, expand={"拖欠": {"支付令": 0.4}})
    svc = SearchService(index_dir, rewrite=QuestionRewriter(model=model))
    try:
        assert svc.warm_up() > 0
        generation = svc.stats()["generation"]
        cached = {(f, t) for g, f, t in POSTINGS.keys() if g == generation}
        assert {("body", "工资"), ("body", "拖欠"), ("body", "支付令")} <= cached
        reads = _count_reads(monkeypatch)
        page = svc.search(SearchQuery(q="工资被拖欠了怎么办", articles=True))
        assert page.total > 0
        assert ("body", "工资") not in reads and ("body", "拖欠") not in reads
    finally:
        svc.close()
    plain = SearchService(index_dir, rewrite=None)
    try:
        assert plain.warm_up() == 0  # no question mode, nothing to prepare
    finally:
        plain.close()


def test_warm_up_reads_the_longest_lists_and_the_boosted_laws_article_numbers(
    index_dir: Path, monkeypatch
) -> None:
    from regsearch.search import question_rank
    from regsearch.search.question_index import QuestionIndex

    model = LawModel(articles={"拖欠": {"工资支付条例\t第二条": 0.4}})
    with SearchService(index_dir, rewrite=QuestionRewriter(model=model)) as svc:
        with svc.read() as r:
            longest = r.snap.largest_terms("body", 1000)
        learned = set(question_rank.warm_terms(model))  # read before the longest lists
        beyond = [t for t, _n in longest[2:] if t not in learned]
        # a budget that holds the two longest body lists and not the third
        monkeypatch.setattr(question_rank, "WARM_POSTINGS", longest[0][1] + longest[1][1])
        svc.warm_up()
        generation = svc.stats()["generation"]
        cached = {(f, t) for g, f, t in POSTINGS.keys() if g == generation}
        assert {("body", longest[0][0]), ("body", longest[1][0])} <= cached
        assert beyond and ("body", beyond[0]) not in cached
        # the boosted law's 第N条 -> records table is built: no stored read when asked
        with svc.read() as r:
            qi = QuestionIndex.of(r.snap)
            (key,) = qi.keys_for_title(r.snap, "工资支付条例")
            reads: list[int] = []
            real = type(r.snap).stored
            monkeypatch.setattr(
                type(r.snap), "stored", lambda s, rec: reads.append(rec) or real(s, rec)
            )
            numbers = qi.article_records(r.snap, key)
            assert set(numbers) == {"第一条", "第二条", "第三条"} and reads == []


def test_serve_reports_a_failed_warm_up_and_keeps_going(capsys) -> None:
    from regsearch.cli.serve import _warm_up

    class Broken:
        def warm_up(self) -> int:
            raise OSError("disk unplugged")

    _warm_up(Broken())
    assert "disk unplugged" in capsys.readouterr().err
