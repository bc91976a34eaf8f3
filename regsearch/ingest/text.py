"""White space clean-up shared by every reader.

Real sources carry CRLF line ends, zero-width spaces, ideographic spaces and
NBSP, and lines made only of them; search, article splitting and hashing all
want one clean form.
"""

from __future__ import annotations

import re

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
# Every Unicode space separator (U+3000, NBSP, U+2002 …) and tab -> a normal space.
_SPACES = {
    ord(ch): " "
    for ch in "\t\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000"
}
_BLANK_RUNS = re.compile(r"\n{4,}")

# Brackets that appear around the year of a 发文字号, mapped to 〔〕.
_BRACKETS = str.maketrans(
    {
        "[": "〔",
        "]": "〕",
        "【": "〔",
        "】": "〕",
        "(": "〔",
        ")": "〕",
        "（": "〔",
        "）": "〕",
        "﹝": "〔",
        "﹞": "〕",
        "〈": "〔",
        "〉": "〕",
        "［": "〔",
        "］": "〕",
        "《": "〔",
        "》": "〕",
        "〖": "〔",
        "〗": "〕",
        "⟨": "〔",
        "⟩": "〕",
        "〘": "〔",
        "〙": "〕",
    }
)


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
