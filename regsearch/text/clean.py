"""White space, brackets and the search normal form, shared by ingest, index and search.

Real sources carry CRLF line ends, zero-width spaces, ideographic spaces and
NBSP, and lines made only of them; search, article splitting and hashing all
want one clean form.
"""

from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
# Every Unicode space separator (U+3000, NBSP, U+2002 …) and tab -> a normal space.
_SPACES = {
    ord(ch): " "
    for ch in "\t\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000"
}
_BLANK_RUNS = re.compile(r"\n{4,}")

# Brackets around the year of a 发文字号 (and ASCII parentheses) -> 〔〕. The search normal
# form (`normalize`) maps these; full-width （） become ( ) under NFKC first.
_YEAR_BRACKETS = {
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
_SEARCH_BRACKETS = str.maketrans(_YEAR_BRACKETS)
# Reading a 发文字号 out of raw text also meets full-width parentheses and title and angle
# brackets around the year (《2018》 in badly typed pages); titles keep their 《》 in the
# search normal form, where they delimit cited titles.
_BRACKETS = str.maketrans(
    {
        **_YEAR_BRACKETS,
        "（": "〔",
        "）": "〕",
        "〈": "〔",
        "〉": "〕",
        "《": "〔",
        "》": "〕",
        "⟨": "〔",
        "⟩": "〕",
        "〘": "〔",
        "〙": "〕",
    }
)


def normalize(text: str) -> str:
    """The search normal form: NFKC + lower case + one bracket form, keeping the length
    (so character offsets into the original text stay valid)."""
    out = unicodedata.normalize("NFKC", text)
    if len(out) != len(text):
        # Some character expands (… -> ...): map character by character, each to its
        # NFKC form only where that keeps one character (one table, applied in C).
        out = text.translate({ord(ch): _char_nfkc(ch) for ch in set(text)})
    low = out.lower()
    if len(low) == len(out):
        out = low
    return out.translate(_SEARCH_BRACKETS)


def _char_nfkc(ch: str) -> str:
    n = unicodedata.normalize("NFKC", ch)
    return n if len(n) == 1 else ch


def clean_text(s: str) -> str:
    """CRLF/CR -> LF, zero-width characters removed, odd spaces -> ' ', trailing spaces and
    white-space-only lines emptied, runs of more than two blank lines collapsed to two."""
    s = (s or "").replace("\r\n", "\n").replace("\r", "\n")
    s = s.translate(_ZERO_WIDTH).translate(_SPACES)
    s = "\n".join(line.rstrip() for line in s.split("\n"))
    return _BLANK_RUNS.sub("\n\n\n", s)


def squash_spaces(s: str) -> str:
    """All white space (incl. U+3000, NBSP) removed: for titles and labels like `索 引 号`."""
    return re.sub(r"\s+", "", clean_text(s))


def one_line(s: str) -> str:
    """White space runs -> one space, trimmed: for metadata values."""
    return re.sub(r"\s+", " ", clean_text(s)).strip()


def nfkc_brackets(s: str) -> str:
    """Every bracket style used around a 发文字号 year -> 〔〕 (other characters unchanged)."""
    return (s or "").translate(_BRACKETS)
