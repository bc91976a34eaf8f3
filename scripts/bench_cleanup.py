"""Time the full cleanup report (every kind) over the whole of ../shared/corpora.

Prints, separately: reading and linking the sources (ingest), building the index,
the report straight from the ingested documents, the report over the index
(`SearchService.iter_documents()` + `build_report`, what `regsearch cleanup` does),
and the `regsearch cleanup` command end to end. Target: the report under a minute.

    .venv/bin/python scripts/bench_cleanup.py [--corpora DIR] [--index DIR] [--no-index]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("lawrefbook", "waystowork", "govcn-html")


def _timed(label: str, fn):  # noqa: ANN001, ANN202 - a tiny helper
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<42} {seconds:8.2f} s", flush=True)
    return value, seconds


def main() -> int:
    default = os.environ.get("REGSEARCH_CORPORA", str(ROOT.parent / "shared" / "corpora"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", default=default, help="corpora folder")
    parser.add_argument("--index", default=None, help="index directory (default: a temp dir)")
    parser.add_argument("--no-index", action="store_true", help="skip the index build and CLI")
    args = parser.parse_args()

    from regsearch.ingest import ingest_paths
    from regsearch.search.cleanup import CleanupQuery, CleanupReport, build_report, counts_text

    paths = [Path(args.corpora) / name for name in SOURCES]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"corpora not found: {', '.join(missing)}", file=sys.stderr)
        return 1
    print(f"cpus: {os.cpu_count()}  corpora: {args.corpora}")
    result, _ = _timed("ingest + link (ingest_paths)", lambda: ingest_paths(paths))
    docs = result.documents
    print(f"  documents: {len(docs)}  skipped files: {len(result.skips)}")
    query = CleanupQuery()
    report, from_docs = _timed(
        "report from documents (all kinds)", lambda: build_report(docs, query)
    )
    print(f"  rows: {len(report.rows)}  ({counts_text(report.counts)})")
    if args.no_index:
        return 0

    from regsearch.index.update import update_index
    from regsearch.search.service import SearchService

    def cleanup_report(index_dir: Path, query: CleanupQuery) -> CleanupReport:
        service = SearchService(index_dir)
        try:
            return service.cleanup(query)
        finally:
            service.close()

    with tempfile.TemporaryDirectory(prefix="bench-cleanup-") as tmp:
        index_dir = Path(args.index or Path(tmp) / "index")
        _timed("index build (update_index)", lambda: update_index(index_dir, docs))
        over_index, from_index = _timed(
            "report over the index (all kinds)", lambda: cleanup_report(index_dir, query)
        )
        print(f"  rows: {len(over_index.rows)}  ({counts_text(over_index.counts)})")
        exe = Path(sys.executable).with_name("regsearch")  # the installed console script
        cli = [str(exe), "cleanup", "--index", str(index_dir)]
        cli += ["--format", "csv", "--output", str(Path(tmp) / "report.csv")]
        done, end_to_end = _timed(
            "regsearch cleanup --format csv (process)",
            lambda: subprocess.run(cli, capture_output=True, text=True, check=False),
        )
        print(f"  exit {done.returncode}: {done.stderr.strip().splitlines()[-1]}")
    worst = max(from_docs, from_index, end_to_end)
    print(f"full report: {worst:.2f} s (target < 60 s): {'OK' if worst < 60 else 'TOO SLOW'}")
    return 0 if worst < 60 else 1


if __name__ == "__main__":
    sys.exit(main())
