"""The index of tests/data/daily/docs.jsonl, shared by the terminal, export, page and
accessibility tests: two versions of a law (LawRefBook format), a gov.cn page with its
address, a sample, documents whose titles start with = + - @ and a tab, issuing bodies
given only by a co-issuer, a 文号 or the title."""

from __future__ import annotations

import json
from pathlib import Path

from regsearch.model import Document

DAILY = Path(__file__).resolve().parent / "data" / "daily" / "docs.jsonl"
AS_OF = "2025-06-01"  # every expiry in the fixture lies before it


def load_daily_docs() -> list[Document]:
    lines = DAILY.read_text(encoding="utf-8").splitlines()
    return [Document.from_dict(json.loads(line)) for line in lines if line.strip()]


def build_daily_index(index_dir: Path) -> Path:
    from regsearch.index.update import update_index

    update_index(index_dir, load_daily_docs(), rebuild=True)
    return index_dir
