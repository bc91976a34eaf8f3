"""The one `SearchService` of a web process, created on first use and shared by every request."""

from __future__ import annotations

import threading
from typing import Any

from flask import current_app

_lock = threading.Lock()
EXTENSION = "regsearch.service"


def get_service() -> Any:
    """The app's service; built lazily so the app starts (and /healthz answers) without an index.

    Raises `IndexMissing` (a 503 page saying how to build the index) while there is none.
    """
    app = current_app
    service = app.extensions.get(EXTENSION)
    if service is not None:
        return service
    with _lock:
        service = app.extensions.get(EXTENSION)
        if service is None:
            from regsearch.search.service import SearchService

            service = SearchService(app.config.get("INDEX") or None)
            app.extensions[EXTENSION] = service
    return service
