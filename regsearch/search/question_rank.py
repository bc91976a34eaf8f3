"""Question mode in the SearchService: a question -> a `QuestionParsed` for the rewrite seam.

The service's rewrite hook takes `rewrite(text) -> ParsedQuery | None`. For a
question, `QuestionRewriter` returns a `QuestionParsed`, which the service scores
with `question_score.score_question` (weighted terms OR-ed and BM25-scored, mostly
over the article text, with level and version priors and article/document fusion).
Everything that is not a question (titles, 发文字号, quoted phrases, field syntax,
short keyword queries) gets None and so keeps the exact query language. The learned
model and the weights are the rewriter's, passed in (evaluations build their own).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from regsearch import settings
from regsearch.engine import Snapshot
from regsearch.index.analyzer import query_terms, tokenize
from regsearch.search.query import Node, ParsedQuery
from regsearch.search.question import (
    QuestionQuery,
    WeightedTerm,
    is_question,
    load_vocabulary,
    rewrite,
)
from regsearch.search.question_index import QuestionIndex
from regsearch.search.question_model import LawModel, load_model
from regsearch.search.question_score import (
    DEFAULT_WEIGHTS,
    Question,
    QuestionScores,
    QuestionWeights,
    ScoredTerm,
    score_question,
)
from regsearch.status import today

SCORED_FIELDS = ("body", "title")
# The warm-up reads the longest postings lists (at most WARM_LISTS a field) until this
# many postings: at 1x the 2,000 longest body lists hold 8.3 M (66 MB as read), every
# word of 800 records or more (REGSEARCH_WARM_POSTINGS).
WARM_POSTINGS = settings.count("REGSEARCH_WARM_POSTINGS", 8_000_000, minimum=0)
WARM_LISTS = 2_000

PROVINCES = tuple(
    """北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南
    湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港
    澳门""".split()
)
# Big cities and their provinces: a question that names 深圳 is about 广东's local rules,
# not every province's.
CITY_PROVINCES = MappingProxyType(
    {
        "深圳": "广东",
        "广州": "广东",
        "杭州": "浙江",
        "宁波": "浙江",
        "南京": "江苏",
        "苏州": "江苏",
        "武汉": "湖北",
        "成都": "四川",
        "西安": "陕西",
        "青岛": "山东",
        "济南": "山东",
        "厦门": "福建",
        "大连": "辽宁",
        "沈阳": "辽宁",
        "长沙": "湖南",
        "郑州": "河南",
    }
)
PLACES = PROVINCES + tuple(CITY_PROVINCES)


def named_places(text: str) -> tuple[str, ...]:
    """The places of PLACES that `text` names, with the provinces of the cities among
    them: the regions (山东省, 广东省, 上海市 ...) whose local rules are not demoted."""
    found = {p for p in PLACES if p in text}
    found |= {CITY_PROVINCES[p] for p in found if p in CITY_PROVINCES}
    return tuple(sorted(found))


def _subwords(word: str) -> list[str]:
    """Dictionary words inside `word` (the index-mode sub-words of the analyzer)."""
    return [t for t, _p, _s, _e in tokenize(word) if t != word and len(t) > 1]


@dataclass
class QuestionParsed(ParsedQuery):
    """A ParsedQuery for a question: the service scores it with `score()`."""

    question: QuestionQuery = field(default_factory=lambda: QuestionQuery(original=""))
    # The places the question names (and their provinces): their local rules are not demoted.
    places: tuple[str, ...] = ()
    day: str = ""  # the day versions are judged current on (default: the search's or today)
    law_boost: dict[str, float] = field(default_factory=dict)  # law title -> learned multiplier
    # (law title, 第N条) -> learned multiplier
    article_boost: dict[tuple[str, str], float] = field(default_factory=dict)
    weights: QuestionWeights = DEFAULT_WEIGHTS
    highlight_by_text = True

    def scored_terms(self, fields: tuple[str, ...] = SCORED_FIELDS) -> list[ScoredTerm]:
        out = []
        for term, weight in self.question.term_weights().items():
            for f in fields:
                out.append(ScoredTerm(f, term, weight * self.weights.field_weights.get(f, 1.0)))
        return out

    def phrase_words(self) -> list[tuple[str, ...]]:
        """The question's proximity phrases (adjacent words), each once."""
        return list(dict.fromkeys(tuple(p) for p in self.question.phrases if len(p) > 1))

    def to_question(self) -> Question:
        # The service sets `as_of` (the status day of the search) on the parsed query.
        return Question(
            terms=tuple(self.scored_terms()),
            phrases=tuple(self.phrase_words()),
            day=self.day or self.as_of or today(),
            places=self.places,
            doc_boost=self.law_boost,
            article_boost=self.article_boost,
        )

    def score(self, snap: Snapshot) -> QuestionScores:
        return score_question(snap, self.to_question(), self.weights)

    def highlights(self) -> list[tuple[str, ...]]:
        terms = [(t.text,) for t in self.question.terms if not t.expansion]
        return [*terms, *(tuple(p) for p in self.question.phrases)]


