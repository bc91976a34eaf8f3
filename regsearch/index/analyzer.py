"""Our Chinese analyzer: one code path for documents and queries.

Why not `jieba.analyse.ChineseAnalyzer`: it drops single and full-width digits
(4号 would match 40号, 第3条 every article) and records character offsets as
positions, so phrase queries find nothing. Here:

- text is NFKC-normalized and lower-cased without changing its length, so the
  character offsets we store point into the original text (for snippets);
- jieba's precise words get consecutive (ordinal) positions, so phrases work;
- every dictionary word inside a longer word is added at the parent's position
  (search-mode sub-words: 一网通查 also finds 通查) when indexing, not in queries;
  single characters too in short fields, while a body's characters go to a
  position-less `chars` field (half the postings, same one-character recall);
- article numbers (第3条, 第三条, 第３条) become one canonical token (第三条);
- digits and Latin letters are kept whole (4 and 40 are different tokens).
"""

from __future__ import annotations

import re
from typing import Any

from regsearch.index.segment import cache_dir, get_segmenter
from regsearch.text.clean import normalize
from regsearch.text.numerals import ordinal_token

__all__ = ["cache_dir", "han_chars", "normalize", "query_terms", "tokenize"]

# 第3条 / 第三条 / 第十七条之一 / 第2章 ...: one token each, in canonical Chinese form.
_NUM = r"[0-9]+|[零〇一二两三四五六七八九十百千]+"
_ORDINAL_RE = re.compile(rf"第\s?({_NUM})\s?([条章节编款项])(?:之({_NUM}))?")
_HAN_RE = re.compile(r"[\u3400-\u9fff]")
_HAN_ONLY_RE = re.compile(r"^[\u3400-\u9fff]+$")

# Modes: "query" precise words only; "index" adds dictionary sub-words and single
# characters at the parent's position; "body" adds dictionary sub-words only (the
# single characters of a body go to the position-less `chars` field, see han_chars).
MODES = ("query", "index", "body")


# word -> (lead, kept word) or None for punctuation / white space; and word -> sub-words.
_KEEP: dict[str, tuple[int, str] | None] = {}
_SUBS: dict[str, tuple[tuple[str, int, int], ...]] = {}
_CACHE_MAX = 500_000


def _keep(word: str) -> tuple[int, str] | None:
    hit = _KEEP.get(word, False)
    if hit is not False:
        return hit  # type: ignore[return-value]
    info = None
    if any(ch.isalnum() for ch in word):
        stripped = word.strip()
        info = (len(word) - len(word.lstrip()), stripped)
    if len(_KEEP) < _CACHE_MAX:
        _KEEP[word] = info
    return info


def _subwords(word: str) -> tuple[tuple[str, int, int], ...]:
    """Dictionary words of two or more characters strictly inside a Chinese word."""
    hit = _SUBS.get(word)
    if hit is not None:
        return hit
    out: list[tuple[str, int, int]] = []
    n = len(word)
    if n > 2 and _HAN_ONLY_RE.match(word):
        is_word = get_segmenter().is_word
        for size in range(n - 1, 1, -1):
            for i in range(n - size + 1):
                gram = word[i : i + size]
                if is_word(gram):
                    out.append((gram, i, i + size))
    result = tuple(out)
    if len(_SUBS) < _CACHE_MAX:
        _SUBS[word] = result
    return result


def tokenize(text: str, mode: str = "index") -> list[tuple[str, int, int, int]]:
    """(token, position, startchar, endchar) for `text` (see MODES); one code for all callers."""
    cut = get_segmenter().cut
    subwords = mode != "query"
    singles = mode == "index"
    norm = normalize(text)
    out: list[tuple[str, int, int, int]] = []
    append = out.append
    pos = 0
    cursor = 0
    keep_cache, subs_cache, han = _KEEP, _SUBS, _HAN_RE.match
    for m in [*_ORDINAL_RE.finditer(norm), None]:
        end = m.start() if m else len(norm)
        if end > cursor:
            offset = cursor
            for word in cut(norm[cursor:end]):
                start = offset
                offset += len(word)
                info: Any = keep_cache.get(word, False)  # the caches of _keep / _subwords, inline
                if info is False:
                    info = _keep(word)
                if info is None:
                    continue
                lead, kept = info
                start += lead
                append((kept, pos, start, start + len(kept)))
                if subwords and len(kept) > 1:
                    subs = subs_cache.get(kept)
                    if subs is None:
                        subs = _subwords(kept)
                    for gram, s, e in subs:
                        append((gram, pos, start + s, start + e))
                    if singles and han(kept):
                        for i, ch in enumerate(kept):
                            append((ch, pos, start + i, start + i + 1))
                pos += 1
        if m is None:
            break
        token = ordinal_token(m.group(1), m.group(2), m.group(3))
        if token:
            append((token, pos, m.start(), m.end()))
            pos += 1
        else:  # not a real ordinal (第零条): segment it as plain text
            offset = m.start()
            for word in cut(norm[m.start() : m.end()]):
                start = offset
                offset += len(word)
                info = _keep(word)
                if info:
                    append((info[1], pos, start + info[0], start + info[0] + len(info[1])))
                    pos += 1
        cursor = m.end()
    return out


def han_chars(text: str) -> set[str]:
    """The distinct Chinese characters of `text` (for one-character queries on bodies)."""
    return {ch for ch in set(normalize(text)) if _HAN_RE.match(ch)}


def is_single_han(term: str) -> bool:
    return len(term) == 1 and bool(_HAN_RE.match(term))


def query_terms(text: str) -> list[str]:
    """The precise tokens of a query word or phrase, in order."""
    return [t for t, _p, _s, _e in tokenize(text, mode="query")]
