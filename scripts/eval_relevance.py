"""Relevance on stard-train (issue 6) and the everyday query sets (issue 12), with a baseline.

Builds (or reuses) an index of `lawrefbook/` under `indexes/eval-lawrefbook`, runs
every question of `stard-train/queries.jsonl` through `SearchService.search` (the
code path of the CLI and the web app) and prints recall@1/5/10/20 and MRR@10 at
document level (the right file) and article level (the right file and 第N条),
next to a plain BM25 baseline over the same index in the same run (the question's
tokens OR-ed over the article text: no question processing, no priors, no fusion),
plus the query latency of question search.

    .venv/bin/python scripts/eval_relevance.py            # all 1,230 questions
    .venv/bin/python scripts/eval_relevance.py --limit 200 --ids odd
    .venv/bin/python scripts/eval_relevance.py --cv 5     # held-out figures of the law model

The everyday sets of `tests/data/eval/` (citations, names, stories, stories_dev,
stories_dev2, stories_dev3, stories_heldout, stories_blind, stories_blind2, stories_blind3,
no_dead_end; see `scripts/eval_sets.py` and the README there) run in the same call,
each beside plain BM25 (`--sets citations,names` picks some, `--sets none` skips them,
`--no-stard` skips stard-train).

With `--cv K` the learned law model (`regsearch/data/question_model.json`) is
replaced, for each fold of questions (query_id mod K), by one trained on the other
K-1 folds only, so every question is answered by a model that never saw it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


import eval_sets  # noqa: E402
from train_question_model import STORY_SETS  # noqa: E402

from regsearch.engine import Snapshot  # noqa: E402
from regsearch.index.analyzer import query_terms  # noqa: E402
from regsearch.index.layout import SCHEMA_VERSION  # noqa: E402
from regsearch.model import SearchQuery  # noqa: E402
from regsearch.search.query import Node, ParsedQuery  # noqa: E402
from regsearch.search.question_model import LawModel, train_model  # noqa: E402
from regsearch.search.question_rank import QuestionRewriter, question_rewriter  # noqa: E402
from regsearch.search.question_score import (  # noqa: E402
    PLAIN_BM25,
    Question,
    QuestionScores,
    ScoredTerm,
    score_question,
)
from regsearch.search.service import SearchService  # noqa: E402

KS = (1, 5, 10, 20)
DEPTH = 20


def corpora_dir() -> Path:
    return Path(os.environ.get("REGSEARCH_CORPORA", ROOT.parent / "shared" / "corpora"))


def source_hash(folder: Path) -> str:
    """A hash of every file's path, size and mtime (plus the schema version)."""
    h = hashlib.sha1(f"schema={SCHEMA_VERSION}".encode())
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            st = p.stat()
            h.update(
                f"{p.relative_to(folder).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode()
            )
    return h.hexdigest()


def ensure_index(src: Path, index_dir: Path | str, rebuild: bool = False) -> None:
    """Build the index of `src` unless one built from the same files is there (an index
    folder or a postgresql:// database: the files' digest is kept in the index's meta)."""
    from regsearch.engine import open_engine
    from regsearch.errors import RegsearchError
    from regsearch.index.update import update_index
    from regsearch.ingest import ingest_paths

    digest = source_hash(src)
    try:
        meta = open_engine(index_dir).current_meta() or {}
    except RegsearchError:
        meta = {}
    if not rebuild and meta.get("source_hash") == digest:
        print(f"reusing index {index_dir}", file=sys.stderr)
        return
    t0 = time.perf_counter()
    result = ingest_paths([src])
    print(
        f"ingested {len(result.documents)} documents ({len(result.skips)} skipped) "
        f"in {time.perf_counter() - t0:.1f} s",
        file=sys.stderr,
    )
    t1 = time.perf_counter()
    update_index(index_dir, result.documents, rebuild=True, meta={"source_hash": digest})
    print(f"indexed in {time.perf_counter() - t1:.1f} s", file=sys.stderr)


@dataclass
class PlainParsed(ParsedQuery):
    """The baseline: the question's tokens OR-ed over the text, plain BM25 per record kind
    (the same scorer as question mode, without question processing, priors or fusion)."""

    def score(self, snap: Snapshot) -> QuestionScores:
        terms = list(dict.fromkeys(query_terms(self.text)))
        question = Question(tuple(ScoredTerm("body", t, 1.0) for t in terms))
        return score_question(snap, question, PLAIN_BM25)


def plain_rewriter(text: str) -> PlainParsed:
    terms = query_terms(text)
    return PlainParsed(text=text, root=Node("or", children=[Node("word", text=t) for t in terms]))


