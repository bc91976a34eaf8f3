"""`regsearch serve`: the web front end on waitress (the Flask dev server only with --debug)."""

from __future__ import annotations

import os

import click

from regsearch.cli import main
from regsearch.cli.output import echo_err
from regsearch.errors import IndexMissing


def _open_service(index: str | None):  # type: ignore[no-untyped-def]
    """Open the index now, so a missing one is a clear message at start-up, not a 503 later."""
    from regsearch.search.service import SearchService

    service = SearchService(index)
    try:
        service.stats()  # opens the index now
    except IndexMissing as exc:
        where = index or os.environ.get("REGSEARCH_INDEX") or "indexes/main"
        raise IndexMissing(
            f"{exc}；请先建立索引，例如：regsearch ingest --index {where} corpora/samples"
        ) from exc
    return service


def _warm_up(service) -> None:  # type: ignore[no-untyped-def]
    try:
        service.warm_up()
    except Exception as exc:  # noqa: BLE001 - an optimisation: report it, keep serving
        echo_err(f"预热失败（不影响检索）：{exc}")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--index",
    "index",
    type=click.Path(file_okay=False),
    default=None,
    help="Index directory (default: env REGSEARCH_INDEX, else indexes/main).",
)
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option("--debug", "debug", is_flag=True, help="Run Flask's development server instead.")
def serve(host: str, port: int, index: str | None, threads: int, debug: bool) -> None:
    """Serve the search pages and the JSON API over HTTP.

    \b
    Example:
      regsearch ingest corpora/samples && regsearch serve --port 8000
    """
    from regsearch.web import create_app

    service = _open_service(index)
    # Question search keeps postings in memory; reading the common ones before the first
    # request spares the first visitors' questions the disk reads. Not in a background
    # thread: it would read postings through the searcher the requests use, which is not
    # thread-safe (the first searches after start failed with UnpicklingError).
    _warm_up(service)
    app = create_app({"INDEX": index, "SERVICE": service})
    echo_err(f"法规检索已启动：http://{host}:{port}/ （Ctrl+C 停止）")
    if debug:
        app.run(host=host, port=port, debug=True, use_reloader=False)
        return
    import waitress

    waitress.serve(app, host=host, port=port, threads=threads, ident="regsearch")
