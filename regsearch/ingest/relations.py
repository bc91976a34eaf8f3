"""Relations read from one document's text, with targets not yet resolved.

- repeal clauses (`…《XX办法》（X府令第N号）同时废止`) and repeal / 宣布失效
  decisions with their numbered lists -> `repeals` / `declares_expired`;
- amendment decisions (`关于修改…的决定`) -> `amends`;
- 有效期 clauses (`有效期5年`, `有效期至2025年12月31日`) -> an expiry date;
- 《title》 and 文号 citations -> `cites`.

Targets carry a title and/or 文号 only; `linking` resolves them to documents.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterator

from regsearch.ingest.dates import find_dates
from regsearch.ingest.parts import PARTIAL_DECISION, part_after
from regsearch.model import Document, Relation, RelationType
from regsearch.text.docnum import find_doc_numbers
from regsearch.text.numerals import cn_to_int

AMENDS = RelationType.AMENDS.value
PARTIAL = RelationType.PARTIALLY_INVALIDATES.value
_VOIDS = (RelationType.REPEALS.value, RelationType.DECLARES_EXPIRED.value)

_SENTENCE = re.compile(r"[^。；;\n]+[。；;]?")
_REPEAL_CLAUSE = re.compile(r"同时(?:废止|停止执行|失效)|一并废止|予以废止")
# "…与《X》抵触的，同时失效": conflicting provisions lapse, the document named does not.
_CONDITIONAL = re.compile(r"抵触|不一致|相冲突|不符")
# Titles listed one after another before a title: 根据《A》、《B》和《C》 -> 根据.
_SERIES_BEFORE = re.compile(
    r"(?:《[^《》]*(?:《[^《》]*》[^《》]*)*》\s*(?:[、，,和及与以及]|等)?\s*)+$"
)
# New wording quoted in an amendment (将第一条修改为：“根据《公司法》……”): never a target.
_QUOTE_OPEN, _QUOTE_CLOSE = "“「『", "”」』"
# An amendment decision's line names a target only with an amending verb outside quotes.
_AMEND_VERB = re.compile(r"修改|修正|修订|删去|删除|增加|增写|调整|改为|替换|作如下")
_AMEND_REF = re.compile(r"^\s*(?:第[一二三四五六七八九十]+次)?(?:修正|修订|修改)")
_BASIS_BEFORE = re.compile(r"(?:根据|依据|依照|按照|贯彻|落实|遵照)[^《]{0,4}$")
_DOC_TYPES = (
    "法|条例|规定|办法|细则|规则|决定|通知|意见|解释|纲要|方案|规划|标准|制度|章程|公约|协定|条约|"
    "批复|答复|复函|函|令|公告|通告|目录|清单|指南|指引|措施|规范|要求|准则|守则|宪法|修正案|程序|"
    "名录|计划|规程|议定书|决议|答复|解答|纪要|批示"
)
_DOC_TITLE = re.compile(rf"(?:{_DOC_TYPES})(?:[（(][^（()）]*[)）])*$")
_SELF = (
    r"本(?:[\u4e00-\u9fff]{0,4}?)(?:办法|规定|条例|细则|意见|通知|决定|规则|方案|措施|制度|标准|"
    r"政策|文件|规划|纲要|公告|通告|批复|指引|指南|解释|实施意见|法)"
)
_EFFECTIVE_CLAUSE = re.compile(
    rf"{_SELF}[^。；]{{0,30}}?自(?P<when>[^。；，,]{{4,16}}?)起(?:施行|执行|实施|生效)"
)
_EXPIRY_SELF = re.compile(
    rf"{_SELF}(?:的)?(?:有效期|试行期)"
    rf"|{_SELF}[^。；]{{0,30}}?起(?:施行|实施|执行|试行|生效)[，,、]?\s*(?:其)?有效期"
)
_EXPIRY_UNTIL = re.compile(r"有效期(?:限)?(?:至|到|截至|截止(?:至|到)?)")
_EXPIRY_YEARS = re.compile(
    r"有效期(?:限)?(?:为|是)?\s*(?P<n>[0-9０-９]+|[一二三四五六七八九十两]+)\s*年"
)
_HAS_EXPIRY = re.compile("有效期|试行期")
_HAS_EFFECTIVE = re.compile("起(?:施行|执行|实施|生效)")
_HAS_CITATION = re.compile("[《号]")
_TITLE_PREFIX = "中华人民共和国"
_BRACKETS = str.maketrans(
    {"（": "(", "）": ")", "〈": "《", "〉": "》", "<": "《", ">": "》", "［": "[", "］": "]"}
)


def norm_title(title: str | None) -> str:
    """A title key for matching: no white space, one bracket style, no 中华人民共和国 prefix."""
    t = re.sub(r"\s+", "", title or "").translate(_BRACKETS).strip('《》"“”')
    t = t.replace("《" + _TITLE_PREFIX, "《")
    return t[len(_TITLE_PREFIX) :] if t.startswith(_TITLE_PREFIX) else t


def sentences(text: str, needle: re.Pattern[str] | None = None) -> Iterator[tuple[str, int]]:
    """(sentence, start offset) for each sentence of `text`, or only of lines matching `needle`."""
    text = text or ""
    if needle is None:
        spans = [(0, len(text))]
    else:
        spans = []
        for m in needle.finditer(text):
            if spans and m.start() < spans[-1][1]:
                continue  # same line as the previous match
            line_end = text.find("\n", m.end())
            spans.append(
                (text.rfind("\n", 0, m.start()) + 1, len(text) if line_end < 0 else line_end)
            )
    for line_start, line_end in spans:
        for m in _SENTENCE.finditer(text, line_start, line_end):
            sentence = m.group(0).strip()
            if sentence:
                yield sentence, m.start()


def top_titles(text: str) -> list[tuple[str, int, int]]:
    """Outermost 《…》 spans: (inner title, start, end after 》); nested 《〈…〉》 kept inside."""
    out: list[tuple[str, int, int]] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        if ch == "《":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0:
                out.append((text[start + 1 : i].strip(), start, i + 1))
    return out


def _is_doc_title(title: str) -> bool:
    return bool(title) and len(title) <= 120 and bool(_DOC_TITLE.search(re.sub(r"\s+", "", title)))


def _numbers(text: str) -> list[tuple[str, int, int]]:
    """(canonical 文号, start, end) in `text`."""
    out: list[tuple[str, int, int]] = []
    pos = 0
    for canon, raw in find_doc_numbers(text):
        start = text.find(raw, pos)
        if start < 0:
            start = text.find(raw)
        out.append((canon, start, start + len(raw)))
        pos = start + len(raw)
    return out


Target = tuple[str | None, str | None, str | None]  # (title, 文号, part such as 第五章)


def _targets(text: str, self_key: str, *, skip_basis: bool, item: bool = False) -> list[Target]:
    """(title, 文号, part) targets named in `text`: titles with their 文号, and bare 文号.

    A title's 文号 is in the parenthesis after it (《X》（黔府发〔2020〕1号）) or just
    before it (北京市人民政府第14号令发布的《X》). `part` is the part of the target a
    repeal names (《X》第五章同时废止), else None; `item` reads a decision's list line.
    """
    found: list[Target] = []
    numbers = _numbers(text)
    used: set[int] = set()
    for title, start, end in top_titles(text):
        number = None
        paren = re.match(r"\s*[（(][^（()）]*[)）]", text[end:])
        for i, (canon, s, e) in enumerate(numbers):
            inside = start <= s < end  # a 文号 inside a title is part of the title
            after = paren and end <= s and e <= end + paren.end()
            gap = text[e:start] if e <= start else ""
            before = e <= start and len(gap) <= 10 and not re.search(r"[《》、，,；;。]", gap)
            if i not in used and (inside or after or before):
                used.add(i)
                number = number or (None if inside else canon)
        if _AMEND_REF.match(text[end:]) or "关于修改" in title:
            continue  # 《…关于修改〈X〉的决定》修正: the amending decision, not a target
        if skip_basis and _BASIS_BEFORE.search(_SERIES_BEFORE.sub("", text[:start])):
            continue  # 根据《A》《B》和《C》: each one is a basis, not a target
        if not _is_doc_title(title) or norm_title(title) == self_key:
            continue
        found.append((title, number, part_after(text[end:], item=item)))
    for i, (canon, _, e) in enumerate(numbers):
        if i not in used:
            found.append((None, canon, part_after(text[e:], item=item)))
    return found


def _outside_quotes(lines: list[str]) -> Iterator[str]:
    """Each line without the parts inside quotation marks (which may span lines)."""
    depth = 0
    for line in lines:
        out: list[str] = []
        for ch in line:
            if ch in _QUOTE_OPEN:
                depth += 1
            elif ch in _QUOTE_CLOSE and depth:
                depth -= 1
            elif not depth:
                out.append(ch)
        yield "".join(out)


def _relation(kind: str, title: str | None, number: str | None, evidence: str) -> Relation:
    return Relation(
        type=kind, target_title=title, target_doc_number=number, evidence=evidence[:300]
    )


def _decision_kind(title: str) -> str | None:
    t = norm_title(title)
    if re.search(r"(?:废止|失效)", t) and re.search(r"(?:决定|通知|公告|通告|令)$", t):
        return RelationType.REPEALS.value if "废止" in t else RelationType.DECLARES_EXPIRED.value
    if re.search(r"关于修改.*的决定$", t):
        return AMENDS
    return None


def extract_relations(doc: Document) -> list[Relation]:
    """Repeal, expiry and amendment targets named in `doc` (unresolved)."""
    self_key = norm_title(doc.title)
    rels: list[Relation] = []
    seen: set[tuple[str, str | None, str | None]] = set()

    def add(kind: str, title: str | None, number: str | None, evidence: str) -> None:
        key = (kind, norm_title(title) if title else None, number)
        if key not in seen:
            seen.add(key)
            rels.append(_relation(kind, title, number, evidence))

    def voids(kind: str, part: str | None) -> str:
        """A repeal that names a part of its target voids only that part."""
        return PARTIAL if part and kind in _VOIDS else kind

    kind = _decision_kind(doc.title)
    if kind:
        for title, number, part in _targets(
            doc.title.replace("〈", "《").replace("〉", "》"), "", skip_basis=False
        ):
            add(voids(kind, part), title, number, doc.title)
        # 关于废止部分规章部分条款的决定: every document it lists keeps its other parts
        partial_only = kind in _VOIDS and bool(PARTIAL_DECISION.search(norm_title(doc.title)))
        mode = kind
        for line in _outside_quotes((doc.body or "").split("\n")):
            line = line.strip().lstrip("#").strip()
            if not line:
                continue
            outside = re.sub(r"《[^》]*》", "", line)
            line_mode = None
            if "失效" in outside:
                line_mode = RelationType.DECLARES_EXPIRED.value
            if "废止" in outside and (
                "失效" not in outside or outside.find("废止") > outside.find("失效")
            ):
                line_mode = RelationType.REPEALS.value
            if kind == AMENDS and not line_mode:
                # only a line that amends something names its target (一、修改《X》;
                # 将《X》第三条修改为): a title cited in passing is a citation
                line_mode = AMENDS if _AMEND_VERB.search(outside) else None
                if line_mode is None and not re.match(r"^[一二三四五六七八九十百]+、", line):
                    continue
            targets = _targets(line, self_key, skip_basis=True, item=True)
            if not targets:
                if line_mode and not re.match(r"^本(?:决定|通知)", line):
                    mode = line_mode
                continue
            if kind == AMENDS and line_mode == AMENDS:
                targets = targets[:1]  # "一、将《X》第三条修改为…": the first title is the target
            for title, number, part in targets:
                line_kind = line_mode or mode
                if partial_only and line_kind in _VOIDS:
                    line_kind = PARTIAL
                add(voids(line_kind, part), title, number, line)
        return rels

    for sentence, _ in sentences(doc.body, _REPEAL_CLAUSE):
        if _REPEAL_CLAUSE.search(sentence) and not _CONDITIONAL.search(sentence):
            for title, number, part in _targets(sentence, self_key, skip_basis=True):
                add(voids(RelationType.REPEALS.value, part), title, number, sentence)
    return rels


def _years_later(iso: str, years: int) -> str | None:
    """The day before the `years`-th anniversary of `iso` (有效期N年 ends then)."""
    try:
        d = _dt.date.fromisoformat(iso)
    except ValueError:
        return None
    try:
        anniversary = d.replace(year=d.year + years)
    except ValueError:  # 29 February
        anniversary = _dt.date(d.year + years, 3, 1)
    return (anniversary - _dt.timedelta(days=1)).isoformat()


def extract_expiry(doc: Document) -> str | None:
    """The last day `doc` is valid, from its own 有效期 clause; None when it has none."""
    for sentence, _ in sentences(doc.body, _HAS_EXPIRY):
        if "有效期" not in sentence or not _EXPIRY_SELF.search(sentence):
            continue
        until = _EXPIRY_UNTIL.search(sentence)
        if until:
            dates = [d for d, s, _ in find_dates(sentence) if s >= until.end() - 1]
            if dates:
                return dates[0]
        years = _EXPIRY_YEARS.search(sentence)
        if years:
            n = cn_to_int(years["n"].replace("两", "二"))
            start = effective_from_text(sentence, doc.publish_date) or doc.effective_date
            start = start or doc.publish_date
            if n and start:
                return _years_later(start, n)
    return None


def effective_from_text(text: str, publish: str | None) -> str | None:
    """The date of an `本办法自…起施行` clause; `自公布之日起` gives `publish`."""
    for sentence, _ in sentences(text, _HAS_EFFECTIVE):
        m = _EFFECTIVE_CLAUSE.search(sentence)
        if not m:
            continue
        dates = find_dates(m["when"])
        if dates:
            return dates[0][0]
        if re.search(r"(?:公布|发布|印发|颁布|公告)之日", m["when"]):
            return publish
    return None


def extract_citations(doc: Document, relations: list[Relation] | None = None) -> list[Relation]:
    """Documents `doc` cites by 《title》 or 文号 (deduplicated, no self-citations).

    Targets of its own repeal/amendment `relations` (computed if not given) are not citations.
    """
    self_key = norm_title(doc.title)
    own_number = doc.doc_number
    if relations is None:
        relations = extract_relations(doc)
    skip = {
        (norm_title(r.target_title) if r.target_title else None, r.target_doc_number)
        for r in relations
    }
    skip_titles = {t for t, _ in skip if t}
    skip_numbers = {n for _, n in skip if n}
    rels: list[Relation] = []
    seen_titles: set[str] = set()
    seen_numbers: set[str] = set()
    for sentence, _ in sentences(doc.body, _HAS_CITATION):
        if "《" not in sentence and "号" not in sentence:
            continue
        for title, number, _part in _targets(sentence, self_key, skip_basis=False):
            key = norm_title(title) if title else None
            if key and (key in seen_titles or key in skip_titles):
                continue
            if not key and (not number or number in seen_numbers or number in skip_numbers):
                continue
            if number and number == own_number:
                continue
            if key:
                seen_titles.add(key)
            if number:
                seen_numbers.add(number)
            rels.append(_relation(RelationType.CITES.value, title, number, sentence))
    return rels
