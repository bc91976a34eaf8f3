"""Who may change which document: a department owns the documents it issued.

An editor may submit new documents, amendments and repeals only for documents whose
issuing body (the lead authority or any co-issuer) is their department, under its
name or one of its aliases; a reviewer of that department publishes them; an
administrator may do anything. Names compare without white space and bracket style.
"""

from __future__ import annotations

import unicodedata

from regsearch.model import Document
from regsearch.store.base import Department, Role, Submission, User
from regsearch.store.errors import PermissionDenied


def norm_name(name: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def issuers(doc: Document) -> list[str]:
    return [a for a in (doc.authority, *doc.co_authorities) if a]


def owns(dept: Department | None, doc: Document) -> bool:
    """Whether `dept` issued `doc` (alone or as one of the co-issuers)."""
    if dept is None:
        return False
    names = {norm_name(n) for n in dept.names()}
    return any(norm_name(a) in names for a in issuers(doc))


def is_admin(user: User) -> bool:
    return user.role == Role.ADMIN.value


def require_editor_of(user: User, dept: Department | None, doc: Document) -> None:
    """PermissionDenied unless `user` may submit changes to `doc`."""
    if is_admin(user):
        return
    if user.role != Role.EDITOR.value:
        raise PermissionDenied("只有编辑可以提交文件的新增、修改和废止。")
    if not owns(dept, doc):
        mine = dept.name if dept else "（未分配部门）"
        theirs = "、".join(issuers(doc)) or "（未注明发文机关）"
        raise PermissionDenied(
            f"《{doc.title}》的发文机关是 {theirs}，不是你的部门 {mine}：只能处理本部门制发的文件。"
        )


def require_reviewer_of(user: User, submission: Submission) -> None:
    """PermissionDenied unless `user` may publish `submission` (never their own)."""
    if submission.submitted_by == user.id:
        raise PermissionDenied("不能发布自己提交的内容：每次公开的变更须由另一人审核。")
    if is_admin(user):
        return
    if user.role != Role.REVIEWER.value:
        raise PermissionDenied("只有审核人可以发布提交的内容。")
    if submission.department_id != user.department_id:
        raise PermissionDenied("只能审核本部门的提交。")


def can_see_submission(user: User, submission: Submission) -> bool:
    return (
        is_admin(user)
        or submission.submitted_by == user.id
        or (user.department_id is not None and submission.department_id == user.department_id)
    )
