"""The PostgreSQL engine's tables and a document's rows in them.

Every record of the layout (`regsearch.index.layout`: a `doc` row per document, an
`article` row per 条) is one row of `ix_records`, numbered by `rid` (the record number
snapshots use), and visible in the generations `gen_from <= g < gen_to`: a publish
closes the rows it replaces (`gen_to`) and adds new ones in one transaction, so a
snapshot is nothing but a generation number and every generation stays readable until
its rows are collected.

Text fields hold OUR analyzer's tokens (`regsearch.index.analyzer.tokenize`; the
server's parser cannot segment Chinese) as `tsvector`s with positions (GIN indexes;
phrases are `<->` queries), beside what BM25 needs and a tsvector does not keep
exactly: term frequencies above one (`*_tf`, jsonb) and field lengths (`*_len`). A
term's postings are read from `ix_postings` (`regsearch.engine.postgres.postings`),
written with the rows from the same analysis (`analyzed` also returns every term's
count); phrases still use the GIN indexes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from regsearch.index.analyzer import is_single_han, normalize, tokenize
from regsearch.index.layout import (
    STATUS_FIELDS,
    attributes,
    authorities,
    canonical_doc_number,
    exact_title,
)
from regsearch.model import Document

# Bump with a migration below when the tables change (2: the postings table, 3: the
# filter indexes).
ENGINE_SCHEMA = 3
TEXT_FIELDS = ("title", "body", "chars", "number", "authority")
# Field boosts multiply a term's weight (as the Whoosh schema's field_boost does).
FIELD_BOOST = {"title": 4.0, "number": 3.0, "body": 1.0, "chars": 1.0, "authority": 1.0}
COLUMNS = (
    "kind",
    "id",
    "doc_id",
    "level",
    "authority1",
    "region",
    "collection",
    "publish",
    "year",
    "article",
    *STATUS_FIELDS,
)
KEYWORD_COLUMNS = {"id": "id", "doc_id": "doc_id", "docnum": "docnum", "title_exact": "title_exact"}
ARRAY_KEYWORDS = {"authority_kw": "authority_kws", "source_id": "source_ids"}
MAX_POSITION = 16383  # PostgreSQL keeps tsvector positions up to here

FIELD_ID = {f: i for i, f in enumerate(TEXT_FIELDS)}
POSTINGS_TABLES = [
    """CREATE TABLE ix_batches (
  rid_lo BIGINT PRIMARY KEY,
  rid_hi BIGINT NOT NULL,
  records BIGINT NOT NULL
)""",
    """CREATE TABLE ix_postings (
  field SMALLINT NOT NULL,
  term TEXT NOT NULL,
  rid_lo BIGINT NOT NULL,
  rid_hi BIGINT NOT NULL,
  rids BYTEA NOT NULL,
  tfs BYTEA,
  PRIMARY KEY (field, term, rid_lo)
)""",
    "CREATE INDEX ix_postings_batch ON ix_postings (rid_lo)",
]


def _fill_postings(conn: Any) -> None:
    from regsearch.engine.postgres.postings import fill

    fill(conn)


_status_cols = ",\n  ".join(f"{c} TEXT" for c in STATUS_FIELDS)
_text_cols = ",\n  ".join(
    f"{f}_tsv tsvector, {f}_tf jsonb, {f}_len INTEGER NOT NULL DEFAULT 0" for f in TEXT_FIELDS
)
# A migration's steps: SQL statements, or functions of the connection.
MIGRATIONS: list[tuple[int, list[str | Callable[[Any], None]]]] = [
    (
        1,
        [
            """CREATE TABLE ix_generations (
  gen BIGINT PRIMARY KEY,
  meta TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
)""",
            f"""CREATE TABLE ix_records (
  rid BIGINT PRIMARY KEY,
  gen_from BIGINT NOT NULL,
  gen_to BIGINT,
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  doc_id TEXT NOT NULL,
  level TEXT, authority1 TEXT, region TEXT, collection TEXT, publish TEXT, year TEXT,
  article TEXT,
  {_status_cols},
  docnum TEXT, title_exact TEXT, content_hash TEXT,
  authority_kws TEXT[] NOT NULL DEFAULT '{{}}',
  source_ids TEXT[] NOT NULL DEFAULT '{{}}',
  stored TEXT NOT NULL,
  doc_json TEXT,
  text TEXT NOT NULL DEFAULT '',
  number_text TEXT NOT NULL DEFAULT '',
  authority_text TEXT NOT NULL DEFAULT '',
  {_text_cols}
)""",
            "CREATE INDEX ix_records_open ON ix_records (gen_to, gen_from)",
            "CREATE INDEX ix_records_from ON ix_records (gen_from)",
            "CREATE INDEX ix_records_id ON ix_records (id)",
            "CREATE INDEX ix_records_doc_id ON ix_records (doc_id)",
            "CREATE INDEX ix_records_docnum ON ix_records (docnum)",
            "CREATE INDEX ix_records_title_exact ON ix_records (title_exact)",
            "CREATE INDEX ix_records_authority_kws ON ix_records USING GIN (authority_kws)",
            "CREATE INDEX ix_records_source_ids ON ix_records USING GIN (source_ids)",
            *(
                f"CREATE INDEX ix_records_{f}_tsv ON ix_records USING GIN ({f}_tsv)"
                for f in TEXT_FIELDS
            ),
            "CREATE TABLE ix_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        ],
    ),
    (2, [*POSTINGS_TABLES, _fill_postings]),  # filled from the rows already there
    # The search filters' columns (filtering.select), each led by kind: a filter is
    # always of one kind, and articles outnumber documents ten to one.
    (
        3,
        [
            *(
                f"CREATE INDEX ix_records_{c} ON ix_records (kind, {c})"
                for c in ("level", "region", "collection")
            ),
            'CREATE INDEX ix_records_publish ON ix_records (kind, publish COLLATE "C")',
        ],
    ),
]

INSERT_COLUMNS = (
    "rid",
    "gen_from",
    *COLUMNS,
    "docnum",
    "title_exact",
    "content_hash",
    "authority_kws",
    "source_ids",
    "stored",
    "doc_json",
    "text",
    "number_text",
    "authority_text",
    *(f"{f}_{part}" for f in TEXT_FIELDS for part in ("tsv", "tf", "len")),
)


def quote_lexeme(term: str) -> str:
    """A lexeme as tsvector/tsquery literal text: quoted, quotes and backslashes escaped."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


