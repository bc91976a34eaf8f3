"""Public pages people can trust: what each status means, how current the data is, where a
document comes from, samples marked, no internal names, the current version of an amended
one, honest paging, a rejected search that keeps the query, citations from BASE_URL."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from daily_index import build_daily_index

from regsearch.model import Status
from regsearch.search.labels import STATUS_MEANINGS
from regsearch.web import create_app

BASE = "https://fagui.example.gov.cn"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from regsearch.search.service import SearchService

    svc = SearchService(build_daily_index(tmp_path_factory.mktemp("pages") / "index"))
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def client(service):  # type: ignore[no-untyped-def]
    return create_app({"SERVICE": service, "TESTING": True}).test_client()


def page(client, url: str, status: int = 200) -> str:  # type: ignore[no-untyped-def]
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code)
    return r.get_data(as_text=True)


def text(html: str) -> str:
    """The words a reader sees, tags dropped and white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_every_status_is_explained(client) -> None:  # type: ignore[no-untyped-def]
    about = text(page(client, "/about"))
    for status in Status:
        assert f"{status.value} {STATUS_MEANINGS[status.value]}" in about
    assert 'href="/about#statuses">时效说明</a>' in page(client, "/")
    doc = page(client, "/doc/d-law-2010")
    assert (
        f'<p class="status-meaning">{STATUS_MEANINGS["已修改"]} '
        '<a href="/about#statuses">时效说明</a></p>' in doc
    )


def test_every_page_says_how_current_the_data_is(client, service) -> None:  # type: ignore[no-untyped-def]
    built = str(service.stats()["built_at"])
    shown = f"{built[:10]} {built[11:16]}"
    for url in ("/", "/about", "/search?q=示范", "/doc/d-gov"):
        assert f'数据最后更新：<time datetime="{built[:10]}T{built[11:16]}">{shown}</time>' in (
            page(client, url)
        )
    assert "数据最后更新于 <time" in page(client, "/about")


def test_where_a_document_comes_from(client) -> None:  # type: ignore[no-untyped-def]
    law = page(client, "/doc/d-law-2020")
    assert (
        '<div><dt>来源</dt><dd>国家法律法规数据库（<a href="https://flk.npc.gov.cn/" '
        'rel="noopener noreferrer">https://flk.npc.gov.cn/</a>）</dd></div>' in law
    )
    gov = page(client, "/doc/d-gov")
    url = "https://www.gov.cn/zhengce/content/2019-01/05/content_5000001.htm"
    assert (
        f'<div><dt>原文地址</dt><dd><a href="{url}" rel="noopener noreferrer nofollow">{url}</a>'
        "（中国政府网）</dd></div>" in gov
    )
    plain = page(client, "/doc/d-md")  # nothing known: nothing invented
    assert "<dt>来源</dt>" not in plain and "<dt>原文地址</dt>" not in plain


def test_samples_are_marked_as_samples(client) -> None:  # type: ignore[no-untyped-def]
    assert "其中 1 件是项目自编的<strong>示例文件</strong>" in page(client, "/")
    sample = page(client, "/doc/d-sample")
    assert '<p class="sample-note" role="note"><strong>示例文件：</strong>' in sample
    assert "sample-note" not in page(client, "/doc/d-md")
    hits = page(client, "/search?q=示范&limit=50")
    marked = re.findall(
        r'<a href="/doc/([^"#?]+)">[^<]*</a></h2>\s*<p class="hit-meta">\s*'
        r'<span class="badge [^"]+">[^<]+</span> <span class="badge sample"',
        hits,
    )
    assert marked == ["d-sample"]


INTERNAL = ("lawrefbook", "waystowork", "govcn-html", "samples", ".md", "1001.html", "（default）")


def test_pages_carry_no_internal_names(client) -> None:  # type: ignore[no-untyped-def]
    urls = ["/", "/about", "/search?q=示范&limit=50", "/search?q=示范&articles=1&limit=50"]
    urls += [f"/doc/{d}" for d in ("d-law-2010", "d-law-2020", "d-gov", "d-md", "d-sample", "d-eq")]
    for url in urls:
        html = page(client, url)
        found = [name for name in INTERNAL if name in html]
        assert found == [], (url, found)
        assert "superseded_by" not in html and "status_source" not in html


