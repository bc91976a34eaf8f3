"""The everyday query sets of issue 12 (tests/data/eval/*.jsonl) and their figures.

Each set is JSON Lines `{"id", "query", "form", "relevant": [{"path", "article"?}]}`;
where it comes from is said in tests/data/eval/README.md. `scripts/eval_relevance.py`
runs them beside stard-train; this module loads a set, runs it through
`SearchService.search` (the code path of the CLI and the web app) and scores it:

- citations: the right article first in the article view (`article P@1`), and in the
  document view the right document first with that article named first under it;
- names: the latest version of the named law first (`document P@1`), MRR@10;
- stories, stories_dev, stories_dev2, stories_dev3, stories_heldout, stories_blind,
  stories_blind2, stories_blind3: recall@k and MRR@10 at article and document level (as for
  stard-train);
- no_dead_end: the share of queries with results, of relaxed answers, and whether a
  relevant law is in the top 10 / first.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regsearch.model import SearchQuery  # noqa: E402

SET_DIR = ROOT / "tests" / "data" / "eval"
SETS = (
    "citations",
    "names",
    "stories",
    "stories_dev",
    "stories_dev2",
    "stories_dev3",
    "stories_heldout",
    "stories_blind",
    "stories_blind2",
    "stories_blind3",
    "no_dead_end",
)
DEPTH = 20


def load_set(name: str, folder: Path = SET_DIR) -> list[dict[str, Any]]:
    path = folder / f"{name}.jsonl"
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@dataclass
class SetRun:
    """What the service answered for each query of a set."""

    articles: list[list[tuple[str, str]]] = field(default_factory=list)  # article view
    documents: list[list[str]] = field(default_factory=list)  # document view: sources
    first_articles: list[str | None] = field(default_factory=list)  # top document's 1st article
    totals: list[int] = field(default_factory=list)  # document view totals
    relaxed: list[bool] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # document view, seconds


def run_set(svc: Any, queries: list[dict[str, Any]]) -> SetRun:
    run = SetRun()
    for q in queries:
        apage = svc.search(SearchQuery(q=q["query"], articles=True, per_page=DEPTH))
        run.articles.append([(h.source or "", h.article or "") for h in apage.results])
        t0 = time.perf_counter()
        dpage = svc.search(SearchQuery(q=q["query"], per_page=DEPTH))
        run.latencies.append(time.perf_counter() - t0)
        run.documents.append([h.source or "" for h in dpage.results])
        top = dpage.results[0] if dpage.results else None
        run.first_articles.append(top.articles[0].number if top and top.articles else None)
        run.totals.append(dpage.total)
        run.relaxed.append(bool(getattr(dpage, "relaxed", False)))
    return run


def merge_runs(runs: list[SetRun]) -> SetRun:
    """One SetRun of the queries of `runs`, in order."""
    out = SetRun()
    for run in runs:
        for f in fields(SetRun):
            getattr(out, f.name).extend(getattr(run, f.name))
    return out


def _rr(ranked: Iterable[Any], relevant: set[Any]) -> float:
    for i, item in enumerate(ranked, 1):
        if item in relevant:
            return 1.0 / i
    return 0.0


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def citation_metrics(queries: list[dict[str, Any]], run: SetRun) -> dict[str, float]:
    p1, mrr, doc_first, doc_and_art = [], [], [], []
    for q, arts, docs, first in zip(
        queries, run.articles, run.documents, run.first_articles, strict=True
    ):
        rel = {(r["path"], r["article"]) for r in q["relevant"]}
        p1.append(float(bool(arts) and arts[0] in rel))
        mrr.append(_rr(arts[:10], rel))
        paths = {r["path"] for r in q["relevant"]}
        top_ok = bool(docs) and docs[0] in paths
        doc_first.append(float(top_ok))
        articles = {r["article"] for r in q["relevant"]}
        doc_and_art.append(float(top_ok and first in articles))
    return {
        "article P@1": _mean(p1),
        "article MRR@10": _mean(mrr),
        "document P@1": _mean(doc_first),
        "document P@1 + article first": _mean(doc_and_art),
    }


def name_metrics(queries: list[dict[str, Any]], run: SetRun) -> dict[str, float]:
    p1, p3, mrr = [], [], []
    for q, docs in zip(queries, run.documents, strict=True):
        rel = {r["path"] for r in q["relevant"]}
        p1.append(float(bool(docs) and docs[0] in rel))
        p3.append(float(bool(rel & set(docs[:3]))))
        mrr.append(_rr(docs[:10], rel))
    return {"document P@1": _mean(p1), "document hit@3": _mean(p3), "document MRR@10": _mean(mrr)}


def story_metrics(queries: list[dict[str, Any]], run: SetRun) -> dict[str, float]:
    """recall@k (share of the relevant items in the top k) and MRR@10, as for stard-train."""
    sums: dict[str, list[float]] = {}
    for q, arts, docs in zip(queries, run.articles, run.documents, strict=True):
        rel = {(r["path"], r["article"]) for r in q["relevant"]}
        rel_docs = {r["path"] for r in q["relevant"]}
        for k in (1, 5, 10):
            sums.setdefault(f"article R@{k}", []).append(len(rel & set(arts[:k])) / len(rel))
        sums.setdefault("article MRR@10", []).append(_rr(arts[:10], rel))
        for k in (1, 10):
            sums.setdefault(f"document R@{k}", []).append(
                len(rel_docs & set(docs[:k])) / len(rel_docs)
            )
        sums.setdefault("document MRR@10", []).append(_rr(docs[:10], rel_docs))
    return {k: _mean(v) for k, v in sums.items()}


def open_metrics(queries: list[dict[str, Any]], run: SetRun) -> dict[str, float]:
    hit1, hit10 = [], []
    for q, docs in zip(queries, run.documents, strict=True):
        rel = {r["path"] for r in q["relevant"]}
        hit1.append(float(bool(docs) and docs[0] in rel))
        hit10.append(float(bool(rel & set(docs[:10]))))
    return {
        "with results": _mean([float(t > 0) for t in run.totals]),
        "relaxed": _mean([float(r) for r in run.relaxed]),
        "document hit@1": _mean(hit1),
        "document hit@10": _mean(hit10),
    }


METRICS = {
    "citations": citation_metrics,
    "names": name_metrics,
    "stories": story_metrics,
    "stories_heldout": story_metrics,
    "stories_blind": story_metrics,
    "stories_dev": story_metrics,
    "stories_dev2": story_metrics,
    "stories_dev3": story_metrics,
    "stories_blind2": story_metrics,
    "stories_blind3": story_metrics,
    "no_dead_end": open_metrics,
}


def by_form(queries: list[dict[str, Any]], run: SetRun, name: str) -> dict[str, dict[str, float]]:
    """The set's metrics per `form` (how the query was written)."""
    out = {}
    for form in dict.fromkeys(q["form"] for q in queries):
        keep = [i for i, q in enumerate(queries) if q["form"] == form]
        sub = SetRun(
            [run.articles[i] for i in keep],
            [run.documents[i] for i in keep],
            [run.first_articles[i] for i in keep],
            [run.totals[i] for i in keep],
            [run.relaxed[i] for i in keep],
            [run.latencies[i] for i in keep],
        )
        out[f"{form} ({len(keep)})"] = METRICS[name]([queries[i] for i in keep], sub)
    return out


def latency_ms(run: SetRun) -> dict[str, float]:
    lat = sorted(run.latencies)
    if not lat:
        return {"p50": 0.0, "p95": 0.0}
    p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))]
    return {"p50": 1000 * statistics.median(lat), "p95": 1000 * p95}


def misses(queries: list[dict[str, Any]], run: SetRun, name: str, limit: int = 15) -> list[str]:
    """The first queries a set's main figure counts as wrong (for reading, not scoring)."""
    out = []
    for i, q in enumerate(queries):
        if name == "citations":
            rel = {(r["path"], r["article"]) for r in q["relevant"]}
            got = run.articles[i][:1]
            ok = bool(got) and got[0] in rel
        elif name in ("names", "no_dead_end"):
            rel = {r["path"] for r in q["relevant"]}
            got = run.documents[i][:1]
            ok = bool(got) and got[0] in rel
        else:
            rel = {(r["path"], r["article"]) for r in q["relevant"]}
            got = run.articles[i][:3]
            ok = bool(rel & set(run.articles[i][:10]))
        if not ok:
            out.append(f"{q['id']} {q['query']} -> {got}")
        if len(out) >= limit:
            break
    return out
