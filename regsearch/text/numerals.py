"""Chinese numerals and article numbers (第3条 / 第３条 / 第三条 -> 第三条).

Article numbers are written both ways in real sources; one canonical Chinese
form lets `第3条` find `第三条` and lets articles be sorted by their ordinal.
"""

from __future__ import annotations

import re

_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "贰": 2,
    "两": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
_CN_DIGITS = "零一二三四五六七八九"

# Full-width digits -> ASCII.
FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

CN_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_UNITS) + "".join(_BIG_UNITS)
_ARTICLE_RE = re.compile(
    rf"^第\s*([0-9０-９]+|[{CN_NUMERAL_CHARS}]+)\s*条(?:\s*之\s*([0-9０-９]+|[{CN_NUMERAL_CHARS}]+))?$"
)


def _small_cn(s: str) -> int | None:
    """Read a numeral below 10 000 (一百零五, 十, 二十, 一〇五)."""
    if not s:
        return None
    if all(ch in _DIGITS for ch in s):
        # Digit-by-digit form: 二〇二〇, 一〇五 (a single character is just a digit).
        value = 0
        for ch in s:
            value = value * 10 + _DIGITS[ch]
        return value
    total, digit, last_unit = 0, None, 100_000
    for ch in s:
        if ch in _DIGITS:
            if digit is not None and _DIGITS[ch] != 0:
                return None  # two digits in a row in a unit numeral: 二三十
            digit = _DIGITS[ch] if _DIGITS[ch] != 0 else None
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit >= last_unit:
                return None  # units must decrease: 十百 is not a number
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
        else:
            return None
    if digit is not None:
        total += digit
    return total


def cn_to_int(s: str) -> int | None:
    """Chinese numeral or (full-width) Arabic digits -> int; None if `s` is not a number."""
    s = (s or "").strip().translate(FULLWIDTH_DIGITS)
    if not s:
        return None
    if s.isascii() and s.isdigit():
        return int(s)
    total, rest = 0, s
    for big, factor in sorted(_BIG_UNITS.items(), key=lambda kv: -kv[1]):
        if big in rest:
            head, _, rest = rest.partition(big)
            head_value = cn_to_int(head) if head else 1
            if head_value is None or big in rest:
                return None
            total += head_value * factor
    if rest:
        small = _small_cn(rest.lstrip("零〇") or "零")
        if small is None:
            return None
        total += small
    return total


def int_to_cn(n: int) -> str:
    """int -> Chinese numeral as written in article numbers (105 -> 一百零五, 10 -> 十)."""
    if n < 0:
        return "负" + int_to_cn(-n)
    if n < 10:
        return _CN_DIGITS[n]
    if n >= 10_000:
        high, low = divmod(n, 10_000)
        tail = "" if low == 0 else ("零" if low < 1000 else "") + _under_10000(low, True)
        return int_to_cn(high) + "万" + tail
    return _under_10000(n, False)


def _under_10000(n: int, inner: bool) -> str:
    out: list[str] = []
    zero = False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, unit_value)
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        if unit == "十" and digit == 1 and not out and not inner:
            out.append("十")  # 十, 十五 (not 一十五) at the start of a number
        else:
            out.append(_CN_DIGITS[digit] + unit)
    return "".join(out)


def ordinal_token(number: str, unit: str, sub: str | None = None) -> str | None:
    """第3条 -> 第三条, 第十七条之1 -> 第十七条之一 (any unit: 条章节编款项); None when a
    numeral is malformed or zero."""
    value = cn_to_int(number)
    if not value or value < 0:
        return None
    out = f"第{int_to_cn(value)}{unit}"
    if sub:
        sub_value = cn_to_int(sub)
        if not sub_value or sub_value < 0:
            return None
        out += f"之{int_to_cn(sub_value)}"
    return out


def normalize_article_number(s: str) -> str | None:
    """第3条 / 第３条 / 第 三 条 / 第十七条之一 -> canonical Chinese; None if not one."""
    m = _ARTICLE_RE.match((s or "").strip())
    if not m:
        return None
    return ordinal_token(m.group(1), "条", m.group(2))


def article_ordinal(s: str) -> int | None:
    """The integer number of an article (17 for 第十七条之一); None if not an article number."""
    m = _ARTICLE_RE.match((s or "").strip())
    if not m:
        return None
    value = cn_to_int(m.group(1))
    return value if value and value > 0 else None