def test_an_amended_hit_links_to_the_current_version(client) -> None:  # type: ignore[no-untyped-def]
    current = (
        '<p class="current-version">现行版本：<a href="/doc/d-law-2020">'
        "《中华人民共和国示范保护法》</a> "
        '<span class="badge status-in-force">现行有效</span></p>'
    )
    hits = page(client, "/search?q=" + quote("旧版第1项"))
    assert current in hits
    articles = page(client, "/search?q=" + quote("旧版第1项") + "&articles=1")
    assert '<a href="/doc/d-law-2010#%E7%AC%AC%E4%B8%80%E6%9D%A1">' in articles
    assert current in articles
    assert current in page(client, "/doc/d-law-2010")
    # as of a day before the new version, the old one is in force: no link
    assert "current-version" not in page(
        client, "/search?q=" + quote("旧版第1项") + "&as_of=2015-01-01"
    )


def test_a_page_past_the_last_says_so(client) -> None:  # type: ignore[no-untyped-def]
    html = page(client, "/search?q=示范&page=5", status=404)
    assert "第 5 页没有结果" in html
    assert (
        '共 11 条结果，只有 2 页。<a href="/search?q=%E7%A4%BA%E8%8C%83&amp;page=2">'
        "转到最后一页（第 2 页）</a>" in html
    )
    assert '<ol class="results"' not in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ("as_of=2025-13-01", "时效日期“2025-13-01”不是有效日期"),
        ("from=2021-01-01&to=2020-01-01", "起始日期 2021-01-01 晚于截止日期 2020-01-01"),
        ("sort=best", "未知的排序方式“best”"),
    ],
)
def test_a_rejected_search_keeps_the_query(client, params: str, message: str) -> None:  # type: ignore[no-untyped-def]
    q, status = quote("示范监管"), quote("现行有效")
    html = page(client, f"/search?q={q}&status={status}&{params}", status=400)
    assert '<input id="q" type="search" name="q" value="示范监管"' in html
    assert '<input type="hidden" name="status" value="现行有效">' in html
    assert '<section class="query-error" role="alert"' in html and message in html


def test_an_unknown_field_is_named(client) -> None:  # type: ignore[no-untyped-def]
    html = page(client, "/search?q=" + quote("作者:张三"), status=400)
    assert 'value="作者:张三"' in html
    assert "没有这个字段：作者（可用的字段：标题、文号、机关、全文" in html
    assert page(client, "/search?q=" + quote("标题:监管")).count('class="hit"') == 1


def test_citations_use_the_configured_address_never_the_host_header(service) -> None:  # type: ignore[no-untyped-def]
    client = create_app({"SERVICE": service, "BASE_URL": BASE + "/"}).test_client()
    r = client.get("/doc/d-gov", headers={"Host": "evil.example"})
    html = r.get_data(as_text=True)
    assert (
        "《国务院办公厅关于推行示范监管的通知》（国办发〔2019〕1号），国务院办公厅，"
        f"2019-01-05 发布，{BASE}/doc/d-gov</textarea>" in html
    )
    assert "evil.example" not in html
    unconfigured = create_app({"SERVICE": service}).test_client()
    html = unconfigured.get("/doc/d-gov", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert "2019-01-05 发布</textarea>" in html and "evil.example" not in html


def test_base_url_from_the_environment(service, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("REGSEARCH_BASE_URL", BASE)
    client = create_app({"SERVICE": service}).test_client()
    assert f"{BASE}/doc/d-gov</textarea>" in client.get("/doc/d-gov").get_data(as_text=True)


def test_a_document_by_title_short_name_or_citation(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/doc/" + quote("示范保护法第三条"))
    assert r.status_code == 302
    assert r.headers["Location"] == "/doc/d-law-2020#%E7%AC%AC%E4%B8%89%E6%9D%A1"
    r = client.get("/doc/" + quote("示保法第三条"))  # a short name the search box learned
    assert r.headers["Location"] == "/doc/d-law-2020#%E7%AC%AC%E4%B8%89%E6%9D%A1"
    r = client.get("/doc/" + quote("国务院办公厅关于推行示范监管的通知"))
    assert (r.status_code, r.headers["Location"]) == (302, "/doc/d-gov")
    missing = page(client, "/doc/" + quote("没有这个文件"), status=404)
    assert "找不到文档“没有这个文件”" in missing
