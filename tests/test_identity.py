"""Identity: one record per document version across sources (ingest.identity, ingest.derive)."""

from __future__ import annotations

import pytest

from regsearch.ingest.derive import derive
from regsearch.ingest.identity import (
    IdentityRules,
    explode,
    is_official,
    merge_sources,
    merging_enabled,
)
from regsearch.model import Document

TEXT_2018 = "\n".join(
    [
        "第一条 为了规范专利代理行为，制定本条例。",
        "第二条 本条例所称专利代理，是指专利代理机构接受委托办理专利事务。",
        "第三条 任何单位和个人可以自行办理专利事务，也可以委托专利代理机构办理。",
        "第四条 专利代理机构和专利代理师执业应当遵守法律、行政法规。",
        "第五条 本条例自2019年3月1日起施行。",
    ]
)
TEXT_2023 = "\n".join(
    [
        "第一条 为了规范专利代理行为，保障委托人的合法权益，制定本条例。",
        "第二条 本条例所称专利代理，是指专利代理机构接受委托办理专利申请等事务。",
        "第三条 任何单位和个人可以自行办理专利事务，也可以委托专利代理机构办理。",
        "第四条 专利代理机构应当建立健全质量管理制度。",
        "第五条 本条例自2024年1月1日起施行。",
    ]
)


def doc(doc_id: str, collection: str, **kw: object) -> Document:
    kw.setdefault("title", "专利代理条例")
    kw.setdefault("body", TEXT_2018)
    kw.setdefault("format", "markdown")
    return Document(id=doc_id, collection=collection, source=f"{doc_id}.md", **kw)


def by_sources(records: list[Document]) -> dict[tuple[str, ...], Document]:
    return {tuple(sorted(s.id for s in r.sources)): r for r in records}


def test_same_version_from_two_sources_a_day_apart_is_one_record() -> None:
    a = doc(
        "a",
        "lawrefbook",
        title="中华人民共和国价格管理条例",
        publish_date="1987-09-10",
        history=["1987年9月10日 国务院发布"],
    )
    b = doc(
        "b",
        "waystowork",
        title="价格管理条例",
        publish_date="1987-09-11",
        history=["(1987年9月11日国务院发布)"],
        body="第一条　为了规范专利代理行为,制定本条例.\n" + TEXT_2018.split("\n", 1)[1],
    )
    [record] = merge_sources([a, b], rules=IdentityRules())
    assert [s.id for s in record.sources] == ["a", "b"]
    assert record.title == "中华人民共和国价格管理条例"  # the fuller form of the name
    assert {s.collection for s in record.sources} == {"lawrefbook", "waystowork"}
    # the record can be taken apart into the source documents exactly as read
    again = {d.id: d for d in explode(record)}
    assert again["b"].title == "价格管理条例" and again["b"].body == b.body
    assert again["a"].body == a.body


def test_the_official_page_is_preferred_for_its_fields() -> None:
    crawl = doc(
        "crawl",
        "lawrefbook",
        publish_date="2018-11-06",
        doc_number="中华人民共和国国务院令第76号",  # the original's 令号, kept by the crawl
        history=["1991年3月4日 国务院令第76号发布", "2018年11月6日 国务院令第706号修订"],
    )
    page = doc(
        "page",
        "govcn-html",
        format="govcn-html",
        publish_date="2018-11-09",
        doc_number="国令第706号",
        url="https://www.gov.cn/zhengce/content/2018-11/09/content_5338707.htm",
        authority="国务院",
    )
    assert is_official(page) and not is_official(crawl)
    [record] = derive([crawl, page], rules=IdentityRules(), as_of="2025-01-01")
    assert record.id == "page"
    assert (record.doc_number, record.publish_date, record.url) == (
        "国令第706号",
        "2018-11-09",
        page.url,
    )
    assert record.history == crawl.history  # the richest history
    assert record.status == "现行有效"  # not "superseded" by its own copy


def test_two_real_versions_chain_across_sources() -> None:
    old = doc("old", "lawrefbook", publish_date="2018-11-06", history=["2018年11月6日 公布"])
    new = doc(
        "new",
        "waystowork",
        body=TEXT_2023,
        publish_date="2018-11-06",
        history=[
            "(2018年11月6日国务院令第706号公布 根据2023年10月1日《国务院关于修改…的决定》修订)"
        ],
        effective_date="2024-01-01",
    )
    records = derive([old, new], rules=IdentityRules(), as_of="2025-01-01")
    assert len(records) == 2
    r_old, r_new = (by_sources(records)[(x,)] for x in ("old", "new"))
    assert [(r.type, r.target_id) for r in r_old.relations if r.type == "superseded_by"] == [
        ("superseded_by", r_new.id)
    ]
    assert (r_old.status, r_new.status) == ("已修改", "现行有效")


