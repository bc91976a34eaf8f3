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

import numpy as np

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
    return merge(spans, touching=False)  # refine() judges each match on its own


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
    return merge(spans, touching=False)  # refine() judges each match on its own


def merge(spans: list[tuple[int, int]], touching: bool = True) -> list[tuple[int, int]]:
    """Sorted, disjoint spans; overlapping ones (and, with `touching`, adjacent ones) joined."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and (s <= out[-1][1] if touching else s < out[-1][1]):
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _best_windows(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Up to PASSAGES windows of WINDOW characters holding the most match spans."""
    if not spans or length <= WINDOW:
        return [(0, min(length, WINDOW))]
    if len(spans) > _VECTOR_FROM:
        return merge(_best_windows_np(spans, length))
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


_VECTOR_FROM = 48  # spans from which numpy finds the windows faster than a loop


def _best_windows_np(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """`_best_windows` for many spans (a long body): the same windows, counted in numpy."""
    arr = np.asarray(spans, dtype=np.int64)
    starts, ends = arr[:, 0], arr[:, 1]
    chosen: list[tuple[int, int]] = []
    for _ in range(PASSAGES):
        if not len(starts):
            break
        cand = np.clip(starts - 20, 0, length - WINDOW)
        counts = np.searchsorted(ends, cand + WINDOW, "right") - np.searchsorted(
            starts, cand, "left"
        )
        i = int(np.argmax(counts))
        if counts[i] <= 0:
            break
        best = int(cand[i])
        chosen.append((best, min(length, best + WINDOW)))
        keep = ~((starts >= best) & (ends <= best + WINDOW))
        starts, ends = starts[keep], ends[keep]
    return chosen


# -- readable snippets (issue 12) ------------------------------------------------------
# Passages start and end where a sentence or a clause does, within SNAP characters.
SNAP = 30
_SENTENCE_RE = re.compile("[。；！？!?;\n]")
_CLAUSE_RE = re.compile("[，、：,:]")
# Markup of the sources that a reader should never see in a snippet: Markdown headings
# (## 第一章), emphasis, rules, HTML comments.
_MARKUP_RE = re.compile(
    r"(?m)^[ \t\u3000]*#{1,6}[ \t\u3000]*|\*\*|__|^[ \t]*[-*_]{3,}[ \t]*$|<!--.*?-->"
)
_MARKUP_CHARS = re.compile("[#*_<-]")  # no markup without one of these
_ARTICLE_LEAD_RE = re.compile(
    r"\s*第[零〇一二两三四五六七八九十百千0-9]+条(?:之[一二三四五六七八九十]+)?[ \t\u3000]*"
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
REFINE_LIMIT = 2000  # spans refined per text (a long body may hold thousands)
_CONTEXT = 8  # characters of context segmented around a mark


def _cut() -> Callable[[str], list[str]]:
    from regsearch.index.segment import get_segmenter

    return get_segmenter().cut


def refine(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Marks that cover words as the text's own segmentation has them: a lone character
    that is part of a word here is not marked (交 in 交通食宿费, 法 in 依法), and a mark
    inside a longer word grows to that word (通查 in 一网通查; but 公司 stays 公司 in
    公司法律, which reads 公司 / 法律)."""
    if not spans:
        return spans
    from regsearch.index.segment import get_segmenter

    cut, is_word = _cut(), get_segmenter().is_word
    out: list[tuple[int, int]] = []
    for i, (s, e) in enumerate(spans):
        if i >= REFINE_LIMIT:
            out.extend(spans[i:])
            break
        if e - s == 1 or not (_is_han(text[s]) and _is_han(text[e - 1])):
            out.append((s, e))  # lone characters were judged already (_drop_inner_characters)
            continue
        if not _may_grow(text, s, e, is_word):
            out.append((s, e))
            continue
        word = _word_around(text, s, e, cut)
        if word is None:
            if e - s > 1:
                out.append((s, e))  # the mark spans words: keep it as it is
        elif e - s == 1 and word != (s, e):
            continue  # one character of a longer word
        else:
            out.append(word)
    return merge(out)


def _drop_inner_characters(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`spans` without the lone Chinese characters that form a dictionary word with a
    neighbour (交 of 交通, 法 of 依法): a first, cheap pass over all of a text's marks."""
    from regsearch.index.segment import get_segmenter

    singles = [x for x in spans if x[1] - x[0] == 1][:REFINE_LIMIT]
    if not singles:
        return spans
    is_word = get_segmenter().is_word
    memo = _INNER_MEMO
    dropped = set()
    for s, _e in singles:
        if not _is_han(text[s]):
            continue
        context = text[max(0, s - 2) : s + 3]
        key = (context, s - max(0, s - 2))
        inner = memo.get(key)
        if inner is None:
            inner = _in_a_word(context, key[1], is_word)
            if len(memo) > _INNER_MEMO_MAX:
                memo.clear()
            memo[key] = inner
        if inner:
            dropped.add(s)
    if not dropped:
        return spans
    return [x for x in spans if not (x[0] in dropped and x[1] - x[0] == 1)]


# (context, position) -> whether that character is inside a word: contexts repeat a lot
# (依法, 本法 …), and the answer depends on the context only. Bounded; shared is safe
# (a lost race recomputes the same value).
_INNER_MEMO: dict[tuple[str, int], bool] = {}
_INNER_MEMO_MAX = 200_000


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _in_a_word(text: str, i: int, is_word: Callable[[str], bool]) -> bool:
    """Whether text[i] and a neighbour or two form a dictionary word."""
    for a, b in ((i - 1, i + 1), (i, i + 2), (i - 2, i + 1), (i - 1, i + 2), (i, i + 3)):
        if a >= 0 and b <= len(text):
            piece = text[a:b]
            if all(map(_is_han, piece)) and is_word(piece):
                return True
    return False


def _may_grow(text: str, s: int, e: int, is_word: Callable[[str], bool]) -> bool:
    """Whether a dictionary word spans [s, e) and a character or two around it: only then
    is the context segmented (most marks are whole words already). Remembered by the
    mark's close context, which repeats (the same words around the same term)."""
    lo = max(0, s - 2)
    key = (text[lo : e + 2], s - lo, e - lo)
    hit = _GROW_MEMO.get(key)
    if hit is None:
        context, i, j = key
        hit = any(
            0 <= a and b <= len(context) and is_word(context[a:b])
            for a, b in ((i - 1, j), (i, j + 1), (i - 2, j), (i, j + 2), (i - 1, j + 1))
        )
        if len(_GROW_MEMO) > _INNER_MEMO_MAX:
            _GROW_MEMO.clear()
        _GROW_MEMO[key] = hit
    return hit


_GROW_MEMO: dict[tuple[str, int, int], bool] = {}


def _word_around(
    text: str, s: int, e: int, cut: Callable[[str], list[str]]
) -> tuple[int, int] | None:
    """The word of `text` (segmented in a small context) that covers [s, e), if one does."""
    a, b = max(0, s - _CONTEXT), min(len(text), e + _CONTEXT)
    pos = a
    for w in cut(text[a:b]):
        start, pos = pos, pos + len(w)
        if start <= s and e <= pos:
            # A word cut by the context's edge is not known whole: trust it only inside.
            if (start == a and a > 0) or (pos == b and b < len(text)):
                return (s, e)
            return (start, pos)
        if start >= e:
            break
    return None


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    """A window moved to sentence (else clause) boundaries close to its ends."""
    if start > 0:
        for ends in (_SENTENCE_RE, _CLAUSE_RE):
            found = [m.end() for m in ends.finditer(text, max(0, start - SNAP), start + 1)]
            if found:
                start = found[-1]
                break
    n = len(text)
    if end < n:
        for ends in (_SENTENCE_RE, _CLAUSE_RE):
            after = ends.search(text, end - 1, min(n, end + SNAP))
            if after is not None:
                end = after.end()
                break
    while start < end and text[start] in " \t\u3000\n":
        start += 1
    return start, end


def _hidden(
    text: str, windows: list[tuple[int, int]], article: str | None
) -> list[tuple[int, int]]:
    """Character ranges of the passages never shown: markup, and an article's own number
    at its start (the result shows the number beside the snippet: no 第七条 第七条).
    Only the passages are scanned: a long body holds hundreds of headings."""
    out: list[tuple[int, int]] = []
    for a, b in windows:
        lo = max(0, a - 8)
        if _MARKUP_CHARS.search(text, lo, b):
            out.extend(m.span() for m in _MARKUP_RE.finditer(text, lo, b))
    if article:
        m = _ARTICLE_LEAD_RE.match(text)
        if m:
            out.append(m.span())
    return merge([x for x in out if x[0] < x[1]])


def render(text: str, spans: list[tuple[int, int]], article: str | None = None) -> str:
    """The best passages of `text`, HTML-escaped, with `spans` wrapped in <mark>…</mark>:
    whole words marked, passages cut at sentence or clause ends, no markup shown, and
    for an `article`'s text its leading number left out."""
    # Lone characters inside dictionary words go before the passages are chosen (cheap
    # lookups); the marks of the chosen passages are then refined on the text's own
    # segmentation (costly, so only for the few shown).
    spans = _drop_inner_characters(text, spans)
    # What the text opens with and is never shown: its article number, a heading mark.
    lead = 0
    for pattern in (_ARTICLE_LEAD_RE if article else None, _MARKUP_RE):
        m = pattern.match(text, lead) if pattern is not None else None
        if m is not None:
            lead = m.end()
    windows = merge([_snap(text, max(s, lead), e) for s, e in _best_windows(spans, len(text))])
    hidden = _hidden(text, windows, article)
    ends = [e for _s, e in spans]  # spans are sorted and disjoint: ends ascend too
    near = []
    for a, b in windows:
        i = bisect_right(ends, a)
        while i < len(spans) and spans[i][0] < b:
            near.append(spans[i])
            i += 1
    shown = refine(text, _outside(near, hidden))
    parts: list[str] = []
    for w_start, w_end in windows:
        w_start = max(w_start, lead)
        if w_start >= w_end:
            continue
        out: list[str] = ["…" if w_start > lead else ""]
        cursor = w_start
        for s, e in shown:
            if e <= w_start or s >= w_end:
                continue
            s, e = max(s, w_start), min(e, w_end)
            out.append(_visible(text, cursor, s, hidden))
            out.append("<mark>" + _visible(text, s, e, hidden) + "</mark>")
            cursor = e
        out.append(_visible(text, cursor, w_end, hidden))
        if w_end < len(text):
            out.append("…")
        parts.append("".join(out))
    return " ".join(" ".join(p.split()) for p in parts if p)


def _outside(spans: list[tuple[int, int]], hidden: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans not wholly inside a hidden range (both lists sorted; one pass)."""
    if not hidden:
        return spans
    starts = [h[0] for h in hidden]
    out = []
    for s, e in spans:
        i = bisect_right(starts, s) - 1
        if i < 0 or not (e <= hidden[i][1]):
            out.append((s, e))
    return out


def _visible(text: str, start: int, end: int, hidden: list[tuple[int, int]]) -> str:
    """text[start:end] without the hidden ranges, HTML-escaped."""
    pieces, cursor = [], start
    for h_start, h_end in hidden:
        if h_end <= cursor or h_start >= end:
            continue
        pieces.append(text[cursor:h_start])
        cursor = max(cursor, h_end)
    if cursor < end:
        pieces.append(text[cursor:end])
    return html.escape("".join(pieces))
