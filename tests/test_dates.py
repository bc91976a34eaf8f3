from __future__ import annotations

import pytest

from regsearch.ingest.dates import find_dates, parse_date


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2020年9月30日", "2020-09-30"),
        ("二〇二〇年九月三十日", "2020-09-30"),
        ("2020.9.30", "2020-09-30"),
        ("2020-09-30", "2020-09-30"),
        ("2020/9/30", "2020-09-30"),
        ("20200930", "2020-09-30"),
        ("２０２０年９月３０日", "2020-09-30"),
        (" 2020 年 9 月 30 日 ", "2020-09-30"),
        ("2018年11月09日", "2018-11-09"),
        ("2021年2月29日", None),
        ("2020.9-30", None),
        ("2020年13月1日", None),
        ("2020年", None),
        ("2020年9月30", None),
        ("abc", None),
        ("", None),
    ],
)
def test_parse_date(raw, iso):
    assert parse_date(raw) == iso


def test_find_dates_in_running_text():
    text = "（2017年12月13日贵州省人民政府令第179号公布 自2018年2月1日起施行）2021年2月30日"
    assert find_dates(text) == [("2017-12-13", 1, 12), ("2018-02-01", 29, 38)]
