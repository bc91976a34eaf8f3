"""Build the hand-made LawRefBook folder of tests/data/lawrefbook in a temporary directory.

The repository keeps the SQL, not a binary db.sqlite3; tests create the database from it.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "data" / "lawrefbook"


def build_lawrefbook(tmp_path: Path) -> Path:
    """A copy of the fixture folder with its db.sqlite3; returns the folder."""
    folder = tmp_path / "lawrefbook"
    shutil.copytree(FIXTURE, folder, ignore=shutil.ignore_patterns("schema.sql"))
    con = sqlite3.connect(folder / "db.sqlite3")
    try:
        con.executescript((FIXTURE / "schema.sql").read_text(encoding="utf-8"))
        con.commit()
    finally:
        con.close()
    return folder


def expired_rows(root: Path) -> list[tuple[str, str]]:
    """(source of the file, row name) of every `expired = 1` row of every db.sqlite3."""
    found: list[tuple[str, str]] = []
    for db in sorted(root.rglob("db.sqlite3")):
        base = db.parent
        con = sqlite3.connect(f"{db.as_uri()}?mode=ro&immutable=1", uri=True)
        rows = con.execute(
            "SELECT law.name, law.filename, law.publish, law.subtitle, category.folder "
            "FROM law JOIN category ON law.category_id = category.id WHERE law.expired = 1"
        ).fetchall()
        con.close()
        for name, filename, publish, subtitle, folder in rows:
            stems = [s for s in (filename, publish and f"{name}({publish})", name, subtitle) if s]
            paths = [base / folder / f"{s}.md" for s in stems]
            path = next((p for p in paths if p.exists()), None)
            if path is None:  # filed under another category folder
                path = next(p for s in stems for p in base.rglob(f"{s}.md"))
            found.append((path.relative_to(root).as_posix(), name))
    return found
