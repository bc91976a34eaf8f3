"""Template helpers. `snippet` is the only place anything is marked safe.

The core HTML-escapes snippet text and adds only `<mark>…</mark>` around
matches (one function in regsearch.search), so the templates may trust exactly
that field and nothing else that came from a document or a query.
"""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup

from regsearch.model import Status

STATUS_CLASSES = {
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


def register(app: Flask) -> None:
    app.add_template_filter(snippet, "snippet")
    app.add_template_filter(status_class, "status_class")
