"""Question-mode ranking: a rewritten question -> one Whoosh query for the SearchService.

The service's rewrite seam takes `question_rewriter(text) -> ParsedQuery | None`.
For a question it returns a `QuestionParsed` whose Whoosh query

- OR-s the weighted terms (BM25F, so no term is required), mostly over the
  article text, with a little weight on the title and proximity phrases;
- multiplies each record's score by a prior: the level of the source (a question
  from the public is answered by national law first; local rules are demoted
  unless the question names a place) and its version (a superseded, repealed or
  expired version is demoted, not filtered: it stays findable);
- fuses article and document ranking: the same question is run over whole
  documents, and the articles of the best documents get a bonus proportional to
  their document's normalized score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from whoosh import query as Q
from whoosh.matching import WrappingMatcher

from regsearch.index.analyzer import query_terms, tokenize
from regsearch.index.schema import NEVER
from regsearch.search.query import DEFAULT_FIELDS, Node, ParsedQuery
from regsearch.search.question import QuestionQuery, is_question, rewrite
from regsearch.status import today

# Per-field weights of question terms (the schema already boosts title x4 at index time).
FIELD_WEIGHTS = {"body": 1.0, "title": 0.05, "path": 0.3}
PHRASE_BOOST = 0.2
PHRASE_SLOP = 1

# Score multipliers by level (Document.level values); unknown levels get DEFAULT_LEVEL_PRIOR.
LEVEL_PRIOR = {
    "宪法": 1.0,
    "法律": 1.0,
    "司法解释": 1.0,
    "行政法规": 0.9,
    "监察法规": 0.9,
    "部门规章": 0.7,
    "地方性法规": 0.5,
    "地方政府规章": 0.5,
    "自治条例": 0.5,
    "单行条例": 0.5,
    "规范性文件": 0.6,
    "案例": 0.5,
}
DEFAULT_LEVEL_PRIOR = 0.6
LOCAL_LEVELS = frozenset({"地方性法规", "地方政府规章", "自治条例", "单行条例"})
NOT_CURRENT_FACTOR = 0.7  # superseded / repealed / expired versions
DOC_FUSION = 0.5  # weight of the parent document's normalized score
DOC_POOL = 50  # how many top documents pass their score on to their articles
ARTICLE_POOL = 300  # how many top articles pass their score on to their documents
DOC_OWN = 0.3  # weight of a document's own (whole-text) score in document ranking

PLACES = tuple(
    """北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南
    湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港
    澳门 深圳 广州 杭州 南京 武汉 成都 西安 青岛 厦门 苏州 宁波 大连 沈阳 长沙 郑州 济南""".split()
)


def _subwords(word: str) -> list[str]:
    """Dictionary words inside `word` (the index-mode sub-words of the analyzer)."""
    return [t for t, _p, _s, _e in tokenize(word) if t != word]


@dataclass
class QuestionParsed(ParsedQuery):
    """A ParsedQuery for a question: the service calls `whoosh()` and `highlights()` on it."""

    question: QuestionQuery = field(default_factory=lambda: QuestionQuery(original=""))
    local: bool = False  # the question names a place: no demotion of local rules
    day: str = ""  # the day versions are judged current on (default: the search's or today)

    def term_query(self, fields: tuple[str, ...]) -> Any:
        """The weighted OR of the question's terms and phrases over `fields`."""
        parts: list[Any] = []
        for term, weight in self.question.term_weights().items():
            for f in fields:
                fw = FIELD_WEIGHTS.get(f, 1.0)
                parts.append(Q.Term(f, term, boost=weight * fw))
        if "body" in fields:
            for words in self.question.phrases:
                parts.append(Q.Phrase("body", list(words), slop=PHRASE_SLOP, boost=PHRASE_BOOST))
        if not parts:
            return None
        return Q.Or(parts)

    def whoosh(self, fields: tuple[str, ...] = DEFAULT_FIELDS, known_items: bool = True) -> Any:
        # The service asks for ("body",) to pick the best articles inside given documents.
        if tuple(fields) == ("body",):
            return self.term_query(("body",))
        search_fields = tuple(f for f in ("body", "title") if f in fields)
        core = self.term_query(search_fields)
        if core is None:
            return None
        # The service may set `as_of` (the status day of the search) on the parsed query.
        day = self.day or getattr(self, "as_of", None) or today()
        return FusedQuery(core, day=day, local=self.local)

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
    root = Node("or", children=[Node("word", text=t.text) for t in rq.terms])
    return QuestionParsed(
        text=text.strip(),
        root=root,
        question=rq,
        local=any(p in text for p in PLACES),
    )


class _Priors:
    """Per-reader arrays: level prior x version factor, and which records are documents."""

    def __init__(self, reader: Any, day: str, local: bool) -> None:
        def col(name: str) -> list[Any]:
            if not reader.has_column(name):
                return [None] * reader.doc_count_all()
            return list(reader.column_reader(name))

        levels = col("level")
        kinds = col("kind")
        ends = [col(n) for n in ("st_sup", "st_rep", "st_inv")]
        factors = []
        for i, level in enumerate(levels):
            if local and level in LOCAL_LEVELS:
                factor = 1.0
            else:
                factor = LEVEL_PRIOR.get(level or "", DEFAULT_LEVEL_PRIOR)
            for c in ends:
                v = c[i]
                if v and v != NEVER and v <= day:
                    factor *= NOT_CURRENT_FACTOR
                    break
            factors.append(factor)
        self.factors = factors
        self.is_doc = [k == "doc" for k in kinds]


