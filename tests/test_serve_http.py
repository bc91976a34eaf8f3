"""`regsearch serve` as the public uses it: worker processes on loopback, several HTTP
clients at once while new generations are published; every answer equals what the
app gives single-threaded for the generation that answered (X-Index-Generation)."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from test_concurrency import _changed, _documents

from regsearch.index.update import update_index
from regsearch.search.service import Reader, SearchService
from regsearch.web import create_app

CLIENTS = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(index_dir: Path, port: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "regsearch", "serve", "--index", str(index_dir)]
        + ["--port", str(port), "--workers", "2", "--threads", "2", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_ready(proc: subprocess.Popen, port: int) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    raise AssertionError("server did not answer /healthz")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    index_dir = tmp_path / "ix"
    update_index(index_dir, _documents(), rebuild=True)
    port = _free_port()
    proc = _serve(index_dir, port)
    try:
        _wait_ready(proc, port)
        yield index_dir, port
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


class Pinned(SearchService):
    """A service whose every request reads one held reader (one generation)."""

    def __init__(self, reader: Reader) -> None:  # noqa: D107 - no engine of its own
        self.rewrite = reader.service.rewrite
        self.engine = reader.service.engine
        self.index_dir = reader.service.index_dir
        self._reader = reader

    def read(self) -> Any:
        held = self._reader

        class View:
            def __getattr__(self, name: str) -> Any:
                return getattr(held, name)

            def close(self) -> None:
                pass

        return View()


URLS = [
    "/api/search?" + urlencode({"q": "劳动合同", "as_of": "2024-01-01"}),
    "/api/search?" + urlencode({"q": "老板把我辞退了，能要经济补偿吗？", "as_of": "2024-01-01"}),
    "/api/search?" + urlencode({"q": "经济补偿", "articles": 1, "as_of": "2024-01-01"}),
    "/api/search?" + urlencode({"q": "", "status": "现行有效", "limit": 50, "as_of": "2024-01-01"}),
    "/api/doc/" + quote("国办函〔2018〕71号") + "?as_of=2024-01-01",
    "/api/stats",
]


def test_clients_during_publishes_get_the_answers_of_their_generation(server) -> None:
    index_dir, port = server
    answers: list[tuple[str, int, Any]] = []
    errors: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def client(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        i = k
        while not stop.is_set():
            n = i % len(URLS)
            conn.request("GET", URLS[n])
            resp = conn.getresponse()
            body = resp.read()
            with lock:
                if resp.status != 200:
                    errors.append(f"{resp.status} {URLS[n]}")
                answers.append((resp.headers["X-Index-Generation"], n, json.loads(body)))
            i += 1
        conn.close()

    docs = _documents()
    local = SearchService(index_dir)
    held = [local.read()]
    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    try:
        for n in (1, 2):
            while len(answers) < 30 * n:
                time.sleep(0.02)
            update_index(index_dir, _changed(docs, n))
            held.append(local.read())
        # Every worker process picks up the newest generation by itself.
        deadline = time.time() + 30
        while {g for g, _n, _a in answers[-2 * CLIENTS :]} != {held[-1].generation}:
            assert time.time() < deadline
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    assert not errors, errors[:3]
    expected: dict[tuple[str, int], Any] = {}
    for reader in held:
        client_ = create_app({"SERVICE": Pinned(reader), "TESTING": True}).test_client()
        for n, url in enumerate(URLS):
            expected[reader.generation, n] = client_.get(url).get_json()
    assert {g for g, _n, _a in answers} == {r.generation for r in held}
    for generation, n, answer in answers:
        if URLS[n] == "/api/stats":
            answer.pop("index_bytes")
            want = dict(expected[generation, n])
            want.pop("index_bytes")
        else:
            want = expected[generation, n]
        assert answer == want, (generation, URLS[n])
    for reader in held:
        reader.close()
    local.close()


def test_the_servers_own_error_pages_carry_security_headers(server) -> None:
    _index_dir, port = server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GARBAGE\r\n\r\n")
        raw = b""
        while chunk := s.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    text = head.decode("latin-1")
    assert text.startswith("HTTP/1.1 400")
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"):
        assert f"\r\n{name}: " in text
    assert "请求有误" in body.decode("utf-8")


def test_serve_on_a_busy_port_says_so_before_starting(server) -> None:
    index_dir, port = server
    proc = _serve(index_dir, port)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert f"端口 {port} 已被占用" in err
    assert "已启动" not in err and "Traceback" not in err


def test_serve_answers_over_an_empty_index(tmp_path: Path) -> None:
    index_dir = tmp_path / "empty"
    update_index(index_dir, [], allow_empty=True)
    port = _free_port()
    proc = _serve(index_dir, port)
    try:
        _wait_ready(proc, port)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for url in ("/", "/search?q=" + quote("劳动"), "/api/search?q=x"):
            conn.request("GET", url)
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 200, url
        conn.close()
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
