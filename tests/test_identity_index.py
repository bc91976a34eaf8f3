"""Identity through the index: re-ingesting one source updates its records, never duplicates
them; statuses 尚未发布 and 不适用 (court cases) flow through filters and facets."""

from __future__ import annotations

from pathlib import Path

import pytest

from regsearch.index.layout import stored_dates
from regsearch.index.update import update_index
from regsearch.ingest import ingest_paths
from regsearch.model import Document, SearchQuery
from regsearch.search.cleanup import CleanupQuery
from regsearch.search.service import SearchService
from regsearch.status import status_at

LAW = """# 示例专利代理条例

（2018年11月6日国务院令第706号公布 自2019年3月1日起施行）

第一条 为了规范专利代理行为，保障委托人的合法权益，制定本条例。

第二条 本条例所称专利代理，是指专利代理机构接受委托办理专利申请等事务。

第三条 任何单位和个人可以自行办理专利事务，也可以委托专利代理机构办理。

第四条 本条例自2019年3月1日起施行。
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def ingest(index: Path, *folders: Path, prune: bool = False):  # type: ignore[no-untyped-def]
    result = ingest_paths(list(folders))
    collections = [f.name for f in folders]
    return update_index(
        index,
        result.documents,
        prune=prune,
        collections=collections,
        keep_sources=result.failed_files,
    )


def records(index: Path, q: str) -> list[Document]:
    with SearchService(index) as svc:
        return [svc.get(h.id) for h in svc.search(SearchQuery(q=q, per_page=50)).results]


def test_reingesting_one_source_updates_its_record_and_never_duplicates_it(tmp_path: Path) -> None:
    crawl, site = tmp_path / "crawl", tmp_path / "site"
    write(crawl / "示例专利代理条例(2018-11-06).md", LAW)
    copy = write(site / "条例" / "示例专利代理条例.md", LAW.replace("11月6日", "11月7日"))
    index = tmp_path / "ix"
    first = ingest(index, crawl, site)
    assert first.counts()["added"] == 1
    [record] = records(index, "专利代理")
    assert sorted(s.collection for s in record.sources) == ["crawl", "site"]
    with SearchService(index) as svc:  # the record answers to each source document's id
        assert {svc.get(ref.id).id for ref in record.sources} == {record.id}

    again = ingest(index, site)  # the same files again: nothing to do
    assert again.counts() == {"added": 0, "updated": 0, "unchanged": 1, "removed": 0, "relinked": 0}

    copy.write_text(LAW + "\n第五条 新增的条文：电子申请。\n", encoding="utf-8")
    changed = ingest(index, site)
    assert (changed.added, changed.updated, changed.removed) == ([], [record.id], [])
    [updated] = records(index, "专利代理")
    assert updated.id == record.id and "电子申请" in updated.body  # the fuller text
    assert len(updated.sources) == 2

    copy.unlink()
    pruned = ingest(index, site, prune=True)
    assert (pruned.added, pruned.removed) == ([], [])
    [left] = records(index, "专利代理")
    assert left.id == record.id and [s.collection for s in left.sources] == ["crawl"]


def test_prune_keeps_the_records_of_a_file_with_a_colon_that_failed_to_read(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    odd = write(folder / "a:b.md", LAW)
    index = tmp_path / "ix"
    ingest(index, folder)
    odd.write_bytes(b"# \xff\xfe broken \xff\n")  # not UTF-8 this time: a failure, not a deletion
    result = ingest_paths([folder])
    assert result.failed_files == ["a:b.md"]
    report = update_index(index, result.documents, prune=True, keep_sources=result.failed_files)
    assert report.removed == []
    assert len(records(index, "专利代理")) == 1


CASE = """# 劳动者拒绝违法超时加班安排，用人单位能否解除劳动合同

## 基本案情

张某于2020年6月入职某快递公司。

## 裁判结果

仲裁委员会裁决某快递公司支付违法解除劳动合同赔偿金。

## 典型意义

