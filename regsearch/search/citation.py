"""Citations in a query: a law's name (full, short, 简称, common abbreviation) + 第N条 (+款/项).

People write `刑法第二百六十四条`, `《中华人民共和国刑法》第264条`, `刑法264条`,
`民法典第一千零七十九条`, `劳动合同法第三十九条第二项`, `个保法第十三条`, inside a
longer question or alone. This module is pure (no index): it finds article numbers
anywhere in a query, and resolves the words before them, or a query that is only a
name, against `LawNames`, a table learned from the documents themselves:

- every title, by its key: the title without 中华人民共和国, brackets and spaces
  (`刑法`, `道路交通安全法实施条例`);
- the 简称 clauses that texts carry for the laws they cite,
  `《中华人民共和国土地管理法》（以下简称《土地管理法》）`, when the name they define
  is not a title itself;
- abbreviations made the way Chinese legal abbreviations are made (个保法, 民诉法,
  道交法, 治安处罚法): pieces taken in order from the start of the words of a
  national law's name, its last word's head (个税法), the suffix kept. Titles are
  the only input, so a new law is abbreviated without anyone listing it.

`LawNames` is built from `NamedText(title, level, body)` rows (`learn_names`), so any
engine can feed it from its stored documents; the index side builds it once per index
generation (see `regsearch.search.catalog`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from regsearch.text.numerals import cn_to_int, int_to_cn

PREFIX = "中华人民共和国"
NATIONAL_LEVELS = frozenset({"宪法", "法律", "行政法规", "监察法规"})
# What a law's name ends with; the longest first.
NAME_SUFFIXES = (
    "实施条例",
    "实施细则",
    "实施办法",
    "条例",
    "法典",
    "规定",
    "办法",
    "细则",
    "规则",
    "解释",
    "法",
)
ABBREVIATED_SUFFIXES = ("条例", "法")  # the names people abbreviate
IMPLEMENTING = ("实施条例", "实施细则", "实施办法")
_MARKS = str.maketrans("", "", "《》〈〉<>「」『』“”\"' \t\u3000\xa0")
_BRACKETS = str.maketrans("()[]【】［］﹝﹞〖〗（）", "〔〕〔〕〔〕〔〕〔〕〔〕〔〕")
_NUM = r"[0-9]+|[零〇一二两三四五六七八九十百千]+"
ARTICLE_RE = re.compile(
    rf"(?P<di>第)?[ \t\u3000]*(?P<n>{_NUM})[ \t\u3000]*条(?![例件约])"
    rf"(?:[ \t\u3000]*之[ \t\u3000]*(?P<sub>{_NUM}))?"
    rf"(?:[ \t\u3000]*第?[ \t\u3000]*(?P<kuan>{_NUM})[ \t\u3000]*款)?"
    rf"(?:[ \t\u3000]*第?[ \t\u3000]*[〔(（]?(?P<xiang>{_NUM})[〕)）]?[ \t\u3000]*项)?"
)
# Between two article numbers of one law: 第二百六十四条、第二百六十六条 / 和第…条.
_JOIN_RE = re.compile(
    r"^[ \t\u3000]*(?:、|，|,|和|及|与|以及|或|或者|至|到|-|—|～|~)?[ \t\u3000]*$"
)
_ALIAS_RE = re.compile(
    r"《([^《》]{2,80})》\s*[（(]\s*(?:以下|下文)?简称\s*[“\"《「]?([^）)”\"》」]{2,24})[”\"》」]?\s*[）)]"
)
_HAN_RE = re.compile(r"[\u4e00-\u9fff]")
_QUOTED_RE = re.compile(r"《([^《》]{2,80})》")
LEFT_CONTEXT = 48  # characters before an article number searched for a law's name
# Words around a bare name that do not change what is asked for (刑法全文, 最新 民法典).
_NAME_NOISE = ("最新版本", "最新版", "最新", "现行", "全文", "原文", "条文", "文本")


def law_key(name: str) -> str:
    """A law's name in one comparable form: NFKC, no marks or spaces, one bracket style,
    without 中华人民共和国 (its titles and the way people write them differ in these)."""
    text = unicodedata.normalize("NFKC", name or "").translate(_MARKS).translate(_BRACKETS)
    stripped = text.replace(PREFIX, "")
    return (stripped or text).lower()


@dataclass(frozen=True)
class ArticleRef:
    """One article number as written in a query, and its canonical form."""

    number: str  # canonical: 第十七条之一
    ordinal: int  # 17
    paragraph: int | None = None  # 款
    item: int | None = None  # 项
    start: int = 0  # its span in the query
    end: int = 0
    has_di: bool = True  # written with 第 (264条 is only an article after a law's name)


@dataclass(frozen=True)
class NameMatch:
    """A resolved law name: its key, and how it was recognized."""

    key: str
    how: str  # exact | part | alias | abbreviation | implementing
    text: str = ""  # as written


@dataclass(frozen=True)
class Citation:
    """A law (resolved) and, when given, one of its articles."""

    law: NameMatch
    article: ArticleRef | None
    start: int
    end: int


@dataclass(frozen=True)
class NamedText:
    """What `learn_names` reads of one stored document."""

    title: str
    level: str = ""
    body: str = ""


def article_refs(text: str) -> list[ArticleRef]:
    """Every article number in `text` (第二百六十四条, 第264条, 264条, 第十七条之一, 第三十九条
    第二项), canonical, with its span; malformed numerals are skipped."""
    out = []
    norm = unicodedata.normalize("NFKC", text or "")
    if len(norm) != len(text or ""):
        norm = text or ""  # spans must index the text as given
    for m in ARTICLE_RE.finditer(norm):
        main = cn_to_int(m["n"])
        if not main or main > 5000:
            continue
        number = f"第{int_to_cn(main)}条"
        if m["sub"]:
            sub = cn_to_int(m["sub"])
            if not sub:
                continue
            number += f"之{int_to_cn(sub)}"
        out.append(
            ArticleRef(
                number=number,
                ordinal=main,
                paragraph=cn_to_int(m["kuan"]) if m["kuan"] else None,
                item=cn_to_int(m["xiang"]) if m["xiang"] else None,
                start=m.start(),
                end=m.end(),
                has_di=bool(m["di"]),
            )
        )
    return out


def _default_segment(text: str) -> list[tuple[int, int]]:
    from regsearch.index.analyzer import tokenize

    return [(s, e) for _t, _p, s, e in tokenize(text, "body")]


@dataclass
class _Abbreviable:
    key: str
    suffix: str
    stem: str
    starts: frozenset[int]
    ends: frozenset[int]
    chars: frozenset[str]


@dataclass
class LawNames:
    """Names of the laws of one corpus: keys, learned 简称 aliases, abbreviation rules."""

    levels: dict[str, str] = field(default_factory=dict)  # key -> level (the highest)
    # Laws the texts cite (《中华人民共和国合同法》) that have no document here: a name
    # that is one of them names that law, never an abbreviation of another one.
    absent: set[str] = field(default_factory=set)
    aliases: dict[str, str] = field(default_factory=dict)  # alias key -> law key
    cited: Counter[str] = field(default_factory=Counter)  # key -> documents citing it
    segment: Callable[[str], list[tuple[int, int]]] = _default_segment
    _abbreviable: dict[str, list[_Abbreviable]] | None = None

    def __contains__(self, key: str) -> bool:
        return key in self.levels

    # -- resolving a name ------------------------------------------------------
    def resolve(self, text: str) -> NameMatch | None:
        """The law `text` names, if it is a whole name (exact, part, alias, abbreviation)."""
        key = law_key(text)
        if len(key) < 2 or not _HAN_RE.search(key):
            return None
        exact = self._exact(text)
        if exact is not None:
            return exact
        if key in self.absent:
            return None
        for tail in IMPLEMENTING:
            if key.endswith(tail) and len(key) > len(tail) + 1:
                base = self.resolve(key[: -len(tail)])
                if base is not None and base.key + tail in self.levels:
                    return NameMatch(base.key + tail, "implementing", text)
        found = self.abbreviation(key)
        return NameMatch(found, "abbreviation", text) if found else None

    def abbreviation(self, key: str) -> str | None:
        """The national law `key` abbreviates (个保法 -> 个人信息保护法), or None."""
        suffix = next((s for s in ABBREVIATED_SUFFIXES if key.endswith(s)), None)
        if suffix is None or len(key) > 12:
            return None
        short = key[: -len(suffix)]
        if not short or not all(_HAN_RE.match(ch) for ch in short):
            return None
        best: tuple[tuple[int, ...], str] | None = None
        for cand in self._abbreviables().get(suffix, []):
            if len(cand.stem) <= len(short) or not set(short) <= cand.chars:
                continue
            pieces = _split_abbreviation(short, cand.stem, cand.starts)
            if pieces is None:
                continue
            at_start = pieces[0][0] == 0
            if len(pieces) == 1 and not _whole_words(pieces[0], cand):
                continue  # 消法 is not 消防法, 交通法 not 道路交通安全法
            rank = (
                int(at_start),
                level_rank(self.levels.get(cand.key, "")),
                self.cited.get(cand.key, 0),
                -len(cand.stem),
            )
            if best is None or (rank, cand.key) > best:
                best = (rank, cand.key)
        return best[1] if best else None

    def _abbreviables(self) -> dict[str, list[_Abbreviable]]:
        if self._abbreviable is None:
            out: dict[str, list[_Abbreviable]] = defaultdict(list)
            for key, level in self.levels.items():
                if level not in NATIONAL_LEVELS:
                    continue
                suffix = next((s for s in ABBREVIATED_SUFFIXES if key.endswith(s)), None)
                if suffix is None or any(key.endswith(t) for t in IMPLEMENTING):
                    continue
                stem = key[: -len(suffix)]
                if len(stem) < 2 or not all(_HAN_RE.match(ch) for ch in stem):
                    continue
                spans = self.segment(stem)
                starts = frozenset({s for s, _e in spans} | {0})
                ends = frozenset({e for _s, e in spans} | {len(stem)})
                out[suffix].append(_Abbreviable(key, suffix, stem, starts, ends, frozenset(stem)))
            self._abbreviable = dict(out)
        return self._abbreviable

    # -- finding names in a query ----------------------------------------------
    def name_before(self, text: str, end: int) -> tuple[NameMatch, int] | None:
        """The longest law name ending at `end` in `text` (before an article number), and
        where it starts."""
        begin = max(0, end - LEFT_CONTEXT)
        left = text[begin:end].rstrip(" \t\u3000的")
        if not left:
            return None
        # The longest name wins (劳动仲裁法 over 仲裁法): at each length an exact name (a
        # title, a part, a 简称) anywhere, an abbreviation only from a word start of the
        # query (so 下仲裁法 in 问一下仲裁法 is never tried) and only when short.
        starts = {s for s, _e in self.segment(left)} | {0}
        for size in range(len(left), 1, -1):
            piece = left[-size:]
            match = self._exact(piece)
            if match is None and size <= 10 and len(left) - size in starts:
                match = self.resolve(piece)
            if match is not None:
                return match, begin + len(left) - size
        return None

    def _exact(self, text: str) -> NameMatch | None:
        """A title's key, a part of one (民法典婚姻家庭编, 民法典第五编), or a learned 简称."""
        key = law_key(text)
        if key in self.levels:
            return NameMatch(key, "exact", text)
        law = self._law_of_part(key)
        if law is not None:
            return NameMatch(law, "part", text)
        if key in self.aliases:
            return NameMatch(self.aliases[key], "alias", text)
        return None

    def _law_of_part(self, key: str) -> str | None:
        """`民法典` for `民法典婚姻家庭编` / `民法典第五编`: a law's key, then one 编."""
        if not key.endswith("编"):
            return None
        for cut in range(len(key) - 2, 1, -1):
            part = key[cut:]
            if len(part) <= 9 and key[:cut] in self.levels and _HAN_RE.match(part):
                return key[:cut]
        return None

    def citations(self, text: str) -> list[Citation]:
        """Every law + article the query cites, in order. An article number right after
        another one of the same law (第二百六十四条、第二百六十六条) belongs to it."""
        out: list[Citation] = []
        for ref in article_refs(text):
            found = self.name_before(text, ref.start)
            if found is not None:
                law, start = found
            elif (
                out
                and out[-1].article is not None
                and _JOIN_RE.match(text[out[-1].end : ref.start])
            ):
                law, start = out[-1].law, ref.start
            else:
                continue
            out.append(Citation(law, ref, start, ref.end))
        return out

    def named_law(self, text: str) -> NameMatch | None:
        """The law a query names when it is only a name (刑法, 《民法典》, 个保法, 中华人民共和国
        公司法 全文); None for anything else."""
        q = law_key(text)
        for word in _NAME_NOISE:
            if q.startswith(word) and len(q) > len(word) + 1:
                q = q[len(word) :]
            if q.endswith(word) and len(q) > len(word) + 1:
                q = q[: -len(word)]
        exact = self._exact(q)
        if exact is not None:
            return exact
        if not q.endswith(NAME_SUFFIXES):
            return None
        return self.resolve(q)


