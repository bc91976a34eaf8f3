"""HTML pages: home, results, document, about. Each data page has a JSON twin in `api.py`."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from regsearch.errors import BadQuery, DocumentNotFound
from regsearch.model import SearchPage, SearchQuery, Status
from regsearch.search.fieldcheck import unknown_field_message, unknown_fields
from regsearch.search.labels import RELAXED_NOTE, RESOLVED_NOTE, STATUS_MEANINGS
from regsearch.search.provenance import FORMAT_SOURCES
from regsearch.search.resolve import current_version, resolve
from regsearch.web import docview, views
from regsearch.web.params import FILTERS, parse_doc_as_of, parse_search
from regsearch.web.state import get_service

bp = Blueprint("pages", __name__)

EXAMPLES = (
    ("标题", "行政执法监督办法"),
    ("文号", "国办函〔2018〕71号"),
    ("问题", "政府信息公开申请多久答复"),
)


def _statuses() -> list[tuple[str, str]]:
    return [(s.value, STATUS_MEANINGS[s.value]) for s in Status]


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    stats = get_service().stats()
    statuses = stats.get("statuses") or {}
    ordered = [(s.value, statuses[s.value]) for s in Status if s.value in statuses]
    levels = sorted((stats.get("levels") or {}).items(), key=lambda kv: (-kv[1], kv[0]))
    return render_template(
        "home.html",
        stats=stats,
        statuses=ordered,
        levels=levels,
        examples=EXAMPLES,
        samples=views.sample_count(stats, current_app.config),
    )


@bp.get("/about")
def about():  # type: ignore[no-untyped-def]
    stats = get_service().stats()
    return render_template(
        "about.html",
        stats=stats,
        meanings=_statuses(),
        origins=FORMAT_SOURCES.values(),
        samples=views.sample_count(stats, current_app.config),
    )


def _as_typed(args: Any) -> SearchQuery:
    """The parameters as typed, unchecked, so a rejected search keeps them in the form."""
    filters: dict[str, Any] = {
        name: [v for v in args.getlist(name) if v.strip()] for name in FILTERS
    }
    sort = args.get("sort") or "relevance"
    return SearchQuery(
        q=" ".join((args.get("q") or "").split()),
        date_from=args.get("from") or None,
        date_to=args.get("to") or None,
        as_of=args.get("as_of") or None,
        sort=sort if sort in ("relevance", "newest", "oldest") else "relevance",
        articles=(args.get("articles") or "").strip().lower() in ("1", "true", "yes", "on"),
        **filters,
    )


def _rejected(query: SearchQuery, message: str):  # type: ignore[no-untyped-def]
    """The results page with the query kept in the form and the reason shown (400)."""
    empty = SearchPage(query.q, 0, 1, query.per_page, [])
    return render_template("search.html", query=query, page=empty, error=message), 400


@bp.get("/search")
def search():  # type: ignore[no-untyped-def]
    config = current_app.config
    try:
        query = parse_search(request.args, config)
    except BadQuery as exc:  # a bad date or parameter: keep what was typed
        return _rejected(_as_typed(request.args), str(exc))
    fields = unknown_fields(query.q)
    if fields:
        return _rejected(query, unknown_field_message(fields))
    service = get_service()
    try:
        page = service.search(query)
    except BadQuery as exc:  # a malformed query: show it in the form with the reason
        return _rejected(query, str(exc))
    pager = views.pagination(page, query, config)
    context = {
        "query": query,
        "page": page,
        "facets": views.facet_links(page, query, config),
        "pager": pager,
        "sort_urls": views.sort_urls(query, config),
        "api_url": views.search_url(query, config, base=url_for("api.search")),
        "statuses": [s.value for s in Status],
        "diagnoses": [],
        "suggestions": [],
        "clear_filters": None,
        "current": views.current_versions(service, page, query),
        "samples": views.sample_ids(page, config),
        "past_last": None,
        "notes": {"resolved": RESOLVED_NOTE, "relaxed": RELAXED_NOTE},
    }
    if page.total and not page.results:  # ?page=N beyond the last page
        last = dataclasses.replace(query, page=pager["last"])
        context["past_last"] = {"last": pager["last"], "url": views.search_url(last, config)}
        return render_template("search.html", **context), 404
    if page.total == 0:
        context["diagnoses"] = views.diagnose(service, query, config)
        context["clear_filters"] = views.without_filters(query, config)
        if query.q:
            context["suggestions"] = service.suggest(query.q, limit=5)
    return render_template("search.html", **context)


@bp.get("/doc/<path:doc_ref>")
def document(doc_ref: str):  # type: ignore[no-untyped-def]
    as_of = parse_doc_as_of(request.args)
    service = get_service()
    try:
        doc = service.get(doc_ref, as_of=as_of)
    except DocumentNotFound:
        # a title, short name or citation (社会保险法第十条): send it to the document's address
        found = resolve(service, doc_ref, as_of=as_of)
        anchor = found.article.number if found.article else None
        target = url_for("pages.document", doc_ref=found.document.id, as_of=as_of, _anchor=anchor)
        return redirect(target)
    config = current_app.config
    return render_template(
        "document.html",
        doc=doc,
        as_of=as_of,
        card=docview.status_card(doc),
        meaning=STATUS_MEANINGS.get(doc.status, ""),
        current=current_version(service, doc, as_of),
        relations=docview.relation_views(service, doc, as_of),
        versions=service.versions(doc.id),
        articles=docview.article_anchors(doc),
        citation=docview.citation(doc, views.public_url(config, doc.id)),
        origin=views.origin(doc, config),
        api_url=url_for("api.document", doc_ref=doc.id),
    )
