"""The JSON write API for scripts: `Authorization: Bearer <token>` (a per-user API token).

    GET  /api/v1/me
    POST /api/v1/submissions                {"kind": "new"|"amend"|"repeal"|"expire", …}
    GET  /api/v1/submissions/<id>
    POST /api/v1/submissions/<id>/publish   (a reviewer's token)
    POST /api/v1/submissions/<id>/reject    {"note": "…"}
    POST /api/v1/submissions/<id>/withdraw
    GET  /api/v1/documents/<id>             the stored document and its revisions (owners)

The session cookie is never accepted here (so no CSRF token is needed); errors have
the site's one shape, with `fields` for validation errors.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, g, jsonify, request

from regsearch.model import Document
from regsearch.store import accounts
from regsearch.store import publish as workflow
from regsearch.store.base import Submission
from regsearch.store.errors import PermissionDenied, ValidationFailed
from regsearch.store.permissions import can_see_submission, is_admin, owns
from regsearch.store.validate import document_from_fields
from regsearch.web.writestate import actor, changed, get_store, store

bp = Blueprint("writeapi", __name__, url_prefix="/api/v1")


@bp.before_request
def _authenticate():  # type: ignore[no-untyped-def]
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    found = get_store(create=False)
    user = (
        accounts.user_for_token(found, token.strip())
        if found and scheme.lower() == "bearer"
        else None
    )
    if user is None:
        body = {
            "error": {
                "code": "unauthorized",
                "message": "需要有效的 API 令牌：Authorization: Bearer <令牌>"
                "（在“我的账号”页创建）。",
            }
        }
        response = jsonify(body)
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="regsearch"'
        return response
    g.api_user = user
    return None


def _user() -> Any:
    return g.api_user


def _sub_json(sub: Submission) -> dict[str, Any]:
    return workflow.summary(sub)


@bp.get("/me")
def me():  # type: ignore[no-untyped-def]
    return jsonify(accounts.public_user(_user()))


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationFailed({"body": "请求体须为 JSON 对象（Content-Type: application/json）。"})
    return data


@bp.post("/submissions")
def create():  # type: ignore[no-untyped-def]
    data = _body()
    user = _user()
    kind = data.get("kind") or "new"
    dept = workflow.user_department(store(), user)
    who = actor(user)
    if kind in ("new", "amend"):
        fields = data.get("document")
        if not isinstance(fields, dict):
            raise ValidationFailed({"document": "缺少 document 对象（标题、发文机关、正文等）。"})
        doc = document_from_fields(
            fields,
            doc_id=workflow.new_document_id(dept),
            collection=workflow.COLLECTION,
            source=workflow.source_for(dept, "api"),
            fmt="api",
        )
        target = data.get("target_id") if kind == "amend" else None
        if kind == "amend" and not target:
            raise ValidationFailed({"target_id": "修改须注明被修改文件的 target_id。"})
        sub = workflow.submit_document(
            store(), user, who, doc, target_id=target, note=str(data.get("note") or "")
        )
    elif kind in ("repeal", "expire"):
        sub = workflow.submit_decision(
            store(),
            user,
            who,
            kind,
            str(data.get("target_id") or ""),
            date=str(data.get("date") or ""),
            evidence=str(data.get("evidence") or ""),
            evidence_id=data.get("evidence_id"),
            note=str(data.get("note") or ""),
        )
    else:
        raise ValidationFailed({"kind": "kind 须为 new、amend、repeal 或 expire。"})
    return jsonify(_sub_json(sub)), 201


def _visible(sub_id: int) -> Submission:
    sub = store().submission(sub_id)
    if not can_see_submission(_user(), sub):
        raise PermissionDenied("只能查看本部门的提交。")
    return sub


@bp.get("/submissions/<int:sub_id>")
def show(sub_id: int):  # type: ignore[no-untyped-def]
    return jsonify(_sub_json(_visible(sub_id)))


@bp.post("/submissions/<int:sub_id>/publish")
def publish(sub_id: int):  # type: ignore[no-untyped-def]
    _visible(sub_id)
    sub, seq = workflow.publish(store(), _user(), actor(_user()), sub_id)
    changed()
    return jsonify({**_sub_json(sub), "seq": seq})


@bp.post("/submissions/<int:sub_id>/reject")
def reject(sub_id: int):  # type: ignore[no-untyped-def]
    _visible(sub_id)
    note = str((request.get_json(silent=True) or {}).get("note") or "")
    if not note.strip():
        raise ValidationFailed({"note": "请填写退回理由。"})
    return jsonify(_sub_json(workflow.reject(store(), _user(), actor(_user()), sub_id, note)))


@bp.post("/submissions/<int:sub_id>/withdraw")
def withdraw(sub_id: int):  # type: ignore[no-untyped-def]
    _visible(sub_id)
    return jsonify(_sub_json(workflow.withdraw(store(), _user(), actor(_user()), sub_id)))


@bp.get("/documents/<doc_id>")
def document(doc_id: str):  # type: ignore[no-untyped-def]
    doc: Document = workflow.stored_document(store(), doc_id)
    user = _user()
    if not is_admin(user) and not owns(workflow.user_department(store(), user), doc):
        raise PermissionDenied(f"《{doc.title}》不是本部门制发的文件。")
    revisions = [
        {
            "rev": r.rev,
            "seq": r.seq,
            "origin": r.origin,
            "created_at": r.created_at,
            "removed": r.removed,
            "content_hash": r.document.content_hash,
        }
        for r in store().revisions(doc_id)
    ]
    return jsonify({"document": asdict(doc), "revisions": revisions})
