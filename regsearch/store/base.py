"""What the document store keeps and the interface every store implements.

The store is the source of truth (PIPELINE.md): source documents (every revision),
events, manual relations, departments, users, API tokens, submissions and the audit
log, plus a change log numbered by a monotonic sequence. The search index is derived
from it (`regsearch.store.derive`, `regsearch.store.sync`). `SQLStore` implements the
interface over any DB-API connection; `SQLiteStore` is the embedded default, and a
PostgreSQL store (issue 14) only has to supply connections and its placeholder style.
"""

from __future__ import annotations

import datetime as _dt
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from regsearch.model import Document


def now() -> str:
    """The current time, ISO 8601 with the local offset, to the second."""
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


class Role(str, Enum):
    ADMIN = "admin"  # creates departments and users; may do anything
    EDITOR = "editor"  # submits new documents, amendments and repeals of the department
    REVIEWER = "reviewer"  # publishes what an editor of the department submitted

    def __str__(self) -> str:
        return self.value


ROLE_LABELS = {Role.ADMIN.value: "管理员", Role.EDITOR.value: "编辑", Role.REVIEWER.value: "审核人"}


class ChangeKind(str, Enum):
    ADD = "add"  # a document entered the database
    UPDATE = "update"  # a new revision of the same source (corrected text or metadata)
    AMEND = "amend"  # a new version of a document (doc_id) replacing another (target_id)
    REPEAL = "repeal"  # 废止 of target_id, decided by doc_id
    EXPIRE = "expire"  # 宣布失效 of target_id, decided by doc_id
    CLEANUP = "cleanup"  # a cleanup decision (清理结论) was published
    REMOVE = "remove"  # a source vanished (ingest --prune); its revisions stay in the store

    def __str__(self) -> str:
        return self.value


CHANGE_LABELS = {
    "add": "新增",
    "update": "更新",
    "amend": "修改",
    "repeal": "废止",
    "expire": "宣布失效",
    "cleanup": "清理结论",
    "remove": "移除",
}


class EventKind(str, Enum):
    """Events on a document; 施行 and 公布 are the document's own dates."""

    REPEAL = "废止"
    EXPIRE = "宣布失效"
    CLEANUP = "清理结论"

    def __str__(self) -> str:
        return self.value


@dataclass
class StoredDocument:
    """One revision of one source document."""

    rev: int
    document: Document
    origin: str  # ingest | submission | api
    seq: int  # the change that wrote this revision
    created_at: str
    submission_id: int | None = None
    current: bool = True
    removed: bool = False

    @property
    def doc_id(self) -> str:
        return self.document.id


@dataclass
class Event:
    doc_id: str  # the document the event happens to
    kind: str  # an EventKind value
    date: str | None = None
    evidence_id: str | None = None  # the deciding document
    evidence: str = ""  # the sentence of the decision that says so
    detail: str = ""  # for 清理结论: 继续有效 / 修改 / 废止 / 宣布失效
    submission_id: int | None = None
    id: int = 0
    seq: int = 0


@dataclass
class ManualRelation:
    doc_id: str
    type: str  # a RelationType value (supersedes: doc_id is the new version of target_id)
    target_id: str
    evidence: str = ""
    date: str | None = None
    submission_id: int | None = None
    id: int = 0
    seq: int = 0


@dataclass
class Change:
    seq: int
    at: str
    kind: str  # a ChangeKind value
    doc_id: str
    origin: str
    target_id: str | None = None
    title: str = ""
    doc_number: str | None = None
    authorities: list[str] = field(default_factory=list)
    actor: str | None = None
    submission_id: int | None = None
    summary: str = ""


