"""The cleanup report over the real LawRefBook data (root and DLC databases).

Every `expired = 1` version is listed as superseded (with its successor) or repealed
(with the repealing document, or the source's flag as evidence); nothing in force today
is listed as superseded, repealed or expired.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lawrefbook_folder import expired_rows

from regsearch.ingest.linking import SOURCE_FLAG_EVIDENCE
from regsearch.ingest.relations import norm_title
from regsearch.model import Document, Status
from regsearch.search.cleanup import CleanupQuery, CleanupReport, build_report
from regsearch.status import compute_status, today

pytestmark = pytest.mark.corpus
ENDED = ("superseded", "repealed", "expired")
KIND_STATUS = {"superseded": Status.AMENDED, "repealed": Status.REPEALED, "expired": Status.EXPIRED}


@pytest.fixture(scope="module")
def lawrefbook(corpora_dir: Path) -> tuple[Path, list[Document]]:
    from regsearch.ingest import ingest_paths

    root = corpora_dir / "lawrefbook"
    return root, ingest_paths([root]).documents


@pytest.fixture(scope="module")
def report(lawrefbook: tuple[Path, list[Document]]) -> CleanupReport:
    return build_report(lawrefbook[1], CleanupQuery(as_of=today()))


def test_every_expired_version_is_listed_with_its_successor_or_evidence(
    lawrefbook: tuple[Path, list[Document]], report: CleanupReport
) -> None:
    root, docs = lawrefbook
    by_source = {ref.source: d for d in docs for ref in d.sources}
    by_id = {d.id: d for d in docs}
    listed = {r.id: r for r in report.rows if r.kind in ENDED}
    flagged = expired_rows(root)
    assert len(flagged) >= 100  # root and DLC databases were both read
    assert any(source.startswith("DLC/") for source, _ in flagged)
    for source, name in flagged:
        doc = by_source[source]
        row = listed.get(doc.id)
        assert row is not None, f"{source} ({name}) is not listed"
        assert row.kind in ("superseded", "repealed", "expired"), source
        assert row.evidence, source
        if row.kind == "superseded":
            successor = by_id[row.target_id or ""]
            assert norm_title(successor.title) == norm_title(doc.title), source
            assert (successor.publish_date or "") > (doc.publish_date or ""), source
            assert row.target_title == successor.title and row.since, source
        elif row.target_id:  # the repealing document names this one
            decision = by_id[row.target_id]
            assert any(r.type == "repeals" and r.target_id == doc.id for r in decision.relations), (
                source
            )
            assert row.target_title == decision.title, source
        else:  # nothing but the source's own flag: 已失效, said in plain words
            assert row.kind == "expired" and row.evidence == SOURCE_FLAG_EVIDENCE, source


def test_nothing_in_force_is_listed_as_ended(
    lawrefbook: tuple[Path, list[Document]], report: CleanupReport
) -> None:
    _, docs = lawrefbook
    day = today()
    status = {d.id: compute_status(d, day)[0] for d in docs}
    ended = [r for r in report.rows if r.kind in ENDED]
    assert ended
    for row in ended:
        assert status[row.id] == KIND_STATUS[row.kind], (row.kind, row.title)
        assert row.status == KIND_STATUS[row.kind].value
    listed = {r.id for r in ended}
    in_force = [d for d in docs if status[d.id] in (Status.IN_FORCE, Status.PARTIALLY_INVALID)]
    assert len(in_force) > 2000
    assert not [d.source for d in in_force if d.id in listed]
    # The newest version of a law the source keeps in force is never listed.
    kept = [
        d
        for d in docs
        if not d.source_expired and not _has_successor(d) and not _repealed_by_a_document(d)
    ]
    assert not [d.source for d in kept if d.id in listed]


def test_report_counts_agree_with_rows(report: CleanupReport) -> None:
    assert list(report.counts) == [
        "superseded",
        "repealed",
        "expired",
        "expiring",
        "not-yet-effective",
        "broken-basis",
        "duplicates",
    ]
    assert sum(report.counts.values()) == len(report.rows)
    for row in report.rows:
        if row.kind == "broken-basis":
            assert row.target_status in ("已废止", "已失效", "已修改") and row.target_id


def _has_successor(doc: Document) -> bool:
    return any(r.type == "superseded_by" and r.target_id for r in doc.relations)


def _repealed_by_a_document(doc: Document) -> bool:
    return any(r.type in ("repealed_by", "expired_by") and r.target_id for r in doc.relations)
