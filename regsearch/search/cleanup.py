"""Cleanup worklists (集中清理): superseded, repealed, expired, expiring, not yet effective,
broken legal bases and duplicates, computed from `Document`s as of a date.

Pure core: it reads documents (from `SearchService.iter_documents()` or straight from
ingest) and returns rows; the CLI and web render them. Statuses are recomputed with
`compute_status` for the requested day, so a report "as of" any date is consistent with search.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from regsearch.errors import BadQuery
from regsearch.ingest.classify import authority_from_doc_number
from regsearch.ingest.identity import copies_in_one_source, version_groups
from regsearch.ingest.relations import norm_title
from regsearch.model import CASE_KIND, Document, Relation, RelationType, SourceRef, Status
from regsearch.status import compute_status, day_after, today

KINDS = (
    "superseded",
    "repealed",
    "expired",
    "expiring",
    "not-yet-effective",
    "broken-basis",
    "duplicates",
)
KIND_LABELS = {
    "superseded": "已被新版本取代",
    "repealed": "已废止",
    "expired": "已失效",
    "expiring": "即将到期",
    "not-yet-effective": "尚未施行",
    "broken-basis": "依据已失效",
    "duplicates": "重复收录",
}
GROUP_BY = ("authority", "level", "region", "collection")
GROUP_LABELS = {
    "authority": "发文机关",
    "level": "效力级别",
    "region": "地区",
    "collection": "集合",
}
UNKNOWN = "（未注明）"  # the document names no issuing body
_IN_FORCE = {Status.IN_FORCE, Status.PARTIALLY_INVALID}
_BROKEN = {Status.REPEALED, Status.EXPIRED, Status.AMENDED}


@dataclass
class CleanupQuery:
    kinds: list[str] = field(default_factory=list)  # empty: every kind
    as_of: str | None = None  # default today
    within: int = 180  # `expiring`: expiry within this many days
    authority: list[str] = field(default_factory=list)
    level: list[str] = field(default_factory=list)
    region: list[str] = field(default_factory=list)
    collection: list[str] = field(default_factory=list)
    group_by: str | None = None  # authority | level | region | collection


@dataclass
class CleanupRow:
    kind: str
    id: str
    title: str
    doc_number: str | None
    authority: str | None
    level: str | None
    region: str | None
    collection: str | None
    status: str  # the document's status as of the report day
    publish_date: str | None
    since: str | None  # when the reason took effect
    evidence: str  # the clause or metadata that caused it
    target_id: str | None = None  # successor, repealing document, cited or duplicate document
    target_title: str | None = None
    target_doc_number: str | None = None
    target_status: str | None = None  # broken-basis: what happened to the cited document


ROW_FIELDS = [f.name for f in dataclasses.fields(CleanupRow)]


@dataclass
class CleanupGroup:
    value: str
    total: int
    counts: dict[str, int]


@dataclass
class CleanupReport:
    as_of: str
    kinds: list[str]
    rows: list[CleanupRow]
    counts: dict[str, int]  # per kind, every requested kind (0 included)
    groups: list[CleanupGroup] = field(default_factory=list)
    group_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _check_query(query: CleanupQuery) -> tuple[list[str], str]:
    """The kinds to build and the report day; a malformed query raises BadQuery."""
    unknown = [k for k in query.kinds if k not in KINDS]
    if unknown:
        raise BadQuery(f"未知的清理类别：{'、'.join(unknown)}；可选：{', '.join(KINDS)}")
    if query.group_by and query.group_by not in GROUP_BY:
        raise BadQuery(f"无法按 {query.group_by} 分组；可选：{', '.join(GROUP_BY)}")
    if query.within < 0:
        raise BadQuery(f"--within 必须是非负天数，而不是 {query.within}")
    day = query.as_of or today()
    try:
        _dt.date.fromisoformat(day)
    except ValueError:
        raise BadQuery(f"日期格式应为 YYYY-MM-DD：{day}（例如 2025-06-01）") from None
    kinds = [k for k in KINDS if k in query.kinds] if query.kinds else list(KINDS)
    return kinds, day


def _exists(doc: Document, day: str) -> bool:
    """Whether `doc` had been published by `day` (a report as of 2019 omits 2021's documents)."""
    return not doc.publish_date or doc.publish_date <= day


def _keep(doc: Document, query: CleanupQuery) -> bool:
    if query.authority and not ({doc.authority, *doc.co_authorities} & set(query.authority)):
        return False
    if query.level and doc.level not in query.level:
        return False
    if query.region and doc.region not in query.region:
        return False
    return not query.collection or doc.collection in query.collection


# "X关于Y的Z": the title names its issuing body X (财政部、国家税务总局关于…的通知).
_TITLE_BODY = re.compile(
    r"^(?P<body>[\u4e00-\u9fff]{2,30}?(?:人民政府办公厅|人民政府办公室|人民政府|人民法院|人民检察院"
    r"|委员会|办公厅|办公室|总局|部|局|署|院|厅|委|会))(?:、[\u4e00-\u9fff]{2,30})*关于"
)


def issuing_body(doc: Document) -> str | None:
    """The issuing body a report lists a document under: its authority, else the first
    co-issuer, else the body its 令号 or 机关代字 names, else the one its title names."""
    if doc.authority or doc.co_authorities:
        return doc.authority or doc.co_authorities[0]
    found = authority_from_doc_number(doc.doc_number)
    if found:
        return found
    m = _TITLE_BODY.match(re.sub(r"\s+", "", doc.title or ""))
    # 某市人民政府办公厅转发市发展改革委关于…: the forwarding office issued it
    return re.split("转发|印发|批转", m["body"])[0] if m else None


def _row(kind: str, doc: Document, status: Status, since: str | None, evidence: str) -> CleanupRow:
    return CleanupRow(
        kind=kind,
        id=doc.id,
        title=doc.title,
        doc_number=doc.doc_number,
        authority=issuing_body(doc),
        level=doc.level,
        region=doc.region,
        collection=doc.collection,
        status=status.value,
        publish_date=doc.publish_date,
        since=since,
        evidence=evidence,
    )


def _with_target(row: CleanupRow, rel: Relation | None) -> CleanupRow:
    if rel is not None:
        row.target_id = rel.target_id
        row.target_title = rel.target_title
        row.target_doc_number = rel.target_doc_number
    return row


def _deciding(doc: Document, kind: RelationType, day: str) -> Relation | None:
    """The earliest relation of `kind` in effect on `day` (one with a known target first)."""
    rels = [r for r in doc.relations if r.type == kind.value and (r.date or "") <= day]
    rels.sort(key=lambda r: (r.date or "", r.target_id is None))
    return rels[0] if rels else None


def _status_rows(doc: Document, status: Status, day: str, within_end: str) -> list[CleanupRow]:
    """superseded / repealed / expired / expiring / not-yet-effective rows of one document."""
    if status == Status.AMENDED:
        rel = _deciding(doc, RelationType.SUPERSEDED_BY, day)
        since, evidence = (rel.date, rel.evidence) if rel else (None, doc.status_evidence)
        return [_with_target(_row("superseded", doc, status, since, evidence), rel)]
    if status == Status.REPEALED:
        rel = _deciding(doc, RelationType.REPEALED_BY, day)
        since = (rel.date if rel else None) or doc.repeal_date
        evidence = (rel.evidence if rel else "") or doc.status_evidence
        return [_with_target(_row("repealed", doc, status, since, evidence), rel)]
    if status == Status.EXPIRED:
        rel = _deciding(doc, RelationType.EXPIRED_BY, day)
        lapsed = day_after(doc.expiry_date) if doc.expiry_date else None
        if lapsed and lapsed <= day and not (rel and (rel.date or "") < lapsed):
            return [_row("expired", doc, status, lapsed, f"有效期至{doc.expiry_date}")]
        evidence = rel.evidence if rel else doc.status_evidence
        return [
            _with_target(_row("expired", doc, status, rel.date if rel else None, evidence), rel)
        ]
    if status == Status.NOT_YET_EFFECTIVE:
        evidence = f"自{doc.effective_date}起施行"
        return [_row("not-yet-effective", doc, status, doc.effective_date, evidence)]
    if status in _IN_FORCE and doc.expiry_date and day <= doc.expiry_date <= within_end:
        left = (_dt.date.fromisoformat(doc.expiry_date) - _dt.date.fromisoformat(day)).days
        evidence = f"有效期至{doc.expiry_date}（还有{left}天）"
        return [_row("expiring", doc, status, doc.expiry_date, evidence)]
    return []


def _broken_basis(
    doc: Document, status: Status, statuses: dict[str, Status], by_id: dict[str, Document]
) -> list[CleanupRow]:
    """One row per citation of `doc` whose target is repealed, expired or superseded."""
    if status not in _IN_FORCE:
        return []
    rows: list[CleanupRow] = []
    for rel in doc.relations:
        if rel.type != RelationType.CITES.value or rel.target_id not in statuses:
            continue
        target_status = statuses[rel.target_id]
        if target_status not in _BROKEN:
            continue
        target = by_id[rel.target_id]
        row = _with_target(_row("broken-basis", doc, status, None, rel.evidence), rel)
        row.target_title = target.title
        row.target_doc_number = target.doc_number
        row.target_status = target_status.value
        row.since = _event_date(target, target_status)
        rows.append(row)
    return rows


def _event_date(doc: Document, status: Status) -> str | None:
    """When `doc` entered `status` (for a cited document)."""
    kind = {
        Status.REPEALED: RelationType.REPEALED_BY,
        Status.EXPIRED: RelationType.EXPIRED_BY,
        Status.AMENDED: RelationType.SUPERSEDED_BY,
    }[status]
    dates = [r.date for r in doc.relations if r.type == kind.value and r.date]
    if status == Status.EXPIRED and doc.expiry_date:
        dates.append(day_after(doc.expiry_date))
    if status == Status.REPEALED and doc.repeal_date:
        dates.append(doc.repeal_date)
    return min(dates) if dates else None


_FIRST_ARTICLE = re.compile(r"第[一1１]条")


def _text_key(doc: Document) -> str:
    """The wording only: sources differ in Markdown marks, punctuation width, white space, a
    table of contents or the title repeated above the text, none of which makes another text."""
    text = unicodedata.normalize("NFKC", doc.body or "")
    first = _FIRST_ARTICLE.search(text)
    if first:  # the articles: not the title, history lines or table of contents above them
        text = text[first.start() :]
    words = re.sub(r"[\W_]+", "", text)
    title = re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", doc.title))
    return hashlib.sha1(words.removeprefix(title).encode("utf-8")).hexdigest()


_VERSION_LINKS = {RelationType.SUPERSEDED_BY.value, RelationType.SUPERSEDES.value}


def _versions_of_each_other(a: Document, b: Document) -> bool:
    """Two versions keeping the original 文号 differ on purpose: not duplicates."""
    return any(r.type in _VERSION_LINKS and r.target_id == b.id for r in a.relations)


def _dup_row(
    doc: Document, status: Status, evidence: str, other: Document | SourceRef
) -> CleanupRow:
    row = _row("duplicates", doc, status, doc.publish_date, evidence)
    row.target_id, row.target_title = other.id, other.title
    row.target_doc_number = other.doc_number if isinstance(other, Document) else doc.doc_number
    return row


def _duplicates(docs: list[Document], statuses: dict[str, Status]) -> list[CleanupRow]:
    """What really is duplicated: one version carried twice by one source, and (when
    records are not merged across sources) one version in several records.

    - a record holding two source documents of one collection (identical files in two
      folders): one row per extra copy;
    - records that identity says are one version (only when merging is off, or a copy
      merging could not place): one row per pair;
    - two documents of one collection that claim to be the same (same 文号, or same title
      and date) with different texts.
    """
    rows: list[CleanupRow] = []
    for doc in docs:
        for collection, refs in copies_in_one_source(doc).items():
            first, *rest = refs
            for ref in rest:
                evidence = (
                    f"同一版本在 {collection} 中收录 {len(refs)} 份：{first.source} 与 {ref.source}"
                )
                rows.append(_dup_row(doc, statuses[doc.id], evidence, ref))
    for group in version_groups(docs):
        members = [docs[i] for i in group]
        lead = members[0]
        for other in members[1:]:
            same = "同一来源" if other.collection == lead.collection else "不同来源"
            evidence = (
                f"同一版本的 {len(members)} 条记录（{same}，未合并）："
                f"{lead.collection}/{lead.source} 与 {other.collection}/{other.source}"
            )
            rows.append(_dup_row(other, statuses[other.id], evidence, lead))
    rows += _conflicting_copies(docs, statuses)
    return rows


def _conflicting_copies(docs: list[Document], statuses: dict[str, Status]) -> list[CleanupRow]:
    """Documents of one collection that are the same (same 文号, or same title and date)
    with different text."""
    groups: dict[tuple[str, ...], list[Document]] = defaultdict(list)
    for doc in docs:
        title = norm_title(doc.title) + "\x1f" + norm_title(doc.subtitle)
        if doc.doc_number and "〔" in doc.doc_number:
            groups[(doc.collection, "number", doc.doc_number)].append(doc)
        elif doc.doc_number:  # 令号 carry no year and are reused: the title must agree too
            groups[(doc.collection, "order", doc.doc_number, title)].append(doc)
        day = doc.publish_date or doc.effective_date
        if day:
            groups[(doc.collection, "title", title, day)].append(doc)
    rows: list[CleanupRow] = []
    seen: set[tuple[str, str]] = set()
    texts: dict[str, str] = {}
    for key, members in groups.items():
        if len(members) < 2:
            continue
        for d in members:
            if d.id not in texts:
                texts[d.id] = _text_key(d)
        if len({texts[d.id] for d in members}) < 2:
            continue
        what = f"文号同为 {key[2]} " if key[1] != "title" else f"标题相同、日期同为 {key[3]} "
        for doc in members:
            other = next(
                (
                    d
                    for d in members
                    if texts[d.id] != texts[doc.id] and not _versions_of_each_other(doc, d)
                ),
                None,
            )
            if other is None or (doc.id, other.id) in seen:
                continue
            seen.add((doc.id, other.id))
            evidence = (
                f"{what}的 {len(members)} 份文本内容不同："
                f"{doc.collection}/{doc.source} 与 {other.collection}/{other.source}"
            )
            rows.append(_dup_row(doc, statuses[doc.id], evidence, other))
    return rows


def build_report(documents: Iterable[Document], query: CleanupQuery) -> CleanupReport:
    """Every row of the requested kinds, filtered, sorted and (optionally) grouped."""
    kinds, day = _check_query(query)
    # Court cases are not rules: nothing to clean up. Nor is what did not exist yet.
    docs = [d for d in documents if d.kind != CASE_KIND and _exists(d, day)]
    by_id = {d.id: d for d in docs}
    statuses = {d.id: compute_status(d, day)[0] for d in docs}
    within_end = (_dt.date.fromisoformat(day) + _dt.timedelta(days=query.within)).isoformat()
    wanted = set(kinds)
    rows: list[CleanupRow] = []
    kept = [d for d in docs if _keep(d, query)]
    for doc in kept:
        status = statuses[doc.id]
        rows += [r for r in _status_rows(doc, status, day, within_end) if r.kind in wanted]
        if "broken-basis" in wanted:
            rows += _broken_basis(doc, status, statuses, by_id)
    if "duplicates" in wanted:
        kept_ids = {d.id for d in kept}
        rows += [r for r in _duplicates(docs, statuses) if r.id in kept_ids]
    order = {k: i for i, k in enumerate(KINDS)}
    rows.sort(key=lambda r: (order[r.kind], r.since or "", r.title, r.id, r.target_id or ""))
    counts = Counter(r.kind for r in rows)
    report = CleanupReport(
        as_of=day,
        kinds=kinds,
        rows=rows,
        counts={k: counts.get(k, 0) for k in kinds},
        group_by=query.group_by,
    )
    if query.group_by:
        report.groups = _groups(rows, query.group_by, kinds)
        place = {g.value: i for i, g in enumerate(report.groups)}
        rows.sort(key=lambda r: place[group_value(r, query.group_by or "")])
    return report


def group_value(row: CleanupRow, group_by: str) -> str:
    return getattr(row, group_by) or UNKNOWN


def _groups(rows: list[CleanupRow], group_by: str, kinds: list[str]) -> list[CleanupGroup]:
    """Subtotals per group value, largest first (then by name)."""
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        per[group_value(row, group_by)][row.kind] += 1
    groups = [
        CleanupGroup(value=v, total=sum(c.values()), counts={k: c.get(k, 0) for k in kinds})
        for v, c in per.items()
    ]
    groups.sort(key=lambda g: (-g.total, g.value))
    return groups


# -- serialization: one place for the CLI, the web app and exports --------------------------

# CSV columns, in Chinese for the people the list is handed on to. `文档ID`, `标题` and `文号`
# are the worklist importer's target columns and the last two are left blank to be filled
# in, so the file, once 清理结论 (and 理由) are filled, is ingested back as the decision.
SINCE_HEADER = "事由日期（取代/废止/失效/到期/施行）"
CSV_HEADERS = (
    "类别",
    "文档ID",
    "标题",
    "文号",
    "发文机关",
    "效力级别",
    "地区",
    "集合",
    "时效状态",
    "发布日期",
    SINCE_HEADER,
    "依据",
    "关联文件标题",
    "关联文件文号",
    "关联文件ID",
    "关联文件状态",
    "链接",
    "清理结论",
    "理由",
)


def row_to_dict(row: CleanupRow) -> dict[str, Any]:
    """One row as JSON (the `CleanupRow` field names)."""
    return dataclasses.asdict(row)


def row_to_csv(row: CleanupRow, link: str = "") -> list[str | None]:
    """One row in `CSV_HEADERS` order; `link` is the document's web address."""
    return [
        KIND_LABELS[row.kind],
        row.id,
        row.title,
        row.doc_number,
        row.authority,
        row.level,
        row.region,
        row.collection,
        row.status,
        row.publish_date,
        row.since,
        row.evidence,
        row.target_title,
        row.target_doc_number,
        row.target_id,
        row.target_status,
        link,
        "",
        "",
    ]


def target_label(row: CleanupRow) -> str:
    """The successor / repealing / cited document as 《标题》（文号）."""
    label = f"《{row.target_title}》" if row.target_title else ""
    if row.target_doc_number:
        label += f"（{row.target_doc_number}）" if label else row.target_doc_number
    return label or (row.target_id or "")


def counts_text(counts: dict[str, int], nonzero: bool = False) -> str:
    """已废止 2，已失效 1，…；共 3 条 (`nonzero`: only the kinds that occur)."""
    parts = "，".join(f"{KIND_LABELS[k]} {n}" for k, n in counts.items() if n or not nonzero)
    return f"{parts}；共 {sum(counts.values())} 条"


def summary_lines(report: CleanupReport) -> list[str]:
    """Counts per kind (and per group) for stderr."""
    lines = [f"清理报告（截至 {report.as_of}）：{counts_text(report.counts)}"]
    for group in report.groups:
        lines.append(f"  {group.value}：{counts_text(group.counts, nonzero=True)}")
    return lines
