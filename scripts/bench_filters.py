"""Time filtered searches with their facets on both engines over the same synthetic
documents (a test-sized index by default).

Prints, per engine: the first filtered search of a new process (what a generation's
first request pays: column reads on Whoosh, the filter and facet statements on
PostgreSQL), then the median of repeated searches with filters and days the filter
cache has not seen, and the median of a facet count over every document (`stats`).

    .venv/bin/python scripts/bench_filters.py --database postgresql://... [--docs 2000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from regsearch.model import Article, Document, Relation, SearchQuery
from regsearch.search.service import SearchService

LEVELS = ["法律", "行政法规", "部门规章", "地方性法规", "地方政府规章", "规范性文件"]
REGIONS = ["全国", "贵州省", "上海市", "广东省", None]
AUTHORITIES = ["国务院", "公安部", "贵州省人民政府", "交通运输部", "上海市人民政府"]


def documents(n: int) -> list[Document]:
    """`n` documents of three articles, spread over every filter's values."""
    out = []
    for i in range(n):
        year = 2000 + i % 25
        publish = f"{year}-{1 + i % 12:02d}-{1 + i % 27:02d}"
        doc = Document(
            id=f"b{i:06d}",
            title=f"关于管理事项的第{i}号办法",
            collection="甲" if i % 3 else "乙",
            source=f"b{i}.md",
            authority=AUTHORITIES[i % 5],
            co_authorities=["公安部"] if i % 7 == 0 else [],
            level=LEVELS[i % 6],
            region=REGIONS[i % 5],
            publish_date=publish,
            effective_date=publish if i % 6 else f"{year + 1}-01-01",
            expiry_date=f"{year + 5}-12-31" if i % 7 == 3 else None,
            repeal_date=f"{year + 8}-06-30" if i % 8 == 5 else None,
            body=f"第一条 为了管理事项{i}，制定本办法。\n第二条 本办法适用于全国。\n第三条 施行。",
            articles=[
                Article(number="第一条", text=f"第一条 为了管理事项{i}，制定本办法。", ordinal=1),
                Article(number="第二条", text="第二条 本办法适用于全国。", ordinal=2),
                Article(number="第三条", text="第三条 本办法自公布之日起施行。", ordinal=3),
            ],
            content_hash=f"h{i}",
        )
        if i % 9 == 2 and i + 1 < n:
            doc.relations.append(
                Relation(type="superseded_by", target_id=f"b{i + 1:06d}", date=f"{year + 2}-03-01")
            )
        out.append(doc)
    return out


def queries(day: str) -> list[SearchQuery]:
    return [
        SearchQuery(q="管理", status=["现行有效"], as_of=day, per_page=20),
        SearchQuery(q="管理", level=["法律", "行政法规"], region=["全国"], as_of=day),
        SearchQuery(q="", authority=["公安部"], date_from="2010-01-01", as_of=day),
        SearchQuery(q="施行", status=["已废止", "已失效"], collection=["甲"], as_of=day),
        SearchQuery(q="适用", articles=True, status=["现行有效"], region=["贵州省"], as_of=day),
    ]


def _seconds(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(label: str, where: str) -> None:
    with SearchService(where, rewrite=None) as svc:
        first = _seconds(lambda: [svc.search(sq) for sq in queries("2024-01-01")])
        days = [f"20{y:02d}-0{m}-15" for y in range(10, 24) for m in (3, 9)]
        each = [_seconds(lambda d=d: [svc.search(sq) for sq in queries(d)]) for d in days]
        stats = [_seconds(svc.stats) for _ in range(5)]
        n = len(queries(""))
        print(
            f"{label:<11} first {n} searches {first * 1000:8.1f} ms   "
            f"later, new days: {statistics.median(each) / n * 1000:6.1f} ms a search   "
            f"stats (facets of every document) {statistics.median(stats) * 1000:6.1f} ms",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000, help="documents (default 2000)")
    parser.add_argument("--database", help="an empty PostgreSQL database (the index goes there)")
    args = parser.parse_args()
    from regsearch.index.update import update_index

    docs = documents(args.docs)
    with tempfile.TemporaryDirectory() as folder:
        update_index(folder, docs)
        run("embedded", folder)
    if args.database:
        update_index(args.database, docs)
        run("postgresql", args.database)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