_prior_cache: dict[tuple[int, str, bool], tuple[Any, _Priors]] = {}


def priors_for(reader: Any, day: str, local: bool) -> _Priors:
    """The `_Priors` of a segment reader, cached (a few readers are alive at a time)."""
    key = (id(reader), day, local)
    hit = _prior_cache.get(key)
    if hit is None or hit[0] is not reader:
        if len(_prior_cache) > 32:
            _prior_cache.clear()
        hit = (reader, _Priors(reader, day, local))
        _prior_cache[key] = hit
    return hit[1]


@dataclass
class _Pools:
    """What one question scored over the whole index, shared by every segment's matcher."""

    doc_norm: dict[str, float]  # doc_id -> document score / best document score (top DOC_POOL)
    doc_max: float  # the best prior-weighted document score
    article_norm: dict[str, float]  # doc_id -> its best article's score / best article score


class FusedQuery(Q.WrappingQuery):
    """Wraps the question's OR query: priors and article/document fusion on every score.

    An article scores BM25F x prior x (1 + DOC_FUSION x its document's normalized
    score); a document scores DOC_OWN x its normalized score + its best article's
    normalized score (whole long documents are poor BM25 units; their articles are not).
    """

    def __init__(self, child: Any, day: str, local: bool = False) -> None:
        super().__init__(child)
        self.day = day
        self.local = local
        self._pools: dict[int, _Pools] = {}

    def _rewrap(self, child: Any) -> FusedQuery:
        return FusedQuery(child, self.day, self.local)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, FusedQuery)
            and self.child == other.child
            and (self.day, self.local) == (other.day, other.local)
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, hash(self.child), self.day, self.local))

    def _ranked(self, top: Any, kind: str, limit: int | None) -> list[tuple[float, str]]:
        results = top.search(self.child, filter=Q.Term("kind", kind), limit=limit)
        out = []
        for hit in results:
            reader, local_num = _leaf_of(top, hit.docnum)
            factor = priors_for(reader, self.day, self.local).factors[local_num]
            out.append((hit.score * factor, hit["doc_id"]))
        out.sort(key=lambda x: x[0], reverse=True)
        return out

    def pools(self, top: Any) -> _Pools:
        key = id(top)
        if key not in self._pools:
            docs = self._ranked(top, "doc", None)
            doc_max = docs[0][0] if docs and docs[0][0] > 0 else 1.0
            arts = self._ranked(top, "article", ARTICLE_POOL)
            art_max = arts[0][0] if arts and arts[0][0] > 0 else 1.0
            best: dict[str, float] = {}
            for score, doc_id in arts:
                best.setdefault(doc_id, score / art_max)
            self._pools[key] = _Pools(
                doc_norm={d: s / doc_max for s, d in docs[:DOC_POOL]},
                doc_max=doc_max,
                article_norm=best,
            )
        return self._pools[key]

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        child = self.child.matcher(searcher, context)
        top = searcher.get_parent() if searcher.has_parent() else searcher
        pools = self.pools(top)
        bonus: dict[int, float] = {}
        for doc_id, norm in pools.doc_norm.items():
            for n in searcher.docs_for_query(Q.Term("doc_id", doc_id)):
                bonus[n] = norm
        own: dict[int, float] = {}
        for doc_id, norm in pools.article_norm.items():
            n = searcher.document_number(id=doc_id)
            if n is not None:
                own[n] = norm
        priors = priors_for(searcher.reader(), self.day, self.local)
        return _FusedMatcher(child, priors, bonus, own, pools.doc_max)


def _leaf_of(top: Any, docnum: int) -> tuple[Any, int]:
    """(segment reader, local docnum) holding a top-level docnum."""
    if top.is_atomic():
        return top.reader(), docnum
    subs = top.subsearchers
    for i, (sub, offset) in enumerate(subs):
        nxt = subs[i + 1][1] if i + 1 < len(subs) else None
        if nxt is None or docnum < nxt:
            return sub.reader(), docnum - offset
    raise IndexError(docnum)  # pragma: no cover


class _FusedMatcher(WrappingMatcher):
    """Applies FusedQuery's scoring to each matched record of one segment."""

    def __init__(
        self,
        child: Any,
        priors: _Priors,
        bonus: dict[int, float],
        best_article: dict[int, float],
        doc_max: float,
    ) -> None:
        super().__init__(child)
        self.priors = priors
        self.bonus = bonus
        self.best_article = best_article
        self.doc_max = doc_max

    def _replacement(self, newchild: Any) -> _FusedMatcher:
        return _FusedMatcher(newchild, self.priors, self.bonus, self.best_article, self.doc_max)

    def copy(self) -> _FusedMatcher:
        return self._replacement(self.child.copy())

    def supports_block_quality(self) -> bool:
        return False  # priors change scores: the child's quality bounds do not hold

    def replace(self, minquality: float = 0) -> Any:
        if not self.is_active():
            return self.child.replace(minquality)
        new = self.child.replace(0)
        return self if new is self.child else self._replacement(new)

    def score(self) -> float:
        n = self.child.id()
        factors = self.priors.factors
        base = self.child.score() * (factors[n] if n < len(factors) else DEFAULT_LEVEL_PRIOR)
        if n < len(self.priors.is_doc) and self.priors.is_doc[n]:
            return DOC_OWN * base / self.doc_max + self.best_article.get(n, 0.0)
        return base * (1.0 + DOC_FUSION * self.bonus.get(n, 0.0))
