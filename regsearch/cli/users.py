"""`regsearch users | departments | reindex`: accounts and the store on the server's command line.

The operator's first steps: create the admin, a department, then its users (or do
the last two on the admin page). `reindex` rebuilds the index from the store alone,
or (without --rebuild) catches it up with changes it has not seen.
"""

from __future__ import annotations

import click

from regsearch.cli import main
from regsearch.cli.output import format_table, to_json, write_out
from regsearch.cli.search import index_option


def _store(index_dir: str | None, store_path: str | None):  # type: ignore[no-untyped-def]
    from regsearch.engine import default_location as default_index_dir
    from regsearch.store import open_store

    return open_store(store_path, index_dir or default_index_dir())


store_option = click.option(
    "--store",
    "store_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Store file (default: $REGSEARCH_STORE, else next to the index).",
)


@main.group()
def users() -> None:
    """Accounts of the write side (admin, editor, reviewer).

    \b
    Example:
      regsearch users add admin --role admin
      regsearch users add zhang --role editor --department 贵州省交通运输厅
    """


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "editor", "reviewer"]), required=True)
@click.option("--department", default=None, help="部门名称（编辑和审核人必填）.")
@click.option("--name", "display_name", default="", help="姓名.")
@click.password_option("--password", help="Password (asked twice if not given).")
@index_option
@store_option
def add_user(
    username: str,
    role: str,
    department: str | None,
    display_name: str,
    password: str,
    index_dir: str | None,
    store_path: str | None,
) -> None:
    """Create a user.

    \b
    Example:
      regsearch users add li --role reviewer --department 贵州省交通运输厅 --name 李审核
    """
    from regsearch.store import accounts
    from regsearch.store.ingest import command_line_actor

    store = _store(index_dir, store_path)
    try:
        user = accounts.create_user(
            store, command_line_actor(), username, password, role, department, display_name
        )
    finally:
        store.close()
    click.echo(f"已建立用户 {user.username}（{role}{'，' + department if department else ''}）")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@index_option
@store_option
def list_users(as_json: bool, index_dir: str | None, store_path: str | None) -> None:
    """List users.

    \b
    Example:
      regsearch users list --json
    """
    from regsearch.store.accounts import public_user

    store = _store(index_dir, store_path)
    try:
        found = store.users()
        names = {d.id: d.name for d in store.departments()}
    finally:
        store.close()
    if as_json:
        write_out(to_json({"users": [public_user(u) for u in found]}))
        return
    rows = [
        [
            u.username,
            u.display_name,
            u.role,
            names.get(u.department_id or 0, ""),
            "是" if u.active else "否",
        ]
        for u in found
    ]
    click.echo(format_table(["用户名", "姓名", "角色", "部门", "启用"], rows))


@main.group()
def departments() -> None:
    """Departments: an issuing body (发文机关) and its aliases.

    \b
    Example:
      regsearch departments add 贵州省交通运输厅 --alias 省交通运输厅
    """


@departments.command("add")
@click.argument("name")
@click.option("--alias", "aliases", multiple=True, help="Another name on documents (repeatable).")
@index_option
@store_option
def add_department(
    name: str, aliases: tuple[str, ...], index_dir: str | None, store_path: str | None
) -> None:
    """Create a department.

    \b
    Example:
      regsearch departments add 贵州省生态环境厅 --alias 省生态环境厅
    """
    from regsearch.store import accounts
    from regsearch.store.ingest import command_line_actor

    store = _store(index_dir, store_path)
    try:
        dept = accounts.create_department(store, command_line_actor(), name, list(aliases))
    finally:
        store.close()
    click.echo(f"已建立部门 {dept.name}（编号 {dept.id}）")


@departments.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@index_option
@store_option
def list_departments(as_json: bool, index_dir: str | None, store_path: str | None) -> None:
    """List departments.

    \b
    Example:
      regsearch departments list
    """
    store = _store(index_dir, store_path)
    try:
        found = store.departments()
    finally:
        store.close()
    if as_json:
        write_out(to_json({"departments": [d.__dict__ for d in found]}))
        return
    click.echo(
        format_table(
            ["编号", "名称", "别名"], [[d.id, d.name, "、".join(d.aliases)] for d in found]
        )
    )


@main.command()
@click.option("--rebuild", is_flag=True, help="Rebuild the index from the store alone.")
@index_option
@store_option
def reindex(rebuild: bool, index_dir: str | None, store_path: str | None) -> None:
    """Bring the index up to date with the document store.

    Without --rebuild only the changes the index has not seen are applied (what a
    restarted server does by itself); with it the index is written anew from the store.

    \b
    Example:
      regsearch reindex --rebuild
    """
    from regsearch.engine import default_location as default_index_dir
    from regsearch.store.sync import sync_index

    target = index_dir or str(default_index_dir())
    store = _store(target, store_path)
    try:
        report = sync_index(store, target, rebuild=rebuild)
    finally:
        store.close()
    from regsearch import pg

    shown = pg.redact(pg.url_of(target) or "") or target
    click.echo(
        f"索引 {shown}：变更序号 {report.since} → {report.seq}，处理文档 {report.documents} 件"
        + (f"（{report.generation}）" if report.generation else "")
    )
