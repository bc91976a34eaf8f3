"""The record layout every engine shares: which records a document becomes, their keys,
columns and stored attributes, and how a record's status dates are kept.

A document version is one `doc` record (the whole text) plus one `article` record per
条 (id `<doc id>#<n>`, so a hit can name 第N条); an article finds its document through
its `doc_id`. Status inputs are the `StatusDates` events, kept with sentinels for
"never" so that "happened by day D" is a plain comparison `value <= D` of sortable
`YYYY-MM-DD` strings.
"""

from __future__ import annotations

from typing import Any

from regsearch.index.analyzer import normalize
from regsearch.model import Document
from regsearch.status import (
    ALWAYS,
    NEVER,
    STATUS_COLUMNS,
    StatusDates,
    dates_of,
    from_columns,
    to_columns,
)
from regsearch.text.docnum import normalize_doc_number

# Bump when the record layout or an engine's schema changes; an index of another
# version must be rebuilt (`regsearch ingest --rebuild`).
SCHEMA_VERSION = 8  # 8: 国令 ↔ 国务院令 one 文号; 7: st_iss (尚未发布, court cases), sources

# NEVER sorts after every date, ALWAYS before (regsearch.status defines them and the
# status columns: st_eff, st_rep, st_inv, st_sup, st_par, st_iss).
__all__ = ["ALWAYS", "NEVER", "STATUS_FIELDS"]
STATUS_FIELDS = STATUS_COLUMNS
# Columns the service filters, facets and sorts on (per record; articles carry their
# document's values).
COLUMNS = ("kind", "doc_id", "level", "authority1", "region", "collection", "publish", "year")
FACET_COLUMNS = {"level": "level", "authority": "authority1", "region": "region", "year": "year"}
# Exact keyword fields that `Snapshot.find` looks up.
KEYWORDS = ("id", "doc_id", "docnum", "title_exact", "authority_kw", "source_id")


def canonical_doc_number(text: str | None) -> str | None:
    """The canonical 发文字号 of `text` (any bracket style), or None."""
    return normalize_doc_number(text) if text else None


def exact_title(title: str) -> str:
    """A whole title in one comparable form (no spaces, NFKC, one bracket style)."""
    return "".join(normalize(title or "").split()).strip("《》")


def status_fields(dates: StatusDates) -> dict[str, str]:
    """The status columns of a record, sentinels for events that do not happen."""
    return to_columns(dates)


def stored_dates(values: dict[str, Any] | tuple[Any, ...]) -> StatusDates:
    """The StatusDates kept in a record's status columns (a mapping, or the values in
    STATUS_FIELDS order)."""
    if not isinstance(values, dict):
        values = dict(zip(STATUS_FIELDS, values, strict=True))
    return from_columns(values)


def authorities(doc: Document) -> list[str]:
    return [a for a in [doc.authority, *doc.co_authorities] if a]


def attributes(doc: Document) -> dict[str, Any]:
    """The attributes a document's records carry (its articles too), by layout name."""
    names = authorities(doc)
    return {
        "doc_id": doc.id,
        "title": doc.title,
        "authority1": names[0] if names else None,
        "authority_kw": ",".join(a.replace(",", " ") for a in names) or None,
        "level": doc.level or None,
        "region": doc.region or None,
        "topic": doc.topic or None,
        "collection": doc.collection or None,
        "source": doc.source or None,
        "publish": doc.publish_date or None,
        "effective": doc.effective_date or None,
        "expiry": doc.expiry_date or None,
        "year": (doc.publish_date or "")[:4] or None,
        **status_fields(dates_of(doc)),
    }
