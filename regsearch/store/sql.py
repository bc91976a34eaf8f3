"""`SQLStore`: the store interface over any DB-API 2 connection, in portable SQL.

A dialect supplies connections (`_connect`), how a write transaction starts
(`_begin`), the placeholder style and how an insert returns its new key. Each
thread gets its own connection (SQLite connections are not shared between threads).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from regsearch.model import Document
from regsearch.store.base import (
    Actor,
    ApiToken,
    AuditEntry,
    Change,
    ChangeKind,
    Department,
    Event,
    ManualRelation,
    PutReport,
    Store,
    StoredDocument,
    Submission,
    User,
    now,
)
from regsearch.store.errors import Conflict, NotFound
from regsearch.store.schema import SCHEMA_VERSION, statements

CHUNK = 500  # ids per IN (...) list
_USER_FIELDS = {"role", "department_id", "display_name", "active", "password_hash"}
_SUBMISSION_FIELDS = {"status", "decided_by", "decided_at", "note", "doc_id"}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return str(value)


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=_plain)


def _authorities(doc: Document) -> list[str]:
    return [a for a in (doc.authority, *doc.co_authorities) if a]


def _pack_names(names: Iterable[str]) -> str:
    """Newline-framed names, so `LIKE '%\\nname\\n%'` matches one whole name."""
    names = [n.strip() for n in names if n and n.strip()]
    return "\n" + "\n".join(names) + "\n" if names else ""


def _unpack_names(text: str | None) -> list[str]:
    return [n for n in (text or "").split("\n") if n]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


# Whether the store's tables exist (of any version), per dialect.
STORE_EXISTS = {
    "postgresql": "SELECT COUNT(*) FROM information_schema.tables "
    "WHERE table_schema = current_schema() AND table_name = 'store_meta'",
    "sqlite": "SELECT COUNT(*) FROM sqlite_master WHERE name = 'store_meta'",
}


class SQLStore(Store):
    """Every store method in SQL both SQLite and PostgreSQL run unchanged."""

    placeholder = "?"
    integrity_errors: tuple[type[BaseException], ...] = ()

    def __init__(self) -> None:
        self._local = threading.local()
        self._all: list[Any] = []
        self._all_lock = threading.Lock()

    # -- dialect hooks -------------------------------------------------------------
    def _connect(self) -> Any:
        raise NotImplementedError

    def _begin(self, conn: Any) -> None:
        conn.execute("BEGIN")

    def _insert(self, sql: str, params: Sequence[Any], key: str) -> int:
        """Run an INSERT and return the new row's `key`."""
        raise NotImplementedError

    # -- plumbing --------------------------------------------------------------------
    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            self._local.depth = 0
            with self._all_lock:
                self._all.append(conn)
        return conn

    def _sql(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> Any:
        cur = self._conn().cursor()
        cur.execute(self._sql(sql), tuple(params))
        return cur

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self._exec(sql, params).fetchall())

    def _one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        return self._exec(sql, params).fetchone()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        conn = self._conn()
        if self._local.depth:
            self._local.depth += 1
            try:
                yield
            finally:
                self._local.depth -= 1
            return
        self._begin(conn)
        self._local.depth = 1
        try:
            yield
        except BaseException:
            conn.rollback()
            raise
        else:
            conn.commit()
        finally:
            self._local.depth = 0

    def close(self) -> None:
        with self._all_lock:
            for conn in self._all:
                with contextlib.suppress(Exception):
                    conn.close()
            self._all.clear()
        self._local = threading.local()

    def has_tables(self) -> bool:
        """Whether the database holds the store's tables (of any version)."""
        row = self._one(STORE_EXISTS[self.dialect])
        return bool(row and row[0])

    def migrate(self) -> None:
        """Apply the migrations this store has not seen yet (idempotent)."""
        with self.transaction():
            version = int(self.meta("schema_version") or 0) if self.has_tables() else 0
            if version > SCHEMA_VERSION:
                raise Conflict(
                    f"文件库版本 {version} 比本程序（{SCHEMA_VERSION}）新：请升级 regsearch。"
                )
            for number in range(version + 1, SCHEMA_VERSION + 1):
                for stmt in statements(number, self.dialect):
                    self._exec(stmt)
                self.set_meta("schema_version", str(number))
            if self.meta("store_id") is None:
                import secrets

                self.set_meta("store_id", secrets.token_hex(8))

    # -- meta --------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self._one("SELECT value FROM store_meta WHERE key = ?", (key,))
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            if self.meta(key) is None:
                self._exec("INSERT INTO store_meta (key, value) VALUES (?, ?)", (key, value))
            else:
                self._exec("UPDATE store_meta SET value = ? WHERE key = ?", (value, key))

    # -- change log ------------------------------------------------------------------
    _CHANGE_COLS = (
        "seq, at, kind, doc_id, origin, target_id, title, doc_number, authorities, actor, "
        "submission_id, summary"
    )

    def add_change(self, change: Change) -> int:
        with self.transaction():
            return self._insert(
                "INSERT INTO changes (at, kind, doc_id, origin, target_id, title, doc_number, "
                "authorities, actor, submission_id, summary) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    change.at or now(),
                    change.kind,
                    change.doc_id,
                    change.origin,
                    change.target_id,
                    change.title,
                    change.doc_number,
                    _pack_names(change.authorities),
                    change.actor,
                    change.submission_id,
                    change.summary,
                ),
                "seq",
            )

    def last_seq(self) -> int:
        row = self._one("SELECT MAX(seq) FROM changes")
        return int(row[0] or 0) if row else 0

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
        where: list[str] = ["seq > ?"]
        params: list[Any] = [after]
        if doc_id is not None:
            where.append("(doc_id = ? OR target_id = ?)")
            params += [doc_id, doc_id]
        names = [n for n in authorities if n]
        if names:
            where.append("(" + " OR ".join("authorities LIKE ? ESCAPE '\\'" for _ in names) + ")")
            params += [f"%\n{_like_escape(n)}\n%" for n in names]
        sql = f"SELECT {self._CHANGE_COLS} FROM changes WHERE {' AND '.join(where)}"
        sql += " ORDER BY seq DESC" if newest_first else " ORDER BY seq"
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return [
            Change(
                seq=r[0],
                at=r[1],
                kind=r[2],
                doc_id=r[3],
                origin=r[4],
                target_id=r[5],
                title=r[6],
                doc_number=r[7],
                authorities=_unpack_names(r[8]),
                actor=r[9],
                submission_id=r[10],
                summary=r[11],
            )
            for r in self._rows(sql, params)
        ]

    # -- documents -----------------------------------------------------------------
    def _change_for(
        self,
        kind: str,
        doc: Document,
        origin: str,
        actor: Actor,
        submission_id: int | None,
        target_id: str | None = None,
        summary: str = "",
    ) -> int:
        return self.add_change(
            Change(
                seq=0,
                at=now(),
                kind=kind,
                doc_id=doc.id,
                origin=origin,
                target_id=target_id,
                title=doc.title,
                doc_number=doc.doc_number,
                authorities=_authorities(doc),
                actor=actor.name,
                submission_id=submission_id,
                summary=summary,
            )
        )

    def _insert_revision(
        self,
        doc: Document,
        origin: str,
        seq: int,
        submission_id: int | None,
        removed: bool = False,
    ) -> None:
        self._exec(
            "UPDATE documents SET is_current = 0 WHERE doc_id = ? AND is_current = 1", (doc.id,)
        )
        self._insert(
            "INSERT INTO documents (doc_id, collection, source, format, title, content_hash, "
            "doc_json, origin, submission_id, seq, is_current, removed, created_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,1,?,?)",
            (
                doc.id,
                doc.collection,
                doc.source,
                doc.format,
                doc.title,
                doc.content_hash,
                "" if removed else json.dumps(doc.to_dict(), ensure_ascii=False),
                origin,
                submission_id,
                seq,
                1 if removed else 0,
                now(),
            ),
            "rev",
        )

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
        report = PutReport()
        incoming: dict[str, Document] = {}
        for doc in documents:
            incoming[doc.id] = doc
        with self.transaction():
            current = {
                r[0]: (r[1], bool(r[2]))
                for r in self._rows(
                    "SELECT doc_id, content_hash, removed FROM documents WHERE is_current = 1"
                )
            }
            for doc in incoming.values():
                old = current.get(doc.id)
                if (
                    old is not None
                    and not old[1]
                    and old[0] == doc.content_hash
                    and doc.content_hash
                ):
                    report.unchanged.append(doc.id)
                    continue
                change = kind or (ChangeKind.ADD.value if old is None or old[1] else "update")
                seq = self._change_for(change, doc, origin, actor, submission_id, target_id)
                self._insert_revision(doc, origin, seq, submission_id)
                (report.added if old is None or old[1] else report.updated).append(doc.id)
            scope = list(prune_collections)
            if scope:
                keep = set(keep_sources)
                marks = ",".join("?" for _ in scope)
                for (doc_json,) in self._rows(
                    "SELECT doc_json FROM documents WHERE is_current = 1 AND removed = 0 "
                    f"AND collection IN ({marks}) ORDER BY rev",
                    scope,
                ):
                    doc = Document.from_dict(json.loads(doc_json))
                    if doc.id in incoming or doc.source in keep:
                        continue
                    seq = self._change_for(
                        ChangeKind.REMOVE.value,
                        doc,
                        origin,
                        actor,
                        submission_id,
                        summary="来源文件已不存在",
                    )
                    self._insert_revision(doc, origin, seq, submission_id, removed=True)
                    report.removed.append(doc.id)
            report.last_seq = self.last_seq()
        return report

    _DOC_COLS = "rev, doc_json, origin, seq, created_at, submission_id, is_current, removed"

    def _stored(self, row: tuple[Any, ...], previous: Document | None = None) -> StoredDocument:
        doc = Document.from_dict(json.loads(row[1])) if row[1] else previous
        assert doc is not None
        return StoredDocument(
            rev=row[0],
            document=doc,
            origin=row[2],
            seq=row[3],
            created_at=row[4],
            submission_id=row[5],
            current=bool(row[6]),
            removed=bool(row[7]),
        )

    def documents(
        self,
        ids: Iterable[str] | None = None,
        *,
        collections: Iterable[str] | None = None,
        formats: Iterable[str] | None = None,
        title_contains: str | None = None,
    ) -> Iterator[StoredDocument]:
        base = f"SELECT {self._DOC_COLS} FROM documents WHERE is_current = 1 AND removed = 0"
        where: list[str] = []
        params: list[Any] = []
        for column, values in (("collection", collections), ("format", formats)):
            if values is not None:
                values = list(values)
                if not values:
                    return
                where.append(f"{column} IN ({','.join('?' for _ in values)})")
                params += values
        if title_contains:
            where.append("title LIKE ? ESCAPE '\\'")
            params.append(f"%{_like_escape(title_contains)}%")
        extra = "".join(f" AND {w}" for w in where)
        if ids is None:
            for row in self._rows(base + extra + " ORDER BY rev", params):
                yield self._stored(row)
            return
        for chunk in _chunks(sorted(set(ids))):
            marks = ",".join("?" for _ in chunk)
            sql = base + extra + f" AND doc_id IN ({marks}) ORDER BY rev"
            for row in self._rows(sql, [*params, *chunk]):
                yield self._stored(row)

    def count_documents(self) -> int:
        """How many documents are current (not removed)."""
        row = self._one("SELECT COUNT(*) FROM documents WHERE is_current = 1 AND removed = 0")
        return int(row[0]) if row else 0

    def revisions(self, doc_id: str) -> list[StoredDocument]:
        out: list[StoredDocument] = []
        previous: Document | None = None
        for row in self._rows(
            f"SELECT {self._DOC_COLS} FROM documents WHERE doc_id = ? ORDER BY rev", (doc_id,)
        ):
            stored = self._stored(row, previous)
            previous = stored.document
            out.append(stored)
        return out

    def status_of(self, ids: Iterable[str]) -> dict[str, tuple[str, bool]]:
        out: dict[str, tuple[str, bool]] = {}
        for chunk in _chunks(sorted(set(ids))):
            marks = ",".join("?" for _ in chunk)
            for doc_id, collection, removed in self._rows(
                "SELECT doc_id, collection, removed FROM documents WHERE is_current = 1 "
                f"AND doc_id IN ({marks})",
                chunk,
            ):
                out[doc_id] = (collection, bool(removed))
        return out

    # -- events and relations ------------------------------------------------------------
    def add_event(self, event: Event) -> int:
        with self.transaction():
            return self._insert(
                "INSERT INTO events (doc_id, kind, date, evidence_id, evidence, detail, "
                "submission_id, seq, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    event.doc_id,
                    event.kind,
                    event.date,
                    event.evidence_id,
                    event.evidence,
                    event.detail,
                    event.submission_id,
                    event.seq,
                    now(),
                ),
                "id",
            )

    def _linked(
        self, table: str, a: str, b: str, ids: Iterable[str] | None
    ) -> list[tuple[Any, ...]]:
        cols = {
            "events": "id, doc_id, kind, date, evidence_id, evidence, detail, submission_id, seq",
            "relations": "id, doc_id, type, target_id, evidence, date, submission_id, seq",
        }[table]
        if ids is None:
            return self._rows(f"SELECT {cols} FROM {table} ORDER BY id")
        found: dict[int, tuple[Any, ...]] = {}
        for chunk in _chunks(sorted(set(ids))):
            marks = ",".join("?" for _ in chunk)
            sql = f"SELECT {cols} FROM {table} WHERE {a} IN ({marks}) OR {b} IN ({marks})"
            for row in self._rows(sql, [*chunk, *chunk]):
                found[row[0]] = row
        return [found[k] for k in sorted(found)]

    def events(self, ids: Iterable[str] | None = None) -> list[Event]:
        return [
            Event(
                id=r[0],
                doc_id=r[1],
                kind=r[2],
                date=r[3],
                evidence_id=r[4],
                evidence=r[5],
                detail=r[6],
                submission_id=r[7],
                seq=r[8],
            )
            for r in self._linked("events", "doc_id", "evidence_id", ids)
        ]

    def add_relation(self, relation: ManualRelation) -> int:
        with self.transaction():
            return self._insert(
                "INSERT INTO relations (doc_id, type, target_id, evidence, date, submission_id, "
                "seq, created_at) VALUES (?,?,?,?,?,?,?,?)",
                (
                    relation.doc_id,
                    relation.type,
                    relation.target_id,
                    relation.evidence,
                    relation.date,
                    relation.submission_id,
                    relation.seq,
                    now(),
                ),
                "id",
            )

    def relations(self, ids: Iterable[str] | None = None) -> list[ManualRelation]:
        return [
            ManualRelation(
                id=r[0],
                doc_id=r[1],
                type=r[2],
                target_id=r[3],
                evidence=r[4],
                date=r[5],
                submission_id=r[6],
                seq=r[7],
            )
            for r in self._linked("relations", "doc_id", "target_id", ids)
        ]

    # -- departments -----------------------------------------------------------------
    def _unique(self, sql: str, params: Sequence[Any], key: str, what: str) -> int:
        try:
            with self.transaction():
                return self._insert(sql, params, key)
        except self.integrity_errors:
            raise Conflict(f"{what}已存在，请换一个名称。") from None

    def add_department(self, name: str, aliases: Iterable[str] = ()) -> Department:
        dept_id = self._unique(
            "INSERT INTO departments (name, aliases, created_at) VALUES (?,?,?)",
            (name.strip(), _pack_names(aliases), now()),
            "id",
            f"部门“{name}”",
        )
        return self.department(dept_id)

    def update_department(self, dept_id: int, name: str, aliases: Iterable[str]) -> Department:
        self.department(dept_id)
        try:
            with self.transaction():
                self._exec(
                    "UPDATE departments SET name = ?, aliases = ? WHERE id = ?",
                    (name.strip(), _pack_names(aliases), dept_id),
                )
        except self.integrity_errors:
            raise Conflict(f"部门“{name}”已存在，请换一个名称。") from None
        return self.department(dept_id)

    def department(self, dept_id: int | None = None, name: str | None = None) -> Department:
        cols = "SELECT id, name, aliases, created_at FROM departments"
        row = (
            self._one(cols + " WHERE id = ?", (dept_id,))
            if dept_id is not None
            else self._one(cols + " WHERE name = ?", ((name or "").strip(),))
        )
        if row is None:
            raise NotFound(
                f"没有部门“{name if dept_id is None else dept_id}”：先用管理页或 "
                "`regsearch departments add` 建立部门。"
            )
        return Department(id=row[0], name=row[1], aliases=_unpack_names(row[2]), created_at=row[3])

    def departments(self) -> list[Department]:
        return [
            Department(id=r[0], name=r[1], aliases=_unpack_names(r[2]), created_at=r[3])
            for r in self._rows("SELECT id, name, aliases, created_at FROM departments ORDER BY id")
        ]

    # -- users and tokens ----------------------------------------------------------------
    _USER_COLS = (
        "id, username, role, password_hash, display_name, department_id, active, created_at, "
        "password_changed_at"
    )

    def _user(self, r: tuple[Any, ...]) -> User:
        return User(
            id=r[0],
            username=r[1],
            role=r[2],
            password_hash=r[3],
            display_name=r[4],
            department_id=r[5],
            active=bool(r[6]),
            created_at=r[7],
            password_changed_at=r[8],
        )

    def add_user(
        self,
        username: str,
        password_hash: str,
        role: str,
        department_id: int | None = None,
        display_name: str = "",
    ) -> User:
        at = now()
        user_id = self._unique(
            "INSERT INTO users (username, display_name, password_hash, role, department_id, "
            "active, created_at, password_changed_at) VALUES (?,?,?,?,?,1,?,?)",
            (username.strip(), display_name.strip(), password_hash, role, department_id, at, at),
            "id",
            f"用户名“{username}”",
        )
        return self.user(user_id)

    def update_user(self, user_id: int, **changes: Any) -> User:
        unknown = set(changes) - _USER_FIELDS
        if unknown:
            raise ValueError(f"unknown user fields: {sorted(unknown)}")
        self.user(user_id)
        if "password_hash" in changes:
            changes["password_changed_at"] = now()
        if "active" in changes:
            changes["active"] = 1 if changes["active"] else 0
        if changes:
            sets = ", ".join(f"{k} = ?" for k in changes)
            with self.transaction():
                self._exec(f"UPDATE users SET {sets} WHERE id = ?", [*changes.values(), user_id])
        return self.user(user_id)

    def user(self, user_id: int | None = None, username: str | None = None) -> User:
        cols = f"SELECT {self._USER_COLS} FROM users"
        row = (
            self._one(cols + " WHERE id = ?", (user_id,))
            if user_id is not None
            else self._one(cols + " WHERE username = ?", ((username or "").strip(),))
        )
        if row is None:
            raise NotFound(f"没有用户“{username if user_id is None else user_id}”。")
        return self._user(row)

    def users(self) -> list[User]:
        return [
            self._user(r) for r in self._rows(f"SELECT {self._USER_COLS} FROM users ORDER BY id")
        ]

    def add_token(self, user_id: int, name: str, token_hash: str) -> ApiToken:
        with self.transaction():
            token_id = self._insert(
                "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?,?,?,?)",
                (user_id, name.strip(), token_hash, now()),
                "id",
            )
        return next(t for t in self.tokens(user_id) if t.id == token_id)

    def tokens(self, user_id: int) -> list[ApiToken]:
        return [
            ApiToken(
                id=r[0],
                user_id=r[1],
                name=r[2],
                created_at=r[3],
                last_used_at=r[4],
                revoked_at=r[5],
            )
            for r in self._rows(
                "SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens "
                "WHERE user_id = ? ORDER BY id",
                (user_id,),
            )
        ]

    def user_for_token(self, token_hash: str) -> User | None:
        row = self._one(
            "SELECT id, user_id FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL",
            (token_hash,),
        )
        if row is None:
            return None
        user = self.user(row[1])
        if not user.active:
            return None
        with self.transaction():
            self._exec("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (now(), row[0]))
        return user

    def revoke_token(self, user_id: int, token_id: int) -> None:
        with self.transaction():
            cur = self._exec(
                "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? "
                "AND revoked_at IS NULL",
                (now(), token_id, user_id),
            )
            if cur.rowcount == 0:
                raise NotFound(f"没有可吊销的令牌 {token_id}。")

    # -- submissions -------------------------------------------------------------------
    _SUB_COLS = (
        "id, kind, status, payload, submitted_by, submitted_at, department_id, target_id, "
        "doc_id, title, decided_by, decided_at, note"
    )

    def _submission(self, r: tuple[Any, ...]) -> Submission:
        return Submission(
            id=r[0],
            kind=r[1],
            status=r[2],
            payload=json.loads(r[3]),
            submitted_by=r[4],
            submitted_at=r[5],
            department_id=r[6],
            target_id=r[7],
            doc_id=r[8],
            title=r[9],
            decided_by=r[10],
            decided_at=r[11],
            note=r[12],
        )

    def add_submission(self, submission: Submission) -> Submission:
        s = submission
        with self.transaction():
            sub_id = self._insert(
                "INSERT INTO submissions (kind, status, payload, submitted_by, submitted_at, "
                "department_id, target_id, doc_id, title, note) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    s.kind,
                    s.status,
                    _dumps(s.payload),
                    s.submitted_by,
                    s.submitted_at or now(),
                    s.department_id,
                    s.target_id,
                    s.doc_id,
                    s.title,
                    s.note,
                ),
                "id",
            )
        return self.submission(sub_id)

    def update_submission(self, sub_id: int, **changes: Any) -> Submission:
        unknown = set(changes) - _SUBMISSION_FIELDS
        if unknown:
            raise ValueError(f"unknown submission fields: {sorted(unknown)}")
        self.submission(sub_id)
        if changes:
            sets = ", ".join(f"{k} = ?" for k in changes)
            with self.transaction():
                self._exec(
                    f"UPDATE submissions SET {sets} WHERE id = ?", [*changes.values(), sub_id]
                )
        return self.submission(sub_id)

    def submission(self, sub_id: int) -> Submission:
        row = self._one(f"SELECT {self._SUB_COLS} FROM submissions WHERE id = ?", (sub_id,))
        if row is None:
            raise NotFound(f"没有编号为 {sub_id} 的提交。")
        return self._submission(row)

    def submissions(
        self,
        *,
        status: str | None = None,
        department_id: int | None = None,
        submitted_by: int | None = None,
        limit: int = 200,
    ) -> list[Submission]:
        where, params = ["1 = 1"], []
        for column, value in (
            ("status", status),
            ("department_id", department_id),
            ("submitted_by", submitted_by),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        sql = (
            f"SELECT {self._SUB_COLS} FROM submissions WHERE {' AND '.join(where)} "
            f"ORDER BY id DESC LIMIT {int(limit)}"
        )
        return [self._submission(r) for r in self._rows(sql, params)]

    # -- audit ------------------------------------------------------------------------
    def audit(
        self,
        actor: Actor,
        action: str,
        object_type: str,
        object_id: str = "",
        before: Any = None,
        after: Any = None,
    ) -> int:
        with self.transaction():
            return self._insert(
                "INSERT INTO audit (at, actor_id, actor, address, action, object_type, object_id, "
                "before_json, after_json) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    now(),
                    actor.id,
                    actor.name,
                    actor.address,
                    action,
                    object_type,
                    str(object_id),
                    _dumps(before),
                    _dumps(after),
                ),
                "id",
            )

    def audit_log(
        self, *, limit: int | None = 200, offset: int = 0, actor: str | None = None
    ) -> list[AuditEntry]:
        sql = (
            "SELECT id, at, actor, action, object_type, object_id, address, actor_id, "
            "before_json, after_json FROM audit"
        )
        params: list[Any] = []
        if actor:
            sql += " WHERE actor = ?"
            params.append(actor)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return [
            AuditEntry(
                id=r[0],
                at=r[1],
                actor=r[2],
                action=r[3],
                object_type=r[4],
                object_id=r[5],
                address=r[6],
                actor_id=r[7],
                before=json.loads(r[8]) if r[8] else None,
                after=json.loads(r[9]) if r[9] else None,
            )
            for r in self._rows(sql, params)
        ]