用人单位应当依法保障劳动者休息权。
"""


@pytest.fixture(scope="module")
def case_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("src") / "cases"
    write(folder / "案例.md", CASE)
    write(folder / "示例专利代理条例.md", LAW)
    index = tmp_path_factory.mktemp("ix")
    result = ingest_paths([folder])
    update_index(index, result.documents)
    return index


def test_a_court_case_has_no_status_and_stays_out_of_facets_and_cleanup(case_index: Path) -> None:
    with SearchService(case_index) as svc:
        page = svc.search(SearchQuery(q="劳动合同"))
        [hit] = page.results
        assert hit.status == "不适用" and hit.level == "案例"
        assert [f.value for f in page.facets["status"]] == []
        everything = svc.search(SearchQuery(q="", per_page=10, as_of="2025-01-01"))
        assert [(f.value, f.count) for f in everything.facets["status"]] == [("现行有效", 1)]
        in_force = svc.search(SearchQuery(q="", status=["现行有效"], as_of="2025-01-01"))
        assert [h.title for h in in_force.results] == ["示例专利代理条例"]
        report = svc.cleanup(CleanupQuery(as_of="2018-01-01"))
        assert [
            r.title for r in report.rows
        ] == []  # the rule did not exist yet; the case never counts


def test_before_it_was_issued_a_document_is_not_yet_issued(case_index: Path) -> None:
    with SearchService(case_index) as svc:
        q = SearchQuery(q="专利代理", as_of="2018-11-05")
        page = svc.search(q)
        assert [h.status for h in page.results] == ["尚未发布"]
        assert [(f.value, f.count) for f in page.facets["status"]] == [("尚未发布", 1)]
        between = svc.search(SearchQuery(q="专利代理", as_of="2018-11-06"))
        assert [h.status for h in between.results] == ["尚未施行"]
        issued = svc.search(SearchQuery(q="专利代理", status=["尚未发布"], as_of="2018-01-01"))
        assert issued.total == 1


@pytest.mark.parametrize("day", ["2018-11-05", "2018-11-06", "2019-03-01"])
def test_filters_agree_with_status_at_for_cases_and_unissued_documents(
    case_index: Path, day: str
) -> None:
    with SearchService(case_index) as svc, svc.read() as reader:
        snap = reader.snap
        for record in snap.records("doc"):
            expected = status_at(stored_dates(snap.stored(record)), day)[0].value
            assert reader.filters.status(snap, record, day) == expected
        for status in ("不适用", "尚未发布", "尚未施行", "现行有效"):
            found = svc.search(SearchQuery(q="", status=[status], as_of=day)).results
            want = {
                "不适用": ["劳动者拒绝违法超时加班安排，用人单位能否解除劳动合同"],
                "尚未发布": ["示例专利代理条例"] if day < "2018-11-06" else [],
                "尚未施行": ["示例专利代理条例"] if "2018-11-06" <= day < "2019-03-01" else [],
                "现行有效": ["示例专利代理条例"] if day >= "2019-03-01" else [],
            }[status]
            assert [h.title for h in found] == want, (status, day)


def test_court_cases_rank_below_rules(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    write(folder / "案例.md", CASE.replace("劳动者拒绝", "劳动合同解除：劳动者拒绝"))
    write(
        folder / "劳动合同示例办法.md",
        "# 劳动合同示例办法\n\n（2020年1月1日某部令第1号公布）\n\n"
        "第一条 用人单位解除劳动合同，应当依法进行。\n",
    )
    index = tmp_path / "ix"
    update_index(index, ingest_paths([folder]).documents)
    with SearchService(index) as svc:
        for q in ("劳动合同", "劳动合同解除"):
            titles = [h.title for h in svc.search(SearchQuery(q=q)).results]
            assert titles[0] == "劳动合同示例办法" and len(titles) == 2, q


def test_the_ingest_command_through_the_store_merges_and_updates(tmp_path: Path, runner) -> None:  # type: ignore[no-untyped-def]
    from regsearch.cli import main

    crawl, site = tmp_path / "crawl", tmp_path / "site"
    write(crawl / "示例专利代理条例(2018-11-06).md", LAW)
    copy = write(site / "示例专利代理条例.md", LAW.replace("11月6日", "11月7日"))
    index = str(tmp_path / "ix")
    first = runner.invoke(main, ["ingest", str(crawl), str(site), "--index", index])
    assert first.exit_code == 0, first.output
    copy.write_text(LAW + "\n第五条 新增的条文：电子申请。\n", encoding="utf-8")
    again = runner.invoke(main, ["ingest", str(site), "--index", index])
    assert again.exit_code == 0, again.output
    [record] = records(Path(index), "专利代理")
    assert "电子申请" in record.body
    assert sorted(s.collection for s in record.sources) == ["crawl", "site"]
    copy.unlink()
    pruned = runner.invoke(main, ["ingest", str(site), "--index", index, "--prune"])
    assert pruned.exit_code == 0, pruned.output
    [left] = records(Path(index), "专利代理")
    assert left.id == record.id and [s.collection for s in left.sources] == ["crawl"]
