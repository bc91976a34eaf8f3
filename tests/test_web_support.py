"""Shared by the web tests: build a small index from tests/data/web/docs.jsonl (no tests here)."""

from __future__ import annotations

import json
from pathlib import Path

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
