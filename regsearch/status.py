"""Validity status as of a date, derived from a document's dates and relations.

Nothing here is frozen at ingest: ingest records *events* (effective date,
expiry date, the date a successor took over, the date a repealing document
took effect) and `status_at` turns them into a status for any day. The index
stores the same `StatusDates` so that a status filter "as of X" is a date-range
query that agrees with this function (tests pin the agreement).

Precedence when several events have happened by `as_of`:
已废止 > 已失效 > 已修改 > 尚未施行 > 部分失效 > 现行有效. Before a document was
issued it does not exist yet: 尚未发布, whatever else is known. A court case (案例)
is not a rule and has no validity status: 不适用, on every day.

`STATUS_COLUMNS`, `to_columns` and `from_columns` are the one mapping between
`StatusDates` and the index columns that hold them.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from regsearch.model import CASE_KIND, Document, RelationType, Status, StatusSource

# A date before any document: used for events known to have happened at an unknown date.
EARLIEST = "0001-01-01"
# Column values for "no such event": NEVER sorts after every day, ALWAYS before.
NEVER = "9999-99-99"
ALWAYS = "0000-00-00"
CASE = "case"  # the issue column of a court case, which has no status


def today() -> str:
    return _dt.date.today().isoformat()


def day_after(iso: str) -> str:
    try:
        return (_dt.date.fromisoformat(iso) + _dt.timedelta(days=1)).isoformat()
    except ValueError:
        return iso


@dataclass(frozen=True)
class StatusDates:
    """The first day each state applies (YYYY-MM-DD), or None if it never does."""

    effective: str | None = None  # 施行
    repealed: str | None = None  # 废止
    invalid: str | None = None  # 失效: the day after 有效期至, or 宣布失效
    superseded: str | None = None  # a newer version took effect
    partial: str | None = None  # 部分失效
    issued: str | None = None  # 发布: the document exists from this day on
    case: bool = False  # a court case: no validity status at all


def _earliest(*dates: str | None) -> str | None:
    known = [d for d in dates if d]
    return min(known) if known else None


def _relation_date(doc: Document, *types: RelationType) -> str | None:
    wanted = {t.value for t in types}
    return _earliest(*[(r.date or EARLIEST) for r in doc.relations if r.type in wanted])


def issue_date(doc: Document) -> str | None:
    """The day `doc` came to exist (尚未发布 before it), or None when only its effective
    date is known (尚未施行 before that says enough).

    Its version's date, else its publication, else the earliest date it records about
    itself (成文, history). A document with no date at all is not in force before the
    earliest date its text names.
    """
    known = doc.version_date or doc.publish_date
    if known:
        return known
    from regsearch.ingest.dates import find_dates

    dated = [doc.written_date]
    for line in doc.history:
        dated += [d for d, _s, _e in find_dates(line)]
    earliest = _earliest(*dated)
    if earliest or doc.effective_date:
        return earliest
    return _earliest(*[d for d, _s, _e in find_dates(doc.body[:20000])])


def dates_of(doc: Document) -> StatusDates:
    """Collect the event dates that decide `doc`'s status."""
    if doc.kind == CASE_KIND:
        return StatusDates(case=True)
    repealed = _earliest(doc.repeal_date, _relation_date(doc, RelationType.REPEALED_BY))
    invalid = _earliest(
        day_after(doc.expiry_date) if doc.expiry_date else None,
        _relation_date(doc, RelationType.EXPIRED_BY),
    )
    return StatusDates(
        effective=doc.effective_date,
        repealed=repealed,
        invalid=invalid,
        superseded=_relation_date(doc, RelationType.SUPERSEDED_BY),
        partial=_relation_date(doc, RelationType.PARTIALLY_INVALIDATED_BY),
        issued=issue_date(doc),
    )


def status_at(dates: StatusDates, as_of: str | None = None) -> tuple[Status, StatusSource]:
    """The status on day `as_of` (default today) and what decided it."""
    day = as_of or today()
    if dates.case:
        return Status.NOT_APPLICABLE, StatusSource.DEFAULT
    if dates.issued and dates.issued > day:
        return Status.NOT_YET_ISSUED, StatusSource.ISSUE_DATE
    if dates.repealed and dates.repealed <= day:
        return Status.REPEALED, StatusSource.REPEAL
    if dates.invalid and dates.invalid <= day:
        return Status.EXPIRED, StatusSource.EXPIRY
    if dates.superseded and dates.superseded <= day:
        return Status.AMENDED, StatusSource.VERSION_CHAIN
    if dates.effective and dates.effective > day:
        return Status.NOT_YET_EFFECTIVE, StatusSource.EFFECTIVE_DATE
    if dates.partial and dates.partial <= day:
        return Status.PARTIALLY_INVALID, StatusSource.REPEAL
    return Status.IN_FORCE, StatusSource.DEFAULT


STATUS_COLUMNS = ("st_eff", "st_rep", "st_inv", "st_sup", "st_par", "st_iss")


def to_columns(dates: StatusDates) -> dict[str, str]:
    """The index column values of `dates` (sentinels for events that never happen)."""
    return {
        "st_eff": dates.effective or ALWAYS,
        "st_rep": dates.repealed or NEVER,
        "st_inv": dates.invalid or NEVER,
        "st_sup": dates.superseded or NEVER,
        "st_par": dates.partial or NEVER,
        "st_iss": CASE if dates.case else dates.issued or ALWAYS,
    }


def from_columns(fields: Mapping[str, Any]) -> StatusDates:
    """The StatusDates kept in a record's columns (a record without `st_iss`: issued unknown)."""

    def opt(name: str, sentinel: str) -> str | None:
        value = fields.get(name)
        return None if not value or value == sentinel else value

    issued = fields.get("st_iss")
    return StatusDates(
        effective=opt("st_eff", ALWAYS),
        repealed=opt("st_rep", NEVER),
        invalid=opt("st_inv", NEVER),
        superseded=opt("st_sup", NEVER),
        partial=opt("st_par", NEVER),
        issued=None if issued == CASE else opt("st_iss", ALWAYS),
        case=issued == CASE,
    )


def compute_status(doc: Document, as_of: str | None = None) -> tuple[Status, StatusSource]:
    return status_at(dates_of(doc), as_of)


def apply_status(doc: Document, as_of: str | None = None) -> Document:
    """Set `doc.status` and `doc.status_source` as of `as_of`; returns `doc`.

    A status that came from the source's own metadata keeps `source` as its
    source when the derived status agrees with it.
    """
    status, source = compute_status(doc, as_of)
    if doc.status_source == StatusSource.SOURCE.value and doc.status == status.value:
        source = StatusSource.SOURCE
    if status == Status.EXPIRED and _only_source_says_expired(doc):
        source = StatusSource.SOURCE
    doc.status = status.value
    doc.status_source = source.value
    return doc


def _only_source_says_expired(doc: Document) -> bool:
    """No longer valid on the source's word alone: its flag, no document, no date."""
    ends = [r for r in doc.relations if r.type == RelationType.EXPIRED_BY.value]
    return (
        doc.source_expired
        and not doc.expiry_date
        and bool(ends)
        and all(r.target_id is None for r in ends)
    )