def load_questions(path: Path, ids: str, limit: int | None) -> list[dict[str, Any]]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            q = json.loads(line)
            if ids == "even" and q["query_id"] % 2:
                continue
            if ids == "odd" and not q["query_id"] % 2:
                continue
            out.append(q)
    return out[:limit] if limit else out


@dataclass
class Run:
    """Ranked (source, article) lists and ranked document sources, one per question."""

    articles: list[list[tuple[str, str]]]
    documents: list[list[str]]
    latencies: list[float]


def run_system(svc: SearchService, questions: list[dict[str, Any]]) -> Run:
    arts, docs, lat = [], [], []
    for n, q in enumerate(questions, 1):
        if n % 100 == 0:
            print(f"  {n}/{len(questions)}", file=sys.stderr)
        t0 = time.perf_counter()
        page = svc.search(SearchQuery(q=q["query"], articles=True, per_page=DEPTH))
        lat.append(time.perf_counter() - t0)
        arts.append([(h.source or "", h.article or "") for h in page.results])
        dpage = svc.search(SearchQuery(q=q["query"], per_page=DEPTH))
        docs.append([h.source or "" for h in dpage.results])
    return Run(arts, docs, lat)


def metrics(questions: list[dict[str, Any]], run: Run) -> dict[str, float]:
    """recall@k (share of the relevant items in the top k) and MRR@10, averaged over questions."""
    sums: dict[str, float] = {}

    def add(key: str, value: float) -> None:
        sums[key] = sums.get(key, 0.0) + value

    for q, arts, docs in zip(questions, run.articles, run.documents, strict=True):
        rel = {(r["path"], r["article"]) for r in q["relevant"]}
        rel_docs = {r["path"] for r in q["relevant"]}
        for k in KS:
            add(f"article R@{k}", len(rel & set(arts[:k])) / len(rel))
            add(f"document R@{k}", len(rel_docs & set(docs[:k])) / len(rel_docs))
        add("article MRR@10", _rr(arts[:10], rel))
        add("document MRR@10", _rr(docs[:10], rel_docs))
    n = max(len(questions), 1)
    return {k: v / n for k, v in sums.items()}


def _rr(ranked: Iterable[Any], relevant: set[Any]) -> float:
    for i, item in enumerate(ranked, 1):
        if item in relevant:
            return 1.0 / i
    return 0.0


def table(rows: dict[str, dict[str, float]]) -> str:
    names = list(next(iter(rows.values())))
    width = max(len(n) for n in names)
    out = [f"{'':{width}}  " + "  ".join(f"{r:>14}" for r in rows)]
    for name in names:
        out.append(f"{name:{width}}  " + "  ".join(f"{rows[r][name]:>14.3f}" for r in rows))
    return "\n".join(out)


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else 0.0


@dataclass
class TrainingData:
    """What the law model trains on: stard-train's questions, the story training
    questions (with their set's name and place in it), the cited laws as the trainer
    reads them."""

    stard: list[dict[str, Any]]
    stories: list[tuple[str, int, dict[str, Any]]]
    laws: Any

    @classmethod
    def read(cls, corpora: Path) -> TrainingData:
        import train_question_model as tq

        stard = tq.load_questions(corpora / "stard-train" / "queries.jsonl")
        stories = [
            (name, i, q) for name in STORY_SETS for i, q in enumerate(eval_sets.load_set(name))
        ]
        cited = {r["path"] for q in stard + [q for *_, q in stories] for r in q["relevant"]}
        return cls(stard, stories, tq.read_laws(corpora / "lawrefbook", cited))

    def model(self, stard: list[dict[str, Any]], stories: list[dict[str, Any]]) -> LawModel:
        """A law model trained on these stard-train questions and stories (weighted as the
        shipped model's)."""
        import train_question_model as tq

        questions, weights = tq.training_set(stard, stories)
        return train_model(tq.examples(questions, self.laws), weights)


def run_cv(svc: SearchService, questions: list[dict[str, Any]], folds: int, corpora: Path) -> Run:
    """Each fold (query_id mod `folds`) answered by a law model trained on the other folds
    (of all of stard-train, not only the questions evaluated) and the story training sets,
    as the shipped model is."""
    data = TrainingData.read(corpora)
    stories = [q for *_, q in data.stories]
    arts: list[Any] = [None] * len(questions)
    docs: list[Any] = [None] * len(questions)
    lat: list[float] = []
    default = svc.rewrite
    try:
        for fold in range(folds):
            train = [q for q in data.stard if q["query_id"] % folds != fold]
            svc.rewrite = QuestionRewriter(model=data.model(train, stories))
            held = [i for i, q in enumerate(questions) if q["query_id"] % folds == fold]
            run = run_system(svc, [questions[i] for i in held])
            for j, i in enumerate(held):
                arts[i], docs[i] = run.articles[j], run.documents[j]
            lat.extend(run.latencies)
    finally:
        svc.rewrite = default
    return Run(arts, docs, lat)


