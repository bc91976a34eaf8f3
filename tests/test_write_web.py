"""The write side through the Flask test client: submit, review, publish, search, feed, audit;
and the security rules (departments, CSRF, sessions, tokens, throttling, escaping, uploads)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from store_support import docx_bytes, pdf_bytes
from write_support import (
    DEPT_A,
    FIELDS,
    WORKLIST,
    build_site,
    close_site,
    csrf_token,
    login,
    logout,
    wait_for_search,
)

from regsearch.web.writestate import get_store

SCRIPT = "<script>alert(1)</script>"


pytestmark = pytest.mark.backends  # publishing on both backends (conftest.py)


@pytest.fixture
def site(tmp_path: Path, database):  # type: ignore[no-untyped-def]
    app, service, people = build_site(tmp_path, database)
    yield app, people
    close_site(app, service)


def _submit_form(client, fields: dict[str, str], path: str = "/editor/new"):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get(path).get_data(as_text=True))
    preview = client.post(path, data={**fields, "action": "preview", "csrf_token": token})
    assert preview.status_code == 200, preview.get_data(as_text=True)
    return client.post(path, data={**fields, "action": "submit", "csrf_token": token})


def _publish(client, location: str):  # type: ignore[no-untyped-def]
    page = client.get(location).get_data(as_text=True)
    sub_id = re.search(r"/editor/submissions/(\d+)", location).group(1)  # type: ignore[union-attr]
    return client.post(
        f"/editor/submissions/{sub_id}/publish", data={"csrf_token": csrf_token(page)}
    )


def test_editor_submits_reviewer_publishes_and_the_public_sees_it(site) -> None:  # type: ignore[no-untyped-def]
    app, people = site
    client = app.test_client()
    assert login(client, "editor_a").status_code == 302
    token = csrf_token(client.get("/editor/new").get_data(as_text=True))
    preview = client.post("/editor/new", data={**FIELDS, "action": "preview", "csrf_token": token})
    html = preview.get_data(as_text=True)
    assert "黔交发〔2024〕12号" in html and "2024-03-01" in html and "条文（2 条）" in html
    assert get_store(app).submissions() == []  # a preview stores nothing
    done = client.post("/editor/new", data={**FIELDS, "action": "submit", "csrf_token": token})
    assert done.status_code == 302
    location = done.headers["Location"]
    assert "待审核" in client.get(location).get_data(as_text=True)
    assert _publish(client, location).status_code == 403  # never one's own submission
    logout(client)

    assert login(client, "reviewer_a").status_code == 302
    assert "贵州省网络预约出租汽车" in client.get("/editor/").get_data(as_text=True)  # the queue
    assert _publish(client, location).status_code == 302
    page = client.get(location).get_data(as_text=True)
    assert "已发布" in page and "李审核" in page
    seconds = wait_for_search(client, "网络预约出租汽车", FIELDS["title"])
    assert seconds < 30

    updates = client.get("/updates").get_data(as_text=True)
    assert FIELDS["title"] in updates and "新增" in updates
    feed = client.get("/updates.atom")
    assert feed.mimetype == "application/atom+xml"
    assert FIELDS["title"] in feed.get_data(as_text=True)
    dept_a = people["a"].id
    assert FIELDS["title"] in client.get(f"/updates.atom?department={dept_a}").get_data(
        as_text=True
    )
    assert FIELDS["title"] not in client.get(f"/updates?department={people['b'].id}").get_data(
        as_text=True
    )
    home = client.get("/").get_data(as_text=True)
    assert 'rel="alternate" type="application/atom+xml"' in home
    assert 'href="/updates"' in home and 'href="/cleanup-results"' in home

    doc_id = get_store(app).submissions()[0].doc_id
    doc_page = client.get(f"/doc/{doc_id}").get_data(as_text=True)
    assert "收录时间" in doc_page and "新增" in doc_page
    logout(client)

    login(client, "admin")
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "editor_a" in audit and "reviewer_a" in audit and "submission.publish" in audit
    rows = list(
        csv.reader(
            io.StringIO(client.get("/admin/audit.csv").get_data(as_text=True).lstrip("\ufeff"))
        )
    )
    actions = {(r[2], r[4]) for r in rows[1:]}
    assert {("editor_a", "submission.create"), ("reviewer_a", "submission.publish")} <= actions
    assert all(r[3] == "127.0.0.1" for r in rows[1:] if r[2] in ("editor_a", "reviewer_a"))


def test_amendment_and_repeal_change_the_status(site) -> None:  # type: ignore[no-untyped-def]
    app, _ = site
    editor, reviewer = app.test_client(), app.test_client()
    login(editor, "editor_a")
    login(reviewer, "reviewer_a")
    form = client_page = editor.get("/editor/amend/road").get_data(as_text=True)
    assert "贵州省道路运输管理办法" in form
    fields = {
        **FIELDS,
        "title": "贵州省道路运输管理办法",
        "doc_number": "",
        "publish_date": "2024-05-01",
        "effective_date": "2024-06-01",
        "body": "第一条 修改后的新版本。",
    }
    done = _submit_form(editor, fields, "/editor/amend/road")
    assert done.status_code == 302, client_page
    assert _publish(reviewer, done.headers["Location"]).status_code == 302

    page = editor.get("/editor/decide/care?kind=repeal").get_data(as_text=True)
    done = editor.post(
        "/editor/decide/care",
        data={
            "kind": "repeal",
            "date": "2024年1月1日",
            "evidence_ref": "rural",
            "evidence": "《贵州省公路养护管理规定》予以废止。",
            "csrf_token": csrf_token(page),
        },
    )
    assert done.status_code == 302
    assert _publish(reviewer, done.headers["Location"]).status_code == 302
    from regsearch.web.writestate import SYNC

    assert app.extensions[SYNC].wait_for(get_store(app).last_seq(), timeout=30)
    road = editor.get("/api/doc/road").get_json()
    assert road["status"] == "已修改"
    care = editor.get("/api/doc/care").get_json()
    assert care["status"] == "已废止"
    assert any(r["type"] == "repealed_by" and r["target_id"] == "rural" for r in care["relations"])
    history = editor.get("/doc/care").get_data(as_text=True)
    assert "废止" in history and "予以废止" in history
    updates = editor.get("/api/updates").get_json()["changes"]
    assert [c["kind"] for c in updates[:2]] == ["repeal", "amend"]


def test_editor_of_a_gets_403_on_b_documents_page_and_api(site) -> None:  # type: ignore[no-untyped-def]
    app, _ = site
    client = app.test_client()
    login(client, "editor_a")
    assert client.get("/editor/amend/air").status_code == 403
    assert client.get("/editor/decide/air").status_code == 403
    assert client.get("/editor/amend/joint").status_code == 200  # co-issued: any issuer counts
    # a new document naming another department as its issuer
    response = _submit_form(client, {**FIELDS, "authority": "贵州省生态环境厅"})
    assert response.status_code == 403 and "只能处理本部门制发的文件" in response.get_data(
        as_text=True
    )
    page = client.get("/account").get_data(as_text=True)
    created = client.post("/account/tokens", data={"name": "脚本", "csrf_token": csrf_token(page)})
    token = re.search(r'id="new-token">([^<]+)<', created.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    api = app.test_client()  # no cookie: the token alone
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/me", headers=headers).get_json()["username"] == "editor_a"
    assert api.get("/api/v1/documents/air", headers=headers).status_code == 403
    assert api.get("/api/v1/documents/road", headers=headers).status_code == 200
    denied = api.post(
        "/api/v1/submissions",
        headers=headers,
        json={"kind": "repeal", "target_id": "air", "date": "2024-01-01", "evidence_id": "road"},
    )
    assert denied.status_code == 403 and denied.get_json()["error"]["code"] == "forbidden"
    bad = api.post(
        "/api/v1/submissions",
        headers=headers,
        json={
            "kind": "new",
            "document": {**FIELDS, "doc_number": "第12号文", "publish_date": "明年"},
        },
    )
    assert bad.status_code == 400
    assert set(bad.get_json()["error"]["fields"]) == {"doc_number", "publish_date"}
    assert get_store(app).submissions() == []


def test_writes_need_a_session_or_token_and_a_csrf_token(site) -> None:  # type: ignore[no-untyped-def]
    app, _ = site
    anonymous = app.test_client()
    before = get_store(app).last_seq()
    response = anonymous.post("/editor/new", data={**FIELDS, "action": "submit"})
    assert response.status_code in (302, 400)  # sent to sign in (or refused for lack of a token)
    assert (
        anonymous.post("/api/v1/submissions", json={"kind": "new", "document": FIELDS}).status_code
        == 401
    )
    assert (
        anonymous.post(
            "/api/v1/submissions",
            json={"kind": "new", "document": FIELDS},
            headers={"Authorization": "Bearer rs_forged"},
        ).status_code
        == 401
    )
    assert anonymous.post("/api/v1/submissions/1/publish").status_code == 401
    signed_in = app.test_client()
    login(signed_in, "editor_a")
    no_token = signed_in.post("/editor/new", data={**FIELDS, "action": "submit"})
    assert no_token.status_code == 400 and "CSRF" in no_token.get_data(as_text=True)
    wrong = signed_in.post(
        "/editor/new", data={**FIELDS, "action": "submit", "csrf_token": "x" * 40}
    )
    assert wrong.status_code == 400
    assert signed_in.post("/logout").status_code == 400  # even signing out needs the token
    login_without = app.test_client().post("/login", data={"username": "admin", "password": "x"})
    assert login_without.status_code == 400
    assert get_store(app).submissions() == [] and get_store(app).last_seq() == before


def test_session_ends_after_its_maximum_age(site) -> None:  # type: ignore[no-untyped-def]
    app, _ = site
    client = app.test_client()
    login(client, "editor_a")
    assert client.get("/editor/").status_code == 200
    with client.session_transaction() as session:
        session["signed_in_at"] = session["signed_in_at"] - 13 * 3600
    assert client.get("/editor/").status_code == 302  # signed out


def test_repeated_wrong_passwords_are_throttled(site) -> None:  # type: ignore[no-untyped-def]
    app, _ = site
    client = app.test_client()
    codes = [login(client, "editor_a", "wrong password").status_code for _ in range(5)]
    assert codes == [401] * 5
    throttled = login(client, "editor_a")  # even the right password waits now
    assert throttled.status_code == 429 and "登录失败次数过多" in throttled.get_data(as_text=True)
    other = app.test_client()  # the same name from elsewhere is throttled too
    assert login(other, "editor_a").status_code == 429
    assert login(other, "editor_b").status_code == 429  # and this address has used its tries


def test_markup_in_titles_and_bodies_is_escaped_everywhere(site) -> None:  # type: ignore[no-untyped-def]
    app, _ = site
    editor, reviewer = app.test_client(), app.test_client()
    login(editor, "editor_a")
    login(reviewer, "reviewer_a")
    title = f"关于{SCRIPT}的测试通知"
    body = f"第一条 正文里有<b onmouseover=x>标记</b>{SCRIPT}。"
    done = _submit_form(editor, {**FIELDS, "title": title, "body": body})
    location = done.headers["Location"]
    pages = [editor.get(location).get_data(as_text=True)]
    _publish(reviewer, location)
    from regsearch.web.writestate import SYNC

    assert app.extensions[SYNC].wait_for(get_store(app).last_seq(), timeout=30)
    doc_id = get_store(app).submissions()[0].doc_id
    login(admin := app.test_client(), "admin")
    pages += [
        editor.get(f"/doc/{doc_id}").get_data(as_text=True),
        editor.get("/updates").get_data(as_text=True),
        editor.get("/updates.atom").get_data(as_text=True),
        editor.get("/search?q=测试通知").get_data(as_text=True),
        admin.get("/admin/audit").get_data(as_text=True),
        reviewer.get("/editor/").get_data(as_text=True),
    ]
    for page in pages:
        assert SCRIPT not in page and "<b onmouseover" not in page
    assert "&lt;script&gt;" in pages[1] and "&lt;script&gt;" in pages[3]


def test_uploads_are_previewed_and_bad_ones_refused_with_nothing_stored(site) -> None:  # type: ignore[no-untyped-def]
    app, _ = site
    client = app.test_client()
    login(client, "editor_a")
    store = get_store(app)
    before = (store.last_seq(), len(store.audit_log(limit=None)))

    def upload(name: str, data: bytes):  # type: ignore[no-untyped-def]
        from werkzeug.test import EnvironBuilder

        token = csrf_token(client.get("/editor/new").get_data(as_text=True))
        builder = EnvironBuilder(
            path="/editor/new",
            method="POST",
            data={"csrf_token": token, "action": "preview", "upload": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )
        environ = builder.get_environ()
        try:
            return client.open(environ)
        finally:  # a large body is spooled to a temporary file the builder does not close
            environ["wsgi.input"].close()
            builder.close()

    word = upload(
        "细则.docx",
        docx_bytes(
            [
                "贵州省城市公共汽电车客运管理细则",
                "黔交发〔2024〕3号",
                "第一条 为了规范城市公共汽电车客运，制定本细则。",
                "第二条 本细则自发布之日起施行。",
            ]
        ),
    )
    html = word.get_data(as_text=True)
    assert word.status_code == 200 and "黔交发〔2024〕3号" in html and "条文（2 条）" in html
    assert 'value="贵州省城市公共汽电车客运管理细则"' in html  # the form is filled in to check
    pdf = upload(
        "办法.pdf",
        pdf_bytes(["贵州省交通运输行政执法办法", "第一条 为了规范行政执法，制定本办法。"]),
    )
    assert pdf.status_code == 200 and "贵州省交通运输行政执法办法" in pdf.get_data(as_text=True)
    fake = upload("通知.pdf", b"<html><body>not a pdf</body></html>")
    assert fake.status_code == 400 and "不是 PDF 文件" in fake.get_data(as_text=True)
    exe = upload("通知.docx", b"MZ\x90\x00" + b"\x00" * 2000)
    assert exe.status_code == 400 and "不是 Word" in exe.get_data(as_text=True)
    scanned = upload("扫描件.pdf", pdf_bytes([" "]))
    assert scanned.status_code == 400 and "没有文字层" in scanned.get_data(as_text=True)
    binary_text = upload("正文.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    assert binary_text.status_code == 400
    huge = upload("大文件.docx", b"PK\x03\x04" + b"0" * (11 * 1024 * 1024))
    assert huge.status_code == 413 and "上限 10 MB" in huge.get_data(as_text=True)
    assert store.submissions() == []
    assert (store.last_seq(), len(store.audit_log(limit=None))) == before


def test_cleanup_results_pages_and_csv(site) -> None:  # type: ignore[no-untyped-def]
    app, _ = site
    editor, reviewer = app.test_client(), app.test_client()
    login(editor, "editor_a")
    login(reviewer, "reviewer_a")
    token = csrf_token(editor.get("/editor/new").get_data(as_text=True))
    sheet = (WORKLIST + '=HYPERLINK("http://x"),,废止\n').encode("utf-8")
    preview = editor.post(
        "/editor/new",
        content_type="multipart/form-data",
        data={
            "csrf_token": token,
            "action": "preview",
            "upload": (io.BytesIO(sheet), "清理结论.csv"),
        },
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "清理结论（5 项）" in html
    worklist = re.search(r'name="worklist" type="hidden" value="([^"]*)"', html)
    assert worklist is not None
    import html as htmllib

    done = editor.post(
        "/editor/new",
        data={
            "csrf_token": token,
            "action": "submit",
            "worklist": htmllib.unescape(worklist.group(1)),
        },
    )
    assert done.status_code == 302
    _publish(reviewer, done.headers["Location"])
    from regsearch.web.writestate import SYNC

    assert app.extensions[SYNC].wait_for(get_store(app).last_seq(), timeout=30)
    decision = get_store(app).submissions()[0].doc_id
    index = editor.get("/cleanup-results").get_data(as_text=True)
    assert f'/cleanup-results/{decision}"' in index and "继续有效 1 件" in index
    page = editor.get(f"/cleanup-results/{decision}").get_data(as_text=True)
    for label in ("继续有效（1 件）", "废止（2 件）", "宣布失效（1 件）", "修改（1 件）"):
        assert label in page
    assert 'href="/doc/road"' in page and 'href="/doc/care"' in page and 'href="/doc/rural"' in page
    assert "库中未找到" in page
    data = editor.get(f"/api/cleanup-results/{decision}").get_json()
    assert {(r["conclusion"], r["target_id"]) for r in data["results"]} >= {
        ("继续有效", "road"),
        ("废止", "care"),
        ("宣布失效", "rural"),
    }
    assert editor.get("/api/doc/care").get_json()["status"] == "已废止"
    text = editor.get(f"/cleanup-results/{decision}.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:2] == ["清理结论", "标题"]
    assert ["废止", '\'=HYPERLINK("http://x")'] == rows[-1][:2] or any(
        r[1] == '\'=HYPERLINK("http://x")' for r in rows
    )
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_token_api_submits_and_a_reviewer_token_publishes(site) -> None:  # type: ignore[no-untyped-def]
    from regsearch.store import accounts
    from regsearch.store.base import Actor

    app, people = site
    store = get_store(app)
    editor_token, _ = accounts.issue_token(
        store, Actor("editor_a", people["editor_a"].id), people["editor_a"], "脚本"
    )
    reviewer_token, _ = accounts.issue_token(
        store, Actor("reviewer_a", people["reviewer_a"].id), people["reviewer_a"], "脚本"
    )
    api = app.test_client()
    made = api.post(
        "/api/v1/submissions",
        json={"kind": "new", "document": {**FIELDS, "title": "贵州省巡游出租汽车管理办法"}},
        headers={"Authorization": f"Bearer {editor_token}"},
    )
    assert made.status_code == 201, made.get_json()
    sub_id = made.get_json()["id"]
    assert (
        api.post(
            f"/api/v1/submissions/{sub_id}/publish",
            headers={"Authorization": f"Bearer {editor_token}"},
        ).status_code
        == 403
    )
    published = api.post(
        f"/api/v1/submissions/{sub_id}/publish",
        headers={"Authorization": f"Bearer {reviewer_token}"},
    )
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    wait_for_search(api, "巡游出租汽车", "贵州省巡游出租汽车管理办法")
    people_in_log = {(e.actor, e.address) for e in store.audit_log(limit=None)}
    assert {("editor_a", "127.0.0.1"), ("reviewer_a", "127.0.0.1")} <= people_in_log


def test_admin_pages_create_departments_and_users(site) -> None:  # type: ignore[no-untyped-def]
    app, _ = site
    client = app.test_client()
    login(client, "editor_a")
    assert client.get("/admin/").status_code == 403
    logout(client)
    login(client, "admin")
    page = client.get("/admin/").get_data(as_text=True)
    r = client.post(
        "/admin/departments",
        data={
            "name": "贵州省水利厅",
            "aliases": "省水利厅、水利厅",
            "csrf_token": csrf_token(page),
        },
    )
    assert r.status_code == 302
    dept = get_store(app).department(name="贵州省水利厅")
    assert dept.aliases == ["省水利厅", "水利厅"]
    page = client.get("/admin/").get_data(as_text=True)
    short = client.post(
        "/admin/users",
        data={
            "username": "water",
            "role": "editor",
            "department": str(dept.id),
            "password": "short",
            "csrf_token": csrf_token(page),
        },
    )
    assert short.status_code == 400
    ok = client.post(
        "/admin/users",
        data={
            "username": "water",
            "role": "editor",
            "department": str(dept.id),
            "password": "a long enough password",
            "csrf_token": csrf_token(page),
        },
    )
    assert ok.status_code == 302
    assert login(app.test_client(), "water", "a long enough password").status_code == 302
    actions = [e.action for e in get_store(app).audit_log(limit=5)]
    assert "user.create" in actions and "department.create" in actions
    assert DEPT_A in client.get("/admin/").get_data(as_text=True)


def test_a_form_address_opened_by_get_says_it_takes_post(site) -> None:  # type: ignore[no-untyped-def]
    app, _people = site
    client = app.test_client()
    r = client.get("/logout")
    assert r.status_code == 405
    assert r.headers["Allow"] == "OPTIONS, POST"
    assert "此地址只接受 POST 请求，不接受 GET。" in r.get_data(as_text=True)
