from __future__ import annotations

import re

import pytest

from regsearch.ingest.govcn import read_govcn, read_urls


def _read(data_dir, name):
    base = data_dir / "ingest" / "html"
    return list(read_govcn(base / name, base, "t", read_urls(base)))[0]


def test_table_page(data_dir):
    d = _read(data_dir, "table.html")
    assert (d.index_number, d.topic, d.authority, d.written_date, d.doc_number, d.publish_date) == (
        "000014349/2018-00204",
        "综合政务\\政务公开",
        "国务院办公厅",
        "2018-10-27",
        "国办函〔2018〕71号",
        "2018-11-09",
    )
    assert d.title == "国务院办公厅关于印发《政府网站集约化试点工作方案》的通知"
    assert d.url == "http://www.gov.cn/zhengce/content/2018-11/09/content_5338761.htm"
    assert d.body.split("\n")[:2] == [
        "国务院办公厅关于印发《政府网站集约化试点工作方案》的通知",
        "国办函〔2018〕71号",
    ]


def test_provincial_div_list_page(data_dir):
    d = _read(data_dir, "province_list.html")
    assert (
        d.index_number,
        d.authority,
        d.doc_number,
        d.doc_number_raw,
        d.written_date,
        d.publish_date,
    ) == (
        "002482070/2021-01234",
        "浙江省人民政府",
        "浙政发〔2021〕5号",
        "浙政发﹝2021﹞5号",
        "2021-03-01",
        "2021-03-05",
    )
    assert (d.title, d.region, d.effective_date) == (
        "浙江省人民政府关于印发某某办法的通知",
        "浙江省",
        "2021-04-01",
    )
    assert [a.number for a in d.articles] == ["第一条", "第二条"]


def test_page_without_table(data_dir):
    d = _read(data_dir, "no_table.html")
    assert (d.title, d.doc_number, d.authority, d.written_date, d.publish_date) == (
        "国务院关于某事项的批复",
        "国函〔2019〕12号",
        "国务院",
        "2019-02-01",
        None,
    )
    assert d.warnings == ["元数据中没有标题，标题取自页面标题", "未找到发布日期"]


@pytest.mark.corpus
def test_all_govcn_pages(corpora_dir):
    base = corpora_dir / "govcn-html"
    urls = read_urls(base)
    docs = [r for p in sorted(base.glob("*.html")) for r in read_govcn(p, base, "g", urls)]
    assert len(docs) == 40
    for d in docs:
        assert re.fullmatch(r"\d{9}/\d{4}-\d{5}", d.index_number), d.source
        assert d.topic and d.authority and d.title and d.url, d.source
        assert re.fullmatch(r"\S+〔\d{4}〕\d+号|国务院令第\d+号", d.doc_number), d.source
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", d.written_date) and re.fullmatch(
            r"\d{4}-\d{2}-\d{2}", d.publish_date
        )
        assert d.written_date <= d.publish_date, d.source
        assert "Ã" not in d.body and len(d.body) > 100, d.source
    first = next(d for d in docs if d.source == "5338761.html")
    assert (first.doc_number, first.written_date, first.publish_date) == (
        "国办函〔2018〕71号",
        "2018-10-27",
        "2018-11-09",
    )
