"""Word segmentation with jieba's dictionary plus our legal dictionary, loaded once per process.

rjieba (the Rust port, about 20x faster) is used when it is installed; it gives
exactly jieba's output with the same dictionary (tests compare them on real
text). One subtlety makes them agree: when a user word is already in the
dictionary, jieba adds its new frequency to the total without removing the old
one, while jieba-rs replaces it. We correct jieba's total so that both compute
the same word probabilities. `REGSEARCH_SEGMENTER=jieba` forces the fallback.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DICT_PATH = Path(__file__).resolve().parent.parent / "data" / "legal_dict.txt"

_lock = threading.Lock()
_segmenter: Segmenter | None = None
_rjieba_used: list[bool] = []  # the module's default instance is taken by the first load


@dataclass(frozen=True)
class Segmenter:
    """`cut(text)` -> precise words (no HMM); `is_word(w)` -> w is a dictionary word."""

    name: str
    cut: Callable[[str], list[str]]
    is_word: Callable[[str], bool]


def cache_dir() -> Path:
    """A directory the app owns for jieba's dictionary cache (not the shared /tmp file)."""
    base = os.environ.get("REGSEARCH_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "regsearch"
    )
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_words() -> list[tuple[str, int, str | None]]:
    """(word, frequency, tag) from the legal dictionary; every line must give a frequency."""
    out = []
    for line in DICT_PATH.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            out.append((parts[0], int(parts[1]), parts[2] if len(parts) > 2 else None))
    return out


def _load_rjieba() -> Segmenter:
    import rjieba

    # rjieba builds a default instance on import (0.2 s); a second one would double that.
    jb = rjieba._DEFAULT_JIEBA if not _rjieba_used else rjieba.Jieba()
    _rjieba_used.append(True)
    for word, freq, tag in user_words():
        jb.add_word(word, freq, tag)
    cut = jb.cut
    return Segmenter("rjieba", lambda text: cut(text, False), jb.has_word)


def _load_jieba() -> Segmenter:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    dt = jieba.Tokenizer()
    dt.tmp_dir = str(cache_dir())
    dt.initialize()
    for word, freq, tag in user_words():
        old = dt.FREQ.get(word, 0)
        dt.add_word(word, freq, tag)
        dt.total -= old  # replace the old frequency, as jieba-rs does
    freq = dt.FREQ
    return Segmenter(
        "jieba", lambda text: list(dt.cut(text, HMM=False)), lambda w: bool(freq.get(w))
    )


def load_segmenter(name: str | None = None) -> Segmenter:
    """A new segmenter: `rjieba` or `jieba` (default: rjieba if installed)."""
    name = name or os.environ.get("REGSEARCH_SEGMENTER") or ""
    if name != "jieba":
        try:
            return _load_rjieba()
        except ImportError:
            if name == "rjieba":
                raise
    return _load_jieba()


def get_segmenter() -> Segmenter:
    """The process-wide segmenter, loaded on first use."""
    global _segmenter
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                _segmenter = load_segmenter()
    return _segmenter
