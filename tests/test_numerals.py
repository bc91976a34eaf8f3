from __future__ import annotations

import pytest

from regsearch.text.numerals import (
    article_ordinal,
    cn_to_int,
    int_to_cn,
    normalize_article_number,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一百零五", 105),
        ("二十", 20),
        ("两", 2),
        ("〇", 0),
        ("１２", 12),
        ("十", 10),
        ("十五", 15),
        ("一千零一", 1001),
        ("二〇二〇", 2020),
        ("一万二千", 12000),
        ("十百", None),
        ("", None),
        ("abc", None),
    ],
)
def test_cn_to_int(text, value):
    assert cn_to_int(text) == value


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "零"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (105, "一百零五"),
        (110, "一百一十"),
        (1001, "一千零一"),
        (10001, "一万零一"),
    ],
)
def test_int_to_cn(n, text):
    assert int_to_cn(n) == text


@pytest.mark.parametrize(
    ("raw", "canon", "ordinal"),
    [
        ("第3条", "第三条", 3),
        ("第３条", "第三条", 3),
        ("第 三 条", "第三条", 3),
        ("第十七条之一", "第十七条之一", 17),
        ("第105条", "第一百零五条", 105),
        ("第3条之1", "第三条之一", 3),
        ("第三章", None, None),
        ("第0条", None, None),
    ],
)
def test_article_numbers(raw, canon, ordinal):
    assert normalize_article_number(raw) == canon
    assert article_ordinal(raw) == ordinal
