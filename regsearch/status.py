"""Validity status as of a date, derived from a document's dates and relations.

Nothing here is frozen at ingest: ingest records *events* (effective date,
expiry date, the date a successor took over, the date a repealing document
took effect) and `status_at` turns them into a status for any day. The index
stores the same `StatusDates` so that a status filter "as of X" is a date-range
query that agrees with this function (tests pin the agreement).

Precedence when several events have happened by `as_of`:
已废止 > 已失效 > 已修改 > 尚未施行 > 部分失效 > 现行有效.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from regsearch.model import Document, RelationType, Status, StatusSource

# A date before any document: used for events known to have happened at an unknown date.
EARLIEST = "0001-01-01"


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


def _earliest(*dates: str | None) -> str | None:
    known = [d for d in dates if d]
    return min(known) if known else None


def _relation_date(doc: Document, *types: RelationType) -> str | None:
    wanted = {t.value for t in types}
    return _earliest(*[(r.date or EARLIEST) for r in doc.relations if r.type in wanted])


def dates_of(doc: Document) -> StatusDates:
    """Collect the event dates that decide `doc`'s status."""
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
    )


def status_at(dates: StatusDates, as_of: str | None = None) -> tuple[Status, StatusSource]:
    """The status on day `as_of` (default today) and what decided it."""
    day = as_of or today()
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
    if status == Status.REPEALED and _only_source_says_repealed(doc):
        source = StatusSource.SOURCE
    doc.status = status.value
    doc.status_source = source.value
    return doc


def _only_source_says_repealed(doc: Document) -> bool:
    """Repealed on the source's word alone: its flag, with no repealing document or date."""
    repeals = [r for r in doc.relations if r.type == RelationType.REPEALED_BY.value]
    return (
        doc.source_expired
        and not doc.repeal_date
        and bool(repeals)
        and all(r.target_id is None for r in repeals)
    )
