"""Administration: departments, users, the audit log (HTML and CSV). Administrators only."""

from __future__ import annotations

import json
from functools import wraps
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from regsearch.export import csv_text
from regsearch.store import accounts
from regsearch.store.base import ROLE_LABELS
from regsearch.store.errors import Conflict, PermissionDenied, ValidationFailed
from regsearch.web.forms import DepartmentForm, UserEditForm, UserForm, choices
from regsearch.web.writestate import actor, store

bp = Blueprint("admin", __name__, url_prefix="/admin")
PER_PAGE = 100


def admin_required(view):  # type: ignore[no-untyped-def]
    @wraps(view)
    @login_required  # type: ignore[misc]
    def wrapped(*args: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
        if current_user.role != "admin":
            raise PermissionDenied("只有管理员可以访问管理页。")
        return view(*args, **kwargs)

    return wrapped


def _department_choices() -> list:  # type: ignore[type-arg]
    return choices([("", "（无）")] + [(str(d.id), d.name) for d in store().departments()])


def _page(**forms: Any) -> str:
    dept_form = forms.get("dept_form") or DepartmentForm(formdata=None)
    user_form = forms.get("user_form") or UserForm(formdata=None)
    user_form.department.choices = _department_choices()
    users = store().users()
    edit_forms = {}
    for user in users:
        form = UserEditForm(
            formdata=None,
            prefix=f"u{user.id}",
            role=user.role,
            department=str(user.department_id or ""),
            active=user.active,
        )
        form.department.choices = _department_choices()
        edit_forms[user.id] = form
    departments = {d.id: d for d in store().departments()}
    return render_template(
        "admin.html",
        departments=list(departments.values()),
        department_names={k: v.name for k, v in departments.items()},
        users=users,
        roles=ROLE_LABELS,
        dept_form=dept_form,
        user_form=user_form,
        edit_forms=edit_forms,
        errors=forms.get("errors") or {},
    )


@bp.get("/")
@admin_required
def home():  # type: ignore[no-untyped-def]
    return _page()


@bp.post("/departments")
@admin_required
def add_department():  # type: ignore[no-untyped-def]
    form = DepartmentForm()
    if not form.validate_on_submit():
        return _page(dept_form=form, errors={"name": "请填写部门名称。"}), 400
    try:
        dept = accounts.create_department(store(), actor(), form.name.data, form.aliases.data or "")
    except (ValidationFailed, Conflict) as exc:
        errors = exc.errors if isinstance(exc, ValidationFailed) else {"name": str(exc)}
        return _page(dept_form=form, errors=errors), 400
    flash(f"已建立部门“{dept.name}”。")
    return redirect(url_for("admin.home"))


@bp.post("/departments/<int:dept_id>")
@admin_required
def edit_department(dept_id: int):  # type: ignore[no-untyped-def]
    form = DepartmentForm()
    if form.validate_on_submit():
        try:
            accounts.update_department(
                store(), actor(), dept_id, form.name.data, form.aliases.data or ""
            )
            flash("部门已更新。")
        except Conflict as exc:
            flash(str(exc))
    return redirect(url_for("admin.home"))


@bp.post("/users")
@admin_required
def add_user():  # type: ignore[no-untyped-def]
    form = UserForm()
    form.department.choices = _department_choices()
    if not form.validate_on_submit():
        return _page(
            user_form=form, errors={"password": "请填写用户名和至少 10 个字符的密码。"}
        ), 400
    try:
        user = accounts.create_user(
            store(),
            actor(),
            form.username.data,
            form.password.data,
            form.role.data,
            int(form.department.data) if form.department.data else None,
            form.display_name.data or "",
        )
    except (ValidationFailed, Conflict) as exc:
        errors = exc.errors if isinstance(exc, ValidationFailed) else {"username": str(exc)}
        return _page(user_form=form, errors=errors), 400
    flash(f"已建立用户“{user.username}”。")
    return redirect(url_for("admin.home"))


@bp.post("/users/<int:user_id>")
@admin_required
def edit_user(user_id: int):  # type: ignore[no-untyped-def]
    form = UserEditForm(prefix=f"u{user_id}")
    form.department.choices = _department_choices()
    if not form.validate_on_submit():
        flash("新密码至少 10 个字符。")
        return redirect(url_for("admin.home"))
    if user_id == current_user.record.id and (form.role.data != "admin" or not form.active.data):
        flash("不能取消自己的管理员身份或停用自己。")
        return redirect(url_for("admin.home"))
    accounts.update_user(
        store(),
        actor(),
        user_id,
        role=form.role.data,
        department_id=int(form.department.data) if form.department.data else None,
        active=bool(form.active.data),
    )
    if form.password.data:
        try:
            accounts.set_password(store(), actor(), user_id, form.password.data)
        except ValidationFailed as exc:
            flash(str(exc))
            return redirect(url_for("admin.home"))
    flash("用户已更新。")
    return redirect(url_for("admin.home"))


def _json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


@bp.get("/audit")
@admin_required
def audit():  # type: ignore[no-untyped-def]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    who = request.args.get("actor") or None
    entries = store().audit_log(limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE, actor=who)
    return render_template(
        "audit.html",
        entries=entries[:PER_PAGE],
        page=page,
        has_next=len(entries) > PER_PAGE,
        actor=who,
        as_json=_json,
    )


AUDIT_HEADERS = [
    "编号",
    "时间",
    "操作人",
    "来源地址",
    "操作",
    "对象",
    "对象编号",
    "变更前",
    "变更后",
]


@bp.get("/audit.csv")
@admin_required
def audit_csv():  # type: ignore[no-untyped-def]
    rows = [
        [
            e.id,
            e.at,
            e.actor,
            e.address,
            e.action,
            e.object_type,
            e.object_id,
            _json(e.before),
            _json(e.after),
        ]
        for e in store().audit_log(limit=None)
    ]
    return Response(
        csv_text(AUDIT_HEADERS, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit.csv"},
    )
