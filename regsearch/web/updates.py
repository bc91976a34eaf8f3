"""What the public sees of the write side: 最近更新 (HTML, Atom, JSON), each document's
history of changes, and the 清理结果 pages of the cleanup decisions (HTML, CSV, JSON).

Everything here reads the store (the change log) and the search service; nothing
writes. A site without a store yet shows empty lists, not errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, Response, abort, jsonify, render_template, request, url_for
from flask_login import current_user

from regsearch.errors import RegsearchError
from regsearch.export import csv_text
from regsearch.model import Document, RelationType
from regsearch.store.base import CHANGE_LABELS, Change, Department, Store
from regsearch.store.errors import NotFound
from regsearch.store.permissions import owns
from regsearch.web.state import get_service
from regsearch.web.writestate import get_store

bp = Blueprint("updates", __name__)
PER_PAGE = 30
FEED_SIZE = 50
R = RelationType
# A decision's relation -> the 清理结果 list it belongs to, in the order shown.
CONCLUSIONS = (
    (R.CONFIRMS.value, "继续有效"),
    (R.AMENDS.value, "修改"),
    (R.REPEALS.value, "废止"),
    (R.DECLARES_EXPIRED.value, "宣布失效"),
    (R.PARTIALLY_INVALIDATES.value, "部分失效"),
)
DECISION_WORDS = ("清理", "废止", "宣布失效", "失效")


@dataclass
class ChangeView:
    seq: int
    at: str
    label: str
    kind: str
    title: str
    doc_id: str | None  # None once the document has been removed
    doc_number: str | None
    other_id: str | None
    summary: str
    authorities: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _view(change: Change) -> ChangeView:
    return ChangeView(
        seq=change.seq,
        at=change.at,
        label=CHANGE_LABELS.get(change.kind, change.kind),
        kind=change.kind,
        title=change.title,
        doc_id=None if change.kind == "remove" else change.doc_id,
        doc_number=change.doc_number,
        other_id=change.target_id,
        summary=change.summary,
        authorities=change.authorities,
    )


def _department(store: Store | None) -> Department | None:
    dept_id = request.args.get("department", type=int)
    if dept_id is None:
        return None
    if store is None:
        abort(404)
    return store.department(dept_id)  # NotFound -> 404


def _changes(
    limit: int, offset: int
) -> tuple[list[ChangeView], Department | None, list[Department]]:
    store = get_store(create=False)
    dept = _department(store)
    if store is None:
        return [], None, []
    found = store.changes(
        authorities=dept.names() if dept else (), limit=limit, offset=offset, newest_first=True
    )
    return [_view(c) for c in found], dept, store.departments()


@bp.get("/updates")
def recent():  # type: ignore[no-untyped-def]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    views, dept, departments = _changes(PER_PAGE + 1, (page - 1) * PER_PAGE)
    return render_template(
        "updates.html",
        changes=views[:PER_PAGE],
        dept=dept,
        departments=departments,
        page=page,
        has_next=len(views) > PER_PAGE,
    )


@bp.get("/api/updates")
def recent_json():  # type: ignore[no-untyped-def]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    views, dept, _ = _changes(PER_PAGE, (page - 1) * PER_PAGE)
    return jsonify(
        {
            "department": dept.name if dept else None,
            "page": page,
            "per_page": PER_PAGE,
            "changes": [v.to_dict() for v in views],
        }
    )


@bp.get("/updates.atom")
def feed():  # type: ignore[no-untyped-def]
    views, dept, _ = _changes(FEED_SIZE, 0)
    body = render_template(
        "feed.xml",
        changes=views,
        dept=dept,
        updated=views[0].at if views else "1970-01-01T00:00:00+00:00",
        host=request.host.split(":")[0] or "localhost",
    )
    return Response(body, mimetype="application/atom+xml")


# -- a document's history -------------------------------------------------------


def doc_history(doc_id: str) -> dict[str, Any] | None:
    """When `doc_id` entered the database and every change to it, newest first."""
    store = get_store(create=False)
    if store is None:
        return None
    changes = store.changes(doc_id=doc_id)
    if not changes:
        return None
    entered = next(
        (c.at for c in changes if c.doc_id == doc_id and c.kind in ("add", "amend", "cleanup")),
        changes[0].at,
    )
    return {
        "entered": entered,
        "changes": [_view(c) for c in reversed(changes)],
        "can_edit": _can_edit(store, doc_id),
    }


def _can_edit(store: Store, doc_id: str) -> bool:
    if not current_user.is_authenticated or current_user.role not in ("editor", "admin"):
        return False
    if current_user.role == "admin":
        return True
    me = current_user.record
    dept = store.department(me.department_id) if me.department_id else None
    stored = next(iter(store.documents([doc_id])), None)
    return stored is not None and owns(dept, stored.document)


def register_globals(app: Flask) -> None:
    app.add_template_global(doc_history, "doc_history")


# -- 清理结果 --------------------------------------------------------------------


@dataclass
class Outcome:
    conclusion: str
    title: str
    doc_number: str | None
    target_id: str | None
    status: str | None
    evidence: str
    date: str | None


def _decision_ids(store: Store | None) -> list[str]:
    """Stored documents that may be cleanup decisions: worklists, titles with 清理/废止/失效."""
    if store is None:
        return []
    ids = {s.doc_id: s.document.publish_date or "" for s in store.documents(formats=["worklist"])}
    for word in DECISION_WORDS:
        for s in store.documents(title_contains=word):
            ids[s.doc_id] = s.document.publish_date or ""
    return sorted(ids, key=lambda i: (ids[i], i), reverse=True)


def _outcomes(service: Any, doc: Document) -> list[Outcome]:
    labels = dict(CONCLUSIONS)
    out = []
    for rel in doc.relations:
        if rel.type not in labels:
            continue
        status = None
        target = rel.target_id
        if target:
            try:
                status = service.get(target).status
            except RegsearchError:
                target = None
        out.append(
            Outcome(
                conclusion=labels[rel.type],
                title=rel.target_title or "",
                doc_number=rel.target_doc_number,
                target_id=target,
                status=status,
                evidence=rel.evidence,
                date=rel.date,
            )
        )
    return out


def _decisions() -> list[tuple[Document, dict[str, int]]]:
    service = get_service()
    out = []
    for doc_id in _decision_ids(get_store(create=False)):
        try:
            doc = service.get(doc_id)
        except RegsearchError:
            continue  # not indexed yet
        counts: dict[str, int] = {}
        labels = dict(CONCLUSIONS)
        for rel in doc.relations:
            if rel.type in labels:
                counts[labels[rel.type]] = counts.get(labels[rel.type], 0) + 1
        if counts:
            out.append((doc, counts))
    return out


def _decision(doc_id: str) -> tuple[Document, list[Outcome]]:
    store = get_store(create=False)
    if doc_id not in _decision_ids(store):
        raise NotFound(f"“{doc_id}”不是清理决定。")
    service = get_service()
    doc = service.get(doc_id)
    outcomes = _outcomes(service, doc)
    if not outcomes:
        raise NotFound(f"“{doc.title}”中没有清理结论。")
    return doc, outcomes


@bp.get("/cleanup-results")
def cleanup_index():  # type: ignore[no-untyped-def]
    return render_template("cleanup_index.html", decisions=_decisions(), conclusions=CONCLUSIONS)


@bp.get("/api/cleanup-results")
def cleanup_index_json():  # type: ignore[no-untyped-def]
    return jsonify(
        {
            "decisions": [
                {
                    "id": d.id,
                    "title": d.title,
                    "doc_number": d.doc_number,
                    "publish_date": d.publish_date,
                    "authority": d.authority,
                    "counts": counts,
                }
                for d, counts in _decisions()
            ]
        }
    )


@bp.get("/cleanup-results/<doc_id>")
def cleanup_result(doc_id: str):  # type: ignore[no-untyped-def]
    doc, outcomes = _decision(doc_id)
    groups = [(label, [o for o in outcomes if o.conclusion == label]) for _, label in CONCLUSIONS]
    return render_template("cleanup_result.html", doc=doc, groups=groups, total=len(outcomes))


@bp.get("/api/cleanup-results/<doc_id>")
def cleanup_result_json(doc_id: str):  # type: ignore[no-untyped-def]
    doc, outcomes = _decision(doc_id)
    return jsonify(
        {
            "id": doc.id,
            "title": doc.title,
            "doc_number": doc.doc_number,
            "authority": doc.authority,
            "publish_date": doc.publish_date,
            "results": [o.__dict__ for o in outcomes],
        }
    )


CSV_HEADERS = ["清理结论", "标题", "发文字号", "当前状态", "日期", "依据", "链接"]


@bp.get("/cleanup-results/<doc_id>.csv")
def cleanup_result_csv(doc_id: str):  # type: ignore[no-untyped-def]
    doc, outcomes = _decision(doc_id)
    rows = [
        [
            o.conclusion,
            o.title,
            o.doc_number,
            o.status,
            o.date,
            o.evidence,
            url_for("pages.document", doc_ref=o.target_id, _external=True) if o.target_id else "",
        ]
        for o in outcomes
    ]
    return Response(
        csv_text(CSV_HEADERS, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=cleanup-{doc.id}.csv"},
    )
