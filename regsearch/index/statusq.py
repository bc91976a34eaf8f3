"""A status "as of day D" as a Whoosh query over the stored StatusDates.

This is the one translation of `regsearch.status.status_at` into term ranges;
tests compare it with `status_at` on fixture documents for several days.
Missing events are stored as sentinels (NEVER sorts after every day, ALWAYS
before), so "event happened by D" is simply `field <= D`.
"""

from __future__ import annotations

from whoosh import query as Q

from regsearch.errors import BadQuery
from regsearch.index.schema import ALWAYS, NEVER
from regsearch.model import Status
from regsearch.status import CASE

STATUS_VALUES = [s.value for s in Status]


def _by(field: str, day: str) -> Q.Query:
    """The event in `field` has happened on or before `day`."""
    return Q.TermRange(field, ALWAYS, day)


def _after(field: str, day: str) -> Q.Query:
    """The date in `field` is after `day` (the sentinel NEVER never matches)."""
    return Q.And([Q.TermRange(field, day, None, startexcl=True), Q.Not(Q.Term(field, NEVER))])


def status_query(status: str, day: str) -> Q.Query:
    """Records whose status on `day` is `status` (same precedence as `status_at`)."""
    case = Q.Term("st_iss", CASE)
    if status == Status.NOT_APPLICABLE.value:
        return case
    unissued = Q.And([_after("st_iss", day), Q.Not(case)])
    if status == Status.NOT_YET_ISSUED.value:
        return unissued
    query = _normative_status_query(status, day)
    return Q.And([query, Q.Not(Q.Or([case, unissued]))])


def _normative_status_query(status: str, day: str) -> Q.Query:
    repealed = _by("st_rep", day)
    invalid = _by("st_inv", day)
    superseded = _by("st_sup", day)
    not_yet = _after("st_eff", day)
    partial = _by("st_par", day)
    if status == Status.REPEALED.value:
        return repealed
    if status == Status.EXPIRED.value:
        return Q.And([invalid, Q.Not(repealed)])
    if status == Status.AMENDED.value:
        return Q.And([superseded, Q.Not(Q.Or([repealed, invalid]))])
    if status == Status.NOT_YET_EFFECTIVE.value:
        return Q.And([not_yet, Q.Not(Q.Or([repealed, invalid, superseded]))])
    if status == Status.PARTIALLY_INVALID.value:
        return Q.And([partial, Q.Not(Q.Or([repealed, invalid, superseded, not_yet]))])
    if status == Status.IN_FORCE.value:
        return Q.Not(Q.Or([repealed, invalid, superseded, not_yet, partial]))
    raise BadQuery(f"未知的时效状态“{status}”，可选：{'、'.join(STATUS_VALUES)}")


def statuses_query(statuses: list[str], day: str) -> Q.Query | None:
    """Any of `statuses` on `day`; None when no status filter was asked for."""
    if not statuses:
        return None
    parts = [status_query(s, day) for s in statuses]
    return parts[0] if len(parts) == 1 else Q.Or(parts)
