"""Index <- store: the search index catches up with the store's change sequence.

Each index generation's meta records the store sequence it reflects (`store_seq`,
with the store's id); `sync_index` derives the documents touched by the changes
after it and hands them to the index writer. Replaying changes is idempotent (the
writer skips documents whose content hash it already has), so a process killed
anywhere between storing a change and recording the sequence loses nothing: the
next sync, at start-up or after the next change, writes what is missing.

    >>> sync_index(store, "indexes/main")      # catch up (a no-op when up to date)

`_write_index` is the only place the write side calls the index writer
(`regsearch.index.update.update_index`, which hands the engine's writer one change
set); the new generation's meta carries `store_seq` itself, so the sequence and the
documents it covers are published together, atomically.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regsearch.errors import IndexBusy
from regsearch.model import Document
from regsearch.store.base import Store
from regsearch.store.derive import derive_documents

log = logging.getLogger(__name__)

SEQ_KEY = "store_seq"
STORE_KEY = "store_id"
Progress = Callable[[int, int], None]


@dataclass
class SyncReport:
    since: int  # the sequence the index reflected before
    seq: int  # the sequence it reflects now
    documents: int = 0  # documents handed to the writer
    counts: dict[str, int] | None = None  # the writer's added/updated/... counts
    generation: str = ""


def indexed_seq(store: Store, index_dir: str | Path) -> int:
    """The store sequence the serving generation reflects (0: unknown, or another store)."""
    from regsearch.engine import open_engine
    from regsearch.errors import RegsearchError

    try:
        meta = open_engine(index_dir).current_meta()
    except RegsearchError:
        return 0
    if not meta or meta.get(STORE_KEY) != store.meta("store_id"):
        return 0
    return int(meta.get(SEQ_KEY) or 0)


@contextlib.contextmanager
def _sync_lock(index_dir: Path, timeout: float) -> Iterator[None]:
    """One sync at a time per index, across threads and processes (flock, freed if killed;
    for an index in PostgreSQL a session advisory lock, freed with the connection)."""
    from regsearch.pg import url_of

    url = url_of(index_dir)
    if url is not None:
        with _database_lock(url, timeout):
            yield
        return
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(index_dir.with_name(index_dir.name + ".sync.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise IndexBusy(
                        f"另一个进程正在把文件库同步到索引 {index_dir}，请稍后再试。"
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)


SYNC_LOCK = 0x7265_6773_0004  # advisory lock key of a sync into a PostgreSQL index


@contextlib.contextmanager
def _database_lock(url: str, timeout: float) -> Iterator[None]:
    from regsearch import pg

    conn = pg.connect(url)
    try:
        deadline = time.monotonic() + timeout
        while not conn.execute("SELECT pg_try_advisory_lock(%s)", (SYNC_LOCK,)).fetchone()[0]:
            if time.monotonic() > deadline:
                raise IndexBusy(
                    f"另一个进程正在把文件库同步到数据库 {pg.redact(url)} 的索引，请稍后再试。"
                )
            time.sleep(0.1)
        yield
        conn.execute("SELECT pg_advisory_unlock(%s)", (SYNC_LOCK,))  # before the session ends
    finally:
        conn.close()


def _write_index(
    index_dir: Path,
    documents: list[Document],
    *,
    prune: bool,
    rebuild: bool,
    collections: Iterable[str],
    deletes: Iterable[str],
    progress: Progress | None,
    busy_timeout: float,
    meta: dict[str, Any],
    allow_empty: bool,
) -> Any:
    """The write side's one call of the index writer, with the store sequence the new
    generation reflects in its meta; waits out another writer's lock (IndexBusy)."""
    from regsearch.index.update import update_index

    deadline = time.monotonic() + busy_timeout
    delay = 0.1
    while True:
        try:
            return update_index(
                index_dir,
                documents,
                prune=prune,
                rebuild=rebuild,
                progress=progress,
                collections=list(collections),
                deletes=list(deletes),
                meta=meta,
                allow_empty=allow_empty,
            )
        except IndexBusy:
            if time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def sync_index(
    store: Store,
    index_dir: str | Path,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    busy_timeout: float = 120.0,
    allow_empty: bool = False,
) -> SyncReport:
    """Bring the index up to the store's last change (or rebuild it from the store alone)."""
    from regsearch.engine import open_engine
    from regsearch.errors import RegsearchError
    from regsearch.ingest.linking import link_documents

    index_dir = Path(index_dir)
    with _sync_lock(index_dir, busy_timeout):
        target = store.last_seq()
        try:
            has_index = open_engine(index_dir).current_meta() is not None
        except RegsearchError:
            has_index = True  # an unreadable index: the writer says how to rebuild it
        since = 0 if rebuild or not has_index else indexed_seq(store, index_dir)
        if has_index and not rebuild and since >= target:
            return SyncReport(since=since, seq=since)
        prune = False
        collections: set[str] = set()
        removed: set[str] = set()
        if since == 0:  # everything (first build, rebuild, an index of unknown origin)
            docs = derive_documents(store)
            link_documents(docs)
            collections = {d.collection for d in docs}
            prune = has_index and not rebuild
        else:
            changes = store.changes(after=since)
            ids = {c.doc_id for c in changes} | {c.target_id for c in changes if c.target_id}
            state = store.status_of(ids)
            removed = {i for i, (_collection, gone) in state.items() if gone}
            docs = derive_documents(store, ids - removed)
        report = _write_index(
            index_dir,
            docs,
            prune=prune,
            rebuild=rebuild,
            collections=collections,
            deletes=removed,
            progress=progress,
            busy_timeout=busy_timeout,
            meta={SEQ_KEY: target, STORE_KEY: store.meta("store_id")},
            allow_empty=allow_empty,
        )
        return SyncReport(
            since=since,
            seq=target,
            documents=len(docs),
            counts=report.counts(),
            generation=report.generation,
        )


