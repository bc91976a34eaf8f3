"""Identity, levels and statuses over the three shared collections read together (issue 11).

General rules only: they must hold on sources we do not have. The collections are read
once; "alone" and "merging off" are derived from the same source documents.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from regsearch.ingest import audit, ingest_paths
from regsearch.ingest.derive import derive
from regsearch.ingest.identity import IdentityRules, version_groups
from regsearch.model import Document
from regsearch.search.cleanup import CleanupQuery, build_report

pytestmark = pytest.mark.corpus
COLLECTIONS = ("lawrefbook", "waystowork", "govcn-html")


@pytest.fixture(scope="module")
def together(corpora_dir: Path):  # type: ignore[no-untyped-def]
    return ingest_paths([corpora_dir / c for c in COLLECTIONS])


@pytest.fixture(scope="module")
def alone(together) -> dict[str, list[Document]]:  # type: ignore[no-untyped-def]
    return {
        c: derive([s for s in together.sources if s.collection == c], rules=IdentityRules())
        for c in COLLECTIONS
    }


def test_every_source_document_is_on_exactly_one_record(together) -> None:  # type: ignore[no-untyped-def]
    ids = [ref.id for r in together.documents for ref in r.sources]
    assert sorted(ids) == sorted(s.id for s in together.sources)
    assert len(together.documents) < len(together.sources) - 400  # the copies are merged
    assert len({r.id for r in together.documents}) == len(together.documents)


def test_no_two_records_share_a_version_unless_their_texts_disagree(together) -> None:  # type: ignore[no-untyped-def]
    shared = audit.shared_versions(together.documents)
    assert len(shared) <= 5
    for group in shared:  # what is left: two sources giving different texts for one version
        assert version_groups(group) == [], [d.source for d in group]
    before = audit.shared_versions(together.sources)
    assert len(before) > 300


def test_lawrefbooks_chains_are_kept(together, alone) -> None:  # type: ignore[no-untyped-def]
    mine = audit.chain_links(alone["lawrefbook"], "lawrefbook")
    now = audit.chain_links(together.documents, "lawrefbook")
    assert sum(len(v) for v in mine.values()) > 80
    by_source = {ref.id: r for r in together.documents for ref in r.sources}
    for sid, succ in mine.items():
        if now[sid] == succ:
            continue
        # the only change allowed: the newest version it has gets a successor another
        # source carries, a later version by its own dates
        assert not succ, sid
        rec = by_source[sid]
        [rel] = [r for r in rec.relations if r.type == "superseded_by"]
        later = next(r for r in together.documents if r.id == rel.target_id)
        assert "lawrefbook" not in {s.collection for s in later.sources}
        assert later.version_date and rec.version_date and later.version_date > rec.version_date


def test_nothing_every_source_holds_in_force_is_shown_ended_without_a_reason(
    together, alone
) -> None:  # type: ignore[no-untyped-def]
    status_alone = {
        k: v for recs in alone.values() for k, v in audit.statuses_by_source(recs).items()
    }
    ended = audit.shown_ended(together.documents, status_alone)
    assert [e.record.title for e in ended if e.reason == audit.UNEXPLAINED] == []
    titles = {r.title: r.status for r in together.documents}
    # the examples: a copy from another source is no newer version of the same one
    for title in ("专利代理条例", "中华人民共和国价格管理条例", "防治船舶污染海洋环境管理条例"):
        assert titles[title] == "现行有效", title
    report = build_report(together.documents, CleanupQuery(kinds=["superseded", "repealed"]))
    listed = {r.id for r in report.rows}
    assert not [
        e.record.title for e in ended if e.reason == audit.UNEXPLAINED and e.record.id in listed
    ]
    # a source's bare flag is never 已废止
    for rec in together.documents:
        if rec.status == "已废止":
            assert (
                any(r.type == "repealed_by" and r.target_id for r in rec.relations)
                or rec.repeal_date
            )


def test_levels_and_bodies_from_evidence(together) -> None:  # type: ignore[no-untyped-def]
    records = together.documents
    levels = audit.level_shares(records)
    assert levels["其他"] <= 0.01 * len(records)
    for rec in records:
        number = rec.doc_number or ""
        if number.startswith(("国令", "中华人民共和国国务院令", "国务院令")):
            assert rec.level == "行政法规", (rec.title, number)
        if rec.kind == "case":
            assert rec.level == "案例" and rec.status == "不适用"
        else:
            assert rec.status != "不适用"
    bodies = {r.authority for r in records if r.authority}
    assert "主席" not in bodies and not [b for b in bodies if b[0] in "日月年第"]
    assert sum(1 for r in records if not r.authority) < 250


def test_cleanup_lists_only_what_one_source_carries_twice(together) -> None:  # type: ignore[no-untyped-def]
    query = CleanupQuery(kinds=["duplicates"])
    rows = build_report(together.documents, query).rows
    assert rows and all(
        "同一版本在" in r.evidence or r.evidence.startswith(("文号同为", "标题相同")) for r in rows
    )
    apart = derive(together.sources, rules=IdentityRules(enabled=False))
    cross = [r for r in build_report(apart, query).rows if "不同来源，未合并" in r.evidence]
    assert len(cross) > 300  # with merging off, the copies across sources are listed
