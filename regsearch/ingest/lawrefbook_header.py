"""The header of a LawRefBook file: title lines and `YYYY年M月D日 事件` history lines.

Real headers are messy: event lines broken inside a 《…》 title, the title
repeated over two lines, lines with no date (`中央军委发布`, `发布之日施行`),
several events on one line. Each is handled and reported, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from regsearch.ingest.dates import find_dates, parse_date

_H1 = re.compile(r"^#\s+(.*)$")
_LEAD_DATE = re.compile(
    r"^(?P<d>[0-9０-９]{4}\s*年\s*[0-9０-９]{1,2}\s*月\s*[0-9０-９]{1,2}\s*日|\d{4}-\d{1,2}-\d{1,2})\s*(?P<rest>.*)$"
)
_OPENERS = "《〈<"
_CLOSERS = "》〉>"
_PUBLISH = re.compile(r"公布|发布|公告")
_EFFECTIVE = re.compile(r"施行")
_ON_PUBLISH = re.compile(r"(?:公布|发布)之日(?:起)?施行|公布施行|发布施行")
_ADOPT = re.compile(r"通过|修订|修正|修改")
_CN_NUM = "一二三四五六七八九十百零〇0-9"

# Bodies that make or publish laws, found in event text (after 《…》 titles are removed).
_ORG_PATTERNS: list[tuple[re.Pattern[str], str | None]] = [
    (re.compile(r"全国人民代表大会(?P<sc>常务委员会)?"), "national"),
    (
        re.compile(
            rf"(?P<place>[\u4e00-\u9fff]{{2,20}}?(?:省|市|自治区|自治州|自治县|县|区|州|盟))"
            rf"第[{_CN_NUM}]+届人民代表大会(?P<sc>常务委员会)?"
        ),
        "local",
    ),
    (re.compile(r"最高人民法院"), None),
    (re.compile(r"最高人民检察院"), None),
    (re.compile(r"国务院"), None),
    (re.compile(r"中央军事委员会|中央军委"), None),
    (re.compile(r"(?:中华人民共和国)?(?P<org>[\u4e00-\u9fff]{2,20}?)令第"), "order"),
    (re.compile(r"^(?P<org>[\u4e00-\u9fff]{2,20}?)(?:发布|公布)$"), "order"),
]


@dataclass
class Event:
    date: str | None
    text: str


@dataclass
class Header:
    title: str | None = None
    subtitle: str | None = None
    events: list[str] = field(default_factory=list)  # history lines as written (joined)
    parsed: list[Event] = field(default_factory=list)
    publish: str | None = None
    effective: str | None = None
    written: str | None = None
    authority: str | None = None
    co_authorities: list[str] = field(default_factory=list)
    publish_events: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _unbalanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth -= 1
    return depth > 0


def _opens_with_closer(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth -= 1
            if depth < 0:
                return True
    return False


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def strip_titles(text: str) -> str:
    """`text` without any 《…》 span (nested brackets included)."""
    out: list[str] = []
    depth = 0
    for ch in text:
        if ch in "《<":
            depth += 1
        elif ch in "》>" and depth:
            depth -= 1
        elif not depth:
            out.append(ch)
    return "".join(out)


def _split_events(line: str, lead: re.Match[str]) -> list[Event]:
    """One history line may hold several events: split at dates that follow a space or ；."""
    first = parse_date(lead["d"])
    rest = lead["rest"]
    cuts = [s for _, s, _ in find_dates(rest) if s > 0 and rest[s - 1] in " \t；;，,（("]
    if not cuts:
        return [Event(first, rest.strip())]
    events = [Event(first, rest[: cuts[0]].strip(" ；;，,（("))]
    for i, start in enumerate(cuts):
        end = cuts[i + 1] if i + 1 < len(cuts) else len(rest)
        segment = rest[start:end].strip(" ；;，,")
        dates = find_dates(segment)
        date = dates[0][0] if dates else None
        text = segment[dates[0][2] :].strip() if dates else segment
        events.append(Event(date, text))
    return events


def parse_header(head: str) -> Header:
    """Read the part of a file before `<!-- INFO END -->`."""
    header = Header()
    titles: list[str] = []
    lines: list[str] = []  # history lines as written
    events: list[list[Event]] = []
    for raw in head.split("\n"):
        line = re.sub(r"<!--.*?-->", "", raw).strip()
        if not line or re.fullmatch(r"-{3,}", line):
            continue
        h1 = _H1.match(line)
        if h1:
            if h1.group(1).strip():
                titles.append(h1.group(1).strip())
            continue
        lead = _LEAD_DATE.match(line)
        if lead and parse_date(lead["d"]):
            lines.append(line)
            events.append(_split_events(line, lead))
            continue
        if lines and (_unbalanced(lines[-1]) or _opens_with_closer(line)):
            header.warnings.append(f"表头事件行在《…》标题中间断开，已与上一行合并：{line}")
            lines[-1] += line
            events[-1][-1].text += line
            continue
        if not lines and titles and _squash(line) in _squash(titles[0]):
            header.warnings.append(f"表头行重复了标题的一部分，已忽略：{line}")
            continue
        header.warnings.append(f"表头行不是日期：{line}")
        lines.append(line)
        events.append([Event(None, line)])
    if titles:
        header.title = titles[0]
        if len(titles) > 1:
            header.subtitle = " ".join(titles[1:])
            header.warnings.append(
                f"有 {len(titles)} 个一级标题，后面的作为副标题：{header.subtitle}"
            )
    header.events = lines
    header.parsed = [e for group in events for e in group]
    _dates(header)
    _authority(header)
    return header


def _dates(header: Header) -> None:
    publish: str | None = None
    adopt: str | None = None
    effective: str | None = None
    on_publish = False
    last_dated: str | None = None
    for ev in header.parsed:
        text = strip_titles(ev.text)
        if ev.date:
            last_dated = ev.date
        if _PUBLISH.search(text):
            header.publish_events.append(ev.text)
            publish = ev.date or publish
        if _ADOPT.search(text) and ev.date:
            adopt = ev.date
        if _ON_PUBLISH.search(text):
            on_publish = True
            effective = ev.date or effective
        elif _EFFECTIVE.search(text) and "试行" not in text and ev.date:
            effective = ev.date
    header.publish = publish or adopt or last_dated
    header.written = adopt
    if not effective and on_publish:
        effective = header.publish
    header.effective = effective


def _orgs(text: str) -> list[str]:
    """Issuing bodies named in one event, in text order."""
    text = re.sub(r"^(?:经|由)", "", strip_titles(text))
    found: list[tuple[int, str]] = []
    for pattern, kind in _ORG_PATTERNS:
        for m in pattern.finditer(text):
            if kind == "national":
                name = "全国人民代表大会" + (m["sc"] or "")
            elif kind == "local":
                place = re.sub(r"^(?:经|由)", "", m["place"])
                name = place + "人民代表大会" + (m["sc"] or "")
            elif kind == "order":
                name = m["org"]
                if name.startswith(("国务院", "中华人民共和国国务院")):
                    continue
            else:
                name = "中央军事委员会" if m.group(0) == "中央军委" else m.group(0)
            if any(s <= m.start() < s + len(n) for s, n in found):
                continue
            found.append((m.start(), name))
    found.sort()
    names: list[str] = []
    for _, name in found:
        if name not in names:
            names.append(name)
    return names


def _authority(header: Header) -> None:
    """The body named in the first making/publishing event (批准 alone does not make a law)."""
    for ev in header.parsed:
        text = strip_titles(ev.text)
        if "批准" in text and not re.search(r"通过|公布|发布|修订|修正", text):
            continue
        orgs = _orgs(ev.text)
        if orgs:
            header.authority = orgs[0]
            header.co_authorities = orgs[1:]
            return
