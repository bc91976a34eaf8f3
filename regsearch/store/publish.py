"""The two-person publishing workflow: an editor submits, a reviewer publishes.

    submit_document(...)   a new document, or a new version of one (amendment)
    submit_decision(...)   废止 / 宣布失效 of a document, with the deciding document
    publish(...)           a reviewer of the department (never the submitter) applies it:
                           documents, events and relations are stored with one change
                           per public effect, in one transaction
    reject / withdraw      the submission stays in the store and the audit log

Nothing here touches the index: the caller asks `sync` to catch up afterwards, and
a process that dies in between catches up at its next start.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict
from typing import Any

from regsearch.ingest.dates import parse_date
from regsearch.model import Document, RelationType, make_id
from regsearch.store.base import (
    Actor,
    Change,
    ChangeKind,
    Department,
    Event,
    EventKind,
    ManualRelation,
    Store,
    Submission,
    SubmissionKind,
    SubmissionStatus,
    User,
    now,
)
from regsearch.store.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from regsearch.store.permissions import is_admin, owns, require_editor_of, require_reviewer_of

COLLECTION = "部门发布"
DECISIONS = {
    SubmissionKind.REPEAL.value: (EventKind.REPEAL.value, ChangeKind.REPEAL.value),
    SubmissionKind.EXPIRE.value: (EventKind.EXPIRE.value, ChangeKind.EXPIRE.value),
}


def new_document_id(dept: Department | None) -> str:
    """A fresh id for a submitted document (its source names the department)."""
    return make_id(COLLECTION, f"{dept.id if dept else 0}/{secrets.token_hex(8)}")


def source_for(dept: Department | None, filename: str | None = None) -> str:
    name = dept.name if dept else "管理员"
    return f"{name}/{filename}" if filename else f"{name}/表单"


def user_department(store: Store, user: User) -> Department | None:
    return store.department(user.department_id) if user.department_id is not None else None


def stored_document(store: Store, doc_id: str) -> Document:
    found = list(store.documents([doc_id]))
    if not found:
        raise NotFound(f"文件库中没有文件“{doc_id}”（或已移除）。")
    return found[0].document


def _department_for(store: Store, user: User, doc: Document) -> Department | None:
    """The department a submission belongs to: the user's, or for an admin the issuer's."""
    dept = user_department(store, user)
    if dept is not None or not is_admin(user):
        return dept
    return next((d for d in store.departments() if owns(d, doc)), None)


def summary(sub: Submission) -> dict[str, Any]:
    """A submission as the audit log records it (the document without its body)."""
    data = asdict(sub)
    doc = dict(data["payload"].get("document") or {})
    if doc:
        doc.pop("articles", None)
        body = doc.pop("body", "") or ""
        doc["body_chars"] = len(body)
        data["payload"] = {**data["payload"], "document": doc}
    return data


def submit_document(
    store: Store,
    user: User,
    actor: Actor,
    doc: Document,
    *,
    target_id: str | None = None,
    note: str = "",
) -> Submission:
    """Queue `doc` for review: a new document, or (with `target_id`) a new version of it."""
    dept = user_department(store, user)
    require_editor_of(user, dept, doc)
    kind = SubmissionKind.NEW.value
    if target_id:
        kind = SubmissionKind.AMEND.value
        require_editor_of(user, dept, stored_document(store, target_id))
    with store.transaction():
        sub = store.add_submission(
            Submission(
                id=0,
                kind=kind,
                status=SubmissionStatus.PENDING.value,
                payload={"document": doc.to_dict()},
                submitted_by=user.id,
                submitted_at=now(),
                department_id=(_department_for(store, user, doc) or Department(0, "")).id or None,
                target_id=target_id,
                doc_id=doc.id,
                title=doc.title,
                note=note,
            )
        )
        store.audit(actor, "submission.create", "submission", str(sub.id), after=summary(sub))
    return sub


def submit_decision(
    store: Store,
    user: User,
    actor: Actor,
    kind: str,
    target_id: str,
    *,
    date: str,
    evidence: str = "",
    evidence_id: str | None = None,
    evidence_doc: Document | None = None,
    note: str = "",
) -> Submission:
    """Queue a 废止 (`repeal`) or 宣布失效 (`expire`) of `target_id`, decided by a document
    already in the store (`evidence_id`) or by one submitted with it (`evidence_doc`)."""
    if kind not in DECISIONS:
        raise ValidationFailed({"kind": "只能是 repeal（废止）或 expire（宣布失效）。"})
    dept = user_department(store, user)
    target = stored_document(store, target_id)
    require_editor_of(user, dept, target)
    errors: dict[str, str] = {}
    day = parse_date(date) if date else None
    if not day:
        errors["date"] = (
            f"{'废止' if kind == 'repeal' else '失效'}日期“{date or ''}”缺失或无法识别，"
            "请写成 2024-01-31。"
        )
    if evidence_doc is None and not evidence_id:
        errors["evidence_id"] = "请注明作出决定的文件：选择库中已有的文件，或一并提交决定文件。"
    if evidence_doc is not None:
        require_editor_of(user, dept, evidence_doc)
    elif evidence_id:
        try:
            stored_document(store, evidence_id)
        except NotFound as exc:
            errors["evidence_id"] = str(exc)
    if evidence_id == target_id:
        errors["evidence_id"] = "决定文件不能是被废止的文件本身。"
    if errors:
        raise ValidationFailed(errors)
    payload: dict[str, Any] = {"date": day, "evidence": evidence.strip()}
    if evidence_doc is not None:
        payload["document"] = evidence_doc.to_dict()
        evidence_id = evidence_doc.id
    payload["evidence_id"] = evidence_id
    with store.transaction():
        sub = store.add_submission(
            Submission(
                id=0,
                kind=kind,
                status=SubmissionStatus.PENDING.value,
                payload=payload,
                submitted_by=user.id,
                submitted_at=now(),
                department_id=(_department_for(store, user, target) or Department(0, "")).id
                or None,
                target_id=target_id,
                doc_id=evidence_doc.id if evidence_doc is not None else None,
                title=target.title,
                note=note,
            )
        )
        store.audit(actor, "submission.create", "submission", str(sub.id), after=summary(sub))
    return sub


def _apply(store: Store, sub: Submission, actor: Actor) -> int:
    """Store what `sub` changes; returns the last change's sequence number."""
    payload = sub.payload
    doc = Document.from_dict(payload["document"]) if payload.get("document") else None
    if sub.kind == SubmissionKind.NEW.value and doc is not None:
        kind = ChangeKind.CLEANUP.value if doc.format == "worklist" else ChangeKind.ADD.value
        return store.put_documents(
            [doc], origin="submission", actor=actor, submission_id=sub.id, kind=kind
        ).last_seq
    if sub.kind == SubmissionKind.AMEND.value and doc is not None and sub.target_id:
        put = store.put_documents(
            [doc],
            origin="submission",
            actor=actor,
            submission_id=sub.id,
            kind=ChangeKind.AMEND.value,
            target_id=sub.target_id,
        )
        when = doc.effective_date or doc.publish_date
        store.add_relation(
            ManualRelation(
                doc_id=doc.id,
                type=RelationType.SUPERSEDES.value,
                target_id=sub.target_id,
                evidence=f"修改后的新版本（{when or '日期不详'}起）",
                date=doc.effective_date or doc.publish_date,
                submission_id=sub.id,
                seq=put.last_seq,
            )
        )
        return put.last_seq
    if sub.kind in DECISIONS and sub.target_id:
        event_kind, change_kind = DECISIONS[sub.kind]
        if doc is not None:
            store.put_documents([doc], origin="submission", actor=actor, submission_id=sub.id)
        evidence_id = payload.get("evidence_id")
        decider = stored_document(store, evidence_id) if evidence_id else None
        target = stored_document(store, sub.target_id)
        text = payload.get("evidence") or (
            f"《{decider.title}》决定{event_kind}" if decider is not None else event_kind
        )
        seq = store.add_change(
            Change(
                seq=0,
                at=now(),
                kind=change_kind,
                doc_id=target.id,
                origin="submission",
                target_id=evidence_id,
                title=target.title,
                doc_number=target.doc_number,
                authorities=[a for a in (target.authority, *target.co_authorities) if a],
                actor=actor.name,
                submission_id=sub.id,
                summary=text,
            )
        )
        store.add_event(
            Event(
                doc_id=target.id,
                kind=event_kind,
                date=payload.get("date"),
                evidence_id=evidence_id,
                evidence=text,
                submission_id=sub.id,
                seq=seq,
            )
        )
        return seq
    raise Conflict(f"提交 {sub.id} 的内容不完整，无法发布。")


