"""The write side's cost: ingest through the store vs. straight into the index, and the
time from a reviewer's publish to the document being searchable.

Prints, for one corpus folder (default: waystowork from ../shared/corpora):
  baseline  read + link + `update_index` (what ingest did before the store)
  store     read + `put_documents` + `sync_index` (what ingest does now)
  publish   N publishes on that index, each waited for until a search finds it
            (BackgroundSync, as the web process runs it): median and worst seconds

    .venv/bin/python scripts/bench_store.py [--corpus DIR] [--publishes 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def main() -> int:
    corpora = Path(os.environ.get("REGSEARCH_CORPORA", ROOT.parent / "shared" / "corpora"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(corpora / "waystowork"))
    parser.add_argument("--publishes", type=int, default=5)
    args = parser.parse_args()

    from store_support import ADMIN, DEPT_A, doc, seed_accounts

    from regsearch.index.update import update_index
    from regsearch.ingest import ingest_paths
    from regsearch.model import SearchQuery
    from regsearch.search.service import SearchService
    from regsearch.store import open_store, publish
    from regsearch.store.base import Actor
    from regsearch.store.ingest import ingest_documents
    from regsearch.store.sync import BackgroundSync

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        result = ingest_paths([args.corpus])
        update_index(Path(tmp) / "baseline", result.documents)
        baseline = time.perf_counter() - start
        print(f"documents: {len(result.documents)}")
        print(f"baseline  read+link+update_index   {baseline:8.2f} s")

        index = Path(tmp) / "index"
        store = open_store(Path(tmp) / "index.store.sqlite3")
        start = time.perf_counter()
        result = ingest_paths([args.corpus], link=False)
        ingest_documents(store, index, result.documents, actor=ADMIN)
        through = time.perf_counter() - start
        size = store.path.stat().st_size / 1e6  # type: ignore[attr-defined]
        print(
            f"store     read+put+sync_index      {through:8.2f} s"
            f"  (ratio {through / baseline:.2f}, "
            f"store file {size:.1f} MB)"
        )

        people = seed_accounts(store)
        editor, reviewer = people["editor_a"], people["reviewer_a"]
        syncer = BackgroundSync(store, index).start()
        service = SearchService(index, rewrite=None)
        waits = []
        for i in range(args.publishes):
            title = f"贵州省基准测试第{i + 1}号管理办法"
            new = doc(f"bench{i}", title, DEPT_A, body=f"第一条 基准测试{i}。")
            sub = publish.submit_document(store, editor, Actor("editor_a", editor.id), new)
            start = time.perf_counter()
            publish.publish(store, reviewer, Actor("reviewer_a", reviewer.id), sub.id)
            syncer.request()
            while not any(h.title == title for h in service.search(SearchQuery(q=title)).results):
                time.sleep(0.05)
            waits.append(time.perf_counter() - start)
        syncer.stop()
        service.close()
        store.close()
        print(
            f"publish -> searchable: median {statistics.median(waits):.2f} s, "
            f"worst {max(waits):.2f} s over {len(waits)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
