"""Shared by the web tests: build a small index from tests/data/web/docs.jsonl (no tests here)."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from regsearch.model import Document

WEB_DATA = Path(__file__).resolve().parent / "data" / "web"


def load_web_docs() -> list[Document]:
    lines = (WEB_DATA / "docs.jsonl").read_text(encoding="utf-8").splitlines()
    return [Document.from_dict(json.loads(line)) for line in lines if line.strip()]


def build_web_index(index_dir: Path) -> Path:
    """Index the fixture documents into `index_dir` with the project's writer."""
    from regsearch.index.update import update_index

    update_index(index_dir, load_web_docs(), rebuild=True)
    return index_dir


@contextlib.contextmanager
def live_server(index_dir: Path, **config: Any) -> Iterator[str]:
    """The app over `index_dir` served on a free local port in a thread; yields its URL."""
    from werkzeug.serving import make_server

    from regsearch.search.service import SearchService
    from regsearch.web import create_app

    service = SearchService(index_dir)
    server = make_server("127.0.0.1", 0, create_app({"SERVICE": service, **config}), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        service.close()
