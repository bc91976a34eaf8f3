"""Whole-index arrays for question scoring, built once per index generation.

Built from the engine's `Layout` (kind, liveness and document key of every record)
and the documents' level and status columns; shared by every snapshot (and thread)
of the generation, so everything here is read-only or kept under a lock, and every
read of the index goes through the snapshot a caller passes in.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from regsearch.engine import Snapshot
from regsearch.index.layout import STATUS_FIELDS, exact_title
from regsearch.search.filters import Filters
from regsearch.text.clean import normalize

TEXT_CACHE = 50_000  # normalized article texts kept for phrase checks
TITLE_CACHE = 4_096  # law titles -> document keys
FACTOR_CACHE = 8  # (day, places, weights) prior arrays
# Statuses on a day that demote a version in question answers (it stays findable).
DEAD = frozenset({"已修改", "已废止", "已失效"})


class QuestionIndex:
    """Per-generation arrays and caches (see module doc). `dkey` etc. are the layout's."""

    def __init__(self, snap: Snapshot) -> None:
        layout = snap.layout()
        self.layout = layout
        self.size = layout.size
        self.live = layout.live
        self.is_doc = layout.is_doc
        self.dkey = layout.dkey
        self.n_keys = layout.n_keys
        self.key_of = layout.key_of
        self.key_names = layout.key_names
        # Level and status dates per document key (an article has its document's).
        self._key_level: list[str | None] = [None] * (self.n_keys + 1)
        self._key_dates: list[tuple[Any, ...] | None] = [None] * (self.n_keys + 1)
        self._key_region: list[str] = [""] * (self.n_keys + 1)
        docs = np.flatnonzero(self.is_doc & self.live).tolist()
        levels = snap.column("level").values(docs)
        regions = snap.column("region").values(docs)
        cols = [snap.column(c).values(docs) for c in STATUS_FIELDS]
        for r, level, region, *dates in zip(docs, levels, regions, *cols, strict=True):
            k = int(self.dkey[r])
            self._key_region[k] = region or ""
            self._key_level[k] = level
            self._key_dates[k] = tuple(dates)
        self._filters = Filters.of(snap)
        self._stats: dict[str, tuple[float, int, float, int]] = {}
        self._factors: OrderedDict[tuple[Any, ...], np.ndarray] = OrderedDict()
        self._titles: OrderedDict[str, list[int]] = OrderedDict()
        self._texts: OrderedDict[int, str] = OrderedDict()
        self._by_key: dict[int, np.ndarray] | None = None
        self._numbers: dict[int, dict[str, list[int]]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def of(snap: Snapshot) -> QuestionIndex:
        return snap.shared("question-index", QuestionIndex)

    def stats(self, snap: Snapshot, field: str) -> tuple[float, int, float, int]:
        """(average document length, document count, average article length, article count)."""
        hit = self._stats.get(field)
        if hit is None:
            lens = snap.lengths(field)
            docs = self.live & self.is_doc
            arts = self.live & ~self.is_doc
            n_doc, n_art = int(docs.sum()), int(arts.sum())
            avg_doc = float(lens[docs].sum()) / (n_doc or 1) or 1.0
            avg_art = float(lens[arts].sum()) / (n_art or 1) or 1.0
            hit = self._stats[field] = (avg_doc, n_doc or 1, avg_art, n_art or 1)
        return hit

    def factors(
        self,
        day: str,
        places: tuple[str, ...],
        level_prior: Mapping[str, float],
        default_prior: float,
        not_current: float,
        local_levels: frozenset[str],
    ) -> np.ndarray:
        """Per-record prior: level (the local rules of a region that starts with one of
        `places` are not demoted) x version (a version that is dead on `day`, by the one
        status function, is demoted)."""
        key = (day, places, tuple(sorted(level_prior.items())), default_prior, not_current)
        with self._lock:
            hit = self._factors.get(key)
        if hit is not None:
            return hit
        per_key = np.empty(self.n_keys + 1)
        for k, level in enumerate(self._key_level):
            if places and level in local_levels and self._key_region[k].startswith(places):
                f = 1.0
            else:
                f = level_prior.get(level or "", default_prior)
            dates = self._key_dates[k]
            if dates is not None and self._filters.status_of_key(dates, day) in DEAD:
                f *= not_current
            per_key[k] = f
        out = per_key[self.dkey]
        out.setflags(write=False)
        with self._lock:
            self._factors[key] = out
            while len(self._factors) > FACTOR_CACHE:
                self._factors.popitem(last=False)
        return out

    def keys_for_title(self, snap: Snapshot, title: str) -> list[int]:
        """Document keys of the live document records titled `title` (for law boosts)."""
        with self._lock:
            hit = self._titles.get(title)
        if hit is None:
            term = exact_title(title)
            found: set[int] = set()
            if term:
                rec = np.asarray(snap.find("title_exact", term), dtype=np.int64)
                if len(rec):
                    rec = rec[self.live[rec] & self.is_doc[rec]]
                    found.update(int(k) for k in self.dkey[rec])
            hit = sorted(found)
            with self._lock:
                self._titles[title] = hit
                while len(self._titles) > TITLE_CACHE:
                    self._titles.popitem(last=False)
        return hit

    def article_records(self, snap: Snapshot, key: int) -> dict[str, list[int]]:
        """第N条 -> the live article records of document key `key` (read once per key)."""
        hit = self._numbers.get(key)
        if hit is not None:
            return hit
        if self._by_key is None:
            arts = np.flatnonzero(~self.is_doc & self.live)
            arts = arts[np.argsort(self.dkey[arts], kind="stable")]
            keys = self.dkey[arts]
            cuts = np.flatnonzero(np.diff(keys)) + 1
            chunks = zip(np.split(arts, cuts), np.split(keys, cuts), strict=True)
            self._by_key = {int(k[0]): chunk for chunk, k in chunks if len(chunk)}
        out: dict[str, list[int]] = {}
        for record in self._by_key.get(key, np.zeros(0, dtype=np.int64)).tolist():
            number = snap.stored(record).get("article")
            if number:
                out.setdefault(number, []).append(record)
        with self._lock:
            self._numbers[key] = out
        return out

    def text(self, snap: Snapshot, record: int) -> str:
        """The normalized text of a record (articles: a few hundred characters)."""
        with self._lock:
            hit = self._texts.get(record)
        if hit is None:
            hit = normalize(snap.text(record))
            with self._lock:
                self._texts[record] = hit
                while len(self._texts) > TEXT_CACHE:
                    self._texts.popitem(last=False)
        return hit
