"""The cleanup report over an index: the glue between `SearchService` and the pure core.

`SearchService.cleanup(query)` is meant to do exactly this; until it exists the CLI
(and the web app) call `cleanup_report` here, which works with either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from regsearch.search.cleanup import CleanupQuery, CleanupReport, build_report


def cleanup(service: Any, query: CleanupQuery) -> CleanupReport:
    """The report over every document stored in `service`'s index."""
    return build_report(service.iter_documents(), query)


def cleanup_report(index_dir: str | Path | None, query: CleanupQuery) -> CleanupReport:
    """Open the index at `index_dir` (default location if None) and build the report."""
    from regsearch.search.service import SearchService

    service = SearchService(index_dir)
    try:
        return cleanup(service, query)
    finally:
        service.close()
