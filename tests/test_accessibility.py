"""An automated accessibility audit: axe-core (from npm) run by Playwright in Debian's
Chromium over the home, results, document, print and error pages. No serious or critical
violation is allowed.

axe-core is installed on first use with npm into `.cache/axe/` (ignored by git), or taken
from $REGSEARCH_AXE_JS.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from daily_index import build_daily_index
from test_web_support import live_server

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
AXE_VERSION = "4.14.1"
AXE_DIR = ROOT / ".cache" / "axe"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
BLOCKING = ("serious", "critical")

PAGES = [
    ("home", "/", "screen"),
    ("about", "/about", "screen"),
    ("results", "/search?q=示范", "screen"),
    ("results by article", "/search?q=示范&articles=1", "screen"),
    ("no results", "/search?q=量子纠缠", "screen"),
    ("past the last page", "/search?q=示范&page=9", "screen"),
    ("document", "/doc/d-law-2010", "screen"),
    ("sample document", "/doc/d-sample", "screen"),
    ("document, printed", "/doc/d-law-2020", "print"),
    ("rejected query", "/search?q=示范&as_of=2025-13-01", "screen"),
    ("not found", "/doc/no-such-document", "screen"),
    ("unknown page", "/no/such/page", "screen"),
]


def axe_script() -> Path:
    """axe.min.js: $REGSEARCH_AXE_JS, else .cache/axe (npm-installed there if missing)."""
    given = os.environ.get("REGSEARCH_AXE_JS")
    if given:
        return Path(given)
    script = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm not installed: needed once to fetch axe-core (apt-get install npm)")
        subprocess.run(
            [npm, "install", "--prefix", str(AXE_DIR), "--no-save", "--no-audit", "--no-fund",
             "--loglevel=error", f"axe-core@{AXE_VERSION}"],
            check=True,
            timeout=300,
        )  # fmt: skip
    return script


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    index = build_daily_index(tmp_path_factory.mktemp("axe") / "index")
    with live_server(index, BASE_URL="https://fagui.example.gov.cn") as url:
        yield url


@pytest.fixture(scope="module")
def audit(base_url: str):  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    script = axe_script()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        # The pages allow only their own scripts (CSP); the audit's script is let in.
        context = browser.new_context(bypass_csp=True, locale="zh-CN")

        def run(path: str, media: str = "screen", html: str | None = None) -> list[dict]:  # type: ignore[type-arg]
            tab = context.new_page()
            try:
                tab.emulate_media(media=media)  # type: ignore[arg-type]
                if html is None:
                    tab.goto(base_url + path)
                else:
                    tab.set_content(html)
                tab.add_script_tag(path=str(script))
                result = tab.evaluate(
                    "async () => await axe.run(document, {resultTypes: ['violations']})"
                )
            finally:
                tab.close()
            return result["violations"]  # type: ignore[no-any-return]

        yield run
        context.close()
        browser.close()


def describe(violations: list[dict]) -> list[str]:  # type: ignore[type-arg]
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
    ]


@pytest.mark.parametrize(("name", "path", "media"), PAGES, ids=[p[0] for p in PAGES])
def test_no_serious_or_critical_violations(audit, name: str, path: str, media: str) -> None:  # type: ignore[no-untyped-def]
    violations = audit(path, media)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert describe(blocking) == [], name


def test_the_audit_finds_what_it_should(audit) -> None:  # type: ignore[no-untyped-def]
    """The audit itself works: an image without text and a field without a label fail it."""
    html = '<html lang="zh-CN"><title>t</title><main><img src="a.png"><input></main></html>'
    violations = audit("", html=html)
    found = {v["id"]: v["impact"] for v in violations}
    assert found.get("image-alt") == "critical" and found.get("label") == "critical"
