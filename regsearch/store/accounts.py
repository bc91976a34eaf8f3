"""Departments, users and API tokens: what the admin page and `regsearch users` call.

Passwords are hashed with Argon2id (argon2-cffi, the algorithm OWASP recommends
first); API tokens are random and kept only as their SHA-256 (a token has 256 bits
of entropy, so a fast hash is enough and lets a request find its user by lookup).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from regsearch.store.base import Actor, ApiToken, Department, Role, Store, User
from regsearch.store.errors import NotFound, PermissionDenied, ValidationFailed

MIN_PASSWORD = 10
TOKEN_PREFIX = "rs_"
_hasher = PasswordHasher()
# Verified when the user name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str, username: str = "") -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed({"password": f"密码至少 {MIN_PASSWORD} 个字符。"})
    if username and username.lower() in password.lower():
        raise ValidationFailed({"password": "密码不能包含用户名。"})


def authenticate(store: Store, username: str, password: str) -> User | None:
    """The active user with this name and password, else None (same cost either way)."""
    try:
        user = store.user(username=username)
    except NotFound:
        user = None
    stored = user.password_hash if user is not None else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(stored):
        store.update_user(user.id, password_hash=hash_password(password))
    return user


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def user_for_token(store: Store, token: str) -> User | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    return store.user_for_token(token_hash(token))


def _names(aliases: Iterable[str] | str) -> list[str]:
    if isinstance(aliases, str):
        aliases = aliases.replace("，", "\n").replace(",", "\n").replace("、", "\n").split("\n")
    return [a.strip() for a in aliases if a and a.strip()]


def create_department(
    store: Store, actor: Actor, name: str, aliases: Iterable[str] | str = ()
) -> Department:
    name = name.strip()
    if not name:
        raise ValidationFailed({"name": "请填写部门名称（文件上的发文机关名称）。"})
    with store.transaction():
        dept = store.add_department(name, _names(aliases))
        store.audit(actor, "department.create", "department", str(dept.id), after=dept)
    return dept


def update_department(
    store: Store, actor: Actor, dept_id: int, name: str, aliases: Iterable[str] | str
) -> Department:
    with store.transaction():
        before = store.department(dept_id)
        dept = store.update_department(dept_id, name, _names(aliases))
        store.audit(actor, "department.update", "department", str(dept_id), before, dept)
    return dept


def create_user(
    store: Store,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    department: str | int | None = None,
    display_name: str = "",
) -> User:
    """A new account; editors and reviewers belong to a department, admins need none."""
    errors: dict[str, str] = {}
    username = username.strip()
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        errors["username"] = "用户名须为 1 到 64 个字符，不含空格。"
    if role not in {r.value for r in Role}:
        errors["role"] = "角色须为 admin（管理员）、editor（编辑）或 reviewer（审核人）。"
    dept_id: int | None = None
    if department not in (None, ""):
        try:
            dept = (
                store.department(dept_id=department)
                if isinstance(department, int)
                else store.department(name=str(department))
            )
            dept_id = dept.id
        except NotFound as exc:
            errors["department"] = str(exc)
    elif role in (Role.EDITOR.value, Role.REVIEWER.value):
        errors["department"] = "编辑和审核人必须属于一个部门。"
    try:
        check_password_strength(password, username)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    with store.transaction():
        user = store.add_user(username, hash_password(password), role, dept_id, display_name)
        store.audit(actor, "user.create", "user", str(user.id), after=public_user(user))
    return user


def update_user(store: Store, actor: Actor, user_id: int, **changes: object) -> User:
    """Change role, department, display name or active; the audit keeps before and after."""
    with store.transaction():
        before = store.user(user_id)
        user = store.update_user(user_id, **changes)
        store.audit(
            actor, "user.update", "user", str(user_id), public_user(before), public_user(user)
        )
    return user


def set_password(store: Store, actor: Actor, user_id: int, password: str) -> User:
    user = store.user(user_id)
    check_password_strength(password, user.username)
    with store.transaction():
        user = store.update_user(user_id, password_hash=hash_password(password))
        store.audit(actor, "user.password", "user", str(user_id))
    return user


def issue_token(store: Store, actor: Actor, user: User, name: str) -> tuple[str, ApiToken]:
    """A new API token for `user`: the plain token is returned once and never stored."""
    if actor.id != user.id and not _is_admin(store, actor):
        raise PermissionDenied("只能为自己创建令牌。")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.transaction():
        record = store.add_token(user.id, name or "脚本", token_hash(token))
        store.audit(
            actor,
            "token.create",
            "user",
            str(user.id),
            after={"token": record.id, "name": record.name},
        )
    return token, record


def revoke_token(store: Store, actor: Actor, user: User, token_id: int) -> None:
    with store.transaction():
        store.revoke_token(user.id, token_id)
        store.audit(actor, "token.revoke", "user", str(user.id), before={"token": token_id})


def _is_admin(store: Store, actor: Actor) -> bool:
    if actor.id is None:
        return True  # the operator on the server's command line
    try:
        return store.user(actor.id).role == Role.ADMIN.value
    except NotFound:
        return False


def public_user(user: User) -> dict[str, object]:
    """A user as the audit log and the API show it (never the password hash)."""
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "department_id": user.department_id,
        "active": user.active,
    }
