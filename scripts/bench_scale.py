"""Scale benchmark (issue 14): the corpus at 1x, 4x and 16x on each backend, side by side.

    .venv/bin/python scripts/bench_scale.py [--scales 1,4,16] [--backend whoosh,fts5,postgres]
        [--database-url URL] [--out results.json] [--corpora DIR | --docs FILE.jsonl]

The corpus (lawrefbook, waystowork, govcn-html under REGSEARCH_CORPORA) is read once;
scale N is its records plus N-1 synthetic copies issued by other provinces
(`scripts/scale_copies.py`: distinct titles, 发文字号 and ids, same article
structure), generated in memory. For each scale and backend it prints, never asserts:
ingest time (records to a searchable index), index size on disk, warm p50/p95 of the
query list of `bench_search.py` and of question mode on the first stard-train
questions, and requests/s of 8 concurrent HTTP clients against `regsearch serve`
(the request mix of `bench_http.py`).

Backends: `whoosh` (the embedded engine, an index directory), `fts5` (SQLite FTS5 over
the same jieba words, as in `bench_search.py`; its requests/s are 8 threads in this
process, without HTTP), and `postgres` (`open_engine(URL)` with --database-url or
REGSEARCH_DATABASE_URL; skipped, saying why, when the engine or the server is not
there). Built indexes are deleted after each scale.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_http  # noqa: E402
from benchkit import (  # noqa: E402
    COLLECTIONS,
    N_QUESTIONS,
    QUERIES,
    build_fts,
    fts_query,
    fts_throughput,
    load_questions,
    percentile,
    question_matches,
    time_fts,
    time_queries,
    time_question_mode,
)
from scale_copies import scaled  # noqa: E402

from regsearch.engine import open_engine  # noqa: E402
from regsearch.model import Document  # noqa: E402

BACKENDS = ("whoosh", "fts5", "postgres")
CLIENTS = 8


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load_base(corpora: Path, docs_file: Path | None) -> tuple[list[Document], float]:
    """The 1x records and the seconds it took to read, normalize and derive them."""
    t = time.perf_counter()
    if docs_file is not None:
        lines = docs_file.read_text(encoding="utf-8").splitlines()
        docs = [Document.from_dict(json.loads(line)) for line in lines if line.strip()]
    else:
        from regsearch.ingest import ingest_paths

        docs = ingest_paths([corpora / c for c in COLLECTIONS]).documents
    return docs, time.perf_counter() - t


def postgres_unavailable(url: str | None) -> str | None:
    """Why the PostgreSQL backend cannot run here, or None if it can."""
    if not url:
        return "no --database-url and no REGSEARCH_DATABASE_URL"
    if importlib.util.find_spec("regsearch.engine.postgres") is None:
        return "this checkout has no PostgreSQL engine (regsearch/engine/postgres)"
    try:
        engine = open_engine(url)
    except Exception as exc:  # noqa: BLE001 - any failure is a reason to skip, said
        return f"open_engine({url!r}) failed: {exc}"
    try:
        if type(engine).__module__.startswith("regsearch.engine.whoosh"):
            return "open_engine() does not route postgresql:// URLs to a PostgreSQL engine yet"
    finally:
        engine.close()
    return None


def latency(times: list[float]) -> dict[str, float]:
    return {"p50": percentile(times, 50), "p95": percentile(times, 95)}


def http_rps(index: Path | None, env: dict[str, str], requests: int, seconds: float) -> dict:
    """Requests/s of 8 keep-alive clients against `regsearch serve` (worker processes, the
    default layout), after a warm-up pass over the mix."""
    cores = os.cpu_count() or 1
    server = bench_http.Server(index, cores, 4, env)
    try:
        urls = bench_http.request_mix(bench_http.doc_ids(server.port))
        bench_http.run_clients(server.port, urls, 2, 2 * len(urls), seconds)
        r = bench_http.run_clients(server.port, urls, CLIENTS, requests, seconds)
    finally:
        server.stop()
    return {k: r[k] for k in ("requests", "rps", "p50", "p95", "failures", "failed")}


def run_engine(
    location: str | Path,
    docs: list[Document],
    questions: list[str],
    args: argparse.Namespace,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Ingest into an engine (`update_index`, rebuilding), then time it; `serve` is run
    with `--index location` for an index folder, else with `env` naming the database."""
    from regsearch.index.update import update_index
    from regsearch.search.service import SearchService

    t = time.perf_counter()
    update_index(location, docs, rebuild=True)
    ingest = time.perf_counter() - t
    log(f"    ingest {ingest:.1f} s")
    svc = SearchService(engine=open_engine(location))
    try:
        with svc.engine.snapshot() as snap:
            size = snap.index_bytes()
        queries = time_queries(svc)
        asked = time_question_mode(svc, questions)
    finally:
        svc.close()
    log("    queries timed; serving")
    return {
        "ingest_s": ingest,
        "index_bytes": size,
        "queries_ms": latency(queries),
        "questions_ms": latency(asked),
        "http": http_rps(
            location if isinstance(location, Path) else None,
            env or {},
            args.http_requests,
            args.seconds,
        ),
    }


