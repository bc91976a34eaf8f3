"""A learned model for question search: which laws answer the public's questions, and
which statute words go with the public's words.

Trained from (question terms, cited law titles, words of the cited articles)
examples (stard-train and the story training sets, each story weighing two questions;
see `scripts/train_question_model.py`), it gives

1. every law title a score multiplier for a question:

    boost(law | q) = 1 + PRIOR_WEIGHT * prior(law) + ASSOC_WEIGHT * assoc(law | q)

- prior(law): how often questions cite the law, log-scaled to 0..1 (the public
  asks about contracts, labour and torts far more than about fisheries rules).
- assoc(law | q): the weighted mean over the question's own terms t of
  P(law | t) = count(t, law) / (count(t) + KAPPA), learned only for terms seen in
  at least MIN_COUNT training questions, pruned to the strongest few laws per
  term (a term-to-law association table, like a naive text classifier; no
  question is stored, so it generalizes to new questions).

2. every article a score multiplier for a question, the same association one level
   finer: boost(article | q) = 1 + ARTICLE_WEIGHT * assoc(article | q), with
   P(article | t) = count(t, article) / (count(t) + KAPPA) for terms seen in at least
   MIN_COUNT questions, the strongest ARTICLE_TOP articles per term (keyed by law
   title and 第N条, so every version of a law with that title shares it).

3. weighted expansion terms (a term-translation table): for a question term t
   seen in at least EXPAND_MIN_QUESTIONS questions, the article words a with
   count(t, a) >= EXPAND_MIN_COUNT and lift P(a | t) / P(a) >= EXPAND_MIN_LIFT,
   scored P(a | t) * log(lift) (the strongest EXPAND_TOP_ROW per term kept). A
   question gets the EXPAND_TOP best words it does not already contain whose score
   (the sum over its terms of weight x table value) reaches EXPAND_MIN_SCORE,
   weighted EXPAND_WEIGHT relative to the best (e.g. 辞退 -> 解除, 经济补偿). The
   minimum keeps out what a generic word weakly drags along (公司 -> 承运人, learned
   from questions about carriers).

All are statistics over many questions, never a lookup of one question's
answer; `scripts/eval_relevance.py --cv 5` measures them on held-out questions.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "question_model.json"
FORMAT = 1
PRIOR_WEIGHT = 1.0
ASSOC_WEIGHT = 0.5
KAPPA = 2.0
MIN_COUNT = 2
MIN_ASSOC = 0.02  # pruning: weaker term-law associations are dropped
TOP_LAWS = 8  # pruning: at most this many laws per term
ARTICLE_WEIGHT = 4.0
ARTICLE_TOP = 8  # pruning: at most this many articles per term
ARTICLE_MIN = 0.05  # pruning: weaker term-article associations are dropped
EXPAND_MIN_QUESTIONS = 3
EXPAND_MIN_COUNT = 3
EXPAND_MIN_LIFT = 3.0
EXPAND_TOP_ROW = 10
EXPAND_TOP = 10
EXPAND_MIN_SCORE = 1.0
EXPAND_WEIGHT = 0.3
# Article numbers (第四十条) and other numbering are never expansion words: they would
# favour one article number across all laws, which is memorizing, not vocabulary.
_NUMBERING = re.compile(r"^(第.+[条款项章节编]|[\d.]+|[一二三四五六七八九十百千零]+)$")


@dataclass
class LawModel:
    """Law prior and term-to-law associations (keyed by the document title), and the
    question-term -> article-term translation table."""

    prior: dict[str, float] = field(default_factory=dict)
    assoc: dict[str, dict[str, float]] = field(default_factory=dict)
    prior_weight: float = PRIOR_WEIGHT
    assoc_weight: float = ASSOC_WEIGHT
    expand: dict[str, dict[str, float]] = field(default_factory=dict)
    # term -> {"<law title>\t<第N条>": P(article | term)}
    articles: dict[str, dict[str, float]] = field(default_factory=dict)
    article_weight: float = ARTICLE_WEIGHT

    def article_titles(self) -> list[str]:
        """The law titles whose articles `article_boosts` can name."""
        titles = {key.partition("\t")[0] for row in self.articles.values() for key in row}
        return sorted(titles)

    def article_boosts(self, terms: dict[str, float]) -> dict[tuple[str, str], float]:
        """(law title, 第N条) -> score multiplier (> 1) for a question's own weighted terms."""
        if not self.articles:
            return {}
        total = sum(terms.values()) or 1.0
        assoc: dict[str, float] = {}
        for term, weight in terms.items():
            for key, p in self.articles.get(term, {}).items():
                assoc[key] = assoc.get(key, 0.0) + weight * p / total
        out: dict[tuple[str, str], float] = {}
        for key, a in assoc.items():
            title, _, number = key.partition("\t")
            out[(title, number)] = 1.0 + self.article_weight * a
        return out

    def expansions(
        self, terms: dict[str, float], exclude: Collection[str] = ()
    ) -> list[tuple[str, float]]:
        """The best EXPAND_TOP learned article words for a question's own weighted terms
        (its own and `exclude`d words left out), weighted up to EXPAND_WEIGHT."""
        scores: dict[str, float] = {}
        for term, weight in terms.items():
            for word, v in self.expand.get(term, {}).items():
                if word not in terms and word not in exclude:
                    scores[word] = scores.get(word, 0.0) + weight * v
        scores = {w: v for w, v in scores.items() if v >= EXPAND_MIN_SCORE}
        if not scores:
            return []
        top = max(scores.values())
        best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:EXPAND_TOP]
        return [(word, EXPAND_WEIGHT * v / top) for word, v in best]

    def boosts(self, terms: dict[str, float]) -> dict[str, float]:
        """law title -> score multiplier (> 1) for a question's own weighted terms."""
        if not self.prior and not self.assoc:
            return {}
        total = sum(terms.values()) or 1.0
        assoc: dict[str, float] = {}
        for term, weight in terms.items():
            for law, p in self.assoc.get(term, {}).items():
                assoc[law] = assoc.get(law, 0.0) + weight * p / total
        out = {law: 1.0 + self.prior_weight * p for law, p in self.prior.items()}
        for law, a in assoc.items():
            out[law] = out.get(law, 1.0) + self.assoc_weight * a
        return out

    def to_json(self) -> dict[str, object]:
        return {
            "format": FORMAT,
            "prior_weight": self.prior_weight,
            "assoc_weight": self.assoc_weight,
            "prior": {k: round(v, 4) for k, v in sorted(self.prior.items())},
            "assoc": _rounded(self.assoc),
            "expand": _rounded(self.expand),
            "article_weight": self.article_weight,
            "articles": _rounded(self.articles),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> LawModel:
        if data.get("format") != FORMAT:
            return cls()
        prior = data.get("prior")
        assoc = data.get("assoc")
        expand = data.get("expand")
        articles = data.get("articles")
        return cls(
            prior=dict(prior) if isinstance(prior, dict) else {},
            assoc={t: dict(d) for t, d in assoc.items()} if isinstance(assoc, dict) else {},
            prior_weight=float(data.get("prior_weight", PRIOR_WEIGHT)),  # type: ignore[arg-type]
            assoc_weight=float(data.get("assoc_weight", ASSOC_WEIGHT)),  # type: ignore[arg-type]
            expand={t: dict(d) for t, d in expand.items()} if isinstance(expand, dict) else {},
            articles=(
                {t: dict(d) for t, d in articles.items()} if isinstance(articles, dict) else {}
            ),
            article_weight=float(data.get("article_weight", ARTICLE_WEIGHT)),  # type: ignore[arg-type]
        )


def _rounded(table: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {
        t: {k: round(v, 4) for k, v in sorted(d.items(), key=lambda kv: (-kv[1], kv[0]))}
        for t, d in sorted(table.items())
    }


# (question terms, titles of the laws cited, words of the articles cited) and, optionally,
# the articles cited as "<law title>\t<第N条>".
Example = tuple[Iterable[str], ...]


def train_model(examples: Iterable[Example], weights: Iterable[float] | None = None) -> LawModel:
    """A LawModel from (question terms, law titles, article words[, article keys]) examples.

    `weights` (default 1 each): how many questions an example counts as in the counts the
    prior, the associations and the expansions are computed from. The evidence thresholds
    (MIN_COUNT, EXPAND_MIN_QUESTIONS, EXPAND_MIN_COUNT) count distinct examples, so a word
    of one heavy example alone is never learned."""
    examples = list(examples)
    ws = [1.0] * len(examples) if weights is None else [float(w) for w in weights]
    if len(ws) != len(examples):
        raise ValueError("one weight per example")
    n_law: defaultdict[str, float] = defaultdict(float)
    for (_terms, laws, *_rest), w in zip(examples, ws, strict=True):
        for law in set(laws):
            n_law[law] += w
    if not n_law:
        return LawModel()
    top = math.log(1 + max(n_law.values()))
    prior = {law: math.log(1 + n) / top for law, n in n_law.items()}
    return LawModel(
        prior=prior,
        assoc=_associations(
            ((e[0], e[1], w) for e, w in zip(examples, ws, strict=True)), TOP_LAWS, MIN_ASSOC
        ),
        expand=train_expansions(examples, ws),
        articles=train_articles(examples, ws),
    )


def train_articles(
    examples: list[Example], weights: list[float] | None = None
) -> dict[str, dict[str, float]]:
    """question term -> {article key: P(article | term)} (see the module doc)."""
    ws = weights or [1.0] * len(examples)
    cited = ((e[0], e[3], w) for e, w in zip(examples, ws, strict=True) if len(e) >= 4)
    return _associations(cited, ARTICLE_TOP, ARTICLE_MIN)


def _associations(
    examples: Iterable[tuple[Iterable[str], Iterable[str], float]], top: int, minimum: float
) -> dict[str, dict[str, float]]:
    """term -> {target: count(term, target) / (count(term) + KAPPA)} from (question terms,
    targets, weight) examples, counts weighted, for terms seen in at least MIN_COUNT
    distinct questions, the `top` strongest targets of at least `minimum` each."""
    n_term: defaultdict[str, float] = defaultdict(float)
    seen: Counter[str] = Counter()
    n_pair: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
    for terms, targets, w in examples:
        target_set = set(targets)
        for term in set(terms):
            n_term[term] += w
            seen[term] += 1
            for target in target_set:
                n_pair[term][target] += w
    table: dict[str, dict[str, float]] = {}
    for term, counts in n_pair.items():
        if seen[term] < MIN_COUNT:
            continue
        probs = {k: c / (n_term[term] + KAPPA) for k, c in counts.items()}
        best = sorted(probs.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        kept = {k: p for k, p in best if p >= minimum}
        if kept:
            table[term] = kept
    return table


def train_expansions(
    examples: list[Example], weights: list[float] | None = None
) -> dict[str, dict[str, float]]:
    """question term -> {article word: P(word | term) * log(lift)} (see the module doc)."""
    ws = weights or [1.0] * len(examples)
    n_q: defaultdict[str, float] = defaultdict(float)
    seen_q: Counter[str] = Counter()
    n_word: defaultdict[str, float] = defaultdict(float)
    n_pair: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
    seen_pair: defaultdict[str, Counter[str]] = defaultdict(Counter)
    n = 0.0
    for (terms, _laws, words, *_rest), w in zip(examples, ws, strict=True):
        word_set = {x for x in words if not _NUMBERING.match(x)}
        if not word_set:
            continue
        n += w
        for word in word_set:
            n_word[word] += w
        for term in set(terms):
            n_q[term] += w
            seen_q[term] += 1
            seen_pair[term].update(word_set)
            for word in word_set:
                n_pair[term][word] += w
    table: dict[str, dict[str, float]] = {}
    for term, words in n_pair.items():
        if seen_q[term] < EXPAND_MIN_QUESTIONS:
            continue
        row = {}
        for word, c in words.items():
            if seen_pair[term][word] < EXPAND_MIN_COUNT or word == term:
                continue
            p = c / n_q[term]
            lift = p / (n_word[word] / n)
            if lift >= EXPAND_MIN_LIFT:
                row[word] = p * math.log(lift)
        best = sorted(row.items(), key=lambda kv: (-kv[1], kv[0]))[:EXPAND_TOP_ROW]
        if best:
            table[term] = dict(best)
    return table


_lock = threading.Lock()
_cache: dict[Path, LawModel] = {}


def load_model(path: Path | str | None = None) -> LawModel:
    """The shipped model (read once per process); an empty model if the file is missing or bad."""
    p = Path(path) if path is not None else MODEL_PATH
    with _lock:
        if p not in _cache:
            try:
                _cache[p] = LawModel.from_json(json.loads(p.read_text("utf-8")))
            except (OSError, ValueError):
                _cache[p] = LawModel()
        return _cache[p]
