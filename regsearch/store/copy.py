"""Copy a whole store to another, empty one: the embedded SQLite file into PostgreSQL,
or back. Every row keeps its key (revisions, change sequence, user and submission ids),
the store's id is kept, so an index built from either answers the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from regsearch.store.errors import Conflict
from regsearch.store.sql import SQLStore

# table -> its key column, in an order that keeps references valid
TABLES = (
    ("departments", "id"),
    ("users", "id"),
    ("api_tokens", "id"),
    ("submissions", "id"),
    ("changes", "seq"),
    ("documents", "rev"),
    ("events", "id"),
    ("relations", "id"),
    ("audit", "id"),
)
BATCH = 500


@dataclass
class CopyReport:
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def _is_empty(store: SQLStore) -> bool:
    for table, _key in TABLES:
        row = store._one(f"SELECT COUNT(*) FROM {table}")
        if row and row[0]:
            return False
    return True


def copy_store(
    source: SQLStore, target: SQLStore, progress: Callable[[str, int], None] | None = None
) -> CopyReport:
    """Copy every row of `source` into `target` (which must hold no rows yet), in one
    transaction of the target."""
    if not _is_empty(target):
        raise Conflict(
            f"目标 {target!r} 已有数据：复制只写入空的文件库。请换一个空数据库"
            "（或先 regsearch db init 一个新库）。"
        )
    report = CopyReport()
    with target.transaction():
        for key in ("store_id",):
            value = source.meta(key)
            if value is not None:
                target.set_meta(key, value)
        for table, key in TABLES:
            cur = source._exec(f"SELECT * FROM {table} ORDER BY {key}")
            columns = [d[0] for d in cur.description]
            marks = ",".join("?" for _ in columns)
            override = " OVERRIDING SYSTEM VALUE" if target.dialect == "postgresql" else ""
            sql = f"INSERT INTO {table} ({','.join(columns)}){override} VALUES ({marks})"
            count = 0
            while True:
                rows = cur.fetchmany(BATCH)
                if not rows:
                    break
                target._conn().cursor().executemany(target._sql(sql), rows)  # pipelined
                count += len(rows)
            report.rows[table] = count
            if target.dialect == "postgresql":  # the next new row continues the numbering
                target._exec(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{key}'), "
                    f"COALESCE((SELECT MAX({key}) FROM {table}), 0) + 1, false)"
                )
            if progress:
                progress(table, count)
    return report
