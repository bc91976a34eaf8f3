"""Dates in Chinese documents -> YYYY-MM-DD, never guessed.

Reads 2020年9月30日, 二〇二〇年九月三十日, 2020.9.30, 2020-09-30, 2020/9/30,
20200930, full-width digits and stray spaces. Anything that is not exactly one
valid calendar date gives None (the caller reports it), because a wrong date
would silently give a wrong validity status.
"""

from __future__ import annotations

import datetime as _dt
import re

from regsearch.text.numerals import CN_NUMERAL_CHARS, FULLWIDTH_DIGITS, cn_to_int

_YEAR_CN = "〇零○Ｏ一二三四五六七八九"
_NUM = rf"[0-9０-９]+|[{CN_NUMERAL_CHARS}]+"

# 2020年9月30日 / 二〇二〇年九月三十日 (also 号 for 日, spaces anywhere).
_CN_DATE = re.compile(
    rf"(?<![0-9０-９{_YEAR_CN}])(?P<y>[0-9０-９]{{4}}|[{_YEAR_CN}]{{4}})\s*年\s*(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*[日号]"
)
# 2020.9.30 / 2020-09-30 / 2020/9/30 (one separator style per date).
_SEP_DATE = re.compile(
    r"^(?P<y>\d{4})\s*(?P<sep>[.\-/．－／])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})$"
)
_COMPACT_DATE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
_CN_SEP = str.maketrans({"．": ".", "－": "-", "／": "/", "\u3000": " ", "\xa0": " "})


def _year(s: str) -> int | None:
    s = s.translate(FULLWIDTH_DIGITS)
    if s.isdigit():
        return int(s)
    # 二〇二〇: digit by digit.
    return cn_to_int(s) if all(ch in _YEAR_CN for ch in s) else None


def make_date(year: int | None, month: int | None, day: int | None) -> str | None:
    """A valid calendar date as YYYY-MM-DD, or None (2021-02-29 is None)."""
    if year is None or month is None or day is None or not 1000 <= year <= 2999:
        return None
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(s: str) -> str | None:
    """One date in any of the supported forms -> YYYY-MM-DD; None if it is not exactly a date."""
    text = (s or "").strip().translate(_CN_SEP)
    if not text:
        return None
    m = _CN_DATE.fullmatch(text)
    if m:
        return make_date(_year(m["y"]), cn_to_int(m["m"]), cn_to_int(m["d"]))
    text = text.translate(FULLWIDTH_DIGITS)
    m = _SEP_DATE.match(text) or _COMPACT_DATE.match(text)
    if m:
        return make_date(int(m["y"]), int(m["m"]), int(m["d"]))
    return None


def find_dates(text: str) -> list[tuple[str, int, int]]:
    """Chinese dates (年月日) inside running text: (iso, start, end); invalid ones are left out."""
    out: list[tuple[str, int, int]] = []
    for m in _CN_DATE.finditer(text or ""):
        iso = make_date(_year(m["y"]), cn_to_int(m["m"]), cn_to_int(m["d"]))
        if iso:
            out.append((iso, m.start(), m.end()))
    return out