@dataclass
class Department:
    id: int
    name: str  # the issuing body as it appears on documents
    aliases: list[str] = field(default_factory=list)
    created_at: str = ""

    def names(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass
class User:
    id: int
    username: str
    role: str
    password_hash: str = field(repr=False, default="")
    display_name: str = ""
    department_id: int | None = None
    active: bool = True
    created_at: str = ""
    password_changed_at: str = ""

    @property
    def label(self) -> str:
        return f"{self.display_name}（{self.username}）" if self.display_name else self.username


@dataclass
class ApiToken:
    id: int
    user_id: int
    name: str
    created_at: str
    last_used_at: str | None = None
    revoked_at: str | None = None


class SubmissionKind(str, Enum):
    NEW = "new"
    AMEND = "amend"
    REPEAL = "repeal"
    EXPIRE = "expire"

    def __str__(self) -> str:
        return self.value


class SubmissionStatus(str, Enum):
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    def __str__(self) -> str:
        return self.value


SUBMISSION_LABELS = {
    "new": "新文件",
    "amend": "修改（新版本）",
    "repeal": "废止",
    "expire": "宣布失效",
    "pending": "待审核",
    "published": "已发布",
    "rejected": "已退回",
    "withdrawn": "已撤回",
}


@dataclass
class Submission:
    id: int
    kind: str
    status: str
    payload: dict[str, Any]  # {"document": {...}} and/or {"evidence_id", "date", "evidence"}
    submitted_by: int
    submitted_at: str
    department_id: int | None = None
    target_id: str | None = None  # the document amended, repealed or declared invalid
    doc_id: str | None = None  # the document the submission adds (new version, decision)
    title: str = ""
    decided_by: int | None = None
    decided_at: str | None = None
    note: str = ""


@dataclass
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    address: str = ""
    actor_id: int | None = None
    before: Any = None
    after: Any = None


@dataclass
class PutReport:
    """What `put_documents` did, per document id."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    last_seq: int = 0


@dataclass
class Actor:
    """Who makes a change and from where, for the change log and the audit log."""

    name: str
    id: int | None = None
    address: str = ""


class Store(ABC):
    """The store interface. Every write happens inside `transaction()`; writes nest."""

    dialect: str = ""

    # -- lifecycle ---------------------------------------------------------------
    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def meta(self, key: str) -> str | None: ...

    @abstractmethod
    def set_meta(self, key: str, value: str) -> None: ...

    # -- change log -----------------------------------------------------------------
    @abstractmethod
    def add_change(self, change: Change) -> int:
        """Append `change` (its seq is ignored) and return its sequence number."""

    @abstractmethod
    def last_seq(self) -> int: ...

    @abstractmethod
    def changes(
        self,
        *,
        after: int = 0,
        doc_id: str | None = None,
        authorities: Iterable[str] = (),
        limit: int | None = None,
        offset: int = 0,
        newest_first: bool = False,
    ) -> list[Change]:
        """Changes with seq > `after`; `doc_id` matches either end; `authorities` any body."""

    # -- documents ---------------------------------------------------------------
    @abstractmethod
    def put_documents(
        self,
        documents: Iterable[Document],
        *,
        origin: str,
        actor: Actor,
        prune_collections: Iterable[str] = (),
        keep_sources: Iterable[str] = (),
        submission_id: int | None = None,
        kind: str | None = None,
        target_id: str | None = None,
    ) -> PutReport:
        """Store new or changed documents (by content hash) and, with `prune_collections`,
        mark the documents of those collections that are not in `documents` as removed."""

    @abstractmethod
    def documents(
        self,
        ids: Iterable[str] | None = None,
        *,
        collections: Iterable[str] | None = None,
        formats: Iterable[str] | None = None,
        title_contains: str | None = None,
    ) -> Iterator[StoredDocument]:
        """Current, not removed documents (all of them, or those matching)."""

    @abstractmethod
    def revisions(self, doc_id: str) -> list[StoredDocument]:
        """Every revision of one document, oldest first (removed ones too)."""

    @abstractmethod
    def status_of(self, ids: Iterable[str]) -> dict[str, tuple[str, bool]]:
        """doc id -> (collection, removed) of each id's current revision."""

    # -- events and relations -------------------------------------------------------
    @abstractmethod
    def add_event(self, event: Event) -> int: ...

    @abstractmethod
    def events(self, ids: Iterable[str] | None = None) -> list[Event]:
        """Events on, or decided by, the documents `ids` (all events if None)."""

    @abstractmethod
    def add_relation(self, relation: ManualRelation) -> int: ...

    @abstractmethod
    def relations(self, ids: Iterable[str] | None = None) -> list[ManualRelation]:
        """Manual relations from or to the documents `ids` (all if None)."""

    # -- departments, users, tokens ---------------------------------------------------
    @abstractmethod
    def add_department(self, name: str, aliases: Iterable[str] = ()) -> Department: ...

    @abstractmethod
    def update_department(self, dept_id: int, name: str, aliases: Iterable[str]) -> Department: ...

    @abstractmethod
    def department(self, dept_id: int | None = None, name: str | None = None) -> Department: ...

    @abstractmethod
    def departments(self) -> list[Department]: ...

    @abstractmethod
    def add_user(
        self,
        username: str,
        password_hash: str,
        role: str,
        department_id: int | None = None,
        display_name: str = "",
    ) -> User: ...

    @abstractmethod
    def update_user(self, user_id: int, **changes: Any) -> User:
        """Change role, department_id, display_name, active or password_hash."""

    @abstractmethod
    def user(self, user_id: int | None = None, username: str | None = None) -> User: ...

    @abstractmethod
    def users(self) -> list[User]: ...

    @abstractmethod
    def add_token(self, user_id: int, name: str, token_hash: str) -> ApiToken: ...

    @abstractmethod
    def tokens(self, user_id: int) -> list[ApiToken]: ...

    @abstractmethod
    def user_for_token(self, token_hash: str) -> User | None:
        """The active user of a live (not revoked) token; records its use."""

    @abstractmethod
    def revoke_token(self, user_id: int, token_id: int) -> None: ...

    # -- submissions --------------------------------------------------------------
    @abstractmethod
    def add_submission(self, submission: Submission) -> Submission: ...

    @abstractmethod
    def update_submission(self, sub_id: int, **changes: Any) -> Submission:
        """Change status, decided_by, decided_at, note or doc_id."""

    @abstractmethod
    def submission(self, sub_id: int) -> Submission: ...

    @abstractmethod
    def submissions(
        self,
        *,
        status: str | None = None,
        department_id: int | None = None,
        submitted_by: int | None = None,
        limit: int = 200,
    ) -> list[Submission]: ...

    # -- audit --------------------------------------------------------------------
    @abstractmethod
    def audit(
        self,
        actor: Actor,
        action: str,
        object_type: str,
        object_id: str = "",
        before: Any = None,
        after: Any = None,
    ) -> int: ...

    @abstractmethod
    def audit_log(
        self, *, limit: int | None = 200, offset: int = 0, actor: str | None = None
    ) -> list[AuditEntry]:
        """Newest first."""