class QuestionRewriter:
    """The service's rewrite hook: a QuestionParsed for questions, None for everything else.

    `model` is the learned law model (default: the shipped one, read once), `weights`
    the scoring weights."""

    def __init__(
        self, model: LawModel | None = None, weights: QuestionWeights = DEFAULT_WEIGHTS
    ) -> None:
        self._model = model
        self.weights = weights

    @property
    def model(self) -> LawModel:
        return self._model if self._model is not None else load_model()

    def __call__(self, text: str) -> QuestionParsed | None:
        if not is_question(text):
            return None
        rq = rewrite(text, query_terms, subwords=_subwords)
        if not rq.terms:
            return None
        model = self.model
        own = own_terms(rq)
        features = model_features(rq)
        present = {t.text for t in rq.terms}
        for word, weight in model.expansions(own, exclude=present):
            rq.terms.append(WeightedTerm(word, weight, expansion=True))
        root = Node("or", children=[Node("word", text=t.text) for t in rq.terms])
        return QuestionParsed(
            text=text.strip(),
            root=root,
            question=rq,
            places=named_places(text),
            law_boost=model.boosts(features),
            article_boost=model.article_boosts(features),
            weights=self.weights,
        )


question_rewriter = QuestionRewriter()


def own_terms(rq: QuestionQuery) -> dict[str, float]:
    """The question's own words (no vocabulary or sub-word expansions), weighted: the
    features of the learned law model (`question_model`)."""
    out: dict[str, float] = {}
    for t in rq.terms:
        if not t.expansion:
            out[t.text] = max(out.get(t.text, 0.0), t.weight)
    return out


def model_features(rq: QuestionQuery) -> dict[str, float]:
    """What the learned model's law and article boosts are asked with: the question's own
    words and the statute words the colloquial vocabulary maps its everyday words to (a
    question that says 老公打我 is asked in 家庭暴力's words too, which the training
    questions used)."""
    out = own_terms(rq)
    for t in rq.terms:
        if t.vocabulary:
            out[t.text] = max(out.get(t.text, 0.0), t.weight)
    return out


def warm_terms(model: LawModel | None = None) -> list[str]:
    """The words questions use most, as the learned model and the vocabulary know them:
    the question words it learned from (seen in two questions or more), the statute words
    it expands to, and the legal words of the colloquial vocabulary."""
    model = model or load_model()
    words: dict[str, None] = {}
    for table in (model.assoc, model.articles, model.expand):
        words.update(dict.fromkeys(table))
    for row in model.expand.values():
        words.update(dict.fromkeys(row))
    for legal in load_vocabulary().values():
        for phrase in legal:
            words.update(dict.fromkeys(query_terms(phrase)))
    return [w for w in words if len(w) > 1]


def warm_up(snap: Snapshot, model: LawModel | None = None, budget: int | None = None) -> int:
    """Prepare question search on `snap` ahead of the first questions: the whole-index
    arrays, the priors of today, the article numbers of the laws the model boosts
    articles of, the postings of `warm_terms()`, then the longest postings lists of the
    scored fields until WARM_POSTINGS postings (a common word's list is the costliest
    read a new question makes: 40 ms for 由 at 1x). At most `budget` postings lists are
    read (default: no limit). Returns the number of postings lists read."""
    model = model or load_model()
    qi = QuestionIndex.of(snap)
    for name in SCORED_FIELDS:
        qi.stats(snap, name)
    w = DEFAULT_WEIGHTS
    qi.factors(today(), (), w.level_prior, w.default_level_prior, w.not_current, w.local_levels)
    for title in model.prior:
        qi.keys_for_title(snap, title)
    for title in model.article_titles():
        for key in qi.keys_for_title(snap, title):
            qi.article_records(snap, key)
    n = 0
    for term in warm_terms(model):
        for name in SCORED_FIELDS:
            if budget is not None and n >= budget:
                return n
            snap.postings(name, term)
            n += 1
    longest = sorted(
        (
            (count, name, term)
            for name in SCORED_FIELDS
            for term, count in snap.largest_terms(name, WARM_LISTS)
        ),
        reverse=True,
    )
    left = WARM_POSTINGS
    for count, name, term in longest:
        if budget is not None and n >= budget:
            break
        if count > left:
            continue
        left -= len(snap.postings(name, term)[0])
        n += 1
    return n
