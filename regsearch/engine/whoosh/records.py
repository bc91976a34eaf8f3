"""Document -> index records (one `doc` record plus one per article), and back.

The layout is `regsearch.index.layout`'s. Runs in worker processes during a build: the
text fields are analyzed here into `Preindexed` postings so the single writer process
only files them.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from typing import Any

from whoosh.system import pack_uint

from regsearch.engine.whoosh.schema import (
    ColumnOnly,
    Preindexed,
    Unstored,
    encode_tokens,
    make_schema,
)
from regsearch.index.analyzer import is_single_han, normalize, tokenize
from regsearch.index.layout import (
    STATUS_FIELDS,
    attributes,
    authorities,
    canonical_doc_number,
    exact_title,
)
from regsearch.model import Document

_schema = None


def _fields() -> Any:
    global _schema
    if _schema is None:
        _schema = make_schema()
    return _schema


# zlib level 1: 3x faster to build than level 6 and barely larger for these texts.
ZLEVEL = 1


def _pre(field: str, text: str | None, mode: str | None = None) -> Preindexed | None:
    """The postings of `text` in `field`, encoded as the field's CompactCharacters format."""
    if not text:
        return None
    fieldtype = _fields()[field]
    mode = mode or fieldtype.analyzer.index_mode
    groups: dict[str, Any] = {}
    get = groups.get
    for tok in tokenize(text, mode):
        lst = get(tok[0])
        if lst is None:
            groups[tok[0]] = [tok]
        else:
            lst.append(tok)
    fb = fieldtype.format.field_boost
    return Preindexed(
        [(t.encode("utf-8"), len(p), len(p) * fb, encode_tokens(p)) for t, p in groups.items()]
    )


def _chars(text: str | None) -> Preindexed | None:
    """The single Chinese characters of a body with their counts (see schema.CharField)."""
    if not text:
        return None
    counts = Counter(normalize(text))
    return Preindexed(
        [
            (ch.encode("utf-8"), n, float(n), pack_uint(n))
            for ch, n in counts.items()
            if is_single_han(ch)
        ]
    )


def pack_document(doc: Document) -> bytes:
    data = doc.to_dict(internal=True)  # with the record's packed source documents
    data["body"] = ""
    return zlib.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), ZLEVEL)


def unpack_document(doc_z: bytes, text_z: bytes | None) -> Document:
    data = json.loads(zlib.decompress(doc_z).decode("utf-8"))
    data["body"] = unpack_text(text_z)
    return Document.from_dict(data)


def unpack_text(text_z: bytes | None) -> str:
    return zlib.decompress(text_z).decode("utf-8") if text_z else ""


# Document attributes that article records keep as columns / terms only, or leave out.
ARTICLE_UNSTORED = frozenset({"authority1", "authority_kw", "level", "region", "publish", "year"})
ARTICLE_OMITTED = frozenset({"topic", "effective", "expiry"})
# An article's status comes from these columns (documents store them too).
ARTICLE_COLUMN_ONLY = frozenset(STATUS_FIELDS)


def records_for(doc: Document) -> list[dict[str, Any]]:
    """The doc record and the article records of one document, ready for add_document."""
    number = canonical_doc_number(doc.doc_number) or doc.doc_number
    common = attributes(doc)
    common["title_s"] = common.pop("title")
    main: dict[str, Any] = {
        **common,
        "id": doc.id,
        "kind": "doc",
        "title": _pre("title", doc.title),
        "body": _pre("body", doc.body),
        "chars": _chars(doc.body),
        "number": _pre("number", " ".join(x for x in {doc.doc_number, doc.doc_number_raw} if x)),
        "authority": _pre("authority", " ".join(authorities(doc))),
        "docnum": number or None,
        "title_exact": exact_title(doc.title) or None,
        # the ids of its source documents (a merged record answers to each of them)
        "source_id": ",".join(ref.id for ref in doc.sources if ref.id != doc.id) or None,
        "content_hash": doc.content_hash or None,
        "doc_z": pack_document(doc),
        "text_z": zlib.compress((doc.body or "").encode("utf-8"), ZLEVEL),
    }
    records = [main]
    article_title = _pre("title", doc.title, "query") if doc.articles else None
    # An article hit shows only its own fields and its status; the document's other
    # attributes stay columns (filters, facets) and indexed terms, but are not stored
    # again with each of its ~40 articles.
    shared = {
        k: (
            ColumnOnly(v)
            if k in ARTICLE_COLUMN_ONLY
            else Unstored(v)
            if k in ARTICLE_UNSTORED
            else v
        )
        for k, v in common.items()
        if k not in ARTICLE_OMITTED and v is not None
    }
    for i, art in enumerate(doc.articles):
        records.append(
            {
                **shared,
                "id": f"{doc.id}#{i}",
                "kind": "article",
                # Articles carry no sub-words of the title and no `chars`: they are
                # 40x as many records as documents, and whoosh pays per posting.
                "title": article_title,
                "body": _pre("body", art.text),
                "article": art.number,
                "ordinal": art.ordinal,
                "text_z": zlib.compress((art.text or "").encode("utf-8"), ZLEVEL),
            }
        )
    return [{k: v for k, v in rec.items() if v is not None} for rec in records]
