"""`regsearch serve`: the web front end in worker processes (gunicorn), the Flask dev
server only with --debug.

Search is CPU-bound Python: threads of one process share one core (the GIL), so the
server runs one worker process per core, each with a few threads
(`scripts/bench_http.py` measures both layouts; the README has the figures). Every
worker opens the index itself after the fork and reads one snapshot per request, so
no file handle is shared between processes or threads; each warms up question search
in the background.
"""

from __future__ import annotations

import errno
import os
import socket
import threading
from typing import Any

import click

from regsearch.cli import main
from regsearch.cli.output import echo_err
from regsearch.errors import IndexMissing, RegsearchError

# The security headers of the app's own pages, also on the server's own error pages
# (a malformed request never reaches the app).
SECURITY_HEADERS = (
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cache-Control", "no-store"),
)
_MESSAGES = {
    400: "请求有误",
    403: "禁止访问",
    431: "请求头过大",
    500: "服务器内部错误",
    501: "不支持的请求",
}


def _check_index(index: str | None) -> int:
    """Open and read the index now, so a missing or damaged one is a clear message at
    start-up, not a 503 later; the number of documents. Closed again before the fork."""
    from regsearch.search.service import SearchService

    service = SearchService(index)
    try:
        documents = int(service.check()["documents"])
        _check_store(index)
        return documents
    except IndexMissing as exc:
        from regsearch.engine import default_location
        from regsearch.pg import url_of

        if url_of(index or default_location()):
            raise  # a database: the message already says what to run
        where = index or os.environ.get("REGSEARCH_INDEX") or "indexes/main"
        raise IndexMissing(
            f"{exc}；请先建立索引，例如：regsearch ingest --index {where} corpora/samples"
        ) from exc
    finally:
        service.close()
        _close_database_pools()


def _check_store(index: str | None) -> None:
    """A store in the index's database must be of this program's schema (SchemaOutdated
    names `regsearch db migrate`), said now rather than by every worker failing to boot.
    A database without a store is served for search only, as an index folder without
    its store file is."""
    from regsearch.engine import default_location
    from regsearch.pg import url_of

    url = url_of(index or default_location())
    if url is None:
        return
    from regsearch.store import database_has_store, open_database_store

    if database_has_store(url):
        open_database_store(url)  # checks the schema


def _close_database_pools() -> None:
    """Connections (and a pool's threads) do not survive a fork: each worker opens its own."""
    import sys

    pg = sys.modules.get("regsearch.pg")
    if pg is not None:
        pg.close_pools()


def _check_port(host: str, port: int) -> None:
    """A clear message when the address is taken, before anything says it started."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise RegsearchError(
                    f"端口 {port} 已被占用：请用 --port 换一个端口，或先停止占用它的程序。"
                ) from None
            raise RegsearchError(
                f"无法监听 {host}:{port}（{exc.strerror}）：请检查 --host。"
            ) from None


def _warm_up(service: Any) -> None:
    try:
        service.warm_up()
    except Exception as exc:  # noqa: BLE001 - an optimisation: report it, keep serving
        echo_err(f"预热失败（不影响检索）：{exc}")


def write_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's error page for requests it cannot parse, in Chinese, with the app's
    security headers (replaces `gunicorn.util.write_error` in the workers)."""
    import html

    from gunicorn import util

    title = _MESSAGES.get(status_int, "请求有误")
    body = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{status_int} {title}</title></head><body><main><h1>{title}</h1>"
        f'<p>{html.escape(mesg or reason)}</p><p><a href="/">返回首页</a></p></main></body></html>'
    ).encode()
    head = [f"HTTP/1.1 {status_int} {reason}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in SECURITY_HEADERS]
    head += ["Content-Type: text/html; charset=utf-8", f"Content-Length: {len(body)}"]
    util.write_nonblock(sock, ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


def _post_worker_init(worker: Any) -> None:
    """In each worker, after the fork: the server's own error pages, the app's service,
    and question search warmed up in the background."""
    from gunicorn import util

    util.write_error = write_error
    from regsearch.web.state import EXTENSION

    service = worker.wsgi.extensions.get(EXTENSION)
    if service is not None:
        threading.Thread(target=_warm_up, args=(service,), name="warm-up", daemon=True).start()


def run_gunicorn(index: str | None, bind: str, workers: int, threads: int) -> None:
    """Serve the app in `workers` processes of `threads` threads each (blocks)."""
    from gunicorn.app.base import BaseApplication

    class Application(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            settings = {
                "bind": bind,
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread" if threads > 1 else "sync",
                "preload_app": False,  # every worker opens the index after the fork
                "timeout": 120,
                "graceful_timeout": 10,
                "loglevel": "warning",
                "errorlog": "-",
                "accesslog": None,
                "post_worker_init": _post_worker_init,
                "proc_name": "regsearch",
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from regsearch.search.service import SearchService
            from regsearch.web import create_app

            return create_app({"INDEX": index, "SERVICE": SearchService(index)})

    Application().run()


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--index",
    "index",
    type=click.Path(file_okay=False),
    default=None,
    help="Index directory or postgresql:// URL (default: $REGSEARCH_DATABASE_URL, else "
    "$REGSEARCH_INDEX, else indexes/main).",
)
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help="Worker processes (default: one per CPU core).",
)
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option("--debug", "debug", is_flag=True, help="Run Flask's development server instead.")
def serve(
    host: str, port: int, index: str | None, workers: int | None, threads: int, debug: bool
) -> None:
    """Serve the search pages and the JSON API over HTTP.

    \b
    Example:
      regsearch ingest corpora/samples && regsearch serve --port 8000
    """
    documents = _check_index(index)
    _check_port(host, port)
    workers = workers or os.cpu_count() or 1
    echo_err(
        f"法规检索已启动：http://{host}:{port}/ "
        f"（{documents} 件文档，{workers} 个进程；Ctrl+C 停止）"
    )
    if debug:
        from regsearch.web import create_app

        create_app({"INDEX": index}).run(host=host, port=port, debug=True, use_reloader=False)
        return
    run_gunicorn(index, f"[{host}]:{port}" if ":" in host else f"{host}:{port}", workers, threads)
