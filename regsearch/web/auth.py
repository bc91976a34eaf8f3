"""Sign in and out, one's own account: password and API tokens."""

from __future__ import annotations

import datetime as _dt
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from regsearch.store import accounts
from regsearch.store.errors import ValidationFailed
from regsearch.web.forms import ActionForm, LoginForm, PasswordForm, TokenForm
from regsearch.web.writeside import LoginUser, limiter
from regsearch.web.writestate import actor, get_store, store

bp = Blueprint("auth", __name__)


def _failed(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 401


def _login_limit() -> str:
    return str(current_app.config["LOGIN_LIMIT"])


def _name_key() -> str:
    return "login-name:" + (request.form.get("username") or "").strip().lower()


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never another host: no open redirect)."""
    if not target:
        return url_for("editor.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("editor.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed, key_func=_name_key)
def login():  # type: ignore[no-untyped-def]
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    error = None
    if form.validate_on_submit():
        found = get_store(create=False)
        user = (
            accounts.authenticate(found, form.username.data, form.password.data) if found else None
        )
        if user is not None:
            session.clear()  # a fresh session id at sign-in (no fixation)
            login_user(LoginUser(user), remember=False)
            session.permanent = True
            session["signed_in_at"] = _dt.datetime.now().timestamp()
            store().audit(actor(user), "login", "user", str(user.id))
            return redirect(_safe_next(form.next.data))
        error = "用户名或密码不正确。"
        if found is not None:
            found.audit(actor(), "login.failed", "user", form.username.data[:64])
    elif request.method == "POST":
        error = "请填写用户名和密码。"
    status = 401 if error else 200
    return render_template("login.html", form=form, error=error), status


@bp.post("/logout")
@login_required  # type: ignore[misc]
def logout():  # type: ignore[no-untyped-def]
    if ActionForm().validate_on_submit():
        store().audit(actor(), "logout", "user", str(current_user.record.id))
        logout_user()
        session.clear()
        flash("已退出登录。")
    return redirect(url_for("pages.home"))


@bp.route("/account", methods=["GET"])
@login_required  # type: ignore[misc]
def account():  # type: ignore[no-untyped-def]
    return _account_page()


def _account_page(new_token: str | None = None) -> str:
    """The account page; a token just created is shown once, here."""
    me = current_user.record
    dept = store().department(me.department_id) if me.department_id else None
    return render_template(
        "account.html",
        me=me,
        dept=dept,
        tokens=store().tokens(me.id),
        password_form=PasswordForm(),
        token_form=TokenForm(),
        action_form=ActionForm(),
        new_token=new_token,
    )


@bp.post("/account/password")
@login_required  # type: ignore[misc]
def change_password():  # type: ignore[no-untyped-def]
    form = PasswordForm()
    me = current_user.record
    if not form.validate_on_submit():
        flash("新密码至少 10 个字符。")
        return redirect(url_for("auth.account"))
    if accounts.authenticate(store(), me.username, form.current.data) is None:
        flash("当前密码不正确。")
        return redirect(url_for("auth.account"))
    try:
        user = accounts.set_password(store(), actor(), me.id, form.password.data)
    except ValidationFailed as exc:
        flash(str(exc))
        return redirect(url_for("auth.account"))
    login_user(LoginUser(user))  # this session stays; every other one ends
    flash("密码已修改，其他会话已失效。")
    return redirect(url_for("auth.account"))


@bp.post("/account/tokens")
@login_required  # type: ignore[misc]
def create_token():  # type: ignore[no-untyped-def]
    form = TokenForm()
    me = current_user.record
    if not form.validate_on_submit():
        return redirect(url_for("auth.account"))
    token, _ = accounts.issue_token(store(), actor(), me, form.name.data or "脚本")
    return _account_page(new_token=token)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required  # type: ignore[misc]
def revoke_token(token_id: int):  # type: ignore[no-untyped-def]
    if ActionForm().validate_on_submit():
        accounts.revoke_token(store(), actor(), current_user.record, token_id)
        flash("令牌已吊销。")
    return redirect(url_for("auth.account"))
