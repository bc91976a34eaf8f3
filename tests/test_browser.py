"""The web front end in Debian's Chromium, driven by Playwright (no downloaded browsers)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from test_web_support import build_web_index, live_server

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Set REGSEARCH_SCREENSHOTS=DIR to keep screenshots of the main pages for a human to look at.
SHOTS = os.environ.get("REGSEARCH_SCREENSHOTS")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(build_web_index(tmp_path_factory.mktemp("browser") / "index")) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield tab
    context.close()
    assert errors == []  # no script errors and no CSP violations


def shot(tab, name: str) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_search_from_the_home_page(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "/")
    assert page.evaluate("document.activeElement.id") == "q"  # autofocus
    page.fill("#q", "法制审核")
    page.press("#q", "Enter")
    page.wait_for_url("**/search?q=*")
    assert page.inner_text("#results-title") == "“法制审核”：共 2 条结果"
    shot(page, "results-desktop")


def test_slash_focuses_the_search_box(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "/doc/wf-new")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "header-q"


def test_toggle_a_facet(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "/search?q=行政执法")
    before = page.inner_text("#results-title")
    page.click("#filters a:has-text('地方政府规章')")
    page.wait_for_url("**level=*")
    assert "level=" in page.url
    statuses = page.locator(".hit .hit-meta").all_inner_texts()
    assert statuses and all("地方政府规章" in s for s in statuses)
    page.click("#filters a.selected:has-text('地方政府规章')")
    page.wait_for_load_state()
    assert "level=" not in page.url
    assert page.inner_text("#results-title") == before


def test_page_through_results(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "/search?q=行政执法&limit=2&status=现行有效")
    first = page.locator(".hit-title a").all_inner_texts()
    page.click("a[rel=next]")
    page.wait_for_url("**page=2*")
    assert unquote(page.url).endswith("status=现行有效&limit=2&page=2")
    assert page.inner_text(".pager [aria-current=page]") == "2"
    assert page.locator(".hit-title a").all_inner_texts() != first


def test_open_a_document_and_jump_to_an_article(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "/search?q=法制审核")
    page.click(".hit-articles a:has-text('第七条')")
    page.wait_for_url("**/doc/wf-new#*")
    assert unquote(page.url).endswith("/doc/wf-new#第七条")
    assert page.inner_text("h1#doc-title") == "贵州省行政执法监督办法"
    article = page.locator("[id='第七条']")
    assert article.evaluate("el => el.matches(':target')")
    box = article.bounding_box()
    assert box is not None and 0 <= box["y"] < 900  # scrolled into view
    page.goto(base_url + "/search?q=法制审核")
    page.click(".hit-title a >> nth=0")
    page.wait_for_url("**/doc/*")
    assert page.locator(".status-card .badge").count() == 1
    shot(page, "document-desktop")


def test_follow_the_successor_link(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base_url + "/doc/wf-old")
    assert page.inner_text(".status-card .badge") == "已修改"
    page.click(".status-evidence a")
    page.wait_for_url("**/doc/wf-new")
    assert page.inner_text(".status-card .badge") == "现行有效"
    page.click(".toc a:has-text('第十条')")
    assert unquote(page.url).endswith("#第十条")


def test_phone_viewport(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    tab = context.new_page()
    try:
        for path, name in (
            ("/search?q=行政执法", "results-phone"),
            ("/doc/wf-new", "document-phone"),
        ):
            tab.goto(base_url + path)
            width = tab.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, (path, width)
            font = tab.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
            assert font >= 16
            shot(tab, name)
        tab.goto(base_url + "/search?q=行政执法")
        # the filters come after the results on a phone, reachable by a link at the top
        assert tab.locator(".jump-filters").is_visible()
        tab.click(".jump-filters")
        assert tab.locator("#filters").bounding_box()["y"] < 740  # type: ignore[index]
    finally:
        context.close()


def test_script_title_does_not_run(page, base_url: str) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(base_url + "/search?q=标题转义")
    page.click(".hit-title a >> nth=0")
    page.wait_for_url("**/doc/wf-script")
    assert page.inner_text("h1#doc-title") == "关于<script>alert(1)</script>标题转义的测试通知"
    assert dialogs == []
