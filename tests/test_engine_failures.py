"""Safe failure of the index itself: an unreadable index is never silently replaced, an
empty one is served as empty, a damaged one is reported, a killed ingest leaves no
worker and no lock behind; and the cost of one query is bounded."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from regsearch.cli import main
from regsearch.engine.whoosh import store
from regsearch.errors import EmptySource, IndexBusy, IndexDamaged, QueryTooComplex
from regsearch.index.update import update_index
from regsearch.model import Document, SearchQuery
from regsearch.search.query import MAX_DEPTH, MAX_WORDS, parse_query
from regsearch.search.service import SearchService
from regsearch.web import create_app

DOCS = Path(__file__).resolve().parent / "data" / "search" / "docs.jsonl"


def _docs() -> list[Document]:
    lines = DOCS.read_text("utf-8").splitlines()
    return [Document.from_dict(json.loads(x)) for x in lines if x.strip()]


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    path = tmp_path / "ix"
    update_index(path, _docs())
    return path


@pytest.fixture
def client_for():  # type: ignore[no-untyped-def]
    """A test client over an index directory; its service is closed afterwards."""
    apps = []

    def make(index_dir: Path, **config):  # type: ignore[no-untyped-def]
        app = create_app({"INDEX": str(index_dir), "TESTING": True, **config})
        apps.append(app)
        return app.test_client()

    yield make
    for app in apps:
        service = app.extensions.get("regsearch.service")
        if service is not None:
            service.close()


def _count(index_dir: Path) -> int:
    with SearchService(index_dir) as svc:
        return int(svc.stats()["documents"])


# -- an index that cannot be read is never rebuilt from the new files alone -------------


@pytest.mark.parametrize("damage", ["missing", "corrupt", "other-schema", "not-an-object"])
def test_incremental_ingest_over_an_unreadable_meta_refuses(index_dir: Path, damage: str) -> None:
    meta = store.current_generation(index_dir) / store.META
    if damage == "missing":
        meta.unlink()
    elif damage == "corrupt":
        meta.write_text('{"schema_version": 6, "built', encoding="utf-8")
    elif damage == "other-schema":
        meta.write_text(json.dumps({"schema_version": 1}), encoding="utf-8")
    else:
        meta.write_text("[1, 2]", encoding="utf-8")
    new = [Document(id="new", title="新文件", collection="x", source="new.md", body="新的内容")]
    with pytest.raises(IndexDamaged, match="--rebuild"):
        update_index(index_dir, new)
    result = CliRunner().invoke(main, ["search", "劳动", "--index", str(index_dir)])
    assert result.exit_code == 1 and "--rebuild" in result.output
    assert "Traceback" not in result.output
    # Asked to, a rebuild replaces it.
    update_index(index_dir, new, rebuild=True)
    assert _count(index_dir) == 1


def test_a_pointer_to_a_missing_generation_is_damage_not_absence(index_dir: Path) -> None:
    (index_dir / store.POINTER).write_text("gen-999999", encoding="utf-8")
    with pytest.raises(IndexDamaged, match="--rebuild"):
        update_index(index_dir, _docs()[:1])
    with pytest.raises(IndexDamaged):
        SearchService(index_dir).search(SearchQuery(q="劳动"))


# -- empty sources and empty indexes -----------------------------------------------------


def test_rebuild_from_an_empty_source_refuses_unless_asked(index_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(EmptySource, match="--allow-empty"):
        update_index(index_dir, [], rebuild=True)
    assert _count(index_dir) == 12  # the previous index still serves
    result = CliRunner().invoke(
        main, ["ingest", str(empty), "--rebuild", "--index", str(index_dir)]
    )
    assert result.exit_code == 1 and "--allow-empty" in result.output
    assert _count(index_dir) == 12
    result = CliRunner().invoke(
        main, ["ingest", str(empty), "--rebuild", "--allow-empty", "--index", str(index_dir)]
    )
    assert result.exit_code == 0, result.output
    assert _count(index_dir) == 0


def test_an_empty_index_is_served_as_empty(tmp_path: Path, client_for) -> None:
    index_dir = tmp_path / "ix"
    update_index(index_dir, [], allow_empty=True)
    with SearchService(index_dir) as svc:
        assert svc.search(SearchQuery(q="劳动合同")).total == 0
        assert svc.search(SearchQuery(q="老板把我辞退了，能要经济补偿吗？")).total == 0
        assert svc.search(SearchQuery(q="", status=["现行有效"])).total == 0
        assert svc.stats()["documents"] == 0
        assert svc.warm_up() >= 0
    client = client_for(index_dir)
    for url in ("/", "/search?q=劳动", "/search?q=", "/api/search?q=劳动", "/api/stats"):
        assert client.get(url).status_code == 200, url
    assert client.get("/healthz").get_json()["documents"] == 0
    assert client.get("/doc/nothing").status_code == 404
    assert client.get("/search?q=%E6%B2%A1%E6%9C%89&page=3").status_code == 200


# -- a damaged generation is reported, never a traceback ---------------------------------


def _damage_segments(index_dir: Path) -> None:
    gen = store.current_generation(index_dir)
    for path in gen.iterdir():
        if path.suffix in (".pst", ".trm", ".seg"):
            path.write_bytes(b"\x00" * 16)


def test_a_damaged_generation_is_reported_by_healthz_and_the_cli(
    index_dir: Path, client_for
) -> None:
    _damage_segments(index_dir)
    client = client_for(index_dir)
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["error"]["code"] == "index_damaged"
    assert "--rebuild" in health.get_json()["error"]["message"]
    page = client.get("/search?q=劳动")
    assert page.status_code == 503 and "--rebuild" in page.get_data(as_text=True)
    for args in (["search", "劳动"], ["stats"], ["serve"]):
        result = CliRunner().invoke(main, [*args, "--index", str(index_dir)])
        assert result.exit_code == 1, (args, result.output)
        assert "--rebuild" in result.output and "Traceback" not in result.output


# -- a killed ingest leaves no worker and no lock behind ---------------------------------


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.update(int(x) for x in text)
    return found


def test_workers_of_a_killed_ingest_die_with_it_and_release_the_lock(
    tmp_path: Path, index_dir: Path
) -> None:
    marker = tmp_path / "midway"
    script = tmp_path / "update.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import json
            from dataclasses import replace
            from regsearch.model import Document
            from regsearch.index.update import update_index
            lines = open({str(DOCS)!r}, encoding="utf-8").read().splitlines()
            base = [Document.from_dict(json.loads(x)) for x in lines if x.strip()]
            # distinct documents (identical copies would be merged into one record)
            docs = [replace(base[i % len(base)], id=f"big{{i}}", source=f"big{{i}}.md",
                            title=f"{{base[i % len(base)].title}}{{i}}",
                            body=(base[i % len(base)].body + "\\n") * 400, articles=[],
                            content_hash=f"b{{i}}") for i in range(600)]
            def progress(done, total):
                if done >= 40:
                    open({str(marker)!r}, "w").close()
            update_index({str(index_dir)!r}, docs, progress=progress)
            """
        ),
        encoding="utf-8",
    )
    proc = subprocess.Popen([sys.executable, str(script)])
    deadline = time.time() + 120
    while not marker.exists():
        assert proc.poll() is None and time.time() < deadline
        time.sleep(0.05)
    workers = _children(proc.pid)
    assert workers  # the batch is large enough to be split between worker processes
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 10
    while any(Path(f"/proc/{w}").exists() and _alive(w) for w in workers):
        assert time.time() < deadline, "a worker outlived the killed ingest"
        time.sleep(0.05)
    report = update_index(index_dir, _docs())  # the lock is free at once
    assert report.counts()["unchanged"] == 12
    assert not any(
        p.name.startswith("gen-") and not (p / store.META).exists()
        for p in index_dir.iterdir()
        if p.name != store.current_name(index_dir)
    )


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_second_writer_gets_busy_not_a_broken_index(index_dir: Path) -> None:
    with store.write_lock(index_dir):
        with pytest.raises(IndexBusy):
            update_index(index_dir, _docs())
    assert _count(index_dir) == 12


