"""SearchPage / Document -> JSON-ready dicts: the one JSON contract of the CLI and the web API.

Keeping the conversion in one place is what keeps `regsearch search --json` and
`/api/search` identical (issue 3's contract).
"""

from __future__ import annotations

from typing import Any

from regsearch.model import Document, SearchHit, SearchPage

FACET_NAMES = ("status", "level", "authority", "region", "year")

DOCUMENT_RESULT_KEYS = (
    "id",
    "title",
    "doc_number",
    "level",
    "authority",
    "region",
    "status",
    "publish_date",
    "effective_date",
    "expiry_date",
    "collection",
    "source",
    "score",
    "snippet",
)
ARTICLE_RESULT_KEYS = (
    "id",
    "doc_id",
    "title",
    "article",
    "collection",
    "source",
    "status",
    "score",
    "snippet",
)


def hit_to_dict(hit: SearchHit, articles: bool = False) -> dict[str, Any]:
    """One result: a document (with its best articles) or, with `articles`, one article."""
    if articles:
        return {key: getattr(hit, key) for key in ARTICLE_RESULT_KEYS}
    out: dict[str, Any] = {key: getattr(hit, key) for key in DOCUMENT_RESULT_KEYS}
    out["articles"] = [{"number": a.number, "snippet": a.snippet} for a in hit.articles]
    return out


def page_to_dict(page: SearchPage, articles: bool = False) -> dict[str, Any]:
    """The `search --json` object: query, total, page, per_page, results, facets,
    total_capped, relaxed, resolved."""
    facets = {
        name: [{"value": f.value, "count": f.count} for f in page.facets.get(name, [])]
        for name in FACET_NAMES
    }
    for name, counts in page.facets.items():  # keep any extra facet the core adds
        if name not in facets:
            facets[name] = [{"value": f.value, "count": f.count} for f in counts]
    return {
        "query": page.query,
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "results": [hit_to_dict(h, articles) for h in page.results],
        "facets": facets,
        # issue 12: "1000+" rather than 1000; partial matches of a dead end; what the
        # query was recognized as (a citation, a law's name) and put first.
        "total_capped": page.total_capped,
        "relaxed": page.relaxed,
        "resolved": page.resolved,
    }


def document_to_dict(doc: Document) -> dict[str, Any]:
    """A document in its normalized form (the `Document.to_dict` keys)."""
    return doc.to_dict()