def _split_abbreviation(
    short: str, stem: str, starts: frozenset[int]
) -> list[tuple[int, int]] | None:
    """Spans of `stem` whose concatenation is `short`, each starting at a word start (or,
    the last one, ending the stem: 个税 <- 个人所得税), in order; None if there are none."""
    n, m = len(short), len(stem)

    def go(i: int, pos: int) -> list[tuple[int, int]] | None:
        if i == n:
            return []
        for b in range(pos, m):
            if stem[b] != short[i]:
                continue
            # The longest piece from b first: whole words before single characters.
            k = 0
            while i + k < n and b + k < m and stem[b + k] == short[i + k]:
                k += 1
            for size in range(k, 0, -1):
                ends_stem = b + size == m and i + size == n
                if b not in starts and not ends_stem:
                    continue
                rest = go(i + size, b + size)
                if rest is not None:
                    return [(b, b + size), *rest]
        return None

    return go(0, 0)


def _whole_words(piece: tuple[int, int], cand: _Abbreviable) -> bool:
    """A one-piece abbreviation keeps whole words: the stem's first words (治安法 <-
    治安管理处罚法) or its last two or more (土地承包法 <- 农村土地承包法; one last word
    is too little: 合同法 is not 劳动合同法, 交通法 not 国防交通法)."""
    start, end = piece
    if start == 0:
        return end in cand.ends
    two_words = any(start < b < end for b in cand.starts)
    return end == len(cand.stem) and start in cand.starts and two_words


