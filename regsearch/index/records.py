"""Document -> index records (one `doc` record plus one per article), and back.

Runs in worker processes during a build: the text fields are analyzed here into
`Preindexed` postings so the single writer process only files them.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from regsearch.index.analyzer import normalize
from regsearch.index.schema import ALWAYS, NEVER, Preindexed, make_schema
from regsearch.model import Document
from regsearch.status import StatusDates, dates_of

_schema = None


def _fields() -> Any:
    global _schema
    if _schema is None:
        _schema = make_schema()
    return _schema


def canonical_doc_number(text: str | None) -> str | None:
    """The canonical 发文字号 of `text` (any bracket style), or None."""
    if not text:
        return None
    from regsearch.ingest.docnum import normalize_doc_number

    return normalize_doc_number(text)


def exact_title(title: str) -> str:
    """A whole title in one comparable form (no spaces, NFKC, one bracket style)."""
    return "".join(normalize(title or "").split()).strip("《》")


def _pre(field: str, text: str | None) -> Preindexed | None:
    if not text:
        return None
    return Preindexed(list(_fields()[field].index(text)))


def status_fields(dates: StatusDates) -> dict[str, str]:
    return {
        "st_eff": dates.effective or ALWAYS,
        "st_rep": dates.repealed or NEVER,
        "st_inv": dates.invalid or NEVER,
        "st_sup": dates.superseded or NEVER,
        "st_par": dates.partial or NEVER,
    }


def stored_dates(fields: dict[str, Any]) -> StatusDates:
    """The StatusDates kept in a record's stored fields."""

    def opt(name: str, sentinel: str) -> str | None:
        value = fields.get(name)
        return None if not value or value == sentinel else value

    return StatusDates(
        effective=opt("st_eff", ALWAYS),
        repealed=opt("st_rep", NEVER),
        invalid=opt("st_inv", NEVER),
        superseded=opt("st_sup", NEVER),
        partial=opt("st_par", NEVER),
    )


def pack_document(doc: Document) -> bytes:
    data = doc.to_dict()
    data["body"] = ""
    return zlib.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), 6)


def unpack_document(doc_z: bytes, text_z: bytes | None) -> Document:
    data = json.loads(zlib.decompress(doc_z).decode("utf-8"))
    data["body"] = unpack_text(text_z)
    return Document.from_dict(data)


def unpack_text(text_z: bytes | None) -> str:
    return zlib.decompress(text_z).decode("utf-8") if text_z else ""


def records_for(doc: Document) -> list[dict[str, Any]]:
    """The doc record and the article records of one document, ready for add_document."""
    authorities = [a for a in [doc.authority, *doc.co_authorities] if a]
    number = canonical_doc_number(doc.doc_number) or doc.doc_number
    common: dict[str, Any] = {
        "doc_id": doc.id,
        "title": _pre("title", doc.title),
        "title_s": doc.title,
        "authority1": authorities[0] if authorities else None,
        "authority_kw": ",".join(a.replace(",", " ") for a in authorities) or None,
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
    cited = set()
    try:
        from regsearch.ingest.docnum import find_doc_numbers

        cited = {canon for canon, _raw in find_doc_numbers(doc.body or "")}
    except ImportError:  # pragma: no cover - ingest always ships docnum
        pass
    main: dict[str, Any] = {
        **common,
        "id": doc.id,
        "kind": "doc",
        "body": _pre("body", doc.body),
        "number": _pre("number", " ".join(x for x in {doc.doc_number, doc.doc_number_raw} if x)),
        "authority": _pre("authority", " ".join(authorities)),
        "docnum": number or None,
        "cited": ",".join(sorted(cited)) or None,
        "title_exact": exact_title(doc.title) or None,
        "content_hash": doc.content_hash or None,
        "doc_z": pack_document(doc),
        "text_z": zlib.compress((doc.body or "").encode("utf-8"), 6),
    }
    records = [main]
    for i, art in enumerate(doc.articles):
        records.append(
            {
                **common,
                "id": f"{doc.id}#{i}",
                "kind": "article",
                "body": _pre("body", art.text),
                "article": art.number,
                "ordinal": art.ordinal,
                "text_z": zlib.compress((art.text or "").encode("utf-8"), 6),
            }
        )
    return [{k: v for k, v in rec.items() if v is not None} for rec in records]
