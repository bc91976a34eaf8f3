"""The `regsearch` command line: a thin shell over the core.

It never imports whoosh, jieba or lxml; heavy modules load inside the commands.
"""

from __future__ import annotations

import errno
import os
import sys

import click

from regsearch import __version__
from regsearch.errors import BadQuery, RegsearchError

# Exit codes: 0 success (zero hits too), 1 an error the user can fix, 2 bad usage.
EXIT_ERROR = 1

_OS_ERRORS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EACCES: "没有权限",
    errno.EPERM: "不允许的操作",
    errno.EROFS: "文件系统是只读的",
    errno.ENOENT: "文件夹不存在",
    errno.ENOTDIR: "路径中有一段是文件而不是文件夹",
    errno.EISDIR: "这是一个文件夹，不是文件",
}


def os_error_message(exc: OSError) -> str:
    """A full disk, a missing folder, a permission: what happened, where, and what to do."""
    what = _OS_ERRORS.get(exc.errno or 0, exc.strerror or str(exc))
    where = f"：{exc.filename}" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        advice = "请腾出空间后重试（原有索引和文件不受影响）。"
    elif exc.errno == errno.ENOENT:
        advice = "请先创建该文件夹，或换一个已有的位置。"
    else:
        advice = "请换一个位置，或检查该路径的权限。"
    return f"{what}{where}。{advice}"


class RegsearchGroup(click.Group):
    """Turns expected errors into one-line messages (tracebacks only with --debug)."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except RegsearchError as exc:
            if _debug(ctx):
                raise
            prefix = "查询有误" if isinstance(exc, BadQuery) else "错误"
            click.echo(f"{prefix}: {exc}", err=True)
            ctx.exit(EXIT_ERROR)
        except BrokenPipeError:  # `regsearch search … | head`: the reader has gone
            _silence_stdout()
            ctx.exit(EXIT_ERROR)
        except OSError as exc:  # the machine said no: full disk, no permission, no folder
            if _debug(ctx):
                raise
            click.echo(f"错误: {os_error_message(exc)}", err=True)
            ctx.exit(EXIT_ERROR)


def _silence_stdout() -> None:
    """Python's recipe for a closed pipe: point stdout at devnull so the exit flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.obj and ctx.obj.get("debug"))


@click.group(cls=RegsearchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="regsearch")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option(
    "--database",
    default=None,
    metavar="URL",
    help="Run on PostgreSQL: postgresql://user@host/db (as $REGSEARCH_DATABASE_URL).",
)
@click.pass_context
def main(ctx: click.Context, debug: bool, database: str | None) -> None:
    """Search Chinese regulations and normative documents with their validity status.

    \b
    Example:
      regsearch ingest corpora/samples
      regsearch search 出租汽车 OR 网约车 --status 现行有效
      regsearch show 社会保险法第十条
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug or bool(os.environ.get("REGSEARCH_DEBUG"))
    if database:
        from regsearch.pg import configured_url

        # the one setting every command (and a server's worker processes) reads
        os.environ["REGSEARCH_DATABASE_URL"] = configured_url(database) or database


# Each command lives in its own module and registers itself on `main`.
from regsearch.cli import cleanup, db, ingest, normalize, search, serve, show, users  # noqa: E402,F401

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
