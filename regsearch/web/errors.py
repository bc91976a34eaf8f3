"""One error shape everywhere: `{"error": {"code", "message"}}` for the API, an HTML page otherwise.

Expected errors (bad parameters, unknown documents, a missing index) get their
own status codes; anything else is a generic 500 without internals.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from regsearch.errors import (
    BadQuery,
    DatabaseUnavailable,
    DocumentNotFound,
    IndexBusy,
    IndexDamaged,
    IndexMissing,
    RegsearchError,
    SchemaOutdated,
)

log = logging.getLogger(__name__)

HTTP_MESSAGES = {
    400: "请求有误",
    404: "页面不存在",
    405: "不支持这种请求方法",
    500: "服务器内部错误，请稍后再试",
    503: "服务暂不可用",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(status: int, code: str, message: str) -> Response | tuple[str, int]:
    if wants_json():
        response = jsonify({"error": {"code": code, "message": message}})
        response.status_code = status
        return response
    title = HTTP_MESSAGES.get(status, "出错了")
    html = render_template("error.html", status=status, title=title, code=code, message=message)
    return html, status


def classify(exc: RegsearchError) -> tuple[int, str]:
    if isinstance(exc, DocumentNotFound):
        return 404, "not_found"
    if isinstance(exc, BadQuery):
        return 400, getattr(exc, "code", "bad_query")
    if isinstance(exc, IndexMissing):
        return 503, "index_missing"
    if isinstance(exc, IndexBusy):
        return 503, "index_busy"
    if isinstance(exc, IndexDamaged):
        return 503, "index_damaged"
    if isinstance(exc, DatabaseUnavailable | SchemaOutdated):
        return 503, "database_unavailable"
    return 400, "error"


def register(app: Flask) -> None:
    @app.errorhandler(RegsearchError)
    def _regsearch_error(exc: RegsearchError):  # type: ignore[no-untyped-def]
        status, code = classify(exc)
        return error_response(status, code, str(exc))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        status = exc.code or 500
        code = {404: "not_found", 405: "method_not_allowed"}.get(status, f"http_{status}")
        message = HTTP_MESSAGES.get(status, exc.name)
        allowed = sorted(getattr(exc, "valid_methods", None) or [])
        named = [m for m in allowed if m not in ("HEAD", "OPTIONS")]
        if status == 405 and named:  # what this address takes (GET pages, POST forms)
            message = f"此地址只接受 {'、'.join(named)} 请求，不接受 {request.method}。"
        response = error_response(status, code, message)
        if allowed:
            if not isinstance(response, Response):
                response = Response(response[0], status=response[1])
            response.headers["Allow"] = ", ".join(allowed)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("unexpected error on %s", request.path)
        return error_response(500, "internal", HTTP_MESSAGES[500])

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", app.config["CSP"])
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
