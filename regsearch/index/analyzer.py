"""Our Chinese analyzer: one code path for documents and queries.

Why not `jieba.analyse.ChineseAnalyzer`: it drops single and full-width digits
(4号 would match 40号, 第3条 every article) and records character offsets as
positions, so phrase queries find nothing. Here:

- text is NFKC-normalized and lower-cased without changing its length, so the
  character offsets we store point into the original text (for snippets);
- jieba's precise words get consecutive (ordinal) positions, so phrases work;
- every dictionary word inside a longer word is added at the parent's position
  (search-mode sub-words: 一网通查 also finds 通查) when indexing, not in queries;
- article numbers (第3条, 第三条, 第３条) become one canonical token (第三条);
- digits and Latin letters are kept whole (4 and 40 are different tokens).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from whoosh.analysis import Token, Tokenizer

from regsearch.ingest.numerals import cn_to_int, int_to_cn

DICT_PATH = Path(__file__).resolve().parent.parent / "data" / "legal_dict.txt"

_jieba_lock = threading.Lock()
_jieba: Any = None

# 第3条 / 第三条 / 第十七条之一 / 第2章 ...: one token each, in canonical Chinese form.
_NUM = r"[0-9]+|[零〇一二两三四五六七八九十百千]+"
_ORDINAL_RE = re.compile(rf"第\s?({_NUM})\s?([条章节编款项])(?:之({_NUM}))?")
_HAN_RE = re.compile(r"[\u3400-\u9fff]")

# Brackets around the year of a 发文字号 (and parentheses) -> one form.
_BRACKETS = str.maketrans(
    {
        "[": "〔",
        "]": "〕",
        "【": "〔",
        "】": "〕",
        "(": "〔",
        ")": "〕",
        "﹝": "〔",
        "﹞": "〕",
        "［": "〔",
        "］": "〕",
        "〖": "〔",
        "〗": "〕",
    }
)


def cache_dir() -> Path:
    """A directory the app owns for jieba's dictionary cache (not the shared /tmp file)."""
    base = os.environ.get("REGSEARCH_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "regsearch"
    )
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def get_jieba() -> Any:
    """jieba's default tokenizer with our legal dictionary, initialized once per process."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.dt.tmp_dir = str(cache_dir())
                jieba.dt.initialize()
                with open(DICT_PATH, "rb") as fh:
                    jieba.load_userdict(fh)
                _jieba = jieba.dt
    return _jieba


def normalize(text: str) -> str:
    """NFKC + lower case + one bracket form, keeping the length (so offsets stay valid)."""
    out = unicodedata.normalize("NFKC", text)
    if len(out) != len(text):
        out = "".join(_char_nfkc(ch) for ch in text)
    low = out.lower()
    if len(low) == len(out):
        out = low
    return out.translate(_BRACKETS)


def _char_nfkc(ch: str) -> str:
    n = unicodedata.normalize("NFKC", ch)
    return n if len(n) == 1 else ch


def ordinal_token(number: str, unit: str, sub: str | None = None) -> str | None:
    """第3条 -> 第三条, 第十七条之1 -> 第十七条之一; None when the numeral is malformed."""
    value = cn_to_int(number)
    if not value:
        return None
    out = f"第{int_to_cn(value)}{unit}"
    if sub:
        sub_value = cn_to_int(sub)
        if not sub_value:
            return None
        out += f"之{int_to_cn(sub_value)}"
    return out


def _keep(word: str) -> bool:
    return any(ch.isalnum() for ch in word)


def tokenize(text: str, mode: str = "index") -> Iterator[tuple[str, int, int, int]]:
    """(token, position, startchar, endchar) for `text`; mode "query" omits sub-words."""
    dt = get_jieba()
    freq = dt.FREQ
    subwords = mode != "query"
    norm = normalize(text)
    pos = 0
    cursor = 0
    for m in [*_ORDINAL_RE.finditer(norm), None]:
        end = m.start() if m else len(norm)
        if end > cursor:
            offset = cursor
            for word in dt.cut(norm[cursor:end], HMM=False):
                start = offset
                offset += len(word)
                if not _keep(word):
                    continue
                word = word.strip()
                yield word, pos, start, offset
                n = len(word)
                if subwords and n > 1 and _HAN_RE.match(word):
                    # Dictionary words inside, and every single character (one-character queries).
                    for size in range(n - 1, 0, -1):
                        for i in range(n - size + 1):
                            gram = word[i : i + size]
                            if size == 1 or freq.get(gram):
                                yield gram, pos, start + i, start + i + size
                pos += 1
        if m is None:
            break
        token = ordinal_token(m.group(1), m.group(2), m.group(3))
        if token:
            yield token, pos, m.start(), m.end()
            pos += 1
        else:  # not a real ordinal (第零条): segment it as plain text
            for word, _p, s, e in _plain(norm[m.start() : m.end()], m.start()):
                yield word, pos, s, e
                pos += 1
        cursor = m.end()


def _plain(text: str, offset: int) -> Iterator[tuple[str, int, int, int]]:
    for word in get_jieba().cut(text, HMM=False):
        start = offset
        offset += len(word)
        if _keep(word):
            yield word.strip(), 0, start, offset


def query_terms(text: str) -> list[str]:
    """The precise tokens of a query word or phrase, in order."""
    return [t for t, _p, _s, _e in tokenize(text, mode="query")]


class LegalTokenizer(Tokenizer):
    """Whoosh tokenizer over `tokenize`; also accepts pre-computed token lists."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LegalTokenizer)

    def __hash__(self) -> int:
        return hash(type(self).__name__)

    def __call__(  # type: ignore[override]
        self,
        value: Any,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize_: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for text, pos, start, end in tokenize(value, mode="query" if mode == "query" else "index"):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t


def LegalAnalyzer() -> LegalTokenizer:  # noqa: N802 (whoosh's naming convention)
    """The analyzer used by every text field of the schema."""
    return LegalTokenizer()
