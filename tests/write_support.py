"""Shared by the write-side web tests: a store with accounts, an index, an app (no tests here)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from store_support import ADMIN, DEPT_A, DEPT_B, PASSWORD, doc, seed_accounts

from regsearch.store import open_store
from regsearch.store.ingest import ingest_documents

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
WORKLIST = (
    "决定标题,贵州省交通运输厅关于公布规范性文件清理结果的通知\n"
    "决定文号,黔交发〔2023〕9号\n"
    "决定日期,2023-06-01\n"
    "发文机关,贵州省交通运输厅\n"
    "标题,文号,清理结论\n"
    "贵州省道路运输管理办法,,继续有效\n"
    "贵州省公路养护管理规定,,废止\n"
    "贵州省农村公路建设指导意见,,宣布失效\n"
    "不存在的文件名称,,修改\n"
)


def seed_documents() -> list[Any]:
    return [
        doc("road", "贵州省道路运输管理办法", DEPT_A, publish_date="2015-03-01"),
        doc("care", "贵州省公路养护管理规定", DEPT_A, publish_date="2012-05-01"),
        doc("rural", "贵州省农村公路建设指导意见", DEPT_A, publish_date="2016-01-01"),
        doc(
            "air",
            "贵州省大气污染防治办法",
            DEPT_B,
            publish_date="2018-01-01",
            co_authorities=["贵州省发展和改革委员会"],
        ),
        doc(
            "joint",
            "关于加强交通运输环境保护的通知",
            DEPT_B,
            publish_date="2019-01-01",
            co_authorities=[DEPT_A],
        ),
    ]


def build_site(
    tmp: Path, database: str | None = None, **config: Any
) -> tuple[Any, Any, dict[str, Any]]:
    """(app, service, people) over a fresh store and index in `tmp` (or in `database`)."""
    from regsearch.search.service import SearchService
    from regsearch.web import create_app

    index: Any = database or tmp / "index"
    store = open_store(database or tmp / "index.store.sqlite3")
    people = seed_accounts(store)
    ingest_documents(store, index, seed_documents(), actor=ADMIN)
    store.close()
    service = SearchService(index, rewrite=None)
    app = create_app({"SERVICE": service, "TESTING": True, **config})
    return app, service, people


def close_site(app: Any, service: Any) -> None:
    from regsearch.web.writestate import shutdown

    shutdown(app)
    service.close()


def csrf_token(html: str) -> str:
    m = CSRF.search(html)
    assert m, "no CSRF token in the page"
    return m.group(1) or m.group(2)


def login(client: Any, username: str, password: str = PASSWORD) -> Any:
    token = csrf_token(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def logout(client: Any) -> None:
    token = csrf_token(client.get("/editor/").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})


def wait_for_search(client: Any, q: str, title: str, timeout: float = 30.0) -> float:
    """Seconds until a search for `q` lists `title` (fails after `timeout`)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        results = client.get("/api/search", query_string={"q": q}).get_json()["results"]
        if any(r["title"] == title for r in results):
            return time.monotonic() - start
        time.sleep(0.2)
    raise AssertionError(f"{title} not searchable after {timeout}s")


FIELDS = {
    "title": "贵州省网络预约出租汽车经营服务管理实施细则",
    "doc_number": "黔交发[2024]12号",
    "authority": DEPT_A,
    "level": "规范性文件",
    "publish_date": "2024年3月1日",
    "effective_date": "2024-04-01",
    "body": (
        "第一条 为了规范网络预约出租汽车经营服务，制定本细则。\n第二条 本细则自2024年4月1日起施行。"
    ),
}
__all__ = ["DEPT_A", "DEPT_B", "FIELDS", "WORKLIST"]