Analyzed = tuple[str | None, str | None, int, dict[str, int]]
NONE: Analyzed = (None, None, 0, {})


def analyzed(tokens: list[tuple[str, int, int, int]]) -> Analyzed:
    """(tsvector literal, jsonb of frequencies above one, field length, every term's
    frequency) of a field's tokens; the last is for the postings table, not a column."""
    if not tokens:
        return NONE
    positions: dict[str, list[int]] = {}
    for term, pos, _start, _end in tokens:
        positions.setdefault(term, []).append(min(pos + 1, MAX_POSITION))
    vector = " ".join(
        f"{quote_lexeme(t)}:{','.join(map(str, sorted(set(p))[:256]))}"
        for t, p in positions.items()
    )
    counts = {t: len(p) for t, p in positions.items()}
    freqs = {t: n for t, n in counts.items() if n > 1}
    return (
        vector,
        json.dumps(freqs, ensure_ascii=False) if freqs else None,
        len(tokens),
        counts,
    )


def _chars(text: str) -> Analyzed:
    """The body's single Chinese characters with their counts (one-character queries)."""
    counts = Counter(ch for ch in normalize(text or "") if is_single_han(ch))
    if not counts:
        return NONE
    vector = " ".join(f"{quote_lexeme(ch)}:1" for ch in counts)
    freqs = {ch: n for ch, n in counts.items() if n > 1}
    return (
        vector,
        json.dumps(freqs, ensure_ascii=False) if freqs else None,
        sum(counts.values()),
        dict(counts),
    )


