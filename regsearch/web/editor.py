"""Editors submit new documents, amendments (new versions) and repeals; reviewers publish.

Every form shows the parsed metadata and articles before anything is submitted; an
upload is parsed and shown, never stored, until the editor submits it. A reviewer
of the department (never the submitter) publishes; the index then catches up.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from regsearch.errors import RegsearchError
from regsearch.ingest.files import decode_bytes
from regsearch.model import Document
from regsearch.store import publish as workflow
from regsearch.store.base import SUBMISSION_LABELS, Submission, SubmissionStatus
from regsearch.store.errors import NotFound, PermissionDenied, UploadRejected, ValidationFailed
from regsearch.store.permissions import (
    can_see_submission,
    is_admin,
    owns,
    require_editor_of,
    require_reviewer_of,
)
from regsearch.store.uploads import MAX_UPLOAD_BYTES, parse_upload
from regsearch.store.validate import document_from_fields, fields_of
from regsearch.web.forms import ActionForm, DecisionForm, DocumentForm, RejectForm
from regsearch.web.writestate import actor, changed, store

bp = Blueprint("editor", __name__, url_prefix="/editor")
UPLOAD_FORMATS = {"docx", "pdf", "markdown", "text", "govcn-html", "jsonl"}


def _me() -> Any:
    return current_user.record


def _dept() -> Any:
    return workflow.user_department(store(), _me())


@bp.before_request
@login_required  # type: ignore[misc]
def _signed_in() -> None:
    return None


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    me, dept = _me(), _dept()
    queue: list[Submission] = []
    if is_admin(me):
        queue = store().submissions(status=SubmissionStatus.PENDING.value)
    elif me.role == "reviewer" and dept is not None:
        queue = store().submissions(status=SubmissionStatus.PENDING.value, department_id=dept.id)
    q = (request.args.get("q") or "").strip()
    found: list[Document] = []
    if q:
        for stored in store().documents(title_contains=q):
            if is_admin(me) or owns(dept, stored.document):
                found.append(stored.document)
            if len(found) >= 50:
                break
    return render_template(
        "editor_home.html",
        me=me,
        dept=dept,
        mine=store().submissions(submitted_by=me.id),
        queue=queue,
        q=q,
        found=found,
        labels=SUBMISSION_LABELS,
    )


def _read_upload(form: DocumentForm, doc_id: str) -> tuple[Document | None, bytes]:
    """The document in the form's file, if one was chosen (UploadRejected if it is bad)."""
    upload = form.upload.data
    if upload is None or not getattr(upload, "filename", ""):
        return None, b""
    data = upload.stream.read(MAX_UPLOAD_BYTES + 1)
    doc = parse_upload(
        upload.filename,
        data,
        doc_id=doc_id,
        collection=workflow.COLLECTION,
        source=workflow.source_for(_dept(), upload.filename),
    )
    return doc, data


def _form_view(target: Document | None):  # type: ignore[no-untyped-def]
    """New document (target None) or new version of `target`: preview, then submit."""
    form = DocumentForm()
    dept = _dept()
    if target is not None:
        require_editor_of(_me(), dept, target)  # 403 before any form is shown
    template: dict[str, Any] = {
        "form": form,
        "target": target,
        "doc": None,
        "errors": {},
        "upload_error": None,
    }
    if request.method == "GET":
        if target is not None:
            form.process(data={**fields_of(target), "effective_date": "", "publish_date": ""})
        return render_template("editor_form.html", **template)
    doc_id = workflow.new_document_id(dept)
    doc: Document | None = None
    try:
        doc, data = _read_upload(form, doc_id)
    except UploadRejected as exc:
        template["upload_error"] = str(exc)
        return render_template("editor_form.html", **template), 400
    if doc is not None:  # a fresh upload: show what was read, submit nothing yet
        if doc.format == "worklist":
            form.worklist.data = decode_bytes(data, "worklist.csv")[0]  # GB18030 from Excel too
        else:
            form.process(
                formdata=None, data={**fields_of(doc), "format": doc.format, "note": form.note.data}
            )
        template["doc"] = doc
        return render_template("editor_form.html", **template)
    try:
        if form.worklist.data:
            doc = parse_upload(
                "worklist.csv",
                form.worklist.data.encode("utf-8"),
                doc_id=doc_id,
                collection=workflow.COLLECTION,
                source=workflow.source_for(dept, "清理结论.csv"),
            )
        else:
            fmt = form.format.data if form.format.data in UPLOAD_FORMATS else "form"
            doc = document_from_fields(
                request.form,
                doc_id=doc_id,
                collection=workflow.COLLECTION,
                source=workflow.source_for(dept),
                fmt=fmt,
            )
    except (ValidationFailed, UploadRejected) as exc:
        template["errors"] = exc.errors if isinstance(exc, ValidationFailed) else {"body": str(exc)}
        return render_template("editor_form.html", **template), 400
    template["doc"] = doc
    if request.form.get("action") != "submit":
        return render_template("editor_form.html", **template)
    try:
        sub = workflow.submit_document(
            store(),
            _me(),
            actor(),
            doc,
            target_id=target.id if target else None,
            note=form.note.data or "",
        )
    except PermissionDenied as exc:
        template["errors"] = {"authority": str(exc)}
        return render_template("editor_form.html", **template), 403
    flash("已提交，等待本部门审核人发布。")
    return redirect(url_for("editor.submission", sub_id=sub.id))


