"""The `SearchService` of a web process and the one reader each request uses.

The service is created on first use (so the app starts, and /healthz answers, without
an index). A request takes one reader (one snapshot of the index) the first time it
asks, uses it for everything it shows, and gives it back when the request ends: a
page never mixes two generations, and no reader is shared between threads.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, Response, current_app, g

_lock = threading.Lock()
EXTENSION = "regsearch.service"


def service() -> Any:
    """The app's SearchService (raises IndexMissing while there is no index)."""
    app = current_app
    found = app.extensions.get(EXTENSION)
    if found is not None:
        return found
    with _lock:
        found = app.extensions.get(EXTENSION)
        if found is None:
            from regsearch.search.service import SearchService

            found = SearchService(app.config.get("INDEX") or None)
            app.extensions[EXTENSION] = found
    return found


def get_service() -> Any:
    """This request's reader of the index: search, get, versions, stats … from one snapshot."""
    reader = g.get("regsearch_reader")
    if reader is None:
        reader = g.regsearch_reader = service().read()
    return reader


def register(app: Flask) -> None:
    @app.after_request
    def _generation(response: Response) -> Response:
        reader = g.get("regsearch_reader")
        if reader is not None:  # which index generation answered (for caches and tests)
            response.headers["X-Index-Generation"] = reader.generation
        return response

    @app.teardown_request
    def _release(_exc: BaseException | None) -> None:
        reader = g.pop("regsearch_reader", None)
        if reader is not None:
            reader.close()
