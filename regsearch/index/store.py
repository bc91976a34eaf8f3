"""Index directory layout: generations, the CURRENT pointer and the writer lock.

    <index_dir>/CURRENT        name of the generation that serves searches
    <index_dir>/gen-000007/    one complete Whoosh index + meta.json
    <index_dir>/write.lock     held (flock) by the one process writing

A build or update writes a new generation and then replaces CURRENT atomically
(os.replace), so a killed build leaves the previous generation serving and
readers never see a half-written index.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh import index as windex

from regsearch.errors import IndexBusy, IndexMissing
from regsearch.index.schema import SCHEMA_VERSION

POINTER = "CURRENT"
META = "meta.json"


def default_index_dir() -> Path:
    return Path(os.environ.get("REGSEARCH_INDEX") or "indexes/main")


def rebuild_hint(index_dir: Path) -> str:
    return f"rebuild with: regsearch ingest --rebuild --index {index_dir} SRC..."


def current_generation(index_dir: Path) -> Path | None:
    try:
        name = (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = index_dir / name
    return path if name and path.is_dir() else None


def read_meta(gen: Path) -> dict[str, Any]:
    try:
        return json.loads((gen / META).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def open_current(index_dir: Path) -> tuple[Any, Path, dict[str, Any]]:
    """Open the serving generation; IndexMissing (with how to build it) if there is none."""
    gen = current_generation(index_dir)
    if gen is None or not windex.exists_in(str(gen)):
        raise IndexMissing(
            f"索引不存在：{index_dir}。请先建立索引，例如："
            f"regsearch ingest --index {index_dir} SRC..."
        )
    meta = read_meta(gen)
    if meta.get("schema_version") != SCHEMA_VERSION:
        raise IndexMissing(
            f"索引版本 {meta.get('schema_version')} 与当前程序（{SCHEMA_VERSION}）不符，"
            f"需要重建索引；{rebuild_hint(index_dir)}"
        )
    return windex.open_dir(str(gen)), gen, meta


@contextlib.contextmanager
def write_lock(index_dir: Path) -> Iterator[None]:
    """Exclusive writer lock; a second writer gets IndexBusy at once (released if killed)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir / "write.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusy(f"另一个进程正在写入索引 {index_dir}，请等它完成后再试。") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)


def new_generation(index_dir: Path, base: Path | None) -> Path:
    """A fresh generation directory; with `base`, a hard-linked copy (segments are immutable)."""
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    gen = index_dir / f"gen-{max(numbers, default=0) + 1:06d}"
    if base is None:
        gen.mkdir()
        return gen

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(base, gen, copy_function=link)
    (gen / META).unlink(missing_ok=True)
    return gen


def publish(index_dir: Path, gen: Path, meta: dict[str, Any]) -> None:
    """Write the generation's meta, switch CURRENT to it atomically, drop old generations."""
    previous = current_generation(index_dir)
    (gen / META).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp = index_dir / f"{POINTER}.tmp"
    tmp.write_text(gen.name, encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / POINTER)
    # Keep the previous generation for searchers that still have it open.
    keep = {gen.name, previous.name if previous else ""}
    for old in index_dir.glob("gen-*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def discard(gen: Path) -> None:
    shutil.rmtree(gen, ignore_errors=True)


def index_bytes(gen: Path) -> int:
    return sum(p.stat().st_size for p in gen.rglob("*") if p.is_file())
