"""发文字号, 令号 and 公告 numbers -> one canonical form.

`黔府发(2020)13号`, `黔府发[2020]13号`, `黔府发 〔２０２０〕 第13号` all become
`黔府发〔2020〕13号`; `国土资源部第38号令` becomes `国土资源部令第38号`;
`农业部令2016年第3号` stays in that form; `中华人民共和国国务院令第707号`, `国务院令第707号`
and `国令第707号` are one number, `国务院令第707号` (one name per issuing body). Numbers
are written in Arabic digits.
Text that is not a document number gives None: nothing is ever invented.
"""

from __future__ import annotations

import re

from regsearch.text.numerals import CN_NUMERAL_CHARS, FULLWIDTH_DIGITS, cn_to_int

_CJK = r"\u4e00-\u9fff"
_OPEN = re.escape("〔[【(（﹝〈［〖")
_CLOSE = re.escape("〕]】)）﹞〉］〗")
_SP = r"[ \t\u3000\xa0]*"
_YEAR_DIGITS = r"[12１２][0-9０-９]{3}"
_NUMBER = rf"(?P<num>[0-9０-９]{{1,5}}|[{CN_NUMERAL_CHARS}]{{1,8}})"
# Issuing authority or 机关代字: a run of CJK characters (trimmed of lead-in words later).
_ISSUER = rf"(?P<issuer>[{_CJK}]{{1,40}}?)"
_YEAR_PART = (
    rf"(?:(?P<year>{_YEAR_DIGITS}){_SP}年|[{_OPEN}]{_SP}(?P<year2>{_YEAR_DIGITS}){_SP}[{_CLOSE}])"
)

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # 农业部令2016年第3号, 国家发展和改革委员会令2021年第45号, 令〔2016〕第3号
    (
        "order_year",
        re.compile(
            rf"{_ISSUER}{_SP}(?P<kind>令|公告){_SP}{_YEAR_PART}{_SP}第?{_SP}{_NUMBER}{_SP}号"
        ),
    ),
    # 贵州省人民政府令第179号, 中华人民共和国主席令第八十一号, 国家税务总局公告第5号
    ("order", re.compile(rf"{_ISSUER}{_SP}(?P<kind>令|公告){_SP}第{_SP}{_NUMBER}{_SP}号")),
    # 国土资源部第38号令
    ("order_suffix", re.compile(rf"{_ISSUER}{_SP}第{_SP}{_NUMBER}{_SP}号{_SP}(?P<kind>令)")),
    # 黔府发〔2020〕13号 in every bracket style
    (
        "bracket",
        re.compile(
            rf"(?P<issuer>[{_CJK}]{{1,16}}?){_SP}[{_OPEN}]{_SP}(?P<year2>{_YEAR_DIGITS}){_SP}[{_CLOSE}]"
            rf"{_SP}第?{_SP}{_NUMBER}{_SP}号"
        ),
    ),
]

# Verbs that lead into a 文号 in running text (根据国办发〔2018〕4号, 印发…).
_LEAD_VERBS = (
    "根据",
    "依据",
    "按照",
    "依照",
    "遵照",
    "参照",
    "印发",
    "发布",
    "公布",
)
# Words that lead into a number in running text but are not part of the issuer.
_LEAD_INS = _LEAD_VERBS + (
    "经",
    "以",
    "即",
    "由",
    "对",
    "将",
    "在",
    "是",
    "见",
    "用",
    "于",
    "的",
    "日",
    "号",
    "及",
    "与",
    "和",
    "或",
    "并",
    "同",
    "至",
    "为",
)
# Document-type words that end a title right before a 发文字号 (…的通知国发〔2004〕10号).
_TITLE_ENDS = ("通知", "决定", "意见", "办法", "规定", "条例", "方案", "纲要", "批复", "规划")
# Words of running text that never occur inside an issuing body's name: a 令号's issuer
# starts after the last of them (文件和国务院令第699号 -> 国务院令第699号).
_TEXT_WORDS = (
    _TITLE_ENDS
    + _LEAD_VERBS
    + (
        "颁布",
        "文件",
        "以及",
        "作出",
        "下发",
        "转发",
        "的",
        "号",
    )
)
# A 机关代字 (国办发, 黔府办发, 国卫医发) never holds these: it starts after the last one.
_CODE_BREAKS = _TEXT_WORDS + (
    "及",
    "与",
    "和",
    "或",
    "并",
    "将",
    "对",
    "在",
    "见",
    "于",
    "至",
    "以",
    "由",
    "即",
    "为",
    "令",
)
# Names of issuing bodies written before their 机关代字 (示例市人民政府示政发〔2015〕3号):
# the code starts after the last one, provided at least two characters remain.
_BODY_ENDS = (
    "人民政府",
    "政府",
    "国务院",
    "委员会",
    "常委会",
    "办公厅",
    "办公室",
    "总局",
    "部",
    "署",
    "厅",
    "局",
)
_CODE_LEN = (2, 8)
# A one-character code exists (最高人民法院's 法〔2019〕261号) but these are never one.
_NOT_CODE = set(_LEAD_INS) | {"年", "第", "令", "字", "文", "条", "款"}
# An issuer never ends like this: 命令 / 法令 / 指令 are words, not 令号.
_NOT_ISSUER_END = ("命", "法", "指", "口", "禁", "号", "政")


