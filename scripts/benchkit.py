"""What the search benchmarks share: the query list, the questions, timing of the
service, and the SQLite FTS5 baseline over the same jieba words.

Used by `scripts/bench_search.py` (one corpus, in depth) and `scripts/bench_scale.py`
(the corpus at several sizes, on each backend).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from regsearch.index.analyzer import query_terms
from regsearch.model import SearchQuery

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


def _fts_search(con: sqlite3.Connection, m: str) -> None:
    con.execute(
        "SELECT id, title, snippet(docs, 2, '<mark>', '</mark>', '…', 24) FROM docs"
        " WHERE docs MATCH ? ORDER BY bm25(docs, 4.0, 1.0) LIMIT 10",
        (m,),
    ).fetchall()
    for col in ("level", "year"):
        con.execute(
            f"SELECT {col}, count(*) FROM docs WHERE docs MATCH ? GROUP BY {col}", (m,)
        ).fetchall()


def time_fts(db_path: Path, matches: list[str]) -> list[float]:
    """FTS5 MATCH expressions timed twice each (bm25 top 10 with `snippet()`, and facet
    counts); returns the second (warm) pass."""
    con = sqlite3.connect(db_path)
    out = []
    for m in matches * 2:
        t = time.perf_counter()
        _fts_search(con, m)
        out.append((time.perf_counter() - t) * 1000)
    con.close()
    return out[len(out) // 2 :]


N_QUESTIONS = 100  # the first questions of stard-train/queries.jsonl


def load_questions(corpora: Path) -> list[str]:
    path = corpora / "stard-train" / "queries.jsonl"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["query"] for line in fh if line.strip()][:N_QUESTIONS]


def question_matches(questions: list[str]) -> list[str]:
    """Each question's jieba words OR-ed, as an FTS5 MATCH expression."""
    out = []
    for q in questions:
        words = list(dict.fromkeys(w for w in query_terms(q) if any(c.isalnum() for c in w)))
        if words:
            out.append(" OR ".join(f'"{w}"' for w in words))
    return out


def time_queries(svc: Any, queries: list[tuple[str, dict]] = QUERIES) -> list[float]:
    """Milliseconds of `svc.search` per query, on the second (warm) of two passes."""
    out = []
    for q, filters in queries * 2:
        t = time.perf_counter()
        svc.search(SearchQuery(q=q, **filters))
        out.append((time.perf_counter() - t) * 1000)
    return out[len(out) // 2 :]


def time_question_mode(svc: Any, questions: list[str], articles: bool = False) -> list[float]:
    """Milliseconds of question mode (the default search of the web and CLI) per question,
    on the second (warm) of two passes."""
    out = []
    for q in questions * 2:
        t = time.perf_counter()
        svc.search(SearchQuery(q=q, articles=articles))
        out.append((time.perf_counter() - t) * 1000)
    return out[len(out) // 2 :]


def drive(
    clients: int, total: int, seconds: float, client: Callable[[int, Iterator[int]], None]
) -> float:
    """Run `client(k, turns)` in `clients` threads, all drawing request numbers from one
    shared count of `total` that stops after `seconds`; the wall time in seconds."""
    counter = iter(range(total))
    deadline = time.time() + seconds

    def turns() -> Iterator[int]:
        for n in counter:
            if time.time() > deadline:
                return
            yield n

    threads = [threading.Thread(target=client, args=(k, turns())) for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


def fts_throughput(
    db_path: Path, matches: list[str], clients: int = 8, total: int = 300, seconds: float = 60.0
) -> dict[str, float]:
    """Requests/s of `clients` threads, each with its own connection, running the FTS5
    search of `time_fts` (top 10 with `snippet()`, two facet counts) over `matches` in
    turn, in this process (no HTTP): `total` searches or `seconds`, whichever first."""
    done: list[float] = []
    lock = threading.Lock()

    def client(k: int, turns: Iterator[int]) -> None:
        con = sqlite3.connect(db_path, check_same_thread=False)
        for n in turns:
            m = matches[(n * 7 + k) % len(matches)]
            t = time.perf_counter()
            _fts_search(con, m)
            with lock:
                done.append(time.perf_counter() - t)
        con.close()

    wall = drive(clients, total, seconds, client)
    return {"requests": len(done), "rps": len(done) / wall if wall else 0.0}