# -- the cost of a query is bounded -------------------------------------------------------


def test_deep_nesting_and_many_words_get_a_message_not_a_crash(index_dir: Path, client_for) -> None:
    with pytest.raises(QueryTooComplex, match="嵌套"):
        parse_query("(" * 400 + "劳动" + ")" * 400)
    parse_query("(" * MAX_DEPTH + "劳动" + ")" * MAX_DEPTH)
    with pytest.raises(QueryTooComplex, match="词太多"):
        parse_query(" ".join(f"词{i}" for i in range(MAX_WORDS + 1)))
    result = CliRunner().invoke(
        main, ["search", "(" * 400 + "劳动" + ")" * 400, "--index", str(index_dir)]
    )
    assert result.exit_code != 0 and "嵌套" in result.output
    assert "Traceback" not in result.output and "RecursionError" not in result.output
    client = client_for(index_dir)
    page = client.get("/search", query_string={"q": "(" * 90 + "劳动" + ")" * 90})
    assert page.status_code == 400 and "嵌套" in page.get_data(as_text=True)


def test_a_long_zero_hit_query_page_runs_a_bounded_number_of_searches(index_dir: Path) -> None:
    from regsearch.web import views

    readers = []

    class Counting(SearchService):
        def read(self):  # type: ignore[no-untyped-def]
            reader = super().read()
            readers.append(reader)
            return reader

    service = Counting(index_dir)
    client = create_app(
        {"INDEX": str(index_dir), "SERVICE": service, "TESTING": True}
    ).test_client()
    words = " ".join(f"无此词{i}" for i in range(30))  # 30 words, none in the index
    page = client.get("/search", query_string={"q": words, "level": "法律", "status": "现行有效"})
    assert page.status_code == 200 and "没有" in page.get_data(as_text=True)
    assert len(readers) == 1  # one snapshot for the whole page
    # the search, at most MAX_DIAGNOSES relaxations, and the suggestions
    assert readers[0].searches <= 1 + views.MAX_DIAGNOSES + 1
    service.close()