_LEVEL_ORDER = ("宪法", "法律", "行政法规", "监察法规", "司法解释", "部门规章")


def level_rank(level: str) -> int:
    return len(_LEVEL_ORDER) - _LEVEL_ORDER.index(level) if level in _LEVEL_ORDER else 0


def learn_names(
    texts: Iterable[NamedText], segment: Callable[[str], list[tuple[int, int]]] | None = None
) -> LawNames:
    """The name table of a corpus: every title's key (with its highest level), the 简称
    aliases its texts define for titles it holds, and how many texts cite each title."""
    names = LawNames() if segment is None else LawNames(segment=segment)
    bodies: list[str] = []
    quoted: set[str] = set()
    for t in texts:
        if t.body:
            bodies.append(t.body)
        key = law_key(t.title)
        if len(key) < 2:
            continue
        old = names.levels.get(key)
        if old is None or level_rank(t.level) > level_rank(old):
            names.levels[key] = t.level
        quoted.update(law_key(m) for m in _QUOTED_RE.findall(t.title))
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for body in bodies:
        cited_here: set[str] = set()
        for m in _ALIAS_RE.finditer(body):
            target, alias = law_key(m[1]), law_key(m[2])
            if target not in names.levels:
                continue
            cited_here.add(target)
            if _good_alias(alias, target, names):
                votes[alias][target] += 1
        for m in _QUOTED_RE.finditer(body):
            k = law_key(m[1])
            if k in names.levels:
                cited_here.add(k)
            else:
                quoted.add(k)
        names.cited.update(cited_here)
    names.absent = {
        k for k in quoted if k not in names.levels and k.endswith(("法", "条例", "法典"))
    }
    for alias, targets in votes.items():
        (top, n), *rest = targets.most_common(2) + [("", 0)]
        if n <= rest[0][1]:
            continue  # texts disagree on what it names
        # A tail of the name (监督法 for 各级人民代表大会常务委员会监督法) only when no other
        # title ends the same way: 企业法 or 暂行规定 name nothing in particular.
        if top.endswith(alias) and sum(k.endswith(alias) for k in names.levels) > 1:
            continue
        names.aliases[alias] = top
    return names


def _good_alias(alias: str, target: str, names: LawNames) -> bool:
    """A 简称 worth keeping: a law-like name (ends like one, more than its suffix, not
    本法/该条例), not a title of its own, not the target itself."""
    if alias == target or alias in names.levels or alias.startswith(("本", "该", "此")):
        return False
    suffix = next((s for s in NAME_SUFFIXES if alias.endswith(s)), None)
    return suffix is not None and len(alias) >= len(suffix) + 2 and bool(_HAN_RE.match(alias))
