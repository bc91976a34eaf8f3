from __future__ import annotations

from regsearch.ingest.articles import split_articles


def test_split_articles_paths_and_citations():
    body = (
        "## 第一编 总则\n\n### 第一章  基本规定\n\n"
        "第一条 为了保护，制定本法。\n依照本法第十条的规定处理。\n\n"
        "第2条\u3000本法适用于。\n\n**第三条** 加粗。\n\n"
        "第十七条之一 新增。\n第十条规定的情形除外。\n\n"
        "第二章\u3000总\u3000则\n\n第四条\n（一）项\n"
    )
    arts = split_articles(body)
    assert [(a.number, a.ordinal) for a in arts] == [
        ("第一条", 1),
        ("第二条", 2),
        ("第三条", 3),
        ("第十七条之一", 17),
        ("第四条", 4),
    ]
    assert arts[0].text == "第一条 为了保护，制定本法。\n依照本法第十条的规定处理。"
    assert arts[0].path == ["第一编 总则", "第一章 基本规定"]
    assert arts[3].text == "第十七条之一 新增。\n第十条规定的情形除外。"
    assert arts[4].path == ["第一编 总则", "第二章 总则"]
    assert arts[2].text == "第三条 加粗。"
