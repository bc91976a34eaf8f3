"""Question mode in the SearchService: a question -> a `QuestionParsed` for the rewrite seam.

The service's rewrite hook takes `question_rewriter(text) -> ParsedQuery | None`.
For a question it returns a `QuestionParsed`, whose Whoosh query is a
`FusedQuery` (see `regsearch.search.question_score`): the weighted terms OR-ed
and BM25-scored, mostly over the article text, with level and version priors and
article/document fusion. Everything that is not a question (titles, 发文字号,
quoted phrases, field syntax, short keyword queries) gets None and so keeps the
exact query language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from regsearch.index.analyzer import query_terms, tokenize
from regsearch.search.query import DEFAULT_FIELDS, Node, ParsedQuery
from regsearch.search.question import (
    QuestionQuery,
    WeightedTerm,
    is_question,
    load_vocabulary,
    rewrite,
)
from regsearch.search.question_model import load_model
from regsearch.search.question_score import FusedQuery, ScoredTerm, index_for
from regsearch.status import today

# Per-field weights of question terms (the schema also boosts title x4 at index time):
# the words of a question describe a situation, which articles' text matches far
# better than titles do (measured on stard-train: more title weight, lower recall).
FIELD_WEIGHTS = {"body": 1.0, "title": 0.05}

PLACES = tuple(
    """北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南
    湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港
    澳门 深圳 广州 杭州 南京 武汉 成都 西安 青岛 厦门 苏州 宁波 大连 沈阳 长沙 郑州 济南""".split()
)


def _subwords(word: str) -> list[str]:
    """Dictionary words inside `word` (the index-mode sub-words of the analyzer)."""
    return [t for t, _p, _s, _e in tokenize(word) if t != word and len(t) > 1]


@dataclass
class QuestionParsed(ParsedQuery):
    """A ParsedQuery for a question: the service calls `whoosh()` and `highlights()` on it."""

    question: QuestionQuery = field(default_factory=lambda: QuestionQuery(original=""))
    local: bool = False  # the question names a place: no demotion of local rules
    day: str = ""  # the day versions are judged current on (default: the search's or today)
    law_boost: dict[str, float] = field(default_factory=dict)  # law title -> learned multiplier
    # (law title, 第N条) -> learned multiplier
    article_boost: dict[tuple[str, str], float] = field(default_factory=dict)
    highlight_by_text = True

    def scored_terms(self, fields: tuple[str, ...]) -> list[ScoredTerm]:
        out = []
        for term, weight in self.question.term_weights().items():
            for f in fields:
                out.append(ScoredTerm(f, term, weight * FIELD_WEIGHTS.get(f, 1.0)))
        return out

    def phrase_words(self) -> list[tuple[str, ...]]:
        """The question's proximity phrases (adjacent words), each once."""
        return list(dict.fromkeys(tuple(p) for p in self.question.phrases if len(p) > 1))

    def whoosh(self, fields: tuple[str, ...] = DEFAULT_FIELDS, known_items: bool = True) -> Any:
        terms = self.scored_terms(tuple(f for f in ("body", "title") if f in fields))
        if not terms:
            return None
        # The service may set `as_of` (the status day of the search) on the parsed query.
        day = self.day or getattr(self, "as_of", None) or today()
        return FusedQuery(
            terms,
            self.phrase_words(),
            day=day,
            local=self.local,
            doc_boost=self.law_boost,
            article_boost=self.article_boost,
        )

    def highlights(self) -> list[tuple[str, ...]]:
        terms = [(t.text,) for t in self.question.terms if not t.expansion]
        return [*terms, *(tuple(p) for p in self.question.phrases)]


def question_rewriter(text: str) -> QuestionParsed | None:
    """The service's rewrite hook: a QuestionParsed for questions, None for everything else."""
    if not is_question(text):
        return None
    rq = rewrite(text, query_terms, subwords=_subwords)
    if not rq.terms:
        return None
    model = load_model()
    own = own_terms(rq)
    present = {t.text for t in rq.terms}
    for word, weight in model.expansions(own, exclude=present):
        rq.terms.append(WeightedTerm(word, weight, expansion=True))
    root = Node("or", children=[Node("word", text=t.text) for t in rq.terms])
    return QuestionParsed(
        text=text.strip(),
        root=root,
        question=rq,
        local=any(p in text for p in PLACES),
        law_boost=model.boosts(own),
        article_boost=model.article_boosts(own),
    )


def own_terms(rq: QuestionQuery) -> dict[str, float]:
    """The question's own words (no vocabulary or sub-word expansions), weighted: the
    features of the learned law model (`question_model`)."""
    out: dict[str, float] = {}
    for t in rq.terms:
        if not t.expansion:
            out[t.text] = max(out.get(t.text, 0.0), t.weight)
    return out


def warm_terms() -> list[str]:
    """The words questions use most, as the learned model and the vocabulary know them:
    the question words it learned from (seen in two questions or more), the statute words
    it expands to, and the legal words of the colloquial vocabulary."""
    model = load_model()
    words: dict[str, None] = {}
    for table in (model.assoc, model.articles, model.expand):
        words.update(dict.fromkeys(table))
    for row in model.expand.values():
        words.update(dict.fromkeys(row))
    for legal in load_vocabulary().values():
        for phrase in legal:
            words.update(dict.fromkeys(query_terms(phrase)))
    return [w for w in words if len(w) > 1]


def warm_up(searcher: Any) -> int:
    """Prepare question search on `searcher` ahead of the first questions: the whole-index
    arrays, the priors of today and the postings of `warm_terms()`. Returns the number of
    postings lists read."""
    qi = index_for(searcher)
    for name in ("body", "title"):
        qi.stats(name)
    qi.factors(today(), False)
    for title in load_model().prior:
        qi.keys_for_title(title)
    return qi.warm(warm_terms())
