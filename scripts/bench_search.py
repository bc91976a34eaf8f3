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
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regsearch.engine.whoosh.store import current_generation, index_bytes  # noqa: E402
from regsearch.index.analyzer import query_terms  # noqa: E402
from regsearch.index.update import update_index  # noqa: E402
from regsearch.ingest import ingest_paths  # noqa: E402
from regsearch.model import SearchQuery  # noqa: E402
from regsearch.search.service import SearchService  # noqa: E402

COLLECTIONS = ("lawrefbook", "waystowork", "govcn-html")

# (query, filters): titles, phrases, 文号 in several bracket styles, multi-word, very
# common words, article numbers, fields, and filtered / sorted searches.
QUERIES: list[tuple[str, dict]] = [
    ("中华人民共和国劳动合同法", {}),
    ("中华人民共和国民法典", {}),
    ("中华人民共和国行政许可法", {}),
    ("中华人民共和国道路交通安全法实施条例", {}),
    ("住房公积金管理条例", {}),
    ("国务院办公厅关于印发一网通查工作方案的通知", {}),
    ("贵州省行政执法监督办法", {}),
    ("国务院关于取消和下放一批行政许可事项的决定", {}),
    ("优化营商环境条例", {}),
    ("政府信息公开条例", {}),
    ('"解除劳动合同"', {}),
    ('"经济补偿"', {}),
    ('"行政处罚"', {}),
    ('"自公布之日起施行"', {}),
    ('"县级以上地方人民政府"', {}),
    ('"不可抗力"', {}),
    ("国办发〔2018〕123号", {}),
    ("国办函[2019]4号", {}),
    ("国发（2018）35号", {}),
    ("国办发〔2019〕5号", {}),
    ("国令第707号", {}),
    ("劳动合同 解除 经济补偿", {}),
    ("食品安全 监督管理 处罚", {}),
    ("农村土地 承包 经营权", {}),
    ("个人信息 保护 处理", {}),
    ("机动车 驾驶证 吊销", {}),
    ("安全生产 事故 调查", {}),
    ("环境 影响 评价", {}),
    ("知识产权 侵权 赔偿", {}),
    ("行政复议 申请 期限", {}),
    ("人民政府", {}),
    ("规定", {}),
    ("管理", {}),
    ("国务院", {}),
    ("法律", {}),
    ("应当", {}),
    ("第五十四条", {}),
    ("民法典 第三条", {}),
    ("标题:条例 全文:罚款", {}),
    ("文号:国办发", {}),
    ("劳动合同 -派遣", {}),
    ("出租汽车 OR 网约车", {}),
    ("劳动合同", {"status": ["现行有效"]}),
    ("行政处罚", {"status": ["已废止", "已失效"]}),
    ("环境保护", {"level": ["法律"]}),
    ("税收", {"sort": "newest"}),
    ("条例", {"date_from": "2018-01-01", "date_to": "2019-12-31"}),
    ("公积金", {"region": ["全国"]}),
    ("学校 安全", {"page": 2}),
    ("合同", {"articles": True}),
    ("婚姻 离婚 财产", {"articles": True}),
    ("土地 征收 补偿", {"status": ["现行有效"], "sort": "oldest"}),
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


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


def fts_query(q: str) -> str | None:
    """The query's jieba words as an FTS5 AND query (quoted phrases stay phrases)."""
    for prefix in ("标题:", "全文:", "文号:"):
        q = q.replace(prefix, " ")
    phrase = q.startswith('"') and q.endswith('"')
    words = [w for w in query_terms(q.strip('"')) if w not in ("or", "-")]
    if not words:
        return None
    if phrase:
        return '"' + " ".join(words) + '"'
    return " AND ".join(f'"{w}"' for w in words)


def build_fts(docs: list, db_path: Path) -> float:
    start = time.perf_counter()
    con = sqlite3.connect(db_path)
    con.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, level UNINDEXED,"
        " year UNINDEXED, tokenize='unicode61')"
    )
    rows = (
        (
            d.id,
            " ".join(query_terms(d.title)),
            " ".join(query_terms(d.body)),
            d.level,
            (d.publish_date or "")[:4],
        )
        for d in docs
    )
    con.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?)", rows)
    con.commit()
    con.close()
    return time.perf_counter() - start


def time_fts(db_path: Path, matches: list[str]) -> list[float]:
    """FTS5 MATCH expressions timed twice each (bm25 top 10 with `snippet()`, and facet
    counts); returns the second (warm) pass."""
    con = sqlite3.connect(db_path)
    out = []
    for m in matches * 2:
        t = time.perf_counter()
        con.execute(
            "SELECT id, title, snippet(docs, 2, '<mark>', '</mark>', '…', 24) FROM docs"
            " WHERE docs MATCH ? ORDER BY bm25(docs, 4.0, 1.0) LIMIT 10",
            (m,),
        ).fetchall()
        for col in ("level", "year"):
            con.execute(
                f"SELECT {col}, count(*) FROM docs WHERE docs MATCH ? GROUP BY {col}", (m,)
            ).fetchall()
        out.append((time.perf_counter() - t) * 1000)
    con.close()
    return out[len(out) // 2 :]


def time_service(index_dir: Path) -> list[float]:
    svc = SearchService(index_dir)
    out = []
    for q, filters in QUERIES * 2:
        t = time.perf_counter()
        svc.search(SearchQuery(q=q, **filters))
        out.append((time.perf_counter() - t) * 1000)
    svc.close()
    return out[len(out) // 2 :]


N_QUESTIONS = 100  # the first questions of stard-train/queries.jsonl


def load_questions(corpora: Path) -> list[str]:
    path = corpora / "stard-train" / "queries.jsonl"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["query"] for line in fh if line.strip()][:N_QUESTIONS]


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


def question_matches(questions: list[str]) -> list[str]:
    """Each question's jieba words OR-ed, as an FTS5 MATCH expression."""
    out = []
    for q in questions:
        words = list(dict.fromkeys(w for w in query_terms(q) if any(c.isalnum() for c in w)))
        if words:
            out.append(" OR ".join(f'"{w}"' for w in words))
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
