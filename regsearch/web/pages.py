"""HTML pages: home, results, document. Each has a JSON twin in `api.py`."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for

from regsearch.errors import BadQuery
from regsearch.model import SearchPage, Status
from regsearch.web import docview, views
from regsearch.web.params import parse_doc_as_of, parse_search
from regsearch.web.state import get_service

bp = Blueprint("pages", __name__)

EXAMPLES = (
    ("标题", "行政执法监督办法"),
    ("文号", "国办函〔2018〕71号"),
    ("问题", "政府信息公开申请多久答复"),
)


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    stats = get_service().stats()
    statuses = stats.get("statuses") or {}
    ordered = [(s.value, statuses[s.value]) for s in Status if s.value in statuses]
    levels = sorted((stats.get("levels") or {}).items(), key=lambda kv: (-kv[1], kv[0]))
    return render_template(
        "home.html", stats=stats, statuses=ordered, levels=levels, examples=EXAMPLES
    )


@bp.get("/search")
def search():  # type: ignore[no-untyped-def]
    config = current_app.config
    query = parse_search(request.args, config)
    service = get_service()
    try:
        page = service.search(query)
    except BadQuery as exc:  # a malformed query: show it in the form with the reason
        empty = SearchPage(query.q, 0, query.page, query.per_page, [])
        return render_template("search.html", query=query, page=empty, error=str(exc)), 400
    context = {
        "query": query,
        "page": page,
        "facets": views.facet_links(page, query, config),
        "pager": views.pagination(page, query, config),
        "sort_urls": views.sort_urls(query, config),
        "api_url": views.search_url(query, config, base=url_for("api.search")),
        "statuses": [s.value for s in Status],
        "diagnoses": [],
        "suggestions": [],
        "clear_filters": None,
    }
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
    doc = service.get(doc_ref, as_of=as_of)
    url = url_for("pages.document", doc_ref=doc.id, _external=True)
    return render_template(
        "document.html",
        doc=doc,
        as_of=as_of,
        card=docview.status_card(doc),
        relations=docview.relation_views(service, doc, as_of),
        versions=service.versions(doc.id),
        articles=docview.article_anchors(doc),
        citation=docview.citation(doc, url),
        source_url=docview.external_url(doc),
        api_url=url_for("api.document", doc_ref=doc.id),
    )
