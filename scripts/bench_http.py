"""HTTP load on loopback: requests/s, p50 and p95 for 1, 4 and 8 clients over a real index,
with and without an update publishing new generations meanwhile.

    .venv/bin/python scripts/bench_http.py --index indexes/main [--requests 300] [--seconds 60]
        [--layouts processes,threads] [--clients 1,4,8]

The index is copied (hard links: generations are immutable) so the updates never touch
yours; without --index one is built from ../shared/corpora (REGSEARCH_CORPORA). Each
layout starts `regsearch serve` on 127.0.0.1: `processes` is the default (one worker
process per core, 4 threads each), `threads` one process with 8 threads. Clients are
threads with keep-alive connections sending a fixed mix: searches with facets and
snippets, filtered and sorted searches, questions, article hits, document pages and
their JSON twins. Every level is bounded by a request count and a time limit. Prints
figures and ratios against the single-client figures of the same run; never asserts.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

from benchkit import drive

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REGSEARCH = [sys.executable, "-m", "regsearch"]

SEARCHES = [
    "中华人民共和国劳动合同法",
    "行政许可",
    "安全生产 责任",
    '"县级以上地方人民政府"',
    "国办函〔2018〕71号",
    "出租汽车 OR 网约车",
    "许可 -收费",
    "标题:条例 全文:罚款",
    "食品安全",
    "政府信息公开",
]
QUESTIONS = [
    "公司不给交社保怎么办",
    "老板拖欠工资怎么办",
    "离婚后孩子的抚养费怎么算？",
    "网购买到假货怎么赔偿",
    "被公司辞退了能拿多少补偿",
    "房东不退押金怎么办",
    "交通事故对方全责不赔钱怎么办",
    "邻居装修噪音太大可以投诉吗",
]


def request_mix(doc_ids: list[str]) -> list[str]:
    out = []
    for i, q in enumerate(SEARCHES):
        out.append("/api/search?" + urlencode({"q": q}))
        out.append("/search?" + urlencode({"q": q, "page": 1 + i % 2}))
    out.append("/api/search?" + urlencode({"q": "", "status": "现行有效", "level": "法律"}))
    out.append("/search?" + urlencode({"q": "管理", "sort": "newest", "from": "2015"}))
    for q in QUESTIONS:
        out.append("/search?" + urlencode({"q": q}))
        out.append("/api/search?" + urlencode({"q": q, "articles": 1}))
    for d in doc_ids:
        out.append("/doc/" + quote(d))
        out.append("/api/doc/" + quote(d))
    out += ["/", "/healthz"]
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`regsearch serve` on a free loopback port, started and ready. `index` None: the
    server's own default (`env` may name it, e.g. REGSEARCH_DATABASE_URL)."""

    def __init__(
        self,
        index: Path | None,
        workers: int,
        threads: int,
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        where = ["--index", str(index)] if index is not None else []
        self.proc = subprocess.Popen(
            [
                *REGSEARCH,
                "serve",
                *where,
                "--port",
                str(self.port),
                "--workers",
                str(workers),
                "--threads",
                str(threads),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
        )
        deadline = time.time() + 120
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                try:
                    conn.request("GET", "/healthz")
                    if conn.getresponse().status == 200:
                        break
                finally:
                    conn.close()
            except OSError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                raise SystemExit("server did not start: " + self.proc.stderr.read().decode())
            time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)
        if self.proc.stderr:
            self.proc.stderr.close()


def run_clients(
    port: int, urls: list[str], clients: int, total: int, seconds: float
) -> dict[str, float]:
    """`clients` threads send `total` requests (or stop after `seconds`); latency figures."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client(k: int, turns: Iterator[int]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for n in turns:
            url = urls[(n * 7 + k) % len(urls)]
            t0 = time.perf_counter()
            try:
                conn.request("GET", url)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
                if not ok:
                    url = f"{url} ({resp.status})"
            except (OSError, http.client.HTTPException) as exc:
                ok = False
                url = f"{url} ({exc})"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                if not ok:
                    failures.append(url)
        conn.close()

    wall = drive(clients, total, seconds, client)
    lat = sorted(latencies)
    return {
        "requests": len(lat),
        "rps": len(lat) / wall if wall else 0.0,
        "p50": 1000 * statistics.median(lat) if lat else 0.0,
        "p95": 1000 * lat[min(len(lat) - 1, int(0.95 * (len(lat) - 1)))] if lat else 0.0,
        "failures": len(failures),
        "failed": failures[:3],
    }


class Updater:
    """Publishes new generations in a loop: a small changing source ingested again."""

    def __init__(self, index: Path, workdir: Path) -> None:
        self.index, self.src = index, workdir / "updates"
        self.src.mkdir(exist_ok=True)
        self.stop_event = threading.Event()
        self.published = 0
        self.thread = threading.Thread(target=self._loop)

    def _loop(self) -> None:
        n = 0
        while not self.stop_event.is_set():
            n += 1
            doc = {
                "title": f"负载测试更新文件第{n}号",
                "doc_number": f"测试发〔2026〕{n}号",
                "authority": "测试办公室",
                "level": "规范性文件",
                "publish_date": "2026-01-01",
                "body": f"第一条 为了测试更新，第{n}次发布。安全生产责任应当落实。",
            }
            (self.src / "update.jsonl").write_text(json.dumps(doc, ensure_ascii=False) + "\n")
            done = subprocess.run(
                [*REGSEARCH, "ingest", "--index", str(self.index), str(self.src)],
                capture_output=True,
            )
            if done.returncode == 0:
                self.published += 1

    def __enter__(self) -> Updater:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        self.thread.join()


def copy_index(src: Path, dst: Path) -> None:
    def link(a: str, b: str) -> None:
        try:
            os.link(a, b)
        except OSError:
            shutil.copy2(a, b)

    shutil.copytree(src, dst, copy_function=link, ignore=shutil.ignore_patterns("write.lock"))


def doc_ids(port: int) -> list[str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    ids = []
    for q in ("劳动合同", "行政处罚", "食品安全"):
        conn.request("GET", "/api/search?" + urlencode({"q": q, "limit": 3}))
        ids += [r["id"] for r in json.loads(conn.getresponse().read())["results"]]
    conn.close()
    return ids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--index", type=Path, default=None)
    ap.add_argument("--corpora", type=Path, default=None)
    ap.add_argument("--requests", type=int, default=300, help="requests per level")
    ap.add_argument("--seconds", type=float, default=60.0, help="time limit per level")
    ap.add_argument("--layouts", default="processes,threads")
    ap.add_argument("--clients", default="1,4,8")
    args = ap.parse_args()
    levels = [int(c) for c in args.clients.split(",")]
    cores = os.cpu_count() or 1
    layouts = {"processes": (cores, 4), "threads": (1, 8)}
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        work = Path(tmp)
        index = work / "index"
        if args.index:
            copy_index(args.index, index)
        else:
            corpora = args.corpora or Path(
                os.environ.get("REGSEARCH_CORPORA", ROOT.parent / "shared" / "corpora")
            )
            srcs = [str(corpora / c) for c in ("lawrefbook", "waystowork", "govcn-html")]
            subprocess.run([*REGSEARCH, "ingest", "--index", str(index), *srcs], check=True)
        rows = []
        for layout in args.layouts.split(","):
            workers, threads = layouts[layout]
            server = Server(index, workers, threads)
            try:
                urls = request_mix(doc_ids(server.port))
                run_clients(server.port, urls, 2, 2 * len(urls), args.seconds)  # warm up
                for updating in (False, True):
                    for clients in levels:
                        if updating:
                            with Updater(index, work) as up:
                                r = run_clients(
                                    server.port, urls, clients, args.requests, args.seconds
                                )
                            r["published"] = up.published
                        else:
                            r = run_clients(server.port, urls, clients, args.requests, args.seconds)
                        r.update(layout=layout, clients=clients, update=updating)
                        rows.append(r)
                        print(json.dumps(r, ensure_ascii=False), file=sys.stderr)
            finally:
                server.stop()
    print(f"\nHTTP on loopback, {cores} cores; mix of {len(urls)} URLs\n")
    print(
        "| layout | update | clients | requests | req/s | p50 ms | p95 ms | failed |"
        " req/s ÷ 1 client | p95 ÷ 1 client |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        one = next(
            x
            for x in rows
            if x["layout"] == r["layout"]
            and x["update"] == r["update"]
            and x["clients"] == levels[0]
        )
        upd = f"yes ({r.get('published', 0)} published)" if r["update"] else "no"
        print(
            f"| {r['layout']} | {upd} | {r['clients']} | {r['requests']} | {r['rps']:.1f} "
            f"| {r['p50']:.1f} | {r['p95']:.1f} | {r['failures']} "
            f"| {r['rps'] / one['rps']:.2f} | {r['p95'] / one['p95']:.2f} |"
        )


if __name__ == "__main__":
    main()
