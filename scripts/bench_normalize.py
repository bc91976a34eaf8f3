"""Print normalize throughput (MB/s, docs/s) over the real corpora.

Corpora from REGSEARCH_CORPORA (default ../shared/corpora relative to the project root).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from regsearch.ingest import ingest_paths

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    corpora = Path(os.environ.get("REGSEARCH_CORPORA", ROOT.parent / "shared" / "corpora"))
    for name in ("lawrefbook", "waystowork", "govcn-html"):
        folder = corpora / name
        if not folder.is_dir():
            print(f"{name}: not found at {folder}")
            continue
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        start = time.perf_counter()
        result = ingest_paths([folder])
        seconds = time.perf_counter() - start
        docs = len(result.documents)
        print(
            f"{name:12s} {result.files:5d} files {size / 1e6:7.1f} MB {docs:5d} docs "
            f"{seconds:6.2f} s  {size / 1e6 / seconds:6.2f} MB/s  {docs / seconds:7.1f} docs/s"
        )


if __name__ == "__main__":
    main()