@bp.route("/new", methods=["GET", "POST"])
def new():  # type: ignore[no-untyped-def]
    return _form_view(None)


@bp.route("/amend/<doc_id>", methods=["GET", "POST"])
def amend(doc_id: str):  # type: ignore[no-untyped-def]
    return _form_view(workflow.stored_document(store(), doc_id))


def _resolve(ref: str) -> str:
    """A stored document id from an id or a 发文字号 (any bracket style)."""
    ref = ref.strip()
    try:
        return workflow.stored_document(store(), ref).id
    except NotFound:
        pass
    from regsearch.web.state import get_service

    try:
        found = get_service().get(ref).id
    except RegsearchError:
        raise NotFound(f"找不到决定文件“{ref}”：请填写库中文件的 ID 或发文字号。") from None
    return workflow.stored_document(store(), found).id


@bp.route("/decide/<doc_id>", methods=["GET", "POST"])
def decide(doc_id: str):  # type: ignore[no-untyped-def]
    target = workflow.stored_document(store(), doc_id)
    require_editor_of(_me(), _dept(), target)
    form = DecisionForm()
    if request.method == "GET":
        form.kind.data = request.args.get("kind", "repeal")
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            evidence_id = _resolve(form.evidence_ref.data)
            sub = workflow.submit_decision(
                store(),
                _me(),
                actor(),
                form.kind.data,
                target.id,
                date=form.date.data,
                evidence=form.evidence.data or "",
                evidence_id=evidence_id,
                note=form.note.data or "",
            )
        except NotFound as exc:
            errors = {"evidence_ref": str(exc)}
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            flash("已提交，等待本部门审核人发布。")
            return redirect(url_for("editor.submission", sub_id=sub.id))
    elif request.method == "POST":
        errors = {"date": "请填写日期和决定文件。"}
    status = 400 if errors else 200
    return render_template("editor_decide.html", form=form, target=target, errors=errors), status


def _visible(sub_id: int) -> Submission:
    sub = store().submission(sub_id)
    if not can_see_submission(_me(), sub):
        raise PermissionDenied("只能查看本部门的提交。")
    return sub


@bp.get("/submissions/<int:sub_id>")
def submission(sub_id: int):  # type: ignore[no-untyped-def]
    sub = _visible(sub_id)
    doc = Document.from_dict(sub.payload["document"]) if sub.payload.get("document") else None
    target = None
    if sub.target_id:
        try:
            target = workflow.stored_document(store(), sub.target_id)
        except NotFound:
            target = None
    evidence = None
    if sub.payload.get("evidence_id") and doc is None:
        try:
            evidence = workflow.stored_document(store(), sub.payload["evidence_id"])
        except NotFound:
            evidence = None
    try:
        require_reviewer_of(_me(), sub)
        may_review = sub.status == SubmissionStatus.PENDING.value
    except PermissionDenied:
        may_review = False
    people = {u.id: u.label for u in store().users()}
    return render_template(
        "submission.html",
        sub=sub,
        doc=doc,
        target=target,
        evidence=evidence,
        people=people,
        labels=SUBMISSION_LABELS,
        may_review=may_review,
        may_withdraw=sub.status == "pending" and (sub.submitted_by == _me().id or is_admin(_me())),
        action_form=ActionForm(),
        reject_form=RejectForm(),
    )


@bp.post("/submissions/<int:sub_id>/publish")
def publish(sub_id: int):  # type: ignore[no-untyped-def]
    _visible(sub_id)
    workflow.publish(store(), _me(), actor(), sub_id)
    changed()
    flash("已发布：数秒内即可检索到。")
    return redirect(url_for("editor.submission", sub_id=sub_id))


@bp.post("/submissions/<int:sub_id>/reject")
def reject(sub_id: int):  # type: ignore[no-untyped-def]
    _visible(sub_id)
    form = RejectForm()
    if not form.validate_on_submit():
        flash("请填写退回理由。")
        return redirect(url_for("editor.submission", sub_id=sub_id))
    workflow.reject(store(), _me(), actor(), sub_id, form.note.data)
    flash("已退回。")
    return redirect(url_for("editor.submission", sub_id=sub_id))


@bp.post("/submissions/<int:sub_id>/withdraw")
def withdraw(sub_id: int):  # type: ignore[no-untyped-def]
    _visible(sub_id)
    workflow.withdraw(store(), _me(), actor(), sub_id)
    flash("已撤回（记录仍保留在审计日志中）。")
    return redirect(url_for("editor.submission", sub_id=sub_id))