def _cut_after(text: str, words: tuple[str, ...], keep: int = 0) -> str:
    """`text` after the last occurrence of any of `words` that leaves at least `keep` characters.

    With `keep` (cutting a body's name off a code), a one-character word must end a name.
    """
    cut = 0
    for word in words:
        pos = text.rfind(word)
        while pos >= 0:
            end = pos + len(word)
            short_ok = len(word) > 1 or not keep or _ends_body_name(text, pos)
            if len(text) - end >= keep and short_ok:
                cut = max(cut, end)
                break
            pos = text.rfind(word, 0, pos)
    return text[cut:]


def _ends_body_name(text: str, pos: int) -> bool:
    """Whether the one-character body end at `pos` closes a name (公安部|公通字).

    Not when nothing names a body before it, when the code repeats it (海关总署|署法发),
    or when a joint code follows (工信部联企业).
    """
    return pos >= 2 and text[pos - 1] != text[pos] and text[pos + 1 : pos + 2] != "联"


def _strip_lead_ins(issuer: str) -> str:
    """Drop lead-in words at the start (根据, 以, 和 …) while at least two characters remain."""
    changed = True
    while changed:
        changed = False
        for word in _LEAD_INS:
            rest = issuer[len(word) :]
            # 经济…, 对外贸易经济合作部: the word is the start of the body's own name
            if word == "对" and rest.startswith("外"):
                continue
            if issuer.startswith(word) and len(rest) >= 2 and not rest.startswith("济"):
                issuer, changed = rest, True
    return issuer


def _trim_issuer(issuer: str, kind: str) -> str | None:
    """The issuer part of a number found in running text, or None if it is not one.

    A 发文字号's 机关代字 is a short code (国办发, 黔府办发, 国卫医发): text and the name
    of the body before it are dropped. A 令号 / 公告 starts at the issuing body's name.
    """
    if kind == "bracket":
        code = _strip_lead_ins(_cut_after(issuer, _CODE_BREAKS))
        code = _cut_after(code, _BODY_ENDS, keep=_CODE_LEN[0])
        low, high = _CODE_LEN
        if len(code) == 1 and code not in _NOT_CODE:
            return code
        return code if low <= len(code) <= high else None
    issuer = _strip_lead_ins(_cut_after(issuer, _TEXT_WORDS, keep=2))
    if len(issuer) < 2 or issuer.endswith(_NOT_ISSUER_END):
        return None
    return issuer


def _number(raw: str) -> int | None:
    value = cn_to_int(raw)
    return value if value is not None and 0 < value < 100_000 else None


def _year(m: re.Match[str]) -> int | None:
    raw = m.groupdict().get("year") or m.groupdict().get("year2") or ""
    value = int(raw.translate(FULLWIDTH_DIGITS))
    return value if 1949 <= value <= 2100 else None


# One name per issuing body in 令号 and 公告 numbers, however a text writes it: the
# state's name before a national body is dropped (中华人民共和国主席令 -> 主席令,
# 中华人民共和国住房和城乡建设部令 -> 住房和城乡建设部令), and so is 原 ("former": 原国家
# 工商行政管理总局令); the State Council's own abbreviation 国令 (the 文号 on its pages)
# is its name, 国务院令.
_STATE = "中华人民共和国"
_ORDER_ISSUER_ALIASES = {"国": "国务院"}


def _order_issuer(issuer: str) -> str:
    if issuer.startswith(_STATE) and len(issuer) > len(_STATE):
        issuer = issuer[len(_STATE) :]
    if issuer.startswith("原") and len(issuer) > 2:
        issuer = issuer[1:]
    return _ORDER_ISSUER_ALIASES.get(issuer, issuer)


def _canonical(name: str, issuer: str, m: re.Match[str]) -> str | None:
    kind = m.groupdict().get("kind") or ""
    num = _number(m["num"])
    if num is None or not issuer:
        return None
    if kind:
        issuer = _order_issuer(issuer)
    if name == "order_year":
        year = _year(m)
        return None if year is None else f"{issuer}{kind}{year}年第{num}号"
    if name in ("order", "order_suffix"):
        return f"{issuer}{kind}第{num}号"
    year = _year(m)
    if year is None or issuer.endswith(("令", "公告")):
        return None
    return f"{issuer}〔{year}〕{num}号"


def normalize_doc_number(s: str) -> str | None:
    """A whole string that is a 发文字号 / 令号 / 公告 number -> canonical form; else None."""
    text = re.sub(r"\s+", "", (s or "").replace("\u200b", "")).translate(FULLWIDTH_DIGITS)
    if not text:
        return None
    for name, pattern in _PATTERNS:
        m = pattern.fullmatch(text)
        if m:
            kind = m.groupdict().get("kind")
            if kind and m["issuer"].endswith(_NOT_ISSUER_END):
                return None
            # A whole-string 发文字号 may carry its body's name (示例市人民政府示政发〔2015〕3号).
            issuer = m["issuer"] if kind else _trim_issuer(m["issuer"], "bracket")
            return _canonical(name, issuer, m) if issuer else None
    return None


def find_doc_numbers(text: str) -> list[tuple[str, str]]:
    """Every document number inside running text: (canonical, raw), in text order, no overlaps."""
    text = text or ""
    found: list[tuple[int, int, str]] = []
    for name, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            issuer = _trim_issuer(m["issuer"], m.groupdict().get("kind") or name)
            if issuer is None:
                continue
            start = m.end("issuer") - len(issuer)
            if any(s < m.end() and start < e for s, e, _ in found):
                continue
            canon = _canonical(name, issuer, m)
            if canon:
                found.append((start, m.end(), canon))
    found.sort()
    return [(canon, text[s:e]) for s, e, canon in found]
