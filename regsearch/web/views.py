"""What the results page shows beyond the hits: facet toggle links, pagination, no-results help.

Plain functions over `SearchQuery`/`SearchPage` so the page templates stay dumb.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from regsearch.errors import BadQuery, RegsearchError
from regsearch.model import Document, SearchPage, SearchQuery, Status
from regsearch.search.provenance import (
    SAMPLE_COLLECTIONS,
    Provenance,
    document_link,
    is_sample,
    provenance,
)
from regsearch.search.resolve import current_version
from regsearch.web.params import FILTERS, query_to_args

FACET_LABELS = {
    "status": "时效",
    "level": "效力级别",
    "authority": "发文机关",
    "region": "地区",
    "year": "发布年份",
    "collection": "文库",
}
MAX_DIAGNOSES = 6  # extra searches on a no-results page (counts only: no facets, no snippets)


@dataclass
class Link:
    label: str
    url: str
    count: int | None = None
    selected: bool = False


def _replace(query: SearchQuery, **changes: Any) -> SearchQuery:
    """`dataclasses.replace` with field names computed at run time."""
    return dataclasses.replace(query, **changes)


def search_url(query: SearchQuery, config: Mapping[str, Any], base: str = "/search") -> str:
    args = query_to_args(query, config)
    return base + ("?" + urlencode(list(args.items(multi=True))) if args else "")


def _year_range(year: str) -> tuple[str, str]:
    return f"{year}-01-01", f"{year}-12-31"


def facet_links(
    page: SearchPage, query: SearchQuery, config: Mapping[str, Any]
) -> list[tuple[str, str, list[Link]]]:
    """(name, label, links) per facet; each link toggles its value and goes back to page 1."""
    out = []
    for name in ("status", "level", "authority", "region", "year"):
        links = []
        for facet in page.facets.get(name, []):
            value = str(facet.value)
            if name == "year":
                selected = (query.date_from, query.date_to) == _year_range(value)
                start, end = (None, None) if selected else _year_range(value)
                changed = dataclasses.replace(query, date_from=start, date_to=end, page=1)
            else:
                current = list(getattr(query, name))
                selected = value in current
                values = [v for v in current if v != value] if selected else [*current, value]
                changed = _replace(query, page=1, **{name: values})
            links.append(Link(value, search_url(changed, config), facet.count, selected))
        # selected values the result set no longer contains must stay removable
        if name != "year":
            shown = {link.label for link in links}
            for value in getattr(query, name):
                if value not in shown:
                    values = [v for v in getattr(query, name) if v != value]
                    changed = _replace(query, page=1, **{name: values})
                    links.append(Link(value, search_url(changed, config), 0, True))
        if links:
            out.append((name, FACET_LABELS[name], links))
    return out


def pagination(page: SearchPage, query: SearchQuery, config: Mapping[str, Any]) -> dict[str, Any]:
    """Previous/next and a window of page numbers; every link keeps every filter."""
    max_page = int(config.get("MAX_PAGE", 100))
    last = min(max(1, math.ceil(page.total / max(1, page.per_page))), max_page)

    def url(n: int) -> str:
        return search_url(dataclasses.replace(query, page=n), config)

    window = range(max(1, page.page - 3), min(last, page.page + 3) + 1)
    return {
        "current": page.page,
        "last": last,
        "prev": url(page.page - 1) if page.page > 1 else None,
        "next": url(page.page + 1) if page.page < last else None,
        "pages": [Link(str(n), url(n), selected=n == page.page) for n in window],
        "first": url(1) if window.start > 1 else None,
        "last_url": url(last) if window.stop - 1 < last else None,
    }


def sort_urls(query: SearchQuery, config: Mapping[str, Any]) -> dict[str, str]:
    return {
        key: search_url(dataclasses.replace(query, sort=key, page=1), config)
        for key in ("relevance", "newest", "oldest")
    }


def _relaxations(query: SearchQuery) -> list[tuple[str, SearchQuery]]:
    """Each way to drop one filter or one word from `query`, with a label saying what is dropped."""
    out = []
    for name in FILTERS:
        for value in getattr(query, name):
            values = [v for v in getattr(query, name) if v != value]
            label = f"{FACET_LABELS[name]}“{value}”"
            out.append((label, _replace(query, **{name: values})))
    if query.date_from or query.date_to:
        span = f"{query.date_from or '…'} 至 {query.date_to or '…'}"
        out.append((f"发布日期 {span}", dataclasses.replace(query, date_from=None, date_to=None)))
    words = query.q.split()
    if len(words) > 1:
        for i, word in enumerate(words):
            if word in words[:i]:
                continue  # dropping a repeated word again would search the same thing
            rest = " ".join(words[:i] + words[i + 1 :])
            out.append((f"关键词“{word}”", dataclasses.replace(query, q=rest)))
    return out


def diagnose(
    reader: Any, query: SearchQuery, config: Mapping[str, Any], budget: int = MAX_DIAGNOSES
) -> list[Link]:
    """For an empty result: which single filter or word, once removed, brings results back.
    At most `budget` relaxations are counted (`reader.searches` counts the work done)."""
    found = []
    stop = reader.searches + budget
    for label, relaxed in _relaxations(query):
        if reader.searches >= stop:
            break
        relaxed = dataclasses.replace(relaxed, page=1)
        try:
            total = reader.count(relaxed)
        except BadQuery:
            continue
        if total:
            found.append(Link(label, search_url(relaxed, config), total))
    return found


def without_filters(query: SearchQuery, config: Mapping[str, Any]) -> str | None:
    """The same words with every filter cleared, if there is any filter to clear."""
    cleared = _replace(
        query, page=1, date_from=None, date_to=None, **{name: [] for name in FILTERS}
    )
    return None if cleared == dataclasses.replace(query, page=1) else search_url(cleared, config)


# -- where the data comes from, how current it is, which hits are samples ------------------


def sample_collections(config: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(config.get("SAMPLE_COLLECTIONS") or SAMPLE_COLLECTIONS)


def sample_count(stats: Mapping[str, Any], config: Mapping[str, Any]) -> int:
    samples = sample_collections(config)
    return sum(n for c, n in (stats.get("collections") or {}).items() if c in samples)


def sample_ids(page: SearchPage, config: Mapping[str, Any]) -> set[str]:
    samples = sample_collections(config)
    return {h.id for h in page.results if is_sample(h.collection, samples)}


def origin(doc: Document, config: Mapping[str, Any]) -> Provenance:
    return provenance(doc.collection, doc.format, doc.url, sample_collections(config))


def public_url(config: Mapping[str, Any], doc_id: str) -> str:
    """The document's address under the configured BASE_URL ("" when none is configured:
    the request's Host header is not trusted for a link people copy)."""
    return document_link(config.get("BASE_URL"), doc_id)


def current_versions(service: Any, page: SearchPage, query: SearchQuery) -> dict[str, Any]:
    """For each 已修改 hit on the page, the version that replaced it (hit id -> document)."""
    out: dict[str, Any] = {}
    for hit in page.results:
        if hit.status != Status.AMENDED.value:
            continue
        doc_id = hit.doc_id or hit.id
        try:
            doc = service.get(doc_id, as_of=query.as_of)
        except RegsearchError:
            continue
        newer = current_version(service, doc, query.as_of)
        if newer is not None:
            out[hit.id] = newer
    return out
