"""The one validation of dates and search parameters, for the CLI, the web and the service.

Dates may be written YYYY, YYYY-MM or YYYY-MM-DD (also with / or .): a range's start
is the first day of the period, its end the last, so `--from 2020 --to 2020` is the
year 2020 in the CLI and on the web alike.
"""

from __future__ import annotations

import datetime as _dt

from regsearch.errors import BadQuery
from regsearch.model import SearchQuery, Status

SORTS = ("relevance", "newest", "oldest")
STATUS_VALUES = tuple(s.value for s in Status)
MAX_PER_PAGE = 1000


class BadParam(BadQuery):
    """A parameter is out of bounds or malformed (`code` names which, for the JSON API)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_date(value: str | None, label: str, end: bool = False) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD -> YYYY-MM-DD (range ends get the last day); else BadParam."""
    if value is None or not str(value).strip():
        return None
    v = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        parts = [int(p) for p in v.split("-")]
        if len(parts) == 1:
            day = _dt.date(parts[0], 12, 31) if end else _dt.date(parts[0], 1, 1)
        elif len(parts) == 2:
            first = _dt.date(parts[0], parts[1], 1)
            nxt = _dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
            day = nxt - _dt.timedelta(days=1) if end else first
        elif len(parts) == 3:
            day = _dt.date(*parts)
        else:
            raise ValueError(v)
    except ValueError:
        raise BadParam(
            "bad_date",
            f"{label}“{value}”不是有效日期：请写成 YYYY-MM-DD（或 YYYY、YYYY-MM），"
            "例如 2020-01-31。",
        ) from None
    return day.isoformat()


def check_range(start: str | None, end: str | None) -> tuple[str | None, str | None]:
    """The validated publish-date range of a search (start's first day, end's last)."""
    lo = check_date(start, "起始日期")
    hi = check_date(end, "截止日期", end=True)
    if lo and hi and lo > hi:
        raise BadParam("bad_date_range", f"起始日期 {lo} 晚于截止日期 {hi}。")
    return lo, hi


def check_statuses(values: list[str]) -> list[str]:
    unknown = [s for s in values if s not in STATUS_VALUES]
    if unknown:
        raise BadParam(
            "bad_status", f"未知的时效状态“{unknown[0]}”，可选：{'、'.join(STATUS_VALUES)}"
        )
    return values


def check_sort(sort: str) -> str:
    if sort not in SORTS:
        raise BadParam("bad_sort", f"未知的排序方式“{sort}”，可选：{'、'.join(SORTS)}。")
    return sort


def check_search(sq: SearchQuery) -> tuple[str | None, str | None]:
    """Validate a SearchQuery as every shell builds it; its publish-date range."""
    check_sort(sq.sort)
    check_statuses(sq.status)
    if sq.page < 1:
        raise BadParam("out_of_range", "页码须 ≥ 1。")
    if not 1 <= sq.per_page <= MAX_PER_PAGE:
        raise BadParam("out_of_range", f"每页条数须在 1 到 {MAX_PER_PAGE} 之间。")
    check_date(sq.as_of, "时效日期")
    return check_range(sq.date_from, sq.date_to)
