"""Status as of a date from events: precedence, day boundaries, unknown dates, sources."""

from __future__ import annotations

import pytest

from regsearch.model import Document, Relation, Status, StatusSource
from regsearch.status import EARLIEST, StatusDates, apply_status, dates_of, day_after, status_at


def make(**kw: object) -> Document:
    return Document(id="x", title="示例办法", collection="c", source="s", **kw)


@pytest.mark.parametrize(
    ("dates", "as_of", "expected"),
    [
        (StatusDates(effective="2020-01-01"), "2019-12-31", ("尚未施行", "effective_date")),
        (StatusDates(effective="2020-01-01"), "2020-01-01", ("现行有效", "default")),
        (StatusDates(superseded="2021-05-01"), "2021-04-30", ("现行有效", "default")),
        (StatusDates(superseded="2021-05-01"), "2021-05-01", ("已修改", "version_chain")),
        (StatusDates(invalid="2025-01-01"), "2024-12-31", ("现行有效", "default")),
        (StatusDates(invalid="2025-01-01"), "2025-01-01", ("已失效", "expiry")),
        (StatusDates(repealed="2022-03-01"), "2022-03-01", ("已废止", "repeal")),
        (StatusDates(partial="2022-03-01"), "2022-03-01", ("部分失效", "repeal")),
        # precedence: 已废止 > 已失效 > 已修改 > 尚未施行 > 部分失效
        (
            StatusDates(repealed="2022-01-01", invalid="2021-01-01", superseded="2020-01-01"),
            "2023-01-01",
            ("已废止", "repeal"),
        ),
        (
            StatusDates(invalid="2021-01-01", superseded="2020-01-01"),
            "2023-01-01",
            ("已失效", "expiry"),
        ),
        (
            StatusDates(effective="2030-01-01", superseded="2020-01-01"),
            "2023-01-01",
            ("已修改", "version_chain"),
        ),
        (
            StatusDates(effective="2030-01-01", partial="2020-01-01"),
            "2023-01-01",
            ("尚未施行", "effective_date"),
        ),
        (StatusDates(repealed=EARLIEST), "1900-01-01", ("已废止", "repeal")),
    ],
)
def test_status_at(dates: StatusDates, as_of: str, expected: tuple[str, str]) -> None:
    status, source = status_at(dates, as_of)
    assert (status.value, source.value) == expected


def test_dates_of_reads_relations_and_expiry() -> None:
    doc = make(
        effective_date="2010-01-01",
        expiry_date="2024-12-31",
        relations=[
            Relation(type="superseded_by", target_id="b", date="2015-06-01"),
            Relation(type="superseded_by", target_id="c", date="2012-06-01"),
            Relation(type="repealed_by", target_id=None, date=None),
            Relation(type="cites", target_id="d", date="2000-01-01"),
        ],
    )
    assert dates_of(doc) == StatusDates(
        effective="2010-01-01",
        repealed=EARLIEST,  # an event known to have happened, at an unknown date
        invalid="2025-01-01",  # the day after 有效期至
        superseded="2012-06-01",
        partial=None,
    )


def test_day_after() -> None:
    assert day_after("2024-02-28") == "2024-02-29"
    assert day_after("2024-12-31") == "2025-01-01"
    assert day_after("not a date") == "not a date"


def test_apply_status_keeps_a_matching_source_status() -> None:
    doc = make(status=Status.REPEALED.value, status_source=StatusSource.SOURCE.value)
    doc.relations.append(Relation(type="repealed_by", target_id="r", date="2001-01-01"))
    apply_status(doc, "2020-01-01")
    assert (doc.status, doc.status_source) == ("已废止", "source")


def test_source_flag_alone_reports_source() -> None:
    """A bare flag is 已失效 on the source's word (linking records it as expired_by with
    no target), never 已废止."""
    flagged = make(source_expired=True, relations=[Relation(type="expired_by", evidence="flag")])
    apply_status(flagged, "2020-01-01")
    assert (flagged.status, flagged.status_source) == ("已失效", "source")
    # when a repealing document is known, it decides (and is the evidence)
    known = make(source_expired=True, relations=[Relation("repealed_by", "r", date="2019-01-01")])
    apply_status(known, "2020-01-01")
    assert (known.status, known.status_source) == ("已废止", "repeal")


def test_apply_status_moves_with_as_of() -> None:
    doc = make(effective_date="2020-01-01", expiry_date="2024-12-31")
    assert apply_status(doc, "2019-06-01").status == "尚未施行"
    assert apply_status(doc, "2022-06-01").status == "现行有效"
    assert apply_status(doc, "2025-01-01").status == "已失效"
    assert doc.status_source == "expiry"
