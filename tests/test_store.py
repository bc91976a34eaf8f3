"""The document store: revisions, the change sequence, derivation and index catch-up."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from store_support import ADMIN, DEPT_A, DEPT_B, doc, index_titles, seed_accounts

from regsearch.store import open_store, publish
from regsearch.store.base import Actor
from regsearch.store.errors import Conflict, PermissionDenied, ValidationFailed
from regsearch.store.ingest import ingest_documents
from regsearch.store.sync import indexed_seq, sync_index

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.backends  # the store tests run on both backends (conftest.py)


@pytest.fixture
def store(database, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The store on each backend (tests/conftest.py `database`)."""
    s = open_store(database or tmp_path / "index.store.sqlite3")
    yield s
    s.close()


@pytest.fixture
def index(database, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The index of the store: a folder beside it, or the same database."""
    return database or tmp_path / "index"


def test_wal_mode_and_migrations_are_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    first = open_store(path)
    store_id = first.meta("store_id")
    first.close()
    again = open_store(path)  # migrating twice changes nothing
    assert again.meta("store_id") == store_id and again.meta("schema_version") == "1"
    mode = again._one("PRAGMA journal_mode")  # type: ignore[attr-defined]
    assert mode == ("wal",)
    again.close()


def test_revisions_are_kept_and_the_sequence_only_grows(store) -> None:  # type: ignore[no-untyped-def]
    one, two = doc("d1", "甲办法", DEPT_A), doc("d2", "乙办法", DEPT_B)
    put = store.put_documents([one, two], origin="ingest", actor=ADMIN)
    assert (put.added, put.updated, put.unchanged) == (["d1", "d2"], [], [])
    first = store.last_seq()
    changed = doc("d1", "甲办法", DEPT_A, body="第一条 改过的正文，内容不同。")
    put = store.put_documents(
        [changed, two], origin="ingest", actor=ADMIN, prune_collections=["seed"]
    )
    assert (put.added, put.updated, put.unchanged, put.removed) == ([], ["d1"], ["d2"], [])
    put = store.put_documents([two], origin="ingest", actor=ADMIN, prune_collections=["seed"])
    assert put.removed == ["d1"]
    assert [s.doc_id for s in store.documents()] == ["d2"]
    revisions = store.revisions("d1")
    assert [(r.current, r.removed) for r in revisions] == [
        (False, False),
        (False, False),
        (True, True),
    ]
    assert "改过的正文" in revisions[1].document.body  # nothing deleted, only superseded
    assert revisions[2].document.body == revisions[1].document.body
    kinds = [c.kind for c in store.changes()]
    assert kinds == ["add", "add", "update", "remove"]
    seqs = [c.seq for c in store.changes()]
    assert seqs == sorted(seqs) and seqs[1] == first
    assert [c.kind for c in store.changes(doc_id="d1", newest_first=True)] == [
        "remove",
        "update",
        "add",
    ]
    assert [c.doc_id for c in store.changes(authorities=["贵州省生态环境厅"])] == ["d2"]


def test_index_is_derived_from_the_store_and_rebuilt_from_it_alone(store, index, database) -> None:  # type: ignore[no-untyped-def]
    docs = [doc("d1", "甲办法", DEPT_A), doc("d2", "乙办法", DEPT_B)]
    report = ingest_documents(store, index, docs, actor=ADMIN)
    assert report.counts()["added"] == 2
    assert indexed_seq(store, index) == store.last_seq()
    before = index_titles(index)
    if database is None:
        import shutil

        shutil.rmtree(index)
    sync_index(store, index, rebuild=database is not None)  # a database's index: rebuilt
    assert index_titles(index) == before == {"d1": "现行有效", "d2": "现行有效"}
    assert indexed_seq(store, index) == store.last_seq()


def test_repeal_and_amendment_reach_the_index_with_two_people(store, index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    people = seed_accounts(store)
    old = doc("old", "贵州省道路运输管理办法", DEPT_A, publish_date="2015-01-01")
    other = doc("other", "贵州省大气污染防治办法", DEPT_B)
    decision = doc(
        "dec", "贵州省交通运输厅关于废止部分文件的决定", DEPT_A, publish_date="2021-01-01"
    )
    ingest_documents(store, index, [old, other, decision], actor=ADMIN)
    editor, reviewer = people["editor_a"], people["reviewer_a"]
    me = Actor(editor.username, editor.id, "127.0.0.1")

    with pytest.raises(PermissionDenied, match="不是你的部门"):
        publish.submit_decision(
            store, editor, me, "repeal", "other", date="2021-01-01", evidence_id="dec"
        )
    sub = publish.submit_decision(
        store, editor, me, "repeal", "old", date="2021年2月1日", evidence_id="dec"
    )
    with pytest.raises(PermissionDenied, match="另一人"):
        publish.publish(store, editor, me, sub.id)
    with pytest.raises(PermissionDenied, match="本部门"):
        publish.publish(store, people["reviewer_b"], Actor("reviewer_b"), sub.id)
    done, seq = publish.publish(store, reviewer, Actor(reviewer.username, reviewer.id), sub.id)
    assert done.status == "published" and seq == store.last_seq()
    with pytest.raises(Conflict):
        publish.publish(store, people["admin"], ADMIN, sub.id)
    sync_index(store, index)
    statuses = index_titles(index)
    assert statuses["old"] == "已废止" and statuses["other"] == "现行有效"

    from regsearch.search.service import SearchService

    with SearchService(index, rewrite=None) as svc:
        repealed = svc.get("old")
        rel = next(r for r in repealed.relations if r.type == "repealed_by")
        assert (rel.target_id, rel.date) == ("dec", "2021-02-01")

    new = doc(
        "new", "贵州省道路运输管理办法", DEPT_A, publish_date="2022-01-01", body="第一条 新版。"
    )
    sub = publish.submit_document(store, editor, me, new, target_id="dec")
    publish.publish(store, reviewer, Actor(reviewer.username, reviewer.id), sub.id)
    sync_index(store, index)
    with SearchService(index, rewrite=None) as svc:
        assert any(
            r.type == "supersedes" and r.target_id == "dec" for r in svc.get("new").relations
        )
        assert svc.get("dec").status == "已修改"
    actions = [(e.actor, e.action) for e in store.audit_log(limit=None)][:4]
    assert actions == [
        ("reviewer_a", "submission.publish"),
        ("editor_a", "submission.create"),
        ("reviewer_a", "submission.publish"),
        ("editor_a", "submission.create"),
    ]


def test_a_withdrawn_submission_stays_in_the_log(store) -> None:  # type: ignore[no-untyped-def]
    people = seed_accounts(store)
    editor = people["editor_a"]
    me = Actor(editor.username, editor.id)
    sub = publish.submit_document(store, editor, me, doc("x", "某办法", DEPT_A))
    publish.withdraw(store, editor, me, sub.id)
    assert store.submission(sub.id).status == "withdrawn"
    assert [e.action for e in store.audit_log()][:2] == ["submission.withdraw", "submission.create"]
    assert store.changes() == []  # nothing public happened
    with pytest.raises(Conflict):
        publish.publish(store, people["reviewer_a"], Actor("r"), sub.id)


def test_validation_says_what_is_wrong() -> None:
    from regsearch.store.validate import document_from_fields

    with pytest.raises(ValidationFailed) as err:
        document_from_fields(
            {
                "title": "",
                "doc_number": "黔府发2020",
                "level": "通知",
                "publish_date": "去年",
                "body": "",
            },
            doc_id="x",
            collection="c",
            source="s",
        )
    errors = err.value.errors
    assert set(errors) == {"title", "authority", "doc_number", "level", "publish_date", "body"}
    assert "黔府发〔2020〕13号" in errors["doc_number"] and "去年" in errors["publish_date"]
    with pytest.raises(ValidationFailed) as err:
        document_from_fields(
            {
                "title": "某办法",
                "authority": DEPT_A,
                "level": "规范性文件",
                "publish_date": "2023年3月1日",
                "effective_date": "2023-04-01",
                "expiry_date": "2023-03-01",
                "body": "第一条 内容。",
            },
            doc_id="x",
            collection="c",
            source="s",
        )
    assert err.value.errors == {"expiry_date": "有效期至 2023-03-01 不晚于施行日期 2023-04-01。"}
    ok = document_from_fields(
        {
            "title": "某办法",
            "authority": DEPT_A,
            "doc_number": "黔交发[2023]5号",
            "level": "规范性文件",
            "publish_date": "2023年3月1日",
            "body": "第一条 内容。\n第二条 其他。",
        },
        doc_id="x",
        collection="c",
        source="s",
    )
    assert (ok.doc_number, ok.publish_date, len(ok.articles)) == (
        "黔交发〔2023〕5号",
        "2023-03-01",
        2,
    )


CRASH_SCRIPT = """
import os, signal, sys
sys.path.insert(0, {tests!r})
from store_support import doc, DEPT_A
from regsearch.store import open_store, publish
from regsearch.store.base import Actor
store = open_store({path!r})
editor, reviewer = store.user(username="editor_a"), store.user(username="reviewer_a")
new = doc("crash", "贵州省断电恢复测试办法", DEPT_A, body="第一条 断电也不丢。")
sub = publish.submit_document(store, editor, Actor("editor_a", editor.id), new)
publish.publish(store, reviewer, Actor("reviewer_a", reviewer.id), sub.id)
print("stored", flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # killed before the index is updated
"""


def test_killed_between_store_and_index_the_index_catches_up(store, index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seed_accounts(store)
    ingest_documents(store, index, [doc("d1", "甲办法", DEPT_A)], actor=ADMIN)
    before = indexed_seq(store, index)
    where = getattr(store, "url", None) or str(store.path)  # type: ignore[attr-defined]
    script = CRASH_SCRIPT.format(tests=str(ROOT / "tests"), path=where)
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == -signal.SIGKILL and proc.stdout.strip() == "stored", proc.stderr
    assert "crash" not in index_titles(index)  # the index did not see it
    assert store.last_seq() > before == indexed_seq(store, index)
    report = sync_index(store, index)  # what a restart does first
    assert report.since == before and report.seq == store.last_seq()
    assert index_titles(index)["crash"] == "现行有效"
    assert indexed_seq(store, index) == store.last_seq()
    assert sync_index(store, index).documents == 0  # caught up: nothing more to do


def test_killed_after_the_index_write_before_the_sequence_is_recorded(
    store, index, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The worst moment: the index has the document but its meta still says the old sequence."""
    from regsearch.index.update import update_index
    from regsearch.store.derive import derive_documents

    ingest_documents(store, index, [doc("d1", "甲办法", DEPT_A)], actor=ADMIN)
    store.put_documents([doc("d2", "乙办法", DEPT_B)], origin="ingest", actor=ADMIN)
    update_index(index, derive_documents(store, ["d2"]))  # written, then "killed"
    assert indexed_seq(store, index) < store.last_seq()
    report = sync_index(store, index)
    assert report.counts is not None and report.counts["added"] == 0  # replay is a no-op
    assert set(index_titles(index)) == {"d1", "d2"}
    assert indexed_seq(store, index) == store.last_seq()


def test_sync_waits_for_a_busy_index(store, index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import threading

    from regsearch.engine import open_engine

    ingest_documents(store, index, [doc("d1", "甲办法", DEPT_A)], actor=ADMIN)
    store.put_documents([doc("d2", "乙办法", DEPT_B)], origin="ingest", actor=ADMIN)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with open_engine(index).writer():  # another writer holds the index
            held.set()
            release.wait(10)

    t = threading.Thread(target=hold)
    t.start()
    held.wait(10)
    threading.Timer(1.0, release.set).start()
    report = sync_index(store, index)  # retries until the other writer lets go
    t.join()
    assert report.counts is not None and report.counts["added"] == 1
    assert "d2" in index_titles(index)


def test_meta_keeps_the_schema_fields(store, index, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from regsearch.engine import open_engine

    ingest_documents(store, index, [doc("d1", "甲办法", DEPT_A)], actor=ADMIN)
    meta = open_engine(index).current_meta() or {}
    assert meta["store_seq"] == store.last_seq() and meta["store_id"] == store.meta("store_id")
    assert meta["documents"] == 1 and "schema_version" in meta
    # the embedded store is one file next to the index, not inside it
    assert getattr(store, "url", None) or (
        sorted(p.name for p in index.parent.iterdir() if "sqlite3" in p.name)[0]
        == "index.store.sqlite3"
    )


def test_a_pruned_document_leaves_the_index_and_nothing_else_is_rewritten(
    store, index, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    docs = [doc(f"d{i}", f"第{i}号办法", DEPT_A) for i in range(1, 5)]
    ingest_documents(store, index, docs, actor=ADMIN)
    report = ingest_documents(
        store, index, docs[1:], prune=True, collections=[docs[0].collection], actor=ADMIN
    )
    assert report.put.removed == ["d1"]
    assert report.sync.counts is not None
    assert report.sync.counts["removed"] == 1 and report.sync.counts["updated"] == 0
    assert report.sync.documents == 0  # only the removal went to the writer
    assert set(index_titles(index)) == {"d2", "d3", "d4"}
    assert len(store.revisions("d1")) == 2  # the store keeps its history
