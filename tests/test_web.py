"""The web front end over a real index of tests/data/web: routes, JSON twins, escaping, errors."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from test_web_support import build_web_index

from regsearch.web import create_app

ROOT = Path(__file__).resolve().parent.parent
# The JSON contract (README): a document hit's keys, a page's, an article hit's.
DOC_KEYS = [
    "id",
    "title",
    "doc_number",
    "level",
    "authority",
    "region",
    "status",
    "publish_date",
    "effective_date",
    "expiry_date",
    "collection",
    "source",
    "score",
    "snippet",
    "articles",
]
PAGE_KEYS = [
    "query",
    "total",
    "page",
    "per_page",
    "results",
    "facets",
    "total_capped",
    "relaxed",
    "resolved",
]
ARTICLE_KEYS = [
    "id",
    "doc_id",
    "title",
    "article",
    "collection",
    "source",
    "status",
    "score",
    "snippet",
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)


@pytest.fixture(scope="module")
def web_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_web_index(tmp_path_factory.mktemp("web") / "index")


@pytest.fixture(scope="module")
def service(web_index: Path):  # type: ignore[no-untyped-def]
    from regsearch.search.service import SearchService

    svc = SearchService(web_index)
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def client(service):  # type: ignore[no-untyped-def]
    app = create_app({"SERVICE": service, "TESTING": True})
    return app.test_client()


def html(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def anchor(number: str) -> str:
    return "#" + quote(number)


# --- pages -----------------------------------------------------------------


def test_home_has_search_box_examples_and_counts(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/")
    assert r.status_code == 200
    page = html(r)
    assert re.search(r'<input id="q" type="search" name="q" autofocus', page)
    assert "收录 12 件文件" in page
    assert (
        '<a href="/search?status=%E5%B7%B2%E4%BF%AE%E6%94%B9">已修改</a> '
        '<span class="count">1</span>' in page
    )
    assert "/search?q=%E5%9B%BD%E5%8A%9E%E5%87%BD%E3%80%942018%E3%80%9571%E5%8F%B7" in page
    assert '<script src="/static/app.js" defer></script>' in page
    assert not INLINE_SCRIPT.search(page)


def test_search_page_shows_hits_with_badges_dates_and_article_links(client) -> None:  # type: ignore[no-untyped-def]
    page = html(client.get("/search?q=法制审核"))
    assert "共 <strong>2</strong> 条结果" in page
    assert '<a href="/doc/wf-new">贵州省行政执法监督办法</a>' in page
    assert '<span class="badge status-in-force">现行有效</span>' in page
    assert '<span class="doc-number">贵州省人民政府令第179号</span>' in page
    assert '发布 <time datetime="2017-12-13">2017-12-13</time>' in page
    assert f'<a href="/doc/wf-new{anchor("第七条")}">第七条</a>' in page
    assert "<mark>" in page  # the core's highlight tags survive; nothing else is raw


def test_a_documents_answering_articles_are_shown_once(client) -> None:  # type: ignore[no-untyped-def]
    q = "行政执法监督怎么申请"
    data = client.get(f"/api/search?q={q}").get_json()
    listed = [r for r in data["results"] if r["articles"]]
    assert listed and all(r["snippet"].startswith(r["articles"][0]["number"]) for r in listed)
    page = html(client.get(f"/search?q={q}"))
    # a hit's passage is its first listed article's: the page shows it there only
    assert page.count('class="hit-snippet"') == len(data["results"]) - len(listed)
    assert page.count('class="hit-articles"') == len(listed)


def test_results_sort_links_keep_the_query(client) -> None:  # type: ignore[no-untyped-def]
    page = html(client.get("/search?q=行政执法&status=现行有效&sort=newest"))
    assert '<strong aria-current="true">最新</strong>' in page
    q = quote("行政执法")
    s = quote("现行有效")
    assert f'href="/search?q={q}&amp;status={s}&amp;sort=oldest"' in page
    assert f'href="/search?q={q}&amp;status={s}"' in page  # relevance is the default


def test_facets_have_counts_and_toggle_links(client) -> None:  # type: ignore[no-untyped-def]
    q = quote("行政执法")
    page = html(client.get("/search?q=行政执法"))
    level = quote("地方政府规章")
    assert f'href="/search?q={q}&amp;level={level}"' in page
    toggled = html(client.get(f"/search?q={q}&level={level}"))
    assert f'<a href="/search?q={q}" class="selected" aria-current="true">' in toggled
    for hit_level in re.findall(r'<p class="hit-meta">.*?</p>', toggled, re.S):
        assert "地方政府规章" in hit_level


def test_year_facet_sets_a_date_range(client) -> None:  # type: ignore[no-untyped-def]
    page = html(client.get("/search?q=行政执法"))
    assert (
        'href="/search?q=%E8%A1%8C%E6%94%BF%E6%89%A7%E6%B3%95&amp;from=2017-01-01&amp;to=2017-12-31"'
        in page
    )
    api = client.get("/api/search?q=行政执法&from=2017-01-01&to=2017-12-31").get_json()
    assert [r["id"] for r in api["results"]] == ["wf-new"]


def test_pagination_keeps_every_filter(client) -> None:  # type: ignore[no-untyped-def]
    q, s = quote("行政执法"), quote("现行有效")
    page = html(client.get(f"/search?q={q}&status={s}&limit=2&as_of=2024-01-01"))
    assert (
        f'href="/search?q={q}&amp;status={s}&amp;as_of=2024-01-01&amp;limit=2&amp;page=2" '
        'rel="next"' in page
    )
    second = html(client.get(f"/search?q={q}&status={s}&limit=2&as_of=2024-01-01&page=2"))
    assert '<span aria-current="page">2</span>' in second
    assert (
        f'href="/search?q={q}&amp;status={s}&amp;as_of=2024-01-01&amp;limit=2" rel="prev"' in second
    )


def test_no_results_names_the_filter_that_removed_everything(client) -> None:  # type: ignore[no-untyped-def]
    q, s = quote("法制审核"), quote("已废止")
    page = html(client.get(f"/search?q={q}&status={s}"))
    assert "没有找到符合条件的文件" in page
    assert f'去掉时效“已废止”：<a href="/search?q={q}">2 条结果</a>' in page


def test_no_results_names_the_word_that_removed_everything(client) -> None:  # type: ignore[no-untyped-def]
    page = html(client.get("/search?q=法制审核 量子纠缠"))
    assert f'去掉关键词“量子纠缠”：<a href="/search?q={quote("法制审核")}">2 条结果</a>' in page


def test_no_results_for_a_doc_number_offers_the_closest_documents(client) -> None:  # type: ignore[no-untyped-def]
    page = html(client.get("/search?q=" + quote("黔府发〔2019〕6号")))
    assert "共 <strong>0</strong> 条结果" in page
    assert "<h3>相近的文件</h3>" in page
    closest = re.search(r'<ul class="suggestions">\s*<li><a href="([^"]+)">([^<]+)</a>', page)
    assert closest is not None
    assert closest.groups() == ("/doc/wf-repealer", "贵州省人民政府关于废止部分规范性文件的决定")


def test_document_page_status_card_versions_and_successor(client) -> None:  # type: ignore[no-untyped-def]
    page = html(client.get("/doc/wf-old"))
    assert '<h1 id="doc-title">贵州省行政执法监督办法</h1>' in page
    assert '<span class="badge status-amended">已修改</span>' in page
    assert (
        '<li>已修改 — <a href="/doc/wf-new">'
        "被《贵州省行政执法监督办法》 贵州省人民政府令第179号取代 2018-02-01</a></li>" in page
    )
    assert '<a href="/doc/wf-new">2017-12-13 版</a>' in page
    assert "2005-04-20 版（本页）" in page


def test_document_page_repealed_expired_future_and_broken_basis(client) -> None:  # type: ignore[no-untyped-def]
    rep = html(client.get("/doc/wf-rep"))
    assert (
        '<li>已废止 — <a href="/doc/wf-repealer">'
        "依据 《贵州省人民政府关于废止部分规范性文件的决定》 "
        "黔府发〔2019〕5号 废止 2019-03-01</a></li>" in rep
    )
    assert "<li>已失效 — 有效期至 2020-12-31</li>" in html(client.get("/doc/wf-exp"))
    assert "<li>尚未施行 — 自 2030-01-01 起施行</li>" in html(client.get("/doc/wf-future"))
    cites = html(client.get("/doc/wf-cites"))
    assert '<strong class="warning">注意：所引依据已废止</strong>' in cites


def test_document_page_articles_toc_anchors_and_citation(client) -> None:  # type: ignore[no-untyped-def]
    page = html(client.get("/doc/wf-new"))
    assert '<section class="article" id="第十条" aria-label="第十条">' in page
    assert '<li><a href="#第十条">第十条</a></li>' in page
    assert '<h3 class="article-path">第二章 监督内容</h3>' in page
    assert (
        "《贵州省行政执法监督办法》（贵州省人民政府令第179号），贵州省人民政府，"
        "2017-12-13 发布</textarea>" in page  # no address without BASE_URL (test_web_daily)
    )


def test_document_by_doc_number_and_as_of(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/api/doc/黔府发〔2019〕5号").get_json()["id"] == "wf-repealer"
    assert client.get("/api/doc/wf-old?as_of=2010-01-01").get_json()["status"] == "现行有效"
    assert client.get("/api/doc/wf-old").get_json()["status"] == "已修改"
    assert "（以 2010-01-01 为准）" in html(client.get("/doc/wf-old?as_of=2010-01-01"))


# --- escaping ----------------------------------------------------------------


def test_script_title_and_query_show_as_text(client) -> None:  # type: ignore[no-untyped-def]
    doc = html(client.get("/doc/wf-script"))
    assert "关于&lt;script&gt;alert(1)&lt;/script&gt;标题转义的测试通知" in doc
    assert "<script>alert" not in doc
    assert "&lt;b&gt;标记&lt;/b&gt;" in doc
    hits = html(client.get("/search?q=标题转义"))
    assert (
        '<a href="/doc/wf-script">关于&lt;script&gt;alert(1)&lt;/script&gt;标题转义的测试通知</a>'
        in hits
    )
    assert "<script>alert" not in hits
    evil = html(client.get("/search?q=" + quote("<script>alert(3)</script>")))
    assert 'value="&lt;script&gt;alert(3)&lt;/script&gt;"' in evil
    assert "“&lt;script&gt;alert(3)&lt;/script&gt;”：共 <strong>0</strong> 条结果" in evil
    assert "<script>alert(3)" not in evil
    assert not INLINE_SCRIPT.search(evil)


def test_malformed_query_is_400_shown_in_the_form(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/search?q=" + quote('"><script>alert(4)</script>'))
    assert r.status_code == 400
    page = html(r)
    assert 'value="&#34;&gt;&lt;script&gt;alert(4)&lt;/script&gt;"' in page
    assert '<section class="query-error" role="alert"' in page
    assert "<script>alert(4)" not in page
    api = client.get("/api/search?q=" + quote('"unbalanced'))
    assert api.status_code == 400
    assert api.get_json()["error"]["code"] == "bad_query"


def test_json_keeps_the_title_as_data(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/doc/wf-script").get_json()
    assert data["title"] == "关于<script>alert(1)</script>标题转义的测试通知"


# --- JSON twins --------------------------------------------------------------


def test_api_search_has_the_cli_json_shape(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/search?q=黔府发〔2019〕5号")
    assert r.status_code == 200
    assert r.mimetype == "application/json"
    data = r.get_json()
    assert list(data) == PAGE_KEYS
    assert list(data["facets"]) == ["status", "level", "authority", "region", "year"]
    assert (data["page"], data["per_page"]) == (1, 10)
    top = data["results"][0]
    assert list(top) == DOC_KEYS
    assert (top["id"], top["doc_number"], top["status"]) == (
        "wf-repealer",
        "黔府发〔2019〕5号",
        "现行有效",
    )
    for facet in data["facets"].values():
        for entry in facet:
            assert list(entry) == ["value", "count"]
    assert "黔府发" in r.get_data(as_text=True)  # UTF-8, not \\u escapes


def test_api_search_articles_shape(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/search?q=法制审核&articles=1").get_json()
    assert data["results"]
    for result in data["results"]:
        assert list(result) == ARTICLE_KEYS
    assert ("wf-new", "第七条") in {(r["doc_id"], r["article"]) for r in data["results"]}


def test_api_doc_has_document_fields_and_versions(client) -> None:  # type: ignore[no-untyped-def]
    data = client.get("/api/doc/wf-old").get_json()
    assert data["title"] == "贵州省行政执法监督办法"
    assert [(v["id"], v["status"]) for v in data["versions"]] == [
        ("wf-old", "已修改"),
        ("wf-new", "现行有效"),
    ]
    assert ("superseded_by", "wf-new", "2018-02-01") in {
        (r["type"], r["target_id"], r["date"]) for r in data["relations"]
    }


def test_api_stats_and_healthz(client) -> None:  # type: ignore[no-untyped-def]
    stats = client.get("/api/stats").get_json()
    assert stats["documents"] == 12
    assert stats["statuses"]["已修改"] == 1
    health = client.get("/healthz").get_json()
    assert health == {
        "status": "ok",
        "documents": 12,
        "generation": stats["generation"],
        "built_at": stats["built_at"],
    }


def test_static_assets_are_served(client) -> None:  # type: ignore[no-untyped-def]
    for path, mimetype in (
        ("/static/style.css", "text/css"),
        ("/static/app.js", "text/javascript"),
    ):
        with client.get(path) as r:  # closes the file Flask streams
            assert (r.status_code, r.mimetype) == (200, mimetype)


# --- errors and bounds -------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("q=" + "法" * 201, "query_too_long"),
        ("q=a&page=0", "out_of_range"),
        ("q=a&page=101", "out_of_range"),
        ("q=a&limit=51", "out_of_range"),
        ("q=a&limit=ten", "bad_number"),
        ("q=a&status=有效", "bad_status"),
        ("q=a&from=2020-13-01", "bad_date"),
        ("q=a&from=2021-01-01&to=2020-01-01", "bad_date_range"),
        ("q=a&sort=random", "bad_sort"),
        ("q=a&articles=maybe", "bad_flag"),
    ],
)
def test_bad_parameters_are_400_with_one_error_shape(client, query: str, code: str) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/search?" + query)
    assert r.status_code == 400
    body = r.get_json()
    assert list(body) == ["error"]
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    page = client.get("/search?" + query)
    assert page.status_code == 400
    assert body["error"]["message"] in html(page)


def test_not_found_is_404_in_both_shapes(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/api/doc/no-such-doc")
    assert r.status_code == 404
    assert r.get_json()["error"]["code"] == "not_found"
    page = client.get("/doc/no-such-doc")
    assert page.status_code == 404
    assert "页面不存在（404）" in html(page)
    assert client.get("/api/nothing").get_json()["error"]["code"] == "not_found"
    assert client.get("/nothing").status_code == 404


def test_routes_are_read_only(client) -> None:  # type: ignore[no-untyped-def]
    r = client.post("/api/search?q=a")
    assert r.status_code == 405
    assert r.get_json() == {
        "error": {"code": "method_not_allowed", "message": "此地址只接受 GET 请求，不接受 POST。"}
    }
    assert r.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert client.post("/search").status_code == 405
    assert client.delete("/doc/wf-new").status_code == 405


def test_security_headers_on_every_response(client) -> None:  # type: ignore[no-untyped-def]
    for path in (
        "/",
        "/search?q=a",
        "/doc/wf-new",
        "/api/search?q=a",
        "/nothing",
        "/api/search?page=0",
    ):
        r = client.get(path)
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["X-Frame-Options"] == "DENY"


def test_unexpected_errors_are_500_without_internals() -> None:
    class Broken:
        def search(self, query):  # type: ignore[no-untyped-def]
            raise RuntimeError("secret internal detail")

    client = create_app({"SERVICE": Broken()}).test_client()
    r = client.get("/api/search?q=a")
    assert r.status_code == 500
    assert r.get_json() == {"error": {"code": "internal", "message": "服务器内部错误，请稍后再试"}}
    page = client.get("/search?q=a")
    assert page.status_code == 500
    assert "secret" not in html(page)


def test_missing_index_is_503_with_how_to_build(tmp_path: Path) -> None:
    client = create_app({"INDEX": str(tmp_path / "none")}).test_client()
    r = client.get("/api/search?q=a")
    assert r.status_code == 503
    assert r.get_json()["error"]["code"] == "index_missing"
    assert client.get("/healthz").status_code == 503
    page = client.get("/")
    assert page.status_code == 503
    assert "ingest" in html(page)


# --- the serve command and layering ------------------------------------------


def test_serve_without_index_says_how_to_build(tmp_path: Path) -> None:
    from regsearch.cli import main

    result = CliRunner().invoke(main, ["serve", "--index", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "regsearch ingest --index" in result.output
    assert "Traceback" not in result.output


def test_serve_help_ends_with_an_example() -> None:
    from regsearch.cli import main

    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "regsearch ingest corpora/samples && regsearch serve --port 8000" in result.output


def test_web_layer_never_imports_the_engine() -> None:
    files = [*(ROOT / "regsearch" / "web").glob("*.py"), ROOT / "regsearch" / "cli" / "serve.py"]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert name.split(".")[0] not in {"whoosh", "jieba", "lxml"}, (path, name)
