"""`regsearch db init | migrate | check | copy`: the PostgreSQL database of a deployment.

The database comes from --database, else $REGSEARCH_DATABASE_URL. `copy` moves a whole
installation (store, then the index built from it) between the embedded files and
PostgreSQL, either way.
"""

from __future__ import annotations

import click

from regsearch.cli import main
from regsearch.cli.output import to_json, write_out
from regsearch.errors import RegsearchError

database_option = click.option(
    "--database",
    "database",
    default=None,
    metavar="URL",
    help="postgresql://user@host:port/dbname (default: $REGSEARCH_DATABASE_URL).",
)


def _url(database: str | None) -> str:
    from regsearch import pg

    url = pg.configured_url(database)
    if url is None:
        raise RegsearchError(
            "没有指定数据库：请用 --database postgresql://用户@主机/库名，"
            "或设置 REGSEARCH_DATABASE_URL。"
        )
    return url


@main.group()
def db() -> None:
    """The PostgreSQL database: create, migrate, check, copy data in and out.

    \b
    Example:
      export REGSEARCH_DATABASE_URL=postgresql://regsearch@db.example/regsearch
      regsearch db init
      regsearch db copy --from indexes/main --to "$REGSEARCH_DATABASE_URL"
    """


@db.command()
@database_option
def init(database: str | None) -> None:
    """Create regsearch's tables in an empty database (a no-op when they exist).

    \b
    Example:
      regsearch db init --database postgresql://regsearch@localhost/regsearch
    """
    from regsearch import pg
    from regsearch.store import open_database_store

    url = _url(database)
    store = open_database_store(url, migrate=True)
    _init_index(url)
    click.echo(f"数据库 {pg.redact(url)} 已就绪（文件库版本 {store.schema_version()}）。")


@db.command()
@database_option
def migrate(database: str | None) -> None:
    """Bring the database's tables to this program's schema version.

    \b
    Example:
      regsearch db migrate
    """
    from regsearch import pg
    from regsearch.store import open_database_store

    url = _url(database)
    store = open_database_store(url, migrate=True)
    _init_index(url)
    click.echo(f"数据库 {pg.redact(url)}：文件库版本 {store.schema_version()}，已是最新。")


def _init_index(url: str) -> None:
    from regsearch.engine import open_engine

    engine = open_engine(url)
    init = getattr(engine, "init_schema", None)
    if init is not None:
        init()
    engine.close()


@db.command()
@database_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
def check(database: str | None, as_json: bool) -> None:
    """Connect, check the schema version and count what the database holds.

    Exit 1 (with the reason) when the server is down or the schema is not current.

    \b
    Example:
      regsearch db check --json
    """
    from regsearch import pg
    from regsearch.engine import open_engine
    from regsearch.store import open_database_store

    url = _url(database)
    store = open_database_store(url)
    engine = open_engine(url)
    meta = engine.current_meta()
    engine.close()
    info = {
        "database": pg.redact(url),
        "schema_version": store.schema_version(),
        "documents": store.count_documents(),
        "last_seq": store.last_seq(),
        "index_generation": (meta or {}).get("generation"),
        "index_seq": (meta or {}).get("store_seq"),
        "index_documents": (meta or {}).get("documents"),
    }
    if as_json:
        write_out(to_json(info) + "\n")
        return
    behind = int(info["index_seq"] or 0) < int(info["last_seq"] or 0)
    click.echo(
        f"数据库 {info['database']}：文件库版本 {info['schema_version']}，变更序号 "
        f"{info['last_seq']}；索引 "
        + (
            f"第 {info['index_generation']} 代，{info['index_documents']} 件，"
            f"反映变更序号 {info['index_seq']}"
            + ("（落后于文件库：regsearch reindex）" if behind else "")
            if meta
            else "尚未建立（regsearch reindex）"
        )
    )


@db.command("copy")
@click.option("--from", "source", required=True, metavar="LOCATION", help="Copy from.")
@click.option("--to", "target", required=True, metavar="LOCATION", help="Copy into (empty).")
def copy_cmd(source: str, target: str) -> None:
    """Copy an installation: its store (every revision, event, user, audit entry) into
    an empty one, then build the index there from it.

    A LOCATION is an index folder (its store is the file next to it) or a
    postgresql:// URL (create its tables first with `regsearch db init`).

    \b
    Example:
      regsearch db copy --from indexes/main --to postgresql://regsearch@localhost/regsearch
      regsearch db copy --from postgresql://regsearch@localhost/regsearch --to indexes/copy
    """
    from regsearch import pg
    from regsearch.store import default_store_path, open_store
    from regsearch.store.copy import copy_store
    from regsearch.store.sync import sync_index

    for where in (source, target):
        if pg.url_of(where) is None and where.startswith(("postgres", "http")):
            raise click.BadParameter(f"不是有效的位置：{where}", param_hint="--from/--to")
    if pg.url_of(source) is None and not default_store_path(source).exists():
        raise RegsearchError(
            f"{source} 旁没有文件库 {default_store_path(source).name}：请给出一个建过索引的文件夹。"
        )
    src = open_store(index_dir=source)
    dst = open_store(index_dir=target)
    try:
        report = copy_store(src, dst)  # type: ignore[arg-type]
        click.echo(
            f"文件库：复制 {report.total} 行（"
            + "，".join(f"{t} {n}" for t, n in report.rows.items() if n)
            + "）"
        )
        sync = sync_index(dst, target, rebuild=True, allow_empty=True)
        click.echo(
            f"索引 {pg.redact(target)}：建立完成，{sync.documents} 件（变更序号 {sync.seq}）"
        )
    finally:
        src.close()
        dst.close()
