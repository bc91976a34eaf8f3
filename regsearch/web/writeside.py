"""The write side of the web app (issue 13): sign-in, admin, editing and review, public updates.

`init_app(app)` adds Flask-Login sessions (expiring), Flask-WTF CSRF protection on
every form, Flask-Limiter login throttling, the blueprints and the error pages of
the store's errors. The JSON write API takes only per-user API tokens, never the
session cookie, so it needs no CSRF token.
"""

from __future__ import annotations

import datetime as _dt
import secrets
from typing import Any

from flask import Flask, jsonify, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests

from regsearch.store.base import User
from regsearch.store.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    UploadRejected,
    ValidationFailed,
)
from regsearch.store.uploads import MAX_UPLOAD_BYTES
from regsearch.web.errors import error_response, wants_json
from regsearch.web.writestate import get_store, start_sync

csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, storage_uri="memory://")

DEFAULTS: dict[str, Any] = {
    "STORE": None,  # the store file (default: next to the index)
    "SYNC_INDEX": True,  # run the thread that keeps the index caught up with the store
    "PERMANENT_SESSION_LIFETIME": _dt.timedelta(hours=2),  # idle time before sign-out
    "SESSION_MAX_AGE_HOURS": 12,  # a session ends this long after sign-in, active or not
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_DURATION": _dt.timedelta(seconds=0),
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "MAX_CONTENT_LENGTH": MAX_UPLOAD_BYTES + 512 * 1024,
    "LOGIN_LIMIT": "5 per minute;20 per hour",  # failed sign-ins per address and per name
    "RATELIMIT_HEADERS_ENABLED": True,
}


class LoginUser(UserMixin):  # type: ignore[misc]
    """A store user as Flask-Login sees it; a password change ends every other session."""

    def __init__(self, record: User) -> None:
        self.record = record

    def get_id(self) -> str:
        return f"{self.record.id}:{self.record.password_changed_at}"

    @property
    def role(self) -> str:
        return self.record.role

    @property
    def username(self) -> str:
        return self.record.username


def _secret_key(app: Flask) -> str:
    """$REGSEARCH_SECRET_KEY, else one kept in the store (sessions survive a restart)."""
    store = get_store(app, create=False)
    if store is None:
        return secrets.token_hex(32)
    key = store.meta("secret_key")
    if key is None:
        key = secrets.token_hex(32)
        store.set_meta("secret_key", key)
    return key


def _load_user(user_id: str) -> LoginUser | None:
    store = get_store(create=False)
    if store is None:
        return None
    number, _, stamp = user_id.partition(":")
    try:
        user = store.user(int(number))
    except (NotFound, ValueError):
        return None
    if not user.active or user.password_changed_at != stamp:
        return None
    return LoginUser(user)


def _expire_sessions() -> None:
    """Sign out a session older than SESSION_MAX_AGE_HOURS, however active it was."""
    if not current_user.is_authenticated:
        return
    from flask import current_app

    started = session.get("signed_in_at")
    limit = current_app.config["SESSION_MAX_AGE_HOURS"] * 3600
    if started is None or _dt.datetime.now().timestamp() - float(started) > limit:
        logout_user()
        session.clear()


def _json_validation(exc: ValidationFailed):  # type: ignore[no-untyped-def]
    body = {"error": {"code": "invalid", "message": str(exc), "fields": exc.errors}}
    return jsonify(body), 400


def _register_errors(app: Flask) -> None:
    for exc_type, status, code in (
        (PermissionDenied, 403, "forbidden"),
        (NotFound, 404, "not_found"),
        (Conflict, 409, "conflict"),
        (UploadRejected, 400, "bad_upload"),
    ):

        def handler(exc: Exception, status: int = status, code: str = code):  # type: ignore[no-untyped-def]
            return error_response(status, code, str(exc))

        app.register_error_handler(exc_type, handler)

    @app.errorhandler(ValidationFailed)
    def _invalid(exc: ValidationFailed):  # type: ignore[no-untyped-def]
        return _json_validation(exc) if wants_json() else error_response(400, "invalid", str(exc))

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):  # type: ignore[no-untyped-def]
        return error_response(
            400, "csrf", "表单缺少或带有过期的安全令牌（CSRF）：请刷新页面后重新提交。"
        )

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc: RequestEntityTooLarge):  # type: ignore[no-untyped-def]
        limit = MAX_UPLOAD_BYTES // 2**20
        return error_response(
            413, "too_large", f"上传的内容过大：文件上限 {limit} MB，未保存任何内容。"
        )

    @app.errorhandler(TooManyRequests)
    def _throttled(exc: TooManyRequests):  # type: ignore[no-untyped-def]
        response = error_response(
            429, "too_many_attempts", "登录失败次数过多，请稍后再试（几分钟后解除）。"
        )
        return response


def init_app(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        # Flask predefines some of these keys: replace its default, keep what was configured.
        if key not in app.config or app.config[key] == Flask.default_config.get(key):
            app.config[key] = value
    app.config.from_prefixed_env("REGSEARCH")  # REGSEARCH_STORE, REGSEARCH_SECRET_KEY …
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    app.before_request(_expire_sessions)

    from regsearch.web import admin, auth, editor, updates, writeapi

    csrf.exempt(writeapi.bp)  # token-only: a browser's cookie never authenticates there
    for bp in (auth.bp, admin.bp, editor.bp, updates.bp, writeapi.bp):
        app.register_blueprint(bp)
    updates.register_globals(app)
    _register_errors(app)

    @app.after_request
    def _private(response):  # type: ignore[no-untyped-def]
        if request.blueprint in {"auth", "admin", "editor", "writeapi"}:
            response.headers["Cache-Control"] = "no-store"
        return response

    start_sync(app)
