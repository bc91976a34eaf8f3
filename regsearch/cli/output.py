"""Output helpers shared by every command: CJK-aware tables, JSON, CSV."""

from __future__ import annotations

import csv
import io
import json
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

import click


def display_width(text: str) -> int:
    """Terminal columns: East Asian wide and full-width characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def truncate(text: str, width: int) -> str:
    """Cut `text` to at most `width` columns, marking the cut with an ellipsis."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def format_table(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], max_widths: Sequence[int] | None = None
) -> str:
    """An aligned plain-text table; cells are cut to `max_widths` columns if given."""
    cells = [[("" if v is None else str(v)).replace("\n", " ") for v in row] for row in rows]
    if max_widths:
        cells = [[truncate(c, max_widths[i]) for i, c in enumerate(row)] for row in cells]
    widths = [display_width(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], display_width(c))
    lines = ["  ".join(pad(h, widths[i]) for i, h in enumerate(headers)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(pad(c, widths[i]) for i, c in enumerate(row)).rstrip())
    return "\n".join(lines)


def to_json(obj: Any) -> str:
    """One UTF-8 JSON object with non-ASCII kept."""
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str)


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]], bom: bool = False) -> str:
    buf = io.StringIO()
    if bom:
        buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def echo_err(message: str) -> None:
    click.echo(message, err=True)


def write_out(text: str, stream: TextIO | None = None) -> None:
    (stream or sys.stdout).write(text if text.endswith("\n") else text + "\n")
