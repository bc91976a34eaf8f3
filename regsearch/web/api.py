"""JSON twins of the pages: /api/search (the CLI's `search --json`), /api/doc/<id>, /api/stats."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request

from regsearch.errors import RegsearchError
from regsearch.search.serialize import document_to_dict, page_to_dict
from regsearch.web.params import parse_doc_as_of, parse_search
from regsearch.web.state import get_service

bp = Blueprint("api", __name__)


@bp.get("/api/search")
def search():  # type: ignore[no-untyped-def]
    query = parse_search(request.args, current_app.config)
    return jsonify(page_to_dict(get_service().search(query), query.articles))


@bp.get("/api/doc/<path:doc_ref>")
def document(doc_ref: str):  # type: ignore[no-untyped-def]
    service = get_service()
    doc = service.get(doc_ref, as_of=parse_doc_as_of(request.args))
    data = document_to_dict(doc)
    data["versions"] = [
        {
            "id": v.id,
            "title": v.title,
            "doc_number": v.doc_number,
            "status": v.status,
            "publish_date": v.publish_date,
            "effective_date": v.effective_date,
        }
        for v in service.versions(doc.id)
    ]
    return jsonify(data)


@bp.get("/api/stats")
def stats():  # type: ignore[no-untyped-def]
    # index_dir may be a Path and built_at a datetime: JSON gets their text form
    return jsonify(json.loads(json.dumps(get_service().stats(), default=str)))


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """Liveness plus whether the index can be read (503 while it is missing or damaged)."""
    from regsearch.web.errors import classify

    try:
        found = get_service().check()
    except RegsearchError as exc:
        _status, code = classify(exc)
        body = {"status": "unavailable", "error": {"code": code, "message": str(exc)}}
        return jsonify(body), 503
    return jsonify({"status": "ok", **found})