NO_PINS = "question, no pins"


def evaluate(
    index_dir: Path,
    questions: list[dict[str, Any]],
    baseline: bool = True,
    cv: int = 0,
    no_model: bool = False,
    corpora: Path | None = None,
    no_pins: bool = False,
) -> dict[str, Any]:
    """Metrics of question search (and the baseline) over `questions`, per parity of query_id.

    `cv`: held-out figures (see the module doc); `no_model`: also question mode without
    the learned law model; `no_pins`: also question mode without the citation and name
    resolver (what pinning named laws first costs or gains on questions)."""
    systems: dict[str, Callable[[str], Any]] = {"question": question_rewriter}
    if no_model:
        systems["no law model"] = QuestionRewriter(model=LawModel())
    if no_pins:
        systems[NO_PINS] = question_rewriter
    if baseline:
        systems["plain BM25"] = plain_rewriter
    out: dict[str, Any] = {"questions": len(questions), "cv": cv, "systems": {}}
    for name, rewriter in systems.items():
        print(f"running {name} ...", file=sys.stderr)
        svc = SearchService(index_dir, rewrite=rewriter)
        if name in ("plain BM25", NO_PINS):
            svc.resolver = None  # the baseline: no citation or name resolution either
        try:
            svc.search(SearchQuery(q=questions[0]["query"]))  # warm up (jieba, columns)
            if name in ("question", NO_PINS) and cv > 1:
                run = run_cv(svc, questions, cv, corpora or corpora_dir())
            else:
                run = run_system(svc, questions)
        finally:
            svc.close()
        split: dict[str, dict[str, float]] = {"all": metrics(questions, run)}
        for parity in ("even", "odd"):
            keep = [i for i, q in enumerate(questions) if q["query_id"] % 2 == (parity == "odd")]
            sub = Run(
                [run.articles[i] for i in keep],
                [run.documents[i] for i in keep],
                [run.latencies[i] for i in keep],
            )
            if keep:
                split[parity] = metrics([questions[i] for i in keep], sub)
        out["systems"][name] = {
            "metrics": split,
            "latency_ms": {
                "p50": 1000 * statistics.median(run.latencies),
                "p95": 1000 * percentile(run.latencies, 95),
            },
        }
    return out


def plain_service(index_dir: Path) -> SearchService:
    """The baseline service: plain BM25 for every query, no pre-search resolver."""
    svc = SearchService(index_dir, rewrite=plain_rewriter)
    if hasattr(svc, "resolver"):
        svc.resolver = None
    return svc


def story_cv_runs(
    index_dir: Path, names: list[str], folds: int, corpora: Path
) -> dict[str, eval_sets.SetRun]:
    """The story training sets among `names`, each question answered by a law model trained
    on stard-train and the other folds of the story training questions (their position in
    `train_question_model.story_questions()` mod `folds`), never on itself."""
    wanted = [n for n in names if n in STORY_SETS]
    if not wanted or folds < 2:
        return {}
    data = TrainingData.read(corpora)
    answered: dict[str, dict[int, eval_sets.SetRun]] = {name: {} for name in wanted}
    svc = SearchService(index_dir)
    try:
        for fold in range(folds):
            train = [q for n, (*_, q) in enumerate(data.stories) if n % folds != fold]
            svc.rewrite = QuestionRewriter(model=data.model(data.stard, train))
            for n, (name, i, q) in enumerate(data.stories):
                if n % folds == fold and name in answered:
                    answered[name][i] = eval_sets.run_set(svc, [q])
    finally:
        svc.close()
    return {
        name: eval_sets.merge_runs([runs[i] for i in range(len(runs))])
        for name, runs in answered.items()
    }


def evaluate_sets(
    index_dir: Path,
    names: list[str],
    baseline: bool = True,
    cv: int = 0,
    corpora: Path | None = None,
) -> dict[str, Any]:
    """Each everyday set through the service (and the plain BM25 baseline). With `cv`, the
    story training sets are answered by law models that were not trained on the question
    (`story_cv_runs`); without it, by the shipped model, which was."""
    out: dict[str, Any] = {}
    held = story_cv_runs(Path(index_dir), names, cv, corpora or corpora_dir())
    systems = {"regsearch": lambda: SearchService(index_dir)}
    if baseline:
        systems["plain BM25"] = lambda: plain_service(index_dir)
    for set_name in names:
        queries = eval_sets.load_set(set_name)
        out[set_name] = {"queries": len(queries), "systems": {}}
        if set_name in held:
            out[set_name]["trained_on"] = f", law model held out ({cv}-fold CV)"
        elif set_name in STORY_SETS:
            out[set_name]["trained_on"] = ", trained on (the shipped law model): use --cv"
        for sys_name, make in systems.items():
            if sys_name == "regsearch" and set_name in held:
                run = held[set_name]
            else:
                print(f"running {set_name} / {sys_name} ...", file=sys.stderr)
                svc = make()
                try:
                    svc.search(SearchQuery(q=queries[0]["query"]))  # warm up
                    run = eval_sets.run_set(svc, queries)
                finally:
                    svc.close()
            out[set_name]["systems"][sys_name] = {
                "metrics": eval_sets.METRICS[set_name](queries, run),
                "by_form": eval_sets.by_form(queries, run, set_name),
                "latency_ms": eval_sets.latency_ms(run),
                "misses": eval_sets.misses(queries, run, set_name),
            }
    return out


