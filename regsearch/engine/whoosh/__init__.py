"""The embedded engine: a Whoosh index in generation directories on one disk.

Every private Whoosh access of the project lives in this package: the schema and
record encoding (`schema`, `records`), the fast segment writer (`fastwrite`),
block reads of postings (`postings`), query translation (`translate`, `phrase`),
generations, pins and the writer lock (`store`), snapshots (`snapshot`) and the
writer (`writer`).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from regsearch import settings
from regsearch.engine import default_location
from regsearch.engine.cache import BoundedCache
from regsearch.engine.whoosh import store
from regsearch.engine.whoosh.snapshot import Closed, Generation, WhooshSnapshot
from regsearch.engine.whoosh.writer import WhooshWriter

# Postings kept in memory for question scoring, shared by every generation and engine of
# the process (REGSEARCH_POSTINGS_CACHE_MB, default 256).
POSTINGS = BoundedCache(settings.megabytes("REGSEARCH_POSTINGS_CACHE_MB", 256))


class WhooshEngine:
    """Snapshots of the current generation and the writer of one index directory."""

    def __init__(self, location: str | Path | None = None) -> None:
        self.index_dir = Path(location) if location else default_location()
        self.location = str(self.index_dir)
        self._lock = threading.Lock()
        self._gen: Generation | None = None

    def snapshot(self) -> WhooshSnapshot:
        for _attempt in range(10):
            gen = self._current()
            try:
                return WhooshSnapshot(gen)
            except Closed:
                continue  # retired by another thread between the two lines above
        raise RuntimeError("could not take a snapshot")

    def _current(self) -> Generation:
        name = store.current_name(self.index_dir)
        gen = self._gen
        if gen is not None and gen.name == name:
            return gen
        with self._lock:
            gen = self._gen
            if gen is not None and gen.name == store.current_name(self.index_dir):
                return gen
            path, meta, pin, ix = store.open_generation(self.index_dir)
            new = Generation(path, meta, pin, ix, POSTINGS)
            self._gen = new
        if gen is not None:
            gen.retire()
        return new

    def current_meta(self) -> dict[str, Any] | None:
        gen = store.current_generation(self.index_dir)
        return None if gen is None else store.read_meta(gen)

    def writer(self, rebuild: bool = False) -> WhooshWriter:
        return WhooshWriter(self.index_dir, rebuild=rebuild)

    def close(self) -> None:
        with self._lock:
            gen, self._gen = self._gen, None
        if gen is not None:
            gen.retire()
