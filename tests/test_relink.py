"""Copies linked to each other before they were merged (the store's first build links
source documents) are one record afterwards: no link from a record to itself remains."""

from __future__ import annotations

from regsearch.ingest.derive import derive
from regsearch.ingest.identity import IdentityRules
from regsearch.ingest.linking import link_documents
from regsearch.model import Document

BODY = "第一条 为了加强价格管理，制定本条例。\n第二条 本条例适用于价格活动。"


def test_links_between_copies_vanish_when_they_become_one_record() -> None:
    a = Document(
        id="a",
        title="中华人民共和国价格管理条例",
        collection="x",
        source="a.md",
        body=BODY,
        publish_date="1987-09-10",
        history=["1987年9月10日 国务院发布"],
    )
    b = Document(
        id="b",
        title="价格管理条例",
        collection="y",
        source="b.md",
        body=BODY,
        publish_date="1987-09-11",
        history=["(1987年9月11日国务院发布)"],
    )
    link_documents([a, b], "2025-01-01")  # copies linked as two documents first
    assert [r.type for r in a.relations] == ["superseded_by"]  # the old mistake
    [record] = derive([a, b], rules=IdentityRules(), as_of="2025-01-01")
    assert record.relations == [] and record.status == "现行有效"