def print_sets(result: dict[str, Any], show_misses: bool = False) -> None:
    for set_name, data in result.items():
        trained = data.get("trained_on", "")
        print(f"\n[{set_name}: {data['queries']} queries{trained}]")
        rows = {name: s["metrics"] for name, s in data["systems"].items()}
        print(table(rows))
        ours = data["systems"]["regsearch"]
        print("by form (regsearch):")
        print(table(ours["by_form"]) if len(ours["by_form"]) < 12 else _transposed(ours))
        for name, s in data["systems"].items():
            lat = s["latency_ms"]
            print(f"{name}: document search p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms")
        if show_misses:
            print("misses (regsearch):")
            for line in ours["misses"]:
                print("  " + line)


def _transposed(system: dict[str, Any]) -> str:
    forms = system["by_form"]
    return "\n".join(
        f"  {form}: " + ", ".join(f"{k} {v:.3f}" for k, v in m.items()) for form, m in forms.items()
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=None, help="default: $REGSEARCH_CORPORA")
    ap.add_argument(
        "--index",
        default=str(ROOT / "indexes" / "eval-lawrefbook"),
        help="index folder or postgresql:// URL (default: indexes/eval-lawrefbook)",
    )
    ap.add_argument("--rebuild", action="store_true", help="rebuild the index even if cached")
    ap.add_argument("--ids", choices=("all", "even", "odd"), default="all")
    ap.add_argument("--limit", type=int, default=None, help="only the first N questions")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--cv", type=int, default=0, help="K-fold held-out run of the law model")
    ap.add_argument("--no-model", action="store_true", help="also run without the law model")
    ap.add_argument("--no-pins", action="store_true", help="also run without the resolver")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--sets", default=",".join(eval_sets.SETS), help="everyday sets, or none")
    ap.add_argument("--no-stard", action="store_true", help="skip stard-train")
    ap.add_argument("--misses", action="store_true", help="list the first misses of each set")
    args = ap.parse_args(argv)
    set_names = [] if args.sets == "none" else [n for n in args.sets.split(",") if n]
    unknown = [n for n in set_names if n not in eval_sets.SETS]
    if unknown:
        print(f"unknown set {unknown[0]}: choose from {', '.join(eval_sets.SETS)}", file=sys.stderr)
        return 2
    corpora = args.corpora or corpora_dir()
    src = corpora / "lawrefbook"
    qfile = corpora / "stard-train" / "queries.jsonl"
    if not src.is_dir() or not qfile.is_file():
        print(f"corpora not found at {corpora} (set REGSEARCH_CORPORA)", file=sys.stderr)
        return 1
    ensure_index(src, args.index, rebuild=args.rebuild)
    sets = evaluate_sets(
        args.index, set_names, baseline=not args.no_baseline, cv=args.cv, corpora=corpora
    )
    if args.no_stard:
        if args.json:
            print(json.dumps({"sets": sets}, ensure_ascii=False, indent=1))
        else:
            print_sets(sets, args.misses)
        return 0
    questions = load_questions(qfile, args.ids, args.limit)
    result = evaluate(
        args.index,
        questions,
        baseline=not args.no_baseline,
        cv=args.cv,
        no_model=args.no_model,
        corpora=corpora,
        no_pins=args.no_pins,
    )
    if args.json:
        result["sets"] = sets
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    held = f", law model held out ({args.cv}-fold CV)" if args.cv > 1 else ""
    print(f"{result['questions']} questions from {qfile}{held}")
    for split in ("all", "even", "odd"):
        rows = {
            name: sys_["metrics"][split]
            for name, sys_ in result["systems"].items()
            if split in sys_["metrics"]
        }
        if rows:
            print(f"\n[{split} query_ids]")
            print(table(rows))
    print()
    for name, sys_ in result["systems"].items():
        lat = sys_["latency_ms"]
        print(f"{name}: article search latency p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms")
    print_sets(sets, args.misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