def run_fts5(
    db: Path, docs: list[Document], questions: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    ingest = build_fts(docs, db)
    log(f"    ingest {ingest:.1f} s")
    matches = [m for m in (fts_query(q) for q, _f in QUERIES) if m is not None]
    asked = question_matches(questions)
    mix = [m for m in (fts_query(q) for q in bench_http.SEARCHES) if m is not None]
    mix += question_matches(bench_http.QUESTIONS)
    return {
        "ingest_s": ingest,
        "index_bytes": db.stat().st_size,
        "queries_ms": latency(time_fts(db, matches)),
        "questions_ms": latency(time_fts(db, asked)),
        "http": fts_throughput(db, mix, CLIENTS, args.http_requests, args.seconds),
    }


def run_scale(
    scale: int, base: list[Document], questions: list[str], args: argparse.Namespace, work: Path
) -> list[dict[str, Any]]:
    t = time.perf_counter()
    docs = list(scaled(base, scale))
    copies = time.perf_counter() - t
    log(f"scale {scale}x: {len(docs)} records ({copies:.1f} s to copy)")
    rows = []
    for backend in args.backends:
        log(f"  {backend}")
        row: dict[str, Any] = {"scale": scale, "backend": backend, "records": len(docs)}
        if backend == "postgres" and args.postgres_skip:
            row["skipped"] = args.postgres_skip
            rows.append(row)
            continue
        t0 = time.perf_counter()
        if backend == "whoosh":
            index = work / f"whoosh-{scale}"
            try:
                row.update(run_engine(index, docs, questions, args))
            finally:
                shutil.rmtree(index, ignore_errors=True)
        elif backend == "fts5":
            db = work / f"fts5-{scale}.db"
            try:
                row.update(run_fts5(db, docs, questions, args))
            finally:
                db.unlink(missing_ok=True)
        else:
            url = args.database_url
            env = {"REGSEARCH_DATABASE_URL": url}
            row.update(run_engine(url, docs, questions, args, env))
        row["wall_s"] = time.perf_counter() - t0
        row["copy_s"] = copies
        rows.append(row)
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    out = [
        "| scale | records | backend | ingest s | index MB | queries p50 / p95 ms"
        f" | questions p50 / p95 ms | req/s, {CLIENTS} clients |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        head = f"| {r['scale']}× | {r['records']:,} | {r['backend']} "
        if "skipped" in r:
            out.append(head + f"| skipped: {r['skipped']} | | | | |")
            continue
        q, a, h = r["queries_ms"], r["questions_ms"], r["http"]
        rps = f"{h['rps']:.1f}" + ("" if "p50" in h else " (in-process)")
        out.append(
            head + f"| {r['ingest_s']:.1f} | {r['index_bytes'] / 1e6:,.0f} "
            f"| {q['p50']:.1f} / {q['p95']:.1f} | {a['p50']:.1f} / {a['p95']:.1f} | {rps} |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default = Path(os.environ.get("REGSEARCH_CORPORA", ROOT.parent / "shared" / "corpora"))
    ap.add_argument("--corpora", type=Path, default=default)
    ap.add_argument("--docs", type=Path, help="Documents as JSON lines instead of the corpora.")
    ap.add_argument("--scales", default="1,4,16")
    ap.add_argument("--backend", default="whoosh,fts5,postgres")
    ap.add_argument("--database-url", default=os.environ.get("REGSEARCH_DATABASE_URL"))
    ap.add_argument("--questions", type=int, default=N_QUESTIONS, help="questions timed")
    ap.add_argument("--http-requests", type=int, default=300, help="requests per HTTP run")
    ap.add_argument("--seconds", type=float, default=60.0, help="time limit per HTTP run")
    ap.add_argument("--out", type=Path, help="Write every figure here as JSON.")
    ap.add_argument("--work", type=Path, help="Build indexes here (default: a temporary dir).")
    args = ap.parse_args(argv)
    args.scales = [int(s) for s in args.scales.split(",")]
    args.backends = [b.strip() for b in args.backend.split(",") if b.strip()]
    unknown = set(args.backends) - set(BACKENDS)
    if unknown:
        ap.error(f"unknown backend {', '.join(sorted(unknown))}: choose from {BACKENDS}")
    args.postgres_skip = (
        postgres_unavailable(args.database_url) if "postgres" in args.backends else None
    )
    if args.postgres_skip:
        print(f"postgres skipped: {args.postgres_skip}", flush=True)

    questions = load_questions(args.corpora)[: args.questions] or bench_http.QUESTIONS
    base, read_s = load_base(args.corpora, args.docs)
    log(f"1x: {len(base)} records read, normalized and derived in {read_s:.1f} s")
    report: dict[str, Any] = {
        "machine": f"{platform.node()}, {os.cpu_count()} CPUs, {platform.platform()}",
        "base_records": len(base),
        "read_s": read_s,
        "queries": len(QUERIES),
        "questions": len(questions),
        "scales": {},
        "rows": [],
    }
    work = args.work or Path(tempfile.mkdtemp(prefix="regsearch-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        for scale in args.scales:
            t = time.perf_counter()
            report["rows"] += run_scale(scale, base, questions, args, work)
            report["scales"][str(scale)] = {"wall_s": time.perf_counter() - t}
            log(f"scale {scale}x done in {report['scales'][str(scale)]['wall_s']:.0f} s")
            if args.out:
                args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print(
        f"\n{report['machine']}; 1x = {len(base):,} records (read, normalized and derived"
        f" once in {read_s:.0f} s; not in the ingest column); {len(QUERIES)} queries,"
        f" {len(questions)} questions (question mode, documents), warm: second pass\n"
    )
    print(markdown(report["rows"]))
    walls = ", ".join(f"{s}×: {v['wall_s']:.0f} s" for s, v in report["scales"].items())
    print(f"\nwall time per scale: {walls}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
