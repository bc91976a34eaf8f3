"""The `regsearch` command line: a thin shell over the core.

It never imports whoosh, jieba or lxml; heavy modules load inside the commands.
"""

from __future__ import annotations

import os
import sys

import click

from regsearch import __version__
from regsearch.errors import BadQuery, RegsearchError

# Exit codes: 0 success (zero hits too), 1 an error the user can fix, 2 bad usage.
EXIT_ERROR = 1


class RegsearchGroup(click.Group):
    """Turns expected errors into one-line messages (tracebacks only with --debug)."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except RegsearchError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            prefix = "查询有误" if isinstance(exc, BadQuery) else "错误"
            click.echo(f"{prefix}: {exc}", err=True)
            ctx.exit(EXIT_ERROR)


@click.group(cls=RegsearchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="regsearch")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Search Chinese regulations and normative documents with their validity status.

    \b
    Example:
      regsearch ingest ../shared/corpora/govcn-html
      regsearch search "国办函〔2018〕71号"
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug or bool(os.environ.get("REGSEARCH_DEBUG"))


# Each command lives in its own module and registers itself on `main`.
from regsearch.cli import cleanup, normalize, search, serve, users  # noqa: E402,F401

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
