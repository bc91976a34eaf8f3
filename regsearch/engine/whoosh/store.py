"""Index directory layout: generations, the CURRENT pointer, the writer lock and pins.

    <index_dir>/CURRENT        name of the generation that serves searches
    <index_dir>/gen-000007/    one complete Whoosh index + meta.json
    <index_dir>/write.lock     held (flock) by the one process writing

A build or update writes a new generation and then replaces CURRENT atomically
(os.replace), so a killed build leaves the previous generation serving and readers
never see a half-written index. A process reading a generation pins it with a
shared flock on the generation's directory; a generation is removed only when it is
neither current nor the one before, and nobody pins it (an exclusive flock succeeds).
Locks die with their process, so a killed reader or writer never leaves one behind.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import json
import os
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh import index as windex

from regsearch.errors import IndexBusy, IndexDamaged, IndexMissing, RegsearchError
from regsearch.index.layout import SCHEMA_VERSION

POINTER = "CURRENT"
META = "meta.json"


def rebuild_hint(index_dir: Path) -> str:
    return f"请重建索引：regsearch ingest --rebuild --index {index_dir} SRC..."


def check_location(index_dir: Path) -> None:
    """IndexMissing with a clear message when `index_dir` exists but is not a directory."""
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexMissing(
            f"索引位置 {index_dir} 是一个文件，不是目录：请用 --index 或 REGSEARCH_INDEX "
            "指定一个目录。"
        )


def current_name(index_dir: Path) -> str | None:
    """The name CURRENT points to (None when there is no pointer)."""
    try:
        return (index_dir / POINTER).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        check_location(index_dir)
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexDamaged(
            f"无法读取索引指针 {index_dir / POINTER}：{exc}；" + rebuild_hint(index_dir)
        ) from None


def current_generation(index_dir: Path) -> Path | None:
    name = current_name(index_dir)
    path = index_dir / name if name else None
    return path if path is not None and path.is_dir() else None


def read_meta(gen: Path) -> dict[str, Any]:
    """The generation's meta.json; IndexDamaged when it is missing or unreadable."""
    try:
        data = json.loads((gen / META).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexDamaged(f"索引 {gen} 缺少 {META}；" + rebuild_hint(gen.parent)) from None
    except (OSError, ValueError) as exc:
        raise IndexDamaged(
            f"索引 {gen} 的 {META} 已损坏（{exc}）；" + rebuild_hint(gen.parent)
        ) from None
    if not isinstance(data, dict):
        raise IndexDamaged(f"索引 {gen} 的 {META} 已损坏；" + rebuild_hint(gen.parent))
    return data


def check_meta(gen: Path, meta: dict[str, Any]) -> None:
    if meta.get("schema_version") != SCHEMA_VERSION:
        raise IndexDamaged(
            f"索引版本 {meta.get('schema_version')} 与当前程序（{SCHEMA_VERSION}）不符；"
            + rebuild_hint(gen.parent)
        )


def missing(index_dir: Path) -> IndexMissing:
    return IndexMissing(
        f"索引不存在：{index_dir}。请先建立索引，例如：regsearch ingest --index {index_dir} SRC..."
    )


class Pin:
    """A shared flock on a generation directory: the generation stays while it is held."""

    def __init__(self, gen: Path) -> None:
        try:
            self.fd: int | None = os.open(gen, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise IndexDamaged(f"无法打开索引 {gen}：{exc}") from None
        fcntl.flock(self.fd, fcntl.LOCK_SH)

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def open_generation(index_dir: Path) -> tuple[Path, dict[str, Any], Pin, Any]:
    """Pin and open the current generation: (path, meta, pin, whoosh index).

    IndexMissing when there is none; IndexDamaged (saying how to rebuild) when it
    cannot be read. A generation removed between reading CURRENT and pinning it (a
    writer published twice meanwhile) is retried with the new CURRENT."""
    check_location(index_dir)
    for _attempt in range(5):
        name = current_name(index_dir)
        if name is None:
            raise missing(index_dir)
        gen = index_dir / name
        try:
            pin = Pin(gen)
        except FileNotFoundError:
            if current_name(index_dir) != name:
                continue  # replaced meanwhile: read the pointer again
            raise IndexDamaged(f"索引指针指向不存在的 {gen}；" + rebuild_hint(index_dir)) from None
        try:
            meta = read_meta(gen)
            check_meta(gen, meta)
            ix = open_whoosh(gen)
        except BaseException:
            pin.release()
            raise
        return gen, meta, pin, ix
    raise IndexBusy(f"索引 {index_dir} 正在频繁更新，请稍后再试。")


def open_whoosh(gen: Path) -> Any:
    try:
        return windex.open_dir(str(gen))
    except Exception as exc:  # noqa: BLE001 - whoosh raises many kinds on damaged files
        raise damaged(gen, exc) from None


def damaged(gen: Path, exc: BaseException) -> IndexDamaged:
    """The error for a generation whoosh failed to read. Whoosh leaves the files it had
    opened for the failed reader to the garbage collector (held by the traceback's
    frames): close them now."""
    message = f"{type(exc).__name__}: {exc}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        exc.__traceback__ = None
        gc.collect()
    return IndexDamaged(f"索引 {gen} 已损坏或无法读取（{message}）；" + rebuild_hint(gen.parent))


@contextlib.contextmanager
def write_lock(index_dir: Path) -> Iterator[int]:
    """Exclusive writer lock; a second writer gets IndexBusy at once (released if killed).
    Yields the lock's file descriptor (worker processes close their inherited copy)."""
    check_location(index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(index_dir / "write.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise unwritable(index_dir, exc) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusy(f"另一个进程正在写入索引 {index_dir}，请等它完成后再试。") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield fd
    finally:
        os.close(fd)


def unwritable(index_dir: Path, exc: OSError) -> RegsearchError:
    """The message for an index directory that cannot be written (permissions, full disk)."""
    if exc.errno == errno.ENOSPC:
        return RegsearchError(f"磁盘空间不足，无法写入索引 {index_dir}：请腾出空间后重试。")
    return RegsearchError(
        f"无法写入索引目录 {index_dir}（{exc.strerror}）：请检查权限或换一个 --index 目录。"
    )


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
    """Write the generation's meta, switch CURRENT to it atomically, remove what nobody
    needs any more (see `prune`)."""
    previous = current_name(index_dir)
    with open(gen / META, "w", encoding="utf-8") as fh:
        json.dump(meta, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    tmp = index_dir / f"{POINTER}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(gen.name)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / POINTER)
    prune(index_dir, keep={gen.name, previous or ""})


def prune(index_dir: Path, keep: set[str]) -> list[str]:
    """Remove the generations outside `keep` that no process pins; their names."""
    removed = []
    for old in sorted(index_dir.glob("gen-*")):
        if old.name in keep or not old.is_dir():
            continue
        try:
            fd = os.open(old, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue  # a snapshot somewhere still reads it
        try:
            shutil.rmtree(old, ignore_errors=True)
            removed.append(old.name)
        finally:
            os.close(fd)
    return removed


def remove_abandoned(index_dir: Path, current: str | None) -> list[str]:
    """Generations a killed writer left half-written (no meta.json: a generation gets it
    when it is published). Called by the writer, under the write lock."""
    keep = {p.name for p in index_dir.glob("gen-*") if (p / META).exists()}
    return prune(index_dir, keep | {current or ""})


def discard(gen: Path) -> None:
    shutil.rmtree(gen, ignore_errors=True)


def index_bytes(gen: Path) -> int:
    return sum(p.stat().st_size for p in gen.rglob("*") if p.is_file())
