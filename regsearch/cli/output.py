"""Output helpers shared by every command: CJK-aware tables that fit the terminal, JSON, CSV."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

import click

# A spreadsheet runs a cell starting with one of these as a formula (=HYPERLINK(…) becomes a
# live link, +cmd|… runs a command in old Excel); a tab or CR start is read as one too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GAP = "  "


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


def terminal_width() -> int | None:
    """The width tables must fit: $COLUMNS, else the terminal's; None when output is piped
    (a file or `grep` gets whole cells)."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    stream = sys.stdout
    try:
        if stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        pass
    return None


def _cell(value: Any) -> str:
    return " ".join(("" if value is None else str(value)).split())


def _water_fill(widths: list[int], width: int, flexible: Mapping[int, int]) -> None:
    """Cut the `flexible` columns (index -> minimum) to one common cap, the largest that
    makes the row fit `width` (never below a column's minimum)."""
    spare = width - _total(widths)
    if spare >= 0 or not flexible:
        return
    budget = sum(widths[i] for i in flexible) + spare

    def used(cap: int) -> int:
        return sum(min(widths[i], max(cap, low)) for i, low in flexible.items())

    low, high = 0, max(widths[i] for i in flexible)
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if used(mid) <= budget else (low, mid - 1)
    for i, least in flexible.items():
        widths[i] = min(widths[i], max(low, least))


def fit_widths(
    natural: Sequence[int],
    width: int | None,
    flexible: Mapping[int, int],
    shrink_first: Sequence[int] = (),
) -> list[int]:
    """Column widths within `width`: only the `flexible` columns (index -> minimum width)
    shrink, the widest first, never below their minimum, those in `shrink_first` before
    the others; the other columns keep their width."""
    widths = list(natural)
    if width is None:
        return widths
    _water_fill(widths, width, {i: flexible[i] for i in shrink_first if i in flexible})
    _water_fill(widths, width, flexible)
    return widths


def _total(widths: Sequence[int]) -> int:
    return sum(widths) + len(GAP) * (len(widths) - 1)


def _least(natural: Sequence[int], flexible: Mapping[int, int]) -> list[int]:
    """The narrowest the columns may get: flexible ones down to their minimum."""
    return [min(w, flexible[i]) if i in flexible else w for i, w in enumerate(natural)]


def format_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    width: int | None = None,
    flexible: Mapping[int, int] | None = None,
    details: Sequence[Sequence[str]] | None = None,
    droppable: Sequence[int] = (),
    shrink_first: Sequence[int] = (),
) -> str:
    """An aligned plain-text table (CJK-aware) no wider than `width` where it can be: the
    `flexible` columns (index -> minimum) are shortened (`shrink_first` ones before the
    others), the others are never cut; if it still does not fit, the `droppable` columns
    are left out, in that order.

    `details` gives each row lines printed under it, indented to the second column and
    cut to `width` (a search hit's snippet).
    """
    headers = list(headers)
    cells = [[_cell(v) for v in row] for row in rows]
    flexible = dict(flexible or {})
    natural = [display_width(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            natural[i] = max(natural[i], display_width(c))
    pending = list(droppable)
    while pending and width is not None and _total(_least(natural, flexible)) > width:
        drop = pending.pop(0)
        keep = [i for i in range(len(headers)) if i != drop]
        flexible = {keep.index(i): low for i, low in flexible.items() if i != drop}
        headers = [headers[i] for i in keep]
        natural = [natural[i] for i in keep]
        cells = [[row[i] for i in keep] for row in cells]
        pending = [d - (d > drop) for d in pending]
        shrink_first = [d - (d > drop) for d in shrink_first if d != drop]
    widths = fit_widths(natural, width, flexible, shrink_first)
    lines = [GAP.join(pad(h, widths[i]) for i, h in enumerate(headers)).rstrip()]
    lines.append(GAP.join("-" * w for w in widths))
    indent = " " * (widths[0] + len(GAP)) if details and len(widths) > 1 else ""
    for n, row in enumerate(cells):
        lines.append(GAP.join(pad(truncate(c, widths[i]), widths[i]) for i, c in enumerate(row)))
        lines[-1] = lines[-1].rstrip()
        for extra in details[n] if details else ():
            text = _cell(extra)
            if text:
                room = None if width is None else max(10, width - len(indent))
                lines.append(indent + (truncate(text, room) if room else text))
    return "\n".join(lines)


def to_json(obj: Any) -> str:
    """One UTF-8 JSON object with non-ASCII kept."""
    return json.dumps(obj, ensure_ascii=False, indent=2, default=str)


def neutralize(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: a leading formula character gets a `'`."""
    text = "" if value is None else str(value)
    if text.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]], bom: bool = False) -> str:
    """CSV text (RFC 4180, `\\n` line ends), every cell neutralized against formulas."""
    buf = io.StringIO()
    if bom:
        buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([neutralize(h) for h in headers])
    for row in rows:
        writer.writerow([neutralize(v) for v in row])
    return buf.getvalue()


def echo_err(message: str) -> None:
    click.echo(message, err=True)


def write_out(text: str, stream: TextIO | None = None) -> None:
    (stream or sys.stdout).write(text if text.endswith("\n") else text + "\n")
