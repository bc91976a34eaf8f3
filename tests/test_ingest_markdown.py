from __future__ import annotations

import pytest

from regsearch.ingest.markdown import read_markdown
from regsearch.model import Document, Skip


def _read(data_dir, name):
    base = data_dir / "ingest"
    return list(read_markdown(base / name, base, "t"))[0]


def test_history_line(data_dir):
    d = _read(data_dir, "history_line.md")
    assert (d.title, d.doc_number, d.authority, d.level, d.region) == (
        "贵州省行政执法监督办法",
        "贵州省人民政府令第179号",
        "贵州省人民政府",
        "地方政府规章",
        "贵州省",
    )
    assert (d.publish_date, d.effective_date) == ("2017-12-13", "2018-02-01")
    assert [a.number for a in d.articles] == ["第一条", "第二条", "第三条"]
    assert d.articles[0].path == ["第一章 总则"]


def test_file_name_number_and_amended_history(data_dir):
    d = _read(data_dir, "鲁政发〔1994〕115号某某管理规定.md")
    assert (d.doc_number, d.publish_date, d.effective_date, d.level) == (
        "鲁政发〔1994〕115号",
        "1994-10-13",
        "1994-12-01",
        "地方政府规章",
    )


def test_crlf_and_odd_white_space(data_dir):
    d = _read(data_dir, "crlf_odd_space.md")
    assert "\r" not in d.body and "\u200b" not in d.body and "\u3000" not in d.body
    assert d.articles[0].text == "第一条 为了规范物业管理，制定本办法。"
    assert d.doc_number == "某市人民政府令第12号"


def test_two_h1_and_info_end(data_dir):
    d = _read(data_dir, "two_h1.md")
    assert (d.title, d.subtitle, d.level, d.written_date) == (
        "中华人民共和国民法典",
        "第一编 总则",
        "法律",
        "2020-05-28",
    )
    assert d.warnings == ["多个一级标题：第一编 总则"]
    assert [a.number for a in d.articles] == ["第一条", "第十七条之一"]


def test_broken_header(data_dir):
    d = _read(data_dir, "broken_header.md")
    assert d.history[1] == (
        "2011年12月31日 第十一届全国人民代表大会常务委员会第二十四次会议"
        "《关于修改〈某法〉的决定》修正"
    )
    assert d.warnings == ["表头行在中途断开，已与下一行合并", "表头行不是日期事件：不是日期的一行"]


def test_plain_text_normative_document(data_dir):
    d = _read(data_dir, "normative.txt")
    assert (d.format, d.title, d.doc_number, d.authority, d.level, d.region, d.written_date) == (
        "text",
        "某省人民政府办公厅关于加强行政规范性文件管理的通知",
        "黔府办发〔2021〕7号",
        "贵州省人民政府办公厅",
        "规范性文件",
        "贵州省",
        "2021-03-05",
    )


def test_empty_body_table_and_readme(data_dir):
    assert _read(data_dir, "empty_body.md").warnings == ["正文为空"]
    table = _read(data_dir, "table_body.md")
    assert isinstance(table, Document) and "| 甲 | 10元 |" in table.body
    skip = _read(data_dir, "readme_page.md")
    assert isinstance(skip, Skip) and skip.failed is False


def test_encodings(data_dir):
    gbk = _read(data_dir, "gbk.txt")
    assert (
        gbk.title == "某市停车管理办法" and gbk.warnings[0] == "文件不是UTF-8编码，已按GB18030解码"
    )
    bad = _read(data_dir, "latin1.txt")
    assert isinstance(bad, Skip) and bad.failed and "不是UTF-8文本" in bad.reason


@pytest.mark.corpus
def test_waystowork_history_lines(corpora_dir):
    base = corpora_dir / "waystowork"
    d = list(
        read_markdown(
            base / "xzzfhg/09行政执法监督/02地方性法规/贵州省行政执法监督办法.md", base, "w"
        )
    )[0]
    assert (d.doc_number, d.publish_date, d.effective_date) == (
        "贵州省人民政府令第179号",
        "2017-12-13",
        "2018-02-01",
    )
    d = list(
        read_markdown(
            base / "xzzfhg/01依法治国依法行政相关文件/国发〔2004〕10号全面依法行政实施纲要.md",
            base,
            "w",
        )
    )[0]
    assert (d.doc_number, d.authority, d.level) == ("国发〔2004〕10号", "国务院", "规范性文件")
    sample = sorted(base.glob("laws/交通运输/**/*.md"))[:30]
    docs = [r for p in sample for r in read_markdown(p, base, "w") if isinstance(r, Document)]
    assert sum(1 for x in docs if x.publish_date) >= 27
    assert sum(1 for x in docs if x.doc_number and "令" in x.doc_number) >= 20