def _pending(store: Store, sub_id: int) -> Submission:
    sub = store.submission(sub_id)
    if sub.status != SubmissionStatus.PENDING.value:
        raise Conflict(f"提交 {sub_id} 的状态是“{sub.status}”，不能再处理。")
    return sub


def publish(store: Store, user: User, actor: Actor, sub_id: int) -> tuple[Submission, int]:
    """Publish a pending submission (a reviewer of its department, never its submitter)."""
    with store.transaction():
        sub = _pending(store, sub_id)
        require_reviewer_of(user, sub)
        seq = _apply(store, sub, actor)
        done = store.update_submission(
            sub_id, status=SubmissionStatus.PUBLISHED.value, decided_by=user.id, decided_at=now()
        )
        store.audit(
            actor,
            "submission.publish",
            "submission",
            str(sub_id),
            before={"status": sub.status},
            after={"status": done.status, "seq": seq},
        )
    return done, seq


def reject(store: Store, user: User, actor: Actor, sub_id: int, note: str) -> Submission:
    with store.transaction():
        sub = _pending(store, sub_id)
        require_reviewer_of(user, sub)
        done = store.update_submission(
            sub_id,
            status=SubmissionStatus.REJECTED.value,
            decided_by=user.id,
            decided_at=now(),
            note=note.strip() or sub.note,
        )
        store.audit(
            actor,
            "submission.reject",
            "submission",
            str(sub_id),
            before={"status": sub.status},
            after={"status": done.status, "note": done.note},
        )
    return done


def withdraw(store: Store, user: User, actor: Actor, sub_id: int) -> Submission:
    """The submitter (or an admin) takes a pending submission back; it stays in the log."""
    with store.transaction():
        sub = _pending(store, sub_id)
        if sub.submitted_by != user.id and not is_admin(user):
            raise PermissionDenied("只有提交人可以撤回提交。")
        done = store.update_submission(
            sub_id, status=SubmissionStatus.WITHDRAWN.value, decided_by=user.id, decided_at=now()
        )
        store.audit(
            actor,
            "submission.withdraw",
            "submission",
            str(sub_id),
            before={"status": sub.status},
            after={"status": done.status},
        )
    return done
