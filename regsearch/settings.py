"""Numbers an operator sets in the environment (REGSEARCH_*: cache sizes, worker counts,
limits), read once at import. A value that is not a number, or is out of range, stops
the command with a message that names the variable and what it takes, instead of a
traceback from deep inside an import or a silent fallback to the default."""

from __future__ import annotations

import math
import os

from regsearch.errors import RegsearchError


class BadSetting(RegsearchError):
    """An environment variable holds a value the setting cannot take."""


def number(name: str, default: float, *, minimum: float = 0.0, integer: bool = False) -> float:
    """The value of environment variable `name` (`default` when unset or empty)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    kind = "整数" if integer else "数"
    try:
        value = float(int(raw)) if integer else float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < minimum:
        raise BadSetting(
            f"环境变量 {name}={raw!r} 无效：应为不小于 {_shown(minimum)} 的{kind}"
            f"（默认 {_shown(default)}）。"
            "请改正或删除它。"
        )
    return value


def count(name: str, default: int, *, minimum: int = 1) -> int:
    """A whole number: worker processes, postings, connections."""
    return int(number(name, default, minimum=minimum, integer=True))


def megabytes(name: str, default_mb: float) -> int:
    """A size given in MB (fractions allowed), in bytes."""
    return int(number(name, default_mb) * 2**20)


def _shown(value: float) -> str:
    """30000000, not 3e+07; 0.5 as 0.5."""
    return str(int(value)) if value == int(value) else f"{value:g}"