class BackgroundSync:
    """A thread that keeps one index caught up with one store (the web process's writer).

    `request()` after each stored change; requests made while a sync runs are folded
    into the next one. A busy index or a failed sync is retried with a growing pause:
    the change is already in the store, so nothing waits on the thread to be kept.
    """

    def __init__(self, store: Store, index_dir: str | Path, retry_max: float = 30.0) -> None:
        self.store = store
        self.index_dir = Path(index_dir)
        self.retry_max = retry_max
        self.last_error: str | None = None
        self.last_report: SyncReport | None = None
        self._wanted = threading.Event()
        self._stopped = threading.Event()
        self._done = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="store-sync", daemon=True)

    def start(self) -> BackgroundSync:
        self._wanted.set()  # catch up with whatever the store holds now
        self._thread.start()
        return self

    def request(self) -> None:
        self._wanted.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stopped.set()
        self._wanted.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def wait_for(self, seq: int, timeout: float = 30.0) -> bool:
        """Block until the index reflects store sequence `seq` (True) or `timeout` passes."""
        deadline = time.monotonic() + timeout
        with self._done:
            while indexed_seq(self.store, self.index_dir) < seq:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._done.wait(min(left, 0.5))
        return True

    def _run(self) -> None:
        pause = 0.5
        while not self._stopped.is_set():
            if not self._wanted.wait(timeout=1.0):
                continue
            if self._stopped.is_set():
                break
            self._wanted.clear()
            try:
                self.last_report = sync_index(self.store, self.index_dir)
                self.last_error = None
                pause = 0.5
            except Exception as exc:  # noqa: BLE001 - kept in the store; retried below
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("index sync failed, retrying in %.1fs: %s", pause, exc)
                self._stopped.wait(pause)
                pause = min(pause * 2, self.retry_max)
                self._wanted.set()
            with self._done:
                self._done.notify_all()
