"""The write side in Chromium: an editor submits, a reviewer publishes, the public finds it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_support import PASSWORD
from test_browser import ARGS, CHROMIUM, shot
from write_support import FIELDS, build_site, close_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from werkzeug.serving import make_server

    app, service, _ = build_site(tmp_path_factory.mktemp("write-browser"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    close_site(app, service)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _tab(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return context, tab, errors


def _sign_in(tab, base_url: str, username: str) -> None:  # type: ignore[no-untyped-def]
    tab.goto(base_url + "/")
    tab.click("a:has-text('部门登录')")
    tab.fill("#username", username)
    tab.fill("#password", PASSWORD)
    tab.click("button:has-text('登录')")
    tab.wait_for_url("**/editor/")


def test_submit_review_publish_and_find(browser, base_url: str) -> None:  # type: ignore[no-untyped-def]
    context, tab, errors = _tab(browser)
    _sign_in(tab, base_url, "editor_a")
    tab.click("a:has-text('发布新文件')")
    for name in ("title", "doc_number", "authority", "publish_date", "effective_date", "body"):
        tab.fill(f"#f-{name}", FIELDS[name])
    tab.select_option("#f-level", FIELDS["level"])
    tab.click("button[value=preview] >> nth=1")
    assert tab.inner_text("#preview-title") == "预览：将要提交的内容"
    assert "黔交发〔2024〕12号" in tab.inner_text(".preview")
    shot(tab, "editor-preview")
    tab.click("#submit-for-review")
    tab.wait_for_url("**/editor/submissions/*")
    assert tab.inner_text("#sub-status") == "待审核"
    submission = tab.url
    tab.click("button:has-text('退出')")
    context.close()
    assert errors == []

    context, tab, errors = _tab(browser)
    _sign_in(tab, base_url, "reviewer_a")
    tab.click(f"a:has-text('{FIELDS['title']}')")
    assert tab.url == submission
    tab.click("#publish")
    tab.wait_for_load_state()
    assert tab.inner_text("#sub-status") == "已发布"
    assert "李审核" in tab.inner_text("#sub-decided")
    published = time.monotonic()
    while True:  # the public search finds it within seconds
        tab.goto(base_url + "/search?q=网络预约出租汽车")
        if tab.locator(f".hit-title a:has-text('{FIELDS['title']}')").count():
            break
        assert time.monotonic() - published < 30, "not searchable after 30 s"
        time.sleep(0.5)
    tab.goto(base_url + "/")
    tab.click(".home-links a:has-text('最近更新')")
    assert FIELDS["title"] in tab.inner_text(".changes li >> nth=0")
    feed = tab.request.get(base_url + "/updates.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert FIELDS["title"] in feed.text()
    tab.click(f".changes a:has-text('{FIELDS['title']}')")
    assert tab.inner_text("h1#doc-title") == FIELDS["title"]
    assert tab.locator("#entered-at").count() == 1
    shot(tab, "published-document")
    context.close()
    assert errors == []

    context, tab, errors = _tab(browser)
    _sign_in(tab, base_url, "admin")
    tab.click(".write-nav a:has-text('审计日志')")
    log = tab.inner_text("table.audit")
    assert "editor_a" in log and "reviewer_a" in log and "submission.publish" in log
    shot(tab, "audit-log")
    context.close()
    assert errors == []
