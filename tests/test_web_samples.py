"""The embedded sample corpus (corpora/samples): every format ingests, every status appears."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from regsearch.cli import main
from regsearch.web import create_app

SAMPLES = Path(__file__).resolve().parent.parent / "corpora" / "samples"
AS_OF = "2026-06-01"  # fixed, so "not yet effective" and "expiring" stay put

EXPECTED = {  # (title, 文号) -> status as of AS_OF
    ("贵州省行政规范性文件管理办法", "贵州省人民政府令第134号"): "已修改",
    ("贵州省行政规范性文件管理办法", "贵州省人民政府令第194号"): "现行有效",
    ("贵州省公共数据授权运营管理办法", "贵州省人民政府令第228号"): "尚未施行",
    ("贵州省农村集体资产清产核资工作规程", "黔农发〔2015〕33号"): "现行有效",
    ("关于<script>alert(1)</script>转义检查的示例通知", None): "现行有效",
    ("公共文化设施运营管理条例", "国务院令第739号"): "现行有效",
    ("贵州省人民政府办公厅关于支持小微企业纾困发展的若干措施", "黔府办发〔2021〕6号"): "已失效",
    ("贵州省人民政府办公厅关于推进城镇老旧小区改造的实施意见", "黔府办发〔2024〕21号"): "现行有效",
    ("贵州省人民政府关于废止部分规范性文件的决定", "黔府发〔2019〕5号"): "现行有效",
    ("贵州省农村集体资产管理暂行办法", "黔府发〔2001〕12号"): "已废止",
    ("贵州省行政执法公示办法", "黔府办发〔2022〕30号"): "现行有效",
}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from regsearch.search.service import SearchService

    index = tmp_path_factory.mktemp("samples") / "index"
    result = CliRunner().invoke(main, ["ingest", "--index", str(index), str(SAMPLES)])
    assert result.exit_code == 0, result.output
    assert "跳过 README.md" in result.output  # the note is not indexed as a legal text
    svc = SearchService(index)
    yield svc
    svc.close()


def test_every_sample_has_its_status(service) -> None:  # type: ignore[no-untyped-def]
    docs = [service.get(d.id, as_of=AS_OF) for d in service.iter_documents()]
    got = {(d.title, d.doc_number): d.status for d in docs}
    assert got == EXPECTED
    assert {d.format for d in docs} == {"markdown", "govcn-html", "jsonl"}


def test_sample_relations_drive_the_status_card(service) -> None:  # type: ignore[no-untyped-def]
    client = create_app({"SERVICE": service}).test_client()
    old = service.get("贵州省人民政府令第134号")
    page = client.get(f"/doc/{old.id}?as_of={AS_OF}").get_data(as_text=True)
    assert "已修改 — <a href=" in page and "贵州省人民政府令第194号取代 2020-01-01" in page
    repealed = service.get("黔府发〔2001〕12号")
    page = client.get(f"/doc/{repealed.id}").get_data(as_text=True)
    assert "黔府发〔2019〕5号 废止 2019-03-01" in page
    basis = service.get("黔农发〔2015〕33号")
    page = client.get(f"/doc/{basis.id}").get_data(as_text=True)
    assert "注意：所引依据已废止" in page
