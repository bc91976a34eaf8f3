"""部分失效: a repeal that names articles or parts of another document voids only those."""

from __future__ import annotations

import pytest

from regsearch.ingest.linking import link_documents
from regsearch.ingest.parts import part_after
from regsearch.ingest.relations import extract_relations
from regsearch.model import Document
from regsearch.status import compute_status


@pytest.mark.parametrize(
    ("rest", "item", "part"),
    [
        ("第五章同时废止。", False, "第五章"),
        ("（示政发〔2010〕1号）第三条、第五条同时废止", False, "第三条、第五条"),
        ("中关于反倾销的规定同时废止", False, "关于反倾销的规定"),
        ("的部分条款同时失效", False, "部分条款"),
        ("第十条第二款的规定自2020年1月1日起废止", False, "第十条第二款"),
        ("同时废止", False, None),
        ("第八条规定的情形，依照", False, None),
        # a decision's list item may end with the part
        ("（示例市人民政府令第2号）第八条、第九条。", True, "第八条、第九条"),
        ("第八条", False, None),
        ("（示例市人民政府令第2号）", True, None),
    ],
)
def test_part_after(rest: str, item: bool, part: str | None) -> None:
    assert part_after(rest, item=item) == part


def doc(title: str, body: str = "", source: str | None = None, **kw: object) -> Document:
    return Document(
        id=source or title, title=title, collection="c", source=source or title, body=body, **kw
    )


def kinds(d: Document) -> list[tuple[str, str | None, str | None]]:
    return [(r.type, r.target_title, r.target_doc_number) for r in extract_relations(d)]


def test_a_part_repealed_in_running_text_is_partial() -> None:
    d = doc(
        "中华人民共和国反倾销条例",
        "第五十九条 本条例自2002年1月1日起施行。1997年3月25日国务院发布的"
        "《中华人民共和国反倾销和反补贴条例》中关于反倾销的规定同时废止。",
    )
    assert kinds(d) == [("partially_invalidates", "中华人民共和国反倾销和反补贴条例", None)]


def test_whole_and_partial_repeals_in_one_sentence() -> None:
    d = doc(
        "示例新办法",
        "第三十条 本办法自2020年3月1日起施行。《示例规定》（示政发〔2010〕1号）第三条、第五条"
        "同时废止，《示例旧办法》同时废止，《示例细则》第五章同时废止。",
    )
    assert kinds(d) == [
        ("partially_invalidates", "示例规定", "示政发〔2010〕1号"),
        ("repeals", "示例旧办法", None),
        ("partially_invalidates", "示例细则", None),
    ]


def test_decision_list_with_a_partial_item() -> None:
    d = doc(
        "示例市人民政府关于废止和宣布失效部分规章的决定",
        "一、废止下列规章：\n"
        "1.《示例甲办法》（示例市人民政府令第1号）\n"
        "二、下列规章的部分条款宣布失效：\n"
        "1.《示例乙规定》（示例市人民政府令第2号）第八条、第九条\n",
    )
    assert kinds(d) == [
        ("repeals", "示例甲办法", "示例市人民政府令第1号"),
        ("partially_invalidates", "示例乙规定", "示例市人民政府令第2号"),
    ]


def test_decision_that_only_voids_parts() -> None:
    d = doc(
        "示例市人民政府关于宣布部分规章部分条款失效的决定",
        "下列规章的有关条款自本决定公布之日起失效：\n1.《示例丙办法》（示例市人民政府令第3号）\n",
    )
    assert kinds(d) == [("partially_invalidates", "示例丙办法", "示例市人民政府令第3号")]


def test_conditional_lapse_is_not_a_partial_repeal() -> None:
    d = doc("示例办法", "第九条 《示例规定》中与本办法不一致的规定同时失效。")
    assert kinds(d) == []


def test_linking_makes_the_target_partially_invalid() -> None:
    target = doc("示例细则", "第一条 ……", source="t", publish_date="2010-01-01")
    repealer = doc(
        "示例新办法",
        "第三十条 本办法自2020年3月1日起施行，《示例细则》第五章同时废止。",
        source="n",
        publish_date="2020-01-15",
        effective_date="2020-03-01",
    )
    link_documents([target, repealer], as_of="2026-01-01")
    assert [(r.type, r.target_id, r.date) for r in target.relations] == [
        ("partially_invalidated_by", "n", "2020-03-01")
    ]
    assert (target.status, target.status_source) == ("部分失效", "repeal")
    assert target.status_evidence == (
        "部分内容被《示例新办法》废止："
        "第三十条 本办法自2020年3月1日起施行，《示例细则》第五章同时废止。"
    )
    assert compute_status(target, "2020-02-29")[0].value == "现行有效"
    assert [r.type for r in repealer.relations] == ["partially_invalidates"]