def test_a_copy_dated_by_its_original_publication_joins_the_version_its_text_is() -> None:
    """A copy whose history names no revision says nothing about its version: the version
    whose text it is (clearly) gets it; the source's own version files stay apart."""
    v2018 = doc("v2018", "lawrefbook", publish_date="2018-11-06", history=["2018年11月6日 公布"])
    v2023 = doc(
        "v2023",
        "lawrefbook",
        body=TEXT_2023,
        publish_date="2023-10-01",
        history=["2018年11月6日 公布", "2023年10月1日 《国务院关于修改…的决定》修订"],
    )
    copy = doc(
        "copy",
        "waystowork",
        body=TEXT_2023,
        publish_date="2018-11-06",
        history=["(2018年11月6日国务院令第706号公布)"],
    )
    groups = sorted(
        tuple(sorted(s.id for s in r.sources)) for r in merge_sources([v2018, v2023, copy])
    )
    assert groups == [("copy", "v2023"), ("v2018",)]


def test_one_sources_two_version_files_are_never_merged() -> None:
    """Even when an amendment changed one article in forty; only a word-for-word copy that
    kept an older header is the same version."""
    articles = [f"第{n}条 第{n}项规定的内容。" for n in range(1, 41)]
    amended = [*articles[:-1], "第40条 本办法自2015年1月1日起施行。"]
    a = doc(
        "a", "c", publish_date="2010-01-01", history=["2010年1月1日 公布"], body="\n".join(articles)
    )
    b = doc(
        "b",
        "c",
        publish_date="2015-01-01",
        history=["2010年1月1日 公布", "2015年1月1日 修订"],
        body="\n".join(amended),
    )
    assert len(merge_sources([a, b], rules=IdentityRules())) == 2
    stale = doc("stale", "c", publish_date="2010-01-01", history=["2010年1月1日 公布"], body=b.body)
    groups = sorted(tuple(sorted(s.id for s in r.sources)) for r in merge_sources([a, b, stale]))
    assert groups == [("a",), ("b", "stale")]


def test_texts_that_differ_are_not_merged_whatever_the_dates_say() -> None:
    a = doc("a", "x", publish_date="2020-01-01")
    b = doc("b", "y", publish_date="2020-01-01", body=TEXT_2023)
    assert len(merge_sources([a, b], rules=IdentityRules())) == 2


def test_a_different_yeared_doc_number_or_part_is_another_document() -> None:
    a = doc("a", "x", doc_number="黔府发〔2020〕1号", publish_date="2020-01-01")
    b = doc("b", "y", doc_number="黔府发〔2020〕2号", publish_date="2020-01-01")
    assert len(merge_sources([a, b], rules=IdentityRules())) == 2
    whole = doc("whole", "x", title="中华人民共和国民法典", publish_date="2020-05-28")
    part = doc("part", "y", title="民法典", subtitle="总则编", publish_date="2020-05-28")
    note = doc("note", "z", title="民法典", subtitle="（2020年5月28日）", publish_date="2020-05-28")
    groups = sorted(
        tuple(sorted(s.id for s in r.sources)) for r in merge_sources([whole, part, note])
    )
    assert groups == [("note", "whole"), ("part",)]  # an annotating sub-title is no part


def test_merging_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    a = doc("a", "x", publish_date="2020-01-01")
    b = doc("b", "y", publish_date="2020-01-02")
    assert len(merge_sources([a, b])) == 1
    monkeypatch.setenv("REGSEARCH_MERGE_SOURCES", "0")
    assert not merging_enabled()
    assert [len(r.sources) for r in merge_sources([a, b])] == [1, 1]


def test_record_ids_stay_when_a_source_joins() -> None:
    a = doc("a", "x", publish_date="2020-01-01")
    b = doc("b", "y", publish_date="2020-01-02", format="govcn-html")  # official: preferred
    [fresh] = merge_sources([a, b], rules=IdentityRules())
    assert fresh.id == "b"
    [kept] = merge_sources([a, b], previous={"a": "a"}, rules=IdentityRules())
    assert kept.id == "a"  # it was record "a" before the page arrived
