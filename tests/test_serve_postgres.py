"""Two `regsearch serve` processes on one PostgreSQL database, as a load balancer would
run them: a document published through one is found through the other within seconds."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from typing import Any
from urllib.parse import urlencode

from store_support import ADMIN, seed_accounts
from test_serve_http import _free_port, _wait_ready
from write_support import FIELDS, seed_documents

from regsearch.store import accounts, open_store
from regsearch.store.base import Actor
from regsearch.store.ingest import ingest_documents

TITLE = "贵州省巡游出租汽车管理办法"


def _serve(url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "REGSEARCH_DATABASE_URL": url}
    env.pop("REGSEARCH_INDEX", None)
    return subprocess.Popen(
        [sys.executable, "-m", "regsearch", "serve", "--port", str(port)]
        + ["--workers", "1", "--threads", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _call(port: int, method: str, path: str, body: Any = None, token: str = "") -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def test_published_through_one_server_is_found_through_the_other(pg_url: str) -> None:
    from regsearch.store.postgres import PostgresStore

    store = PostgresStore(pg_url, migrate=True)
    people = seed_accounts(store)
    ingest_documents(store, pg_url, seed_documents(), actor=ADMIN)
    editor, reviewer = people["editor_a"], people["reviewer_a"]
    editor_token, _ = accounts.issue_token(store, Actor("editor_a", editor.id), editor, "脚本")
    reviewer_token, _ = accounts.issue_token(
        store, Actor("reviewer_a", reviewer.id), reviewer, "脚本"
    )
    ports = [_free_port(), _free_port()]
    procs = [_serve(pg_url, port) for port in ports]
    try:
        for proc, port in zip(procs, ports, strict=True):
            _wait_ready(proc, port)
        query = "/api/search?" + urlencode({"q": "巡游出租汽车"})
        assert _call(ports[1], "GET", query)[1]["results"] == []

        status, made = _call(
            ports[0],
            "POST",
            "/api/v1/submissions",
            {"kind": "new", "document": {**FIELDS, "title": TITLE}},
            editor_token,
        )
        assert status == 201, made
        status, done = _call(
            ports[0], "POST", f"/api/v1/submissions/{made['id']}/publish", None, reviewer_token
        )
        assert status == 200 and done["status"] == "published", done
        start = time.monotonic()
        while True:
            results = _call(ports[1], "GET", query)[1]["results"]
            if any(r["title"] == TITLE for r in results):
                break
            assert time.monotonic() - start < 10, "not found through the other server in 10 s"
            time.sleep(0.2)
        # and the other server's store sees the publish too (one database, one change log)
        assert open_store(database=pg_url).last_seq() == store.last_seq()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.communicate(timeout=30)


def test_a_database_holding_only_an_index_is_served_for_search(pg_url: str) -> None:
    from regsearch.index.update import update_index

    update_index(pg_url, seed_documents(), rebuild=True)  # the engine's tables, no store
    port = _free_port()
    proc = _serve(pg_url, port)
    try:
        _wait_ready(proc, port)
        status, page = _call(port, "GET", "/api/search?" + urlencode({"q": "道路运输"}))
        assert status == 200 and page["results"]
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def test_serve_says_a_store_of_another_version_before_it_starts(pg_url: str) -> None:
    from regsearch.index.update import update_index
    from regsearch.store.postgres import PostgresStore

    update_index(pg_url, seed_documents(), rebuild=True)
    PostgresStore(pg_url, migrate=True).set_meta("schema_version", "99")  # a newer program's
    proc = _serve(pg_url, _free_port())
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "请升级 regsearch" in err and "Traceback" not in err
