"""The store's tables, as numbered migrations in portable SQL.

Only types and statements that SQLite and PostgreSQL both accept are used; the
one difference, an auto-numbered key, is the `{id}` token each dialect fills in.
Text columns hold JSON where a value is structured (a Document, an audit record's
before/after), so no engine-specific JSON type is needed.
"""

from __future__ import annotations

ID_TYPES = {
    "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "postgresql": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
}

MIGRATIONS: list[tuple[int, list[str]]] = [
    (
        1,
        [
            "CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            # The change log: one row per public change, numbered by a monotonic sequence.
            """CREATE TABLE changes (
                seq {id},
                at TEXT NOT NULL,
                kind TEXT NOT NULL,
                doc_id TEXT NOT NULL,
                target_id TEXT,
                title TEXT NOT NULL DEFAULT '',
                doc_number TEXT,
                authorities TEXT NOT NULL DEFAULT '',
                origin TEXT NOT NULL,
                actor TEXT,
                submission_id INTEGER,
                summary TEXT NOT NULL DEFAULT ''
            )""",
            "CREATE INDEX changes_doc ON changes (doc_id)",
            "CREATE INDEX changes_target ON changes (target_id)",
            # Every revision of every source document; never deleted, only superseded.
            """CREATE TABLE documents (
                rev {id},
                doc_id TEXT NOT NULL,
                collection TEXT NOT NULL,
                source TEXT NOT NULL,
                format TEXT NOT NULL DEFAULT '',
                title TEXT NOT NULL DEFAULT '',
                content_hash TEXT NOT NULL DEFAULT '',
                doc_json TEXT NOT NULL,
                origin TEXT NOT NULL,
                submission_id INTEGER,
                seq INTEGER NOT NULL,
                is_current INTEGER NOT NULL,
                removed INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL
            )""",
            "CREATE INDEX documents_current ON documents (doc_id, is_current)",
            "CREATE INDEX documents_collection ON documents (collection, is_current)",
            # Events on a document (废止, 宣布失效, 清理结论 …) with the deciding document.
            """CREATE TABLE events (
                id {id},
                doc_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                date TEXT,
                evidence_id TEXT,
                evidence TEXT NOT NULL DEFAULT '',
                detail TEXT NOT NULL DEFAULT '',
                submission_id INTEGER,
                seq INTEGER NOT NULL,
                created_at TEXT NOT NULL
            )""",
            "CREATE INDEX events_doc ON events (doc_id)",
            "CREATE INDEX events_evidence ON events (evidence_id)",
            # Relations stated by a person (an amendment's new version supersedes the old).
            """CREATE TABLE relations (
                id {id},
                doc_id TEXT NOT NULL,
                type TEXT NOT NULL,
                target_id TEXT NOT NULL,
                evidence TEXT NOT NULL DEFAULT '',
                date TEXT,
                submission_id INTEGER,
                seq INTEGER NOT NULL,
                created_at TEXT NOT NULL
            )""",
            "CREATE INDEX relations_doc ON relations (doc_id)",
            "CREATE INDEX relations_target ON relations (target_id)",
            """CREATE TABLE departments (
                id {id},
                name TEXT NOT NULL UNIQUE,
                aliases TEXT NOT NULL DEFAULT '',
                created_at TEXT NOT NULL
            )""",
            """CREATE TABLE users (
                id {id},
                username TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL DEFAULT '',
                password_hash TEXT NOT NULL,
                role TEXT NOT NULL,
                department_id INTEGER,
                active INTEGER NOT NULL DEFAULT 1,
                created_at TEXT NOT NULL,
                password_changed_at TEXT NOT NULL
            )""",
            """CREATE TABLE api_tokens (
                id {id},
                user_id INTEGER NOT NULL,
                name TEXT NOT NULL DEFAULT '',
                token_hash TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL,
                last_used_at TEXT,
                revoked_at TEXT
            )""",
            """CREATE TABLE submissions (
                id {id},
                kind TEXT NOT NULL,
                status TEXT NOT NULL,
                department_id INTEGER,
                target_id TEXT,
                doc_id TEXT,
                title TEXT NOT NULL DEFAULT '',
                payload TEXT NOT NULL,
                submitted_by INTEGER NOT NULL,
                submitted_at TEXT NOT NULL,
                decided_by INTEGER,
                decided_at TEXT,
                note TEXT NOT NULL DEFAULT ''
            )""",
            "CREATE INDEX submissions_status ON submissions (status, department_id)",
            """CREATE TABLE audit (
                id {id},
                at TEXT NOT NULL,
                actor_id INTEGER,
                actor TEXT NOT NULL,
                address TEXT NOT NULL DEFAULT '',
                action TEXT NOT NULL,
                object_type TEXT NOT NULL,
                object_id TEXT NOT NULL DEFAULT '',
                before_json TEXT,
                after_json TEXT
            )""",
        ],
    ),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]


def statements(version: int, dialect: str) -> list[str]:
    """The SQL of one migration for `dialect`."""
    for number, stmts in MIGRATIONS:
        if number == version:
            return [s.replace("{id}", ID_TYPES[dialect]) for s in stmts]
    raise KeyError(version)