def field_text(row: dict[str, Any], field: str) -> str:
    """The text a record's `field` was analyzed from (for offsets)."""
    return {
        "title": row.get("title") or "",
        "body": row.get("text") or "",
        "number": row.get("number_text") or "",
        "authority": row.get("authority_text") or "",
    }.get(field, "")


FIELD_MODE = {"title": "index", "body": "body", "number": "index", "authority": "index"}

# What an article record keeps (the rest of its document's attributes are columns only).
ARTICLE_STORED = ("id", "kind", "doc_id", "title", "collection", "source", "article", "ordinal")


def rows_for(doc: Document) -> list[dict[str, Any]]:
    """The rows of one document: its `doc` record, then one per article."""
    common = attributes(doc)
    number_text = " ".join(sorted(x for x in {doc.doc_number, doc.doc_number_raw} if x))
    authority_text = " ".join(authorities(doc))
    docnum = canonical_doc_number(doc.doc_number) or doc.doc_number
    data = doc.to_dict(internal=True)
    data["body"] = ""
    main: dict[str, Any] = {
        **{k: common.get(k) for k in COLUMNS if k in common},
        "kind": "doc",
        "id": doc.id,
        "article": None,
        "docnum": docnum or None,
        "title_exact": exact_title(doc.title) or None,
        "content_hash": doc.content_hash or None,
        "authority_kws": [a.replace(",", " ").strip() for a in authorities(doc)],
        "source_ids": [ref.id for ref in doc.sources if ref.id != doc.id],
        "doc_json": json.dumps(data, ensure_ascii=False),
        "text": doc.body or "",
        "number_text": number_text,
        "authority_text": authority_text,
        "title": analyzed(tokenize(doc.title, "index")) if doc.title else NONE,
        "body": analyzed(tokenize(doc.body, "body")) if doc.body else NONE,
        "chars": _chars(doc.body),
        "number": analyzed(tokenize(number_text, "index")) if number_text else NONE,
        "authority": analyzed(tokenize(authority_text, "index")) if authority_text else NONE,
    }
    stored = {k: v for k, v in common.items() if v is not None}
    stored.update(id=doc.id, kind="doc")
    for k in ("docnum", "content_hash"):
        if main[k] is not None:
            stored[k] = main[k]
    main["stored"] = json.dumps(stored, ensure_ascii=False)
    rows = [main]
    article_title = analyzed(tokenize(doc.title, "query")) if doc.articles else None
    none = NONE
    for i, art in enumerate(doc.articles):
        row = {
            **{k: main[k] for k in COLUMNS if k in main},
            "kind": "article",
            "id": f"{doc.id}#{i}",
            "article": art.number,
            "docnum": None,
            "title_exact": None,
            "content_hash": None,
            "authority_kws": main["authority_kws"],
            "source_ids": [],
            "doc_json": None,
            "text": art.text or "",
            "number_text": "",
            "authority_text": "",
            "title": article_title or none,
            "body": analyzed(tokenize(art.text, "body")) if art.text else none,
            "chars": none,
            "number": none,
            "authority": none,
        }
        values = {
            **{k: v for k, v in common.items() if v is not None},
            "id": row["id"],
            "kind": "article",
            "article": art.number,
            "ordinal": art.ordinal,
        }
        row["stored"] = json.dumps(
            {k: values[k] for k in ARTICLE_STORED if values.get(k) is not None},
            ensure_ascii=False,
        )
        rows.append(row)
    return rows


def row_values(rid: int, gen: int, row: dict[str, Any]) -> tuple[Any, ...]:
    """`row` as the values of INSERT_COLUMNS."""
    out: list[Any] = [rid, gen]
    out += [row.get(c) for c in COLUMNS]
    out += [row[c] for c in ("docnum", "title_exact", "content_hash", "authority_kws")]
    out += [row[c] for c in ("source_ids", "stored", "doc_json", "text")]
    out += [row["number_text"], row["authority_text"]]
    for f in TEXT_FIELDS:
        out += list(row[f][:3])
    return tuple(out)
