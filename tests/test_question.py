"""Question mode (issue 6): detection, rewriting, vocabulary, and fused ranking on a tiny index."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest

from regsearch.index.analyzer import query_terms
from regsearch.index.update import update_index
from regsearch.model import Document, SearchQuery
from regsearch.search.query import ParsedQuery
from regsearch.search.question import (
    ASK_WEIGHT,
    ask_sentence,
    find_colloquial,
    is_question,
    load_vocabulary,
    parse_vocabulary,
    rewrite,
)
from regsearch.search.question_model import (
    MODEL_PATH,
    LawModel,
    load_model,
    train_model,
)
from regsearch.search.question_rank import (
    QuestionParsed,
    QuestionRewriter,
    model_features,
    question_rewriter,
)
from regsearch.search.service import SearchService

DATA = Path(__file__).resolve().parent / "data" / "question"


# -- detection -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "公司不给交社保怎么办",
        "离婚后孩子的抚养费怎么算？",
        "房东不退押金可以起诉吗",
        "什么情况下用人单位可以解除劳动合同",
        "借钱不还能否报警",
        "Is it legal?",
        "我在公司上班三年了，老板突然把我辞退了，一分钱补偿也没给",
        "去年换了两份工作 今年要退税还是补税 咋弄",
        "不去当兵会有啥后果",
        # quotation marks inside a sentence are the sentence's, not the query language
        "“复利”“利滚利”的约定合法吗？",
        "“扶养关系”如何认定？",
        "我妈天天去小区旁边一个“健康讲座”，被忽悠着买了一台仪器，能退吗",
        '公司以"岗位取消"为由把怀孕的我辞退了，合法吗',
    ],
)
def test_questions_are_detected(text: str) -> None:
    assert is_question(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "中华人民共和国劳动合同法",
        "劳动合同法实施条例",
        "《民法典》",
        "《民法典》第一千零七十九条",
        "国办发〔2018〕71号",
        "国发[2004]10号",
        "国务院办公厅关于做好2019年元旦春节期间有关工作的通知",
        "最高人民法院关于如何理解和适用刑法第一百五十条的批复",
        '"经济补偿"',
        "“解除劳动合同”怎么办",
        "“经济补偿”？",
        '"劳动合同" 解除',
        "关于“放管服”改革的通知",
        "标题:劳动合同",
        "全文：经济补偿 是否",
        "劳动合同 经济补偿",
        "社会保险 OR 工伤",
        "劳动合同 -派遣",
        "经济补偿",
    ],
)
def test_precise_queries_are_not_questions(text: str) -> None:
    assert is_question(text) is False


# -- vocabulary ------------------------------------------------------------------


def test_parse_vocabulary_merges_and_skips_bad_lines() -> None:
    vocab = parse_vocabulary((DATA / "vocab.tsv").read_text("utf-8").splitlines())
    assert vocab == {
        "社保": ["社会保险"],
        "老板": ["用人单位", "雇主"],
        "欠钱不还": ["借款", "逾期"],
    }


def test_shipped_vocabulary_has_general_mappings() -> None:
    vocab = load_vocabulary()
    assert len(vocab) > 250
    assert vocab["社保"] == ["社会保险", "社会保险费"]
    assert vocab["交社保"] == ["缴纳", "社会保险费"]
    assert "解除劳动合同" in vocab["辞退"]
    assert "解除劳动合同" in vocab["炒鱿鱼"]
    assert vocab["老板"] == ["用人单位"]
    assert vocab["房东"] == ["出租人"]
    assert vocab["租客"] == ["承租人"]
    assert "劳动报酬" in vocab["工资"]
    assert "有期徒刑" in vocab["坐牢"]
    assert "采光" in vocab["挡光"] and "饲养动物" in vocab["狗咬"]
    assert all(terms for terms in vocab.values())
    assert load_vocabulary() is vocab  # loaded once


def test_colloquial_words_match_on_token_boundaries() -> None:
    vocab = {"出租": ["出租人"], "欠钱不还": ["借款"], "告": ["起诉"]}
    assert find_colloquial(["出租车", "司机"], vocab) == []
    assert find_colloquial(["他", "欠钱", "不", "还"], vocab) == ["欠钱不还"]
    assert find_colloquial(["公告"], vocab) == []
    assert find_colloquial(["我", "要", "告", "他"], vocab) == ["告"]
    assert find_colloquial(["房子", "出租"], vocab) == ["出租"]


# -- rewriting -------------------------------------------------------------------


def test_colloquial_keys_match_with_aspect_particles_inside() -> None:
    vocab = {"生孩子": ["生育"], "离婚": ["离婚"], "签合同": ["订立"], "撞了人": ["交通事故"]}
    assert find_colloquial(["刚", "生", "完", "孩子"], vocab) == ["生孩子"]
    assert find_colloquial(["生", "了", "孩子"], vocab) == ["生孩子"]
    assert find_colloquial(["离了婚", "孩子"], vocab) == ["离婚"]  # inside one token
    assert find_colloquial(["签过", "合同"], vocab) == ["签合同"]
    assert find_colloquial(["撞了人", "跑", "了"], vocab) == ["撞了人"]  # a key with 了 in it
    # Only particles are left out, and a token's first character never is (过期 stays).
    assert find_colloquial(["生", "下", "孩子"], vocab) == []
    assert find_colloquial(["过期", "食品"], {"期食品": ["x"], "过期食品": ["过期"]}) == [
        "过期食品"
    ]
    assert find_colloquial(["过期", "食品"], {"期食品": ["x"]}) == []


def test_rewrite_drops_question_words_and_maps_colloquial_terms() -> None:
    vocab = {"社保": ["社会保险"], "老板": ["用人单位"]}
    rq = rewrite("请问老板不给我交社保怎么办？", query_terms, vocab)
    assert [(t.text, t.weight, t.expansion) for t in rq.terms] == [
        ("老板", 1.0, False),
        ("交", 0.3, False),
        ("社保", 1.0, False),
        ("用人单位", 0.7, True),
        ("社会保险", 0.7, True),
    ]
    assert rq.phrases == [("交", "社保")]


def test_rewrite_adds_multiword_expansions_as_phrases() -> None:
    vocab = {"辞退": ["解除劳动合同"]}
    rq = rewrite("被辞退了", query_terms, vocab)
    assert [t.text for t in rq.terms] == ["辞退", "解除", "劳动合同"]
    assert rq.phrases == [("解除", "劳动合同")]
    assert rq.term_weights() == {"辞退": 1.0, "解除": 0.7, "劳动合同": 0.7}


def test_a_vocabulary_key_never_spans_two_clauses() -> None:
    vocab = {"打我": ["殴打"]}
    for text in ("电话也不打，我能去告他吗", "电话也不打 我能去告他吗"):
        assert "殴打" not in [t.text for t in rewrite(text, query_terms, vocab).terms]
    assert "殴打" in [t.text for t in rewrite("他又打我了怎么办", query_terms, vocab).terms]


def test_rewrite_leaves_out_the_dates_and_amounts_of_a_story() -> None:
    rq = rewrite("2021年3月借给他6000元，8.5个月了，刑法第264条管不管？", query_terms, {})
    texts = [t.text for t in rq.terms]
    assert not any(ch.isdigit() for t in texts for ch in t)
    assert "借给" in texts and "第二百六十四条" in texts
    assert all(not any(ch.isdigit() for ch in "".join(p)) for p in rq.phrases)


STORY = (
    "前年冬天有天晚上我下夜班骑电动车回家，在出租屋楼下被一个人拿刀拦住要钱，我跟他扭打，"
    "抢过刀捅了他大腿一下，他跑了。后来人被抓到，说是动脉破了差点死掉。"
    "现在他家里人要告我，我这算不算正当防卫？"
)


def test_the_sentence_that_asks_weighs_more_in_a_long_story() -> None:
    assert ASK_WEIGHT > 1.0
    assert ask_sentence(STORY) == "现在他家里人要告我，我这算不算正当防卫？"
    vocab = {"出租屋": ["出租人"], "告我": ["起诉"]}
    weights = rewrite(STORY, query_terms, vocab).term_weights()
    assert weights["正当防卫"] == ASK_WEIGHT and weights["家里人"] == ASK_WEIGHT
    assert weights["出租屋"] == 1.0 and weights["冬天"] == 1.0  # the story's details
    assert weights["起诉"] == 0.7 * ASK_WEIGHT and weights["出租人"] == 0.7  # vocabulary
    # A short question, or a story of one sentence, weighs all its words alike.
    assert ask_sentence("我这算不算正当防卫？") == ""
    assert ask_sentence(STORY.replace("。", "，")) == ""
    short = rewrite("在出租屋楼下被人拿刀拦住，我这算不算正当防卫？", query_terms, vocab)
    assert short.term_weights()["正当防卫"] == 1.0


def test_rewrite_adds_subwords_with_a_lower_weight() -> None:
    rq = rewrite(
        "能要精神损害赔偿吗",
        query_terms,
        {},
        subwords=lambda w: ["损害", "赔偿"] if w == "损害赔偿" else [],
    )
    assert rq.term_weights() == {"精神": 1.0, "损害赔偿": 1.0, "损害": 0.5, "赔偿": 0.5}


def test_rewriter_leaves_precise_queries_to_the_parser() -> None:
    assert question_rewriter("中华人民共和国劳动合同法") is None
    assert question_rewriter("国办发〔2018〕71号") is None
    assert question_rewriter("怎么办？") is None  # nothing left to search for
    parsed = question_rewriter("房东不退押金怎么办")
    assert isinstance(parsed, QuestionParsed)
    assert parsed.root is not None
    assert ("出租人",) not in parsed.highlights()  # expansions are searched, not highlighted
    assert ("房东",) in parsed.highlights()


# -- ranking on a tiny index ---------------------------------------------------------


def _documents() -> list[Document]:
    raw = json.loads((DATA / "documents.json").read_text("utf-8"))
    return [Document.from_dict(d) for d in raw]


pytestmark = pytest.mark.backends  # the service-level tests run on both backends


@pytest.fixture(scope="module")
def question_index(new_location) -> Path:
    index_dir = new_location("question-index")
    docs = _documents()
    update_index(index_dir, docs[:3], rebuild=True)
    update_index(index_dir, docs)  # a second segment: fusion must work across segments
    return index_dir


# Ranking tests on the tiny index do not depend on the shipped (retrainable) model.
NO_MODEL = QuestionRewriter(model=LawModel())


@pytest.fixture()
def service(question_index: Path):
    svc = SearchService(question_index, rewrite=NO_MODEL)
    yield svc
    svc.close()


def _articles(svc: SearchService, q: str, as_of: str = "2024-01-01") -> list[tuple[str, str]]:
    page = svc.search(SearchQuery(q=q, articles=True, per_page=20, as_of=as_of))
    return [(h.doc_id or "", h.article or "") for h in page.results]


def test_current_national_law_ranks_first_and_old_version_stays_findable(service) -> None:
    hits = _articles(service, "老板把我辞退了，能要经济补偿吗？")
    assert hits[0] == ("labor-2012", "第四十六条")
    old = hits.index(("labor-2007", "第四十六条"))  # demoted, not filtered
    local = hits.index(("local-labor", "第二十条"))
    assert old > 0 and local > 0


def test_demotion_of_old_versions_depends_on_the_day(question_index: Path) -> None:
    # The 2007 version was superseded on 2013-07-01: demoted in 2024, not in 2010. Its
    # article 46 has the same text as the 2012 one, so the demotion shows in the ratio
    # of their scores (not in record order, which the index layout does not promise).
    def scores(day: str) -> dict[str, float]:
        def rewriter(text: str) -> QuestionParsed | None:
            parsed = NO_MODEL(text)
            return dataclasses.replace(parsed, day=day) if parsed else None

        svc = SearchService(question_index, rewrite=rewriter)
        try:
            page = svc.search(
                SearchQuery(q="被辞退了有经济补偿吗", articles=True, per_page=20, as_of=day)
            )
        finally:
            svc.close()
        return {h.doc_id or "": h.score for h in page.results if h.article == "第四十六条"}

    then, now = scores("2010-01-01"), scores("2024-01-01")
    assert now["labor-2007"] < now["labor-2012"]
    ratio_then = then["labor-2007"] / then["labor-2012"]
    ratio_now = now["labor-2007"] / now["labor-2012"]
    assert ratio_now < ratio_then * 0.9  # demoted (NOT_CURRENT_FACTOR) only in 2024


def test_colloquial_question_finds_the_legal_wording(service) -> None:
    hits = _articles(service, "房东说我没按时交房租，能直接赶我走吗？")
    assert hits[0] == ("lease", "第七百二十二条")


def test_document_level_question_search(service) -> None:
    page = service.search(SearchQuery(q="工资被拖欠了怎么办", as_of="2024-01-01"))
    assert [h.id for h in page.results][:1] == ["labor-2012"]
    assert page.results[0].articles[0].number == "第三十条"


def test_precise_queries_keep_the_parser(service) -> None:
    assert type(service.parse("劳动合同 经济补偿")) is ParsedQuery
    page = service.search(SearchQuery(q="劳动合同 租金", as_of="2024-01-01"))
    assert page.total == 0  # all words must still match outside question mode


# -- the learned law model ---------------------------------------------------------------

_EXAMPLES = [
    (["工资", "拖欠"], ["劳动法"], ["劳动报酬", "用人单位", "第三十条"]),
    (["工资", "加班"], ["劳动法"], ["劳动报酬", "用人单位", "第四十四条"]),
    (["租金"], ["民法典"], ["承租人", "租金"]),
    (["租金", "工资"], ["民法典"], ["承租人", "用人单位"]),
]


def test_train_model_counts_laws_and_term_associations() -> None:
    model = train_model(_EXAMPLES)
    assert model.prior == {"劳动法": 1.0, "民法典": 1.0}
    # 工资: 3 questions (2 cite 劳动法, 1 民法典), smoothed by KAPPA=2; 租金: 2 questions.
    # 拖欠 and 加班 occur once (< MIN_COUNT) and learn nothing.
    assert model.assoc == {"工资": {"劳动法": 0.4, "民法典": 0.2}, "租金": {"民法典": 0.5}}


def test_weighted_examples_count_more_but_one_never_teaches_a_word_alone() -> None:
    # The last example weighs 3: 工资 counts 1 + 1 + 3 = 5 (劳动法 2, 民法典 3).
    model = train_model(_EXAMPLES, weights=[1, 1, 1, 3])
    assert model.assoc["工资"] == {"民法典": pytest.approx(3 / 7), "劳动法": pytest.approx(2 / 7)}
    assert model.prior["民法典"] == 1.0 and model.prior["劳动法"] < 1.0
    # 拖欠 is in one example; weighed 5, it still is one question (< MIN_COUNT).
    heavy = train_model(_EXAMPLES, weights=[5, 1, 1, 1])
    assert "拖欠" not in heavy.assoc and "拖欠" not in heavy.articles
    assert train_model(_EXAMPLES, weights=[1, 1, 1, 1]) == train_model(_EXAMPLES)
    with pytest.raises(ValueError):
        train_model(_EXAMPLES, weights=[1, 2])


def test_train_expansions_learns_statute_words_by_lift(monkeypatch: pytest.MonkeyPatch) -> None:
    from regsearch.search import question_model as qm

    monkeypatch.setattr(qm, "EXPAND_MIN_QUESTIONS", 2)
    monkeypatch.setattr(qm, "EXPAND_MIN_COUNT", 2)
    monkeypatch.setattr(qm, "EXPAND_MIN_LIFT", 1.2)
    table = qm.train_expansions(_EXAMPLES)
    # 工资 (3 questions): 劳动报酬 in 2 of them, P=2/3, in 2 of 4 articles overall: lift 4/3.
    # 用人单位 is in 3 of 3 but also 3 of 4 overall: lift 4/3, P=1. Article numbers are
    # never learned; 承租人 co-occurs with 租金 in 2 of 2 (lift 2), 租金 itself is skipped.
    lift = math.log(4 / 3)
    assert list(table) == ["工资", "租金"]
    assert table["工资"] == pytest.approx({"用人单位": 1.0 * lift, "劳动报酬": 2 / 3 * lift})
    assert table["租金"] == pytest.approx({"承租人": math.log(2)})


def test_expansions_skip_known_words_and_scale_to_the_best() -> None:
    model = LawModel(expand={"辞退": {"解除": 3.0, "劳动合同": 1.5}, "老板": {"用人单位": 2.4}})
    got = model.expansions({"辞退": 1.0, "老板": 0.5}, exclude={"劳动合同"})
    assert [w for w, _ in got] == ["解除", "用人单位"]
    assert [v for _, v in got] == pytest.approx([0.3, 0.3 * 1.2 / 3.0])
    assert model.expansions({"别的": 1.0}) == []


def test_weak_expansions_are_dropped() -> None:
    # A generic word's strongest association can still be weak (公司 -> 承运人 where the
    # training questions about companies were mostly about carriers): below
    # EXPAND_MIN_SCORE (1.0) nothing is added, however it compares with the others.
    model = LawModel(expand={"公司": {"承运人": 0.84}, "辞退": {"解除": 3.0}})
    assert model.expansions({"公司": 1.0}) == []
    assert [w for w, _ in model.expansions({"公司": 1.0, "辞退": 1.0})] == ["解除"]
    assert [w for w, _ in model.expansions({"辞退": 0.3})] == []  # 0.9: weakly held word


def test_law_boosts_combine_prior_and_associations() -> None:
    model = LawModel(prior={"劳动法": 1.0, "刑法": 0.5}, assoc={"工资": {"劳动法": 0.4}})
    boosts = model.boosts({"工资": 1.0, "拖欠": 1.0})
    assert boosts == pytest.approx({"劳动法": 1.0 + 1.0 + 0.5 * 0.4 / 2, "刑法": 1.5})
    assert LawModel().boosts({"工资": 1.0}) == {}


_CITED = [
    ["劳动法\t第五十条"],
    ["劳动法\t第四十四条"],
    ["民法典\t第七百二十一条"],
    ["民法典\t第七百二十一条", "劳动法\t第五十条"],
]


def test_train_model_learns_term_article_associations() -> None:
    model = train_model([(*ex, cited) for ex, cited in zip(_EXAMPLES, _CITED, strict=True)])
    # 工资: 3 questions citing 劳动法 第五十条 twice, 第四十四条 and 民法典 第七百二十一条 once
    # each (smoothed by KAPPA=2: count / (3 + 2)); 租金: 2 questions, both citing
    # 第七百二十一条, one also 第五十条 (count / (2 + 2)).
    assert model.articles == {
        "工资": {"劳动法\t第五十条": 0.4, "劳动法\t第四十四条": 0.2, "民法典\t第七百二十一条": 0.2},
        "租金": {"民法典\t第七百二十一条": 0.5, "劳动法\t第五十条": 0.25},
    }
    assert train_model(_EXAMPLES).articles == {}  # examples without cited articles


def test_article_boosts_are_the_weighted_mean_association() -> None:
    model = LawModel(articles={"工资": {"劳动法\t第五十条": 0.4}}, article_weight=4.0)
    boosts = model.article_boosts({"工资": 1.0, "拖欠": 1.0})
    assert boosts == pytest.approx({("劳动法", "第五十条"): 1.0 + 4.0 * 0.4 / 2})
    assert LawModel().article_boosts({"工资": 1.0}) == {}


def test_article_boost_reorders_articles_inside_a_law(question_index: Path) -> None:
    question = "老板把我辞退了，能要经济补偿吗？"
    target = ("labor-2012", "第一条")

    def rewriter(text: str) -> QuestionParsed | None:
        parsed = NO_MODEL(text)
        boost = {("中华人民共和国劳动合同法", "第一条"): 50.0}
        return dataclasses.replace(parsed, article_boost=boost) if parsed else None

    plain = SearchService(question_index, rewrite=NO_MODEL)
    boosted = SearchService(question_index, rewrite=rewriter)
    try:
        before, after = _articles(plain, question), _articles(boosted, question)
    finally:
        plain.close()
        boosted.close()
    assert before[0] != target and target in before
    assert after[0] == target


def test_law_model_round_trips_and_survives_bad_files(tmp_path: Path) -> None:
    model = train_model([(*ex, cited) for ex, cited in zip(_EXAMPLES, _CITED, strict=True)])
    again = LawModel.from_json(json.loads(json.dumps(model.to_json())))
    assert (again.prior, again.assoc) == (model.prior, model.assoc)
    assert (again.articles, again.article_weight) == (model.articles, model.article_weight)
    assert again.articles
    assert LawModel.from_json({"format": 99, "prior": {"x": 1}}) == LawModel()
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", "utf-8")
    assert load_model(bad) == LawModel()
    assert load_model(tmp_path / "missing.json") == LawModel()


def test_shipped_law_model_is_small_and_general() -> None:
    model = load_model()
    # stard-train and 343 stories: about 1.4 MB, read once per process
    assert MODEL_PATH.stat().st_size < 1_600_000
    assert len(model.prior) >= 50 and "中华人民共和国劳动合同法" in model.prior
    # Single words, never whole questions: the tables generalize to new questions.
    assert all(len(term) <= 8 for term in [*model.assoc, *model.articles, *model.expand])
    assert all(len(laws) <= 8 for laws in model.assoc.values())
    assert model.articles and all(len(arts) <= 8 for arts in model.articles.values())
    titles = {key.partition("\t")[0] for arts in model.articles.values() for key in arts}
    assert titles <= set(model.prior)  # every article belongs to a law the prior knows


def test_law_boost_reorders_articles_by_their_document(question_index: Path) -> None:
    def rewriter(text: str) -> QuestionParsed | None:
        parsed = NO_MODEL(text)
        return (
            dataclasses.replace(parsed, law_boost={"某某省劳动合同条例": 10.0}) if parsed else None
        )

    svc = SearchService(question_index, rewrite=rewriter)
    try:
        hits = _articles(svc, "老板把我辞退了，能要经济补偿吗？")
    finally:
        svc.close()
    assert hits[0] == ("local-labor", "第二十条")


def test_question_rewriter_applies_its_model() -> None:
    rewriter = QuestionRewriter(
        model=LawModel(
            prior={"中华人民共和国劳动合同法": 0.5},
            assoc={"工资": {"某法": 0.4}},
            expand={"拖欠": {"支付令": 2.0}},
            articles={"工资": {"中华人民共和国劳动合同法\t第三十条": 0.5}},
            article_weight=2.0,
        )
    )
    parsed = rewriter("工资被拖欠了怎么办")
    assert parsed is not None
    expansions = [(t.text, t.weight) for t in parsed.question.terms if t.text == "支付令"]
    assert expansions == [("支付令", pytest.approx(0.3))]
    # The features: 工资 and 拖欠 (1 each) and the vocabulary's 劳动报酬 (0.7).
    assert parsed.law_boost == pytest.approx(
        {"中华人民共和国劳动合同法": 1.5, "某法": 1.0 + 0.5 * 0.4 / 2.7}
    )
    assert parsed.article_boost == pytest.approx(
        {("中华人民共和国劳动合同法", "第三十条"): 1.0 + 2.0 * 0.5 / 2.7}
    )


def test_the_model_is_asked_in_the_vocabularys_statute_words_too() -> None:
    # The training questions said 家庭暴力; this one says 家暴, which the vocabulary maps.
    rewriter = QuestionRewriter(
        model=LawModel(
            assoc={"家庭暴力": {"中华人民共和国反家庭暴力法": 0.6}},
            articles={"家庭暴力": {"中华人民共和国反家庭暴力法\t第二十三条": 0.5}},
            article_weight=2.0,
        )
    )
    parsed = rewriter("老公经常家暴怎么办")
    assert parsed is not None
    vocabulary = [t.text for t in parsed.question.terms if t.vocabulary]
    assert "家庭暴力" in vocabulary
    # Own words 老公, 经常, 家暴 weigh 1 each, the vocabulary's statute words 0.7 each.
    share = 0.7 / (3 + 0.7 * len(vocabulary))
    law = "中华人民共和国反家庭暴力法"
    assert parsed.law_boost == pytest.approx({law: 1.0 + 0.5 * 0.6 * share})
    assert parsed.article_boost == pytest.approx({(law, "第二十三条"): 1.0 + 2.0 * 0.5 * share})
    # Sub-words and the model's own expansions are not features: only the question's words
    # and the vocabulary's.
    assert set(model_features(parsed.question)) == {"老公", "经常", "家暴", *vocabulary}
