"""Options shared by the commands, and their checks: a bad value is a usage error (exit 2)
whose message names the value and the known ones, as click's own choices do."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from regsearch.model import Status

STATUSES = tuple(s.value for s in Status)
SORTS = {"relevance": "relevance", "相关度": "relevance", "newest": "newest", "最新": "newest"}
SORTS |= {"oldest": "oldest", "最早": "oldest"}


def split_values(values: Iterable[str]) -> list[str]:
    """Repeated and/or comma-separated values (全角逗号、顿号 too), blanks dropped, order kept."""
    out: list[str] = []
    for value in values:
        for part in value.replace("，", ",").replace("、", ",").split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def no_such(what: str, value: str, known: Sequence[str]) -> str:
    return f"没有这个{what}：{value}（可选：{'、'.join(known)}）"


def check_choices(
    ctx: click.Context,
    name: str,
    values: Iterable[str],
    what: str,
    known: Mapping[str, str] | Sequence[str],
) -> list[str]:
    """Each value as its canonical choice; an unknown one is a usage error on option `name`.

    `known` maps every accepted spelling to its canonical value (or lists the values)."""
    table = dict(known) if isinstance(known, Mapping) else {k: k for k in known}
    shown = list(dict.fromkeys(table.values()))
    out: list[str] = []
    for value in split_values(values):
        canonical = table.get(value) or table.get(value.lower())
        if canonical is None:
            raise click.BadParameter(no_such(what, value, shown), ctx=ctx, param=_param(ctx, name))
        if canonical not in out:
            out.append(canonical)
    return out


def _param(ctx: click.Context, name: str) -> click.Parameter | None:
    return next((p for p in ctx.command.params if p.name == name), None)


class DateParam(click.ParamType):
    """YYYY-MM-DD, or YYYY / YYYY-MM (a range start gets the first day, an end the last)."""

    name = "DATE"

    def __init__(self, end: bool = False) -> None:
        self.end = end

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from regsearch.errors import BadQuery
        from regsearch.search.params import check_date

        text = str(value).strip()
        try:
            return check_date(text, "", end=self.end)
        except BadQuery:
            message = f"不是有效日期：{text}（应为 YYYY-MM-DD，也可写 YYYY 或 YYYY-MM）"
            self.fail(message, param, ctx)


class QueryCommand(click.Command):
    """A command whose QUERY words need no quotes: `search 出租汽车 OR 网约车` and
    `search 许可 -收费` work. Every token that is not one of the command's options (or the
    value of one) is a query word, in order; after `--` every token is. A mistyped long
    option (`--stauts`) is still an error, as click reports it."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self._regroup(ctx, list(args)))

    def _regroup(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value: dict[str, bool] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for opt in (*param.opts, *param.secondary_opts):
                    takes_value[opt] = not (param.is_flag or param.count)
        options: list[str] = []
        words: list[str] = []
        rest = iter(args)
        for arg in rest:
            if arg == "--":
                words.extend(rest)
                break
            if arg.startswith("--"):  # a long option, or a typo click reports
                name, has_value = arg.split("=", 1)[0], "=" in arg
            elif arg in takes_value:  # a short option: -h, -o FILE
                name, has_value = arg, False
            elif arg[:2] in takes_value:  # a short option with its value: -ofile.csv
                name, has_value = arg[:2], True
            else:
                words.append(arg)
                continue
            options.append(arg)
            if takes_value.get(name) and not has_value:
                value = next(rest, None)
                if value is not None:
                    options.append(value)
        return [*options, "--", *words] if words else options


def query_text(words: Sequence[str]) -> str:
    return " ".join(w for w in (" ".join(words)).split())


index_option = click.option(
    "--index",
    "index_dir",
    type=click.Path(),
    default=None,
    metavar="DIR",
    help="Index directory or postgresql:// URL (default: $REGSEARCH_DATABASE_URL, else "
    "$REGSEARCH_INDEX, else indexes/main).",
)


def index_location(index_dir: str | None) -> Path:
    """--index (a folder or a postgresql:// URL), else $REGSEARCH_DATABASE_URL (or
    --database), else $REGSEARCH_INDEX, else indexes/main."""
    from regsearch.engine import default_location

    return Path(index_dir) if index_dir else default_location()


def where_from(index_dir: str | None) -> str:
    if index_dir:
        return "--index"
    if os.environ.get("REGSEARCH_DATABASE_URL"):
        return "REGSEARCH_DATABASE_URL"
    return "REGSEARCH_INDEX" if os.environ.get("REGSEARCH_INDEX") else "默认位置"


def check_readable_index(index_dir: str | None) -> Path:
    """The index folder; a path that is a file is an error saying where it was set."""
    from regsearch.errors import RegsearchError
    from regsearch.pg import url_of

    path = index_location(index_dir)
    if url_of(path) is not None:
        return path  # a database: the engine says whether it answers
    if path.exists() and not path.is_dir():
        raise RegsearchError(
            f"索引位置 {path}（来自{where_from(index_dir)}）是一个文件，不是文件夹："
            "请用 --index 或 REGSEARCH_INDEX 指向索引文件夹。"
        )
    return path


def check_writable_index(index_dir: str | None) -> Path:
    """Before any source is read: the index folder exists or can be made, and takes files."""
    from regsearch.errors import RegsearchError
    from regsearch.pg import url_of

    path = check_readable_index(index_dir)
    if url_of(path) is not None:
        return path
    probe = path / f".write-check-{os.getpid()}"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise RegsearchError(
            f"无法写入索引文件夹 {path}（来自{where_from(index_dir)}）：{reason}。"
            "请换一个可写的位置（--index DIR 或 REGSEARCH_INDEX），或修改该文件夹的权限。"
        ) from exc
    return path


@contextlib.contextmanager
def open_service(index_dir: str | None) -> Iterator[Any]:
    """The search service for one command, closed afterwards (it holds segment files open)."""
    from regsearch.search.service import SearchService

    svc = SearchService(check_readable_index(index_dir))
    try:
        yield svc
    finally:
        svc.close()


def output_path(ctx: click.Context, output: str | None) -> Path | None:
    """-o FILE: its folder must exist (checked before the report is built)."""
    if not output:
        return None
    path = Path(output)
    if path.is_dir():
        raise click.BadParameter(
            f"{output} 是一个文件夹；请给出文件名。", ctx=ctx, param_hint="--output"
        )
    folder = path.parent
    if not folder.is_dir():
        what = "是一个文件，不是文件夹" if folder.exists() else "不存在"
        raise click.BadParameter(
            f"文件夹 {folder} {what}；请先创建它（mkdir -p {folder}），或换一个位置。",
            ctx=ctx,
            param_hint="--output",
        )
    return path
