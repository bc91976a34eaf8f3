"""CSV for spreadsheets, safe to open in Excel.

A cell that starts with = + - @, a tab or a carriage return is run as a formula by
Excel and LibreOffice (CSV injection); such cells get a leading apostrophe, which
the spreadsheet shows as text and drops from the value.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_text(headers: Sequence[str], rows: Iterable[Sequence[Any]], bom: bool = True) -> str:
    """CSV with every cell neutralized; a BOM by default so Excel reads UTF-8."""
    buf = io.StringIO()
    if bom:
        buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buf.getvalue()
