"""Template helpers. `snippet` is the only place anything is marked safe.

The core HTML-escapes snippet text and adds only `<mark>…</mark>` around
matches (one function in regsearch.search), so the templates may trust exactly
that field and nothing else that came from a document or a query.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from markupsafe import Markup

from regsearch.model import Status

STATUS_CLASSES = {
    Status.NOT_YET_ISSUED.value: "not-yet",
    Status.NOT_APPLICABLE.value: "unknown",  # a court case has no status
    Status.IN_FORCE.value: "in-force",
    Status.NOT_YET_EFFECTIVE.value: "not-yet",
    Status.AMENDED.value: "amended",
    Status.PARTIALLY_INVALID.value: "partial",
    Status.EXPIRED.value: "expired",
    Status.REPEALED.value: "repealed",
}


def snippet(text: str | None) -> Markup:
    """A snippet from the search core: already escaped, with only <mark> tags added."""
    return Markup(text or "")


def status_class(status: str | None) -> str:
    return "status-" + STATUS_CLASSES.get(status or "", "unknown")


def updated_text(built_at: Any) -> str | None:
    """`2026-12-01T09:58:18+08:00` -> `2026-12-01 09:58` (the build: how current the data is)."""
    text = str(built_at or "").strip()
    if len(text) < 10:
        return None
    return text[:10] + (" " + text[11:16] if len(text) >= 16 else "")


def data_updated() -> str | None:
    """最后更新 for the footer of every page; None while there is no index (error pages)."""
    if "regsearch_updated" not in g:
        from regsearch.web.state import get_service

        try:
            g.regsearch_updated = updated_text(get_service().stats().get("built_at"))
        except Exception:  # noqa: BLE001 - a footer line must never break a page (error pages)
            g.regsearch_updated = None
    return g.regsearch_updated


def register(app: Flask) -> None:
    app.add_template_filter(snippet, "snippet")
    app.add_template_filter(status_class, "status_class")
    app.add_template_global(data_updated, "data_updated")
