"""Dates, 文号 and authority from history lines and body text, shared by the readers.

A history line such as `（2017年12月13日贵州省人民政府令第179号公布 自2018年2月1日起施行）`
or LawRefBook event lines (`2006年6月29日 第十届全国人民代表大会常务委员会第二十二次会议通过`)
is a list of dated events; each event says what happened on its date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from regsearch.ingest.classify import authority_from_doc_number
from regsearch.ingest.dates import find_dates
from regsearch.text.docnum import find_doc_numbers

_PUBLISH = ("公布", "发布", "印发", "颁布")
_AMEND = ("修正", "修订", "修改")
_PASS = ("通过", "批准", "审议")
_FROM_PUBLICATION = re.compile(r"自(公布|发布|印发|颁布)之日起(施行|生效|执行)")
_REVISION_CLAUSE = re.compile(r"根据([^根]{1,300}?)(?:修正|修订|修改)")
_SIGNATURE_DATE = re.compile(r"^\s*[0-9０-９〇零一二三四五六七八九]{4}\s*年[^。，,；;]{1,8}日\s*$")


@dataclass
class Event:
    date: str
    kind: str  # publish | amend | pass | effective | other
    text: str


@dataclass
class HistoryInfo:
    """What a document's history says about itself."""

    events: list[Event] = field(default_factory=list)
    publish_date: str | None = None
    effective_date: str | None = None
    written_date: str | None = None
    doc_number: str | None = None
    doc_number_raw: str | None = None
    authority: str | None = None


def parse_events(text: str) -> list[Event]:
    """Split history text into dated events and say what each one is."""
    found = find_dates(text)
    events: list[Event] = []
    for i, (iso, start, end) in enumerate(found):
        stop = found[i + 1][1] if i + 1 < len(found) else len(text)
        segment = text[end:stop]
        before = text[max(0, start - 2) : start]
        if "施行" in segment[:12] and ("自" in before or segment.lstrip().startswith("起")):
            kind = "effective"
        elif any(w in segment for w in _PUBLISH):
            kind = "publish"
        elif any(w in segment for w in _AMEND):
            kind = "amend"
        elif any(w in segment for w in _PASS):
            kind = "pass"
        elif any(w in segment for w in ("施行", "生效", "实施")):
            kind = "effective"
        else:
            kind = "other"
        events.append(Event(iso, kind, (text[start:end] + segment).strip(" ，,、；;（）()")))
    return events


def _authority_from_pass(text: str) -> str | None:
    """The body that passed a text.

    山东省第十一届人民代表大会常务委员会… -> 山东省人民代表大会常务委员会.
    """
    m = re.search(
        r"([\u4e00-\u9fff]{0,12}?)(?:第[一二三四五六七八九十]+届)?(人民代表大会(?:常务委员会)?)",
        text,
    )
    if m:
        place = re.sub(r"^.*?日|第[一二三四五六七八九十]+届", "", m.group(1))
        return f"{place or '全国'}{m.group(2)}"
    m = re.search(
        r"(国务院|[\u4e00-\u9fff]{2,20}?(?:部|委员会|总局|局|署))第[0-9一二三四五六七八九十百]+次",
        text,
    )
    return m.group(1) if m else None


def parse_history(lines: list[str], file_doc_number: str | None = None) -> HistoryInfo:
    """Publish/effective/written dates, the publishing 文号/令号 and the authority."""
    text = " ".join(lines)
    info = HistoryInfo(events=parse_events(text))
    publish = [e for e in info.events if e.kind == "publish"]
    passed = [e for e in info.events if e.kind == "pass"]
    adopted = [e for e in info.events if e.kind in ("pass", "amend")]
    effective = [e for e in info.events if e.kind == "effective"]
    if publish:
        info.publish_date = publish[0].date
    if adopted:
        info.written_date = adopted[-1].date
    if effective:
        info.effective_date = effective[-1].date
    elif info.publish_date and _FROM_PUBLICATION.search(text):
        info.effective_date = info.publish_date
    # The number of the publishing event first, then any number in the history.
    for event in publish + info.events:
        numbers = find_doc_numbers(event.text)
        if numbers:
            info.doc_number, info.doc_number_raw = numbers[0]
            break
    if not info.doc_number and file_doc_number:
        info.doc_number = file_doc_number
    info.authority = authority_from_doc_number(info.doc_number)
    if not info.authority and passed:
        info.authority = _authority_from_pass(passed[0].text)
    return info


def latest_revision(lines: list[str] | str) -> str | None:
    """The date of the latest 修订/修正/修改 event in history lines, or None if never revised.

    `根据2020年3月27日《国务院关于修改和废止部分行政法规的决定》修订` gives 2020-03-27.
    """
    text = lines if isinstance(lines, str) else " ".join(lines)
    dates = [e.date for e in parse_events(text) if e.kind == "amend"]
    # "根据2012年10月26日…会议通过 …主席令第68号公布 自2013年1月1日起施行的《…决定》第二次修正":
    # the events split at every date; the clause's first date is the revision's.
    for m in _REVISION_CLAUSE.finditer(text):
        found = find_dates(m.group(1))
        if found:
            dates.append(found[0][0])
    return max(dates) if dates else None


def version_date(publish_date: str | None, history: list[str] | str) -> str | None:
    """The date of the version a text is: its latest revision, else its publication.

    A copy of an amended law often keeps the original 公布 date as its publish date; versions
    are ordered by this date instead, so the copy is not taken for an older version.
    """
    known = [d for d in (publish_date, latest_revision(history)) if d]
    return max(known) if known else None


def effective_from_body(body: str, publish_date: str | None) -> str | None:
    """`本办法自2018年2月1日起施行` (the last such sentence) or 自公布之日起施行 -> a date."""
    best: str | None = None
    for iso, start, end in find_dates(body):
        before = body[max(0, start - 3) : start]
        after = body[end : end + 6]
        if "自" in before and re.match(r"\s*起\s*(施行|生效|执行)", after):
            best = iso
    if best:
        return best
    if publish_date and _FROM_PUBLICATION.search(body):
        return publish_date
    return None


def signature_date(body: str) -> str | None:
    """The date on its own line in the last lines of a body (the 成文日期 under the signature)."""
    lines = [ln for ln in body.split("\n") if ln.strip()]
    for line in reversed(lines[-8:]):
        if _SIGNATURE_DATE.match(line):
            dates = find_dates(line)
            if dates:
                return dates[0][0]
    return None


def is_history_line(line: str) -> bool:
    """A header line that records dated events (公布, 通过, 修正, 施行 …)."""
    s = line.strip().strip("*")
    if not s or not find_dates(s[:40]):
        return False
    starts = s[0] in "（(" or re.match(r"^(根据|经)?\s*[0-9０-９〇一二三四五六七八九]{4}\s*年", s)
    keywords = _PUBLISH + _AMEND + _PASS + ("施行", "生效", "实施")
    return bool(starts) and any(k in s for k in keywords)
