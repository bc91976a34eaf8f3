"""Snippets from stored character offsets: the ONE place that escapes highlighted text.

Match spans come from the `body` postings (position, startchar, endchar; the service
reads them from its snapshot), so no long body is re-tokenized at query time.
Overlapping spans (a word and its sub-words)
are merged before marking, so marks never nest or overlap.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable

from regsearch.index.analyzer import is_single_han, normalize, tokenize

WINDOW = 110  # characters per passage
PASSAGES = 2


def posting_terms(highlights: list[tuple[str, ...]]) -> list[str]:
    """The highlight terms whose offsets come from postings (a lone Chinese character is
    found in the text itself, see `match_spans`)."""
    terms = {t for seq in highlights for t in seq if len(seq) > 1 or not is_single_han(t)}
    return sorted(terms)


def char_offsets(text: str, char: str, norm: str | None = None) -> list[tuple[int, int, int]]:
    """(0, start, end) of every occurrence of one character in `text` (normalized; pass
    `norm`, the normalized text, when looking up several characters)."""
    if norm is None:
        norm = normalize(text)
    out = []
    i = norm.find(char)
    while i >= 0:
        out.append((0, i, i + 1))
        i = norm.find(char, i + 1)
    return out


def match_spans(
    offsets: Callable[[str], list[tuple[int, int, int]]],
    highlights: list[tuple[str, ...]],
    text: str | None = None,
) -> list[tuple[int, int]]:
    """Character spans where a highlight term (or a whole phrase) occurs; `offsets(term)`
    gives the term's (position, start, end) occurrences from the postings.

    A lone Chinese character is found in `text` itself: bodies index characters
    inside words without positions (the `chars` field), so postings cannot place it.
    """
    return _spans(offsets, highlights, text)


def text_spans(text: str, highlights: list[tuple[str, ...]]) -> list[tuple[int, int]]:
    """`match_spans` for a short text (an article) by analysing it again, which costs less
    than reading its postings: the same analyzer gave the indexed offsets, so the spans
    are the same."""
    occurrences: dict[str, list[tuple[int, int, int]]] = {}
    for term, pos, start, end in tokenize(text, "body"):
        occurrences.setdefault(term, []).append((pos, start, end))
    return _spans(lambda t: occurrences.get(t, []), highlights, text)


_ASCII_WORD = "0-9a-z"
_HAN_ONLY = re.compile(r"[\u4e00-\u9fff]+$")


def substring_spans(text: str, highlights: list[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Spans where a highlight term (a phrase: its words joined) occurs as text, found by
    plain substring search in the normalized text: for questions, whose ~10 terms would
    otherwise cost a postings walk each per long document. Digits and Latin words only
    match whole (4 never inside 40), Chinese words anywhere, as sub-words are indexed.
    Chinese words are looked up in the text as it is (normalizing leaves them alone, and
    a long document costs milliseconds to normalize); others in the normalized text."""
    norm: str | None = None
    spans: list[tuple[int, int]] = []
    for seq in highlights:
        needle = "".join(seq)
        if not needle:
            continue
        if _HAN_ONLY.match(needle):
            haystack = text
        else:
            if norm is None:
                norm = normalize(text)
            haystack = norm
        if needle.isascii():
            pattern = rf"(?<![{_ASCII_WORD}]){re.escape(needle)}(?![{_ASCII_WORD}])"
            spans.extend(m.span() for m in re.finditer(pattern, haystack))
            continue
        i = haystack.find(needle)
        while i >= 0:
            spans.append((i, i + len(needle)))
            i = haystack.find(needle, i + len(needle))
    return merge(spans)


def _spans(
    offsets: Callable[[str], list[tuple[int, int, int]]],
    highlights: list[tuple[str, ...]],
    text: str | None,
) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    norm = None
    for seq in highlights:
        if text is not None and len(seq) == 1 and is_single_han(seq[0]):
            if norm is None:
                norm = normalize(text)  # once per text: bodies can be long
            spans.extend((s, e) for _p, s, e in char_offsets(text, seq[0], norm))
            continue
        occ = [offsets(t) for t in seq]
        if not all(occ):
            continue
        if len(seq) == 1:
            spans.extend((s, e) for _p, s, e in occ[0])
            continue
        by_pos = [{p: (s, e) for p, s, e in o} for o in occ]
        for p, (s, _e) in sorted(by_pos[0].items()):
            if all(p + k in by_pos[k] for k in range(1, len(seq))):
                spans.append((s, by_pos[-1][p + len(seq) - 1][1]))
    return merge(spans)


def merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _best_windows(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Up to PASSAGES windows of WINDOW characters holding the most match spans."""
    if not spans or length <= WINDOW:
        return [(0, min(length, WINDOW))]
    chosen: list[tuple[int, int]] = []
    remaining = list(spans)  # sorted and disjoint (see merge): starts and ends both ascend
    for _ in range(PASSAGES):
        starts = [x[0] for x in remaining]
        ends = [x[1] for x in remaining]
        best, best_count = None, 0
        for s in starts:
            start = max(0, min(s - 20, length - WINDOW))
            # The spans wholly inside [start, start + WINDOW].
            count = bisect_right(ends, start + WINDOW) - bisect_left(starts, start)
            if count > best_count:
                best, best_count = start, count
        if best is None:
            break
        chosen.append((best, min(length, best + WINDOW)))
        remaining = [x for x in remaining if not (x[0] >= best and x[1] <= best + WINDOW)]
        if not remaining:
            break
    # Overlapping or touching windows become one passage, so no text is shown twice.
    return merge(chosen)


def render(text: str, spans: list[tuple[int, int]]) -> str:
    """The best passages of `text`, HTML-escaped, with `spans` wrapped in <mark>…</mark>."""
    parts: list[str] = []
    windows = _best_windows(spans, len(text))
    for w_start, w_end in windows:
        out: list[str] = ["…" if w_start > 0 else ""]
        cursor = w_start
        for s, e in spans:
            if e <= w_start or s >= w_end:
                continue
            s, e = max(s, w_start), min(e, w_end)
            out.append(html.escape(text[cursor:s]))
            out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
            cursor = e
        out.append(html.escape(text[cursor:w_end]))
        if w_end < len(text):
            out.append("…")
        parts.append("".join(out))
    return " ".join(p.replace("\n", " ").strip() for p in parts if p)
