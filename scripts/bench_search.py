"""Benchmark: ingest+index and warm query latency over the real corpora, beside SQLite FTS5.

    .venv/bin/python scripts/bench_search.py [--corpora ../shared/corpora] [--keep DIR]

Prints (never asserts) for the three document collections (lawrefbook,
waystowork, govcn-html): ingest+index time and MB/s, index size, warm query
latency p50/p95 of `SearchService.search` (facets and snippets included) over a
fixed list of realistic queries, the same figures for an SQLite FTS5 baseline
built in the same run over the same jieba words (bm25 ranking, `snippet()`,
facet counts), their ratios, and the end-to-end time of `regsearch search`;
then the latency of question mode on the first 100 stard-train questions
(documents and --articles, first seen and repeated) beside FTS5 OR-ing their words.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regsearch.engine.whoosh.store import current_generation, index_bytes  # noqa: E402
from regsearch.index.update import update_index  # noqa: E402
from regsearch.ingest import ingest_paths  # noqa: E402
from regsearch.model import SearchQuery  # noqa: E402
from regsearch.search.service import SearchService  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from benchkit import (  # noqa: E402
    COLLECTIONS,
    QUERIES,
    build_fts,
    fts_query,
    load_questions,
    percentile,
    question_matches,
    time_fts,
    time_queries,
)


def source_bytes(paths: list[Path]) -> int:
    return sum(f.stat().st_size for p in paths for f in p.rglob("*") if f.is_file())


def build_regsearch(paths: list[Path], index_dir: Path) -> tuple[float, list]:
    start = time.perf_counter()
    result = ingest_paths(paths)
    read = time.perf_counter() - start
    update_index(index_dir, result.documents, rebuild=True)
    total = time.perf_counter() - start
    print(f"  read+normalize {read:.1f} s, index {total - read:.1f} s")
    return total, result.documents


def time_service(index_dir: Path) -> list[float]:
    svc = SearchService(index_dir)
    try:
        return time_queries(svc)
    finally:
        svc.close()


def time_questions(index_dir: Path, questions: list[str]) -> dict[str, list[float]]:
    """Question mode (the default search of the web and CLI): documents (with their best
    articles) and --articles, each question first seen (its words' postings may still
    be on disk) and then repeated (all in memory)."""
    out: dict[str, list[float]] = {}

    def run(svc: SearchService, label: str) -> None:
        for mode, articles in (("documents", False), ("articles", True)):
            times = out.setdefault(f"{mode}, {label}", [])
            for q in questions:
                t = time.perf_counter()
                svc.search(SearchQuery(q=q, articles=articles))
                times.append((time.perf_counter() - t) * 1000)

    svc = SearchService(index_dir)
    svc.search(SearchQuery(q="公司不给交社保怎么办"))  # open the index, load the model
    run(svc, "first seen")
    run(svc, "repeated")
    svc.close()
    # As `regsearch serve` runs it: a new process-wide state, warmed up at start.
    svc = SearchService(index_dir)
    t = time.perf_counter()
    lists = svc.warm_up()
    secs = time.perf_counter() - t
    print(f"  warm_up (as `serve` runs it): {lists} postings lists in {secs:.1f} s")
    run(svc, "first seen, warmed up")
    svc.close()
    return out


def time_cli(index_dir: Path, runs: int = 5) -> list[float]:
    exe = Path(sys.executable).with_name("regsearch")
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        done = subprocess.run(
            [str(exe), "search", "劳动合同 解除", "--index", str(index_dir)],
            check=True,
            capture_output=True,
            text=True,
        )
        out.append(time.perf_counter() - t)
        assert done.stdout.startswith("共 "), done.stdout[:200]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(os.environ.get("REGSEARCH_CORPORA", ROOT.parent / "shared" / "corpora"))
    parser.add_argument("--corpora", type=Path, default=default)
    parser.add_argument("--keep", type=Path, help="Build the index here and keep it.")
    args = parser.parse_args()
    paths = [args.corpora / c for c in COLLECTIONS]
    work = Path(tempfile.mkdtemp(prefix="regsearch-bench-"))
    index_dir = args.keep or work / "index"
    if args.keep and index_dir.exists():
        shutil.rmtree(index_dir)
    try:
        size = source_bytes(paths)
        print(f"corpus: {', '.join(COLLECTIONS)}: {size / 1e6:.1f} MB, {os.cpu_count()} CPUs")
        print(f"queries: {len(QUERIES)} (timed warm: second pass)")
        print("regsearch ingest+index:")
        secs, docs = build_regsearch(paths, index_dir)
        ixsize = index_bytes(current_generation(index_dir))
        print("FTS5 baseline build (same jieba words):")
        fts_secs = build_fts(docs, work / "fts.db")
        fts_size = (work / "fts.db").stat().st_size
        matches = [m for m in (fts_query(q) for q, _f in QUERIES) if m is not None]
        ours, theirs = time_service(index_dir), time_fts(work / "fts.db", matches)
        cli = time_cli(index_dir)
        rows = [
            ("documents", f"{len(docs)}", "", ""),
            ("ingest+index s", f"{secs:.1f}", f"{fts_secs:.1f}", f"{secs / fts_secs:.2f}"),
            ("MB/s", f"{size / 1e6 / secs:.2f}", f"{size / 1e6 / fts_secs:.2f}", ""),
            (
                "index MB",
                f"{ixsize / 1e6:.0f}",
                f"{fts_size / 1e6:.0f}",
                f"{ixsize / fts_size:.2f}",
            ),
        ]
        for label, p in (("p50 ms", 50), ("p95 ms", 95)):
            a, b = percentile(ours, p), percentile(theirs, p)
            rows.append((f"query {label}", f"{a:.1f}", f"{b:.1f}", f"{a / b:.2f}"))
        rows.append(("query max ms", f"{max(ours):.1f}", f"{max(theirs):.1f}", ""))
        print(f"\n{'':18}{'regsearch':>12}{'FTS5':>12}{'ratio':>8}")
        for label, a, b, r in rows:
            print(f"{label:18}{a:>12}{b:>12}{r:>8}")
        print(
            f"\nCLI `regsearch search` end to end: median {statistics.median(cli):.2f} s,"
            f" max {max(cli):.2f} s over {len(cli)} runs"
        )
        slow = sorted(zip(ours, QUERIES, strict=True), key=lambda x: -x[0])[:5]
        print("slowest regsearch queries: " + "; ".join(f"{q[0]} {ms:.0f} ms" for ms, q in slow))
        questions = load_questions(args.corpora)
        if questions:
            print(f"\nquestions (first {len(questions)} of stard-train), question mode:")
            fts_q = time_fts(work / "fts.db", question_matches(questions))
            q95 = percentile(fts_q, 95)
            for label, times in time_questions(index_dir, questions).items():
                p95 = percentile(times, 95)
                print(
                    f"  {label:24} p50 {percentile(times, 50):6.1f} ms  p95 {p95:6.1f} ms"
                    f"  (FTS5 OR of the words, warm: p95 {q95:.1f} ms, ratio {p95 / q95:.2f})"
                )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
