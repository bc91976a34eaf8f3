"""The README's quick start and its switch to real data, run as written in a fresh folder.

The folder is laid out as the README assumes (`corpora/samples` in the project,
`../shared/corpora/...` beside it) with a small real subset of each collection, so the
commands run verbatim from the README's text. Not run: `pip install .` (this test runs
in an installed environment; tests/test_web_package.py builds the wheel and checks
its contents) and the test command (that is this suite; .ci/run runs it). `regsearch
serve` is given a free port, as port 8000 may be taken on a shared machine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.corpus

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = README.index(title)
    end = README.find("\n#", start + len(title))
    return README[start : end if end > 0 else None]


def commands(text: str) -> list[str]:
    """The command lines of the ```sh blocks of `text`."""
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_the_quick_start_is_two_commands() -> None:
    quick = section("## Quick start")
    assert commands(quick) == [
        "python3 -m pip install . && regsearch ingest corpora/samples && regsearch serve",
        "python3 -m pip install -e '.[test]' && python3 -m pytest",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python -m pip install -q -e '.[test]'" in ci and "python -m pytest" in ci


@pytest.fixture()
def project(tmp_path: Path, corpora_dir: Path) -> Path:
    """tmp/project (with the embedded samples) beside tmp/shared/corpora (a real subset)."""
    project = tmp_path / "project"
    (project / "corpora").mkdir(parents=True)
    shutil.copytree(ROOT / "corpora" / "samples", project / "corpora" / "samples")
    shared = tmp_path / "shared" / "corpora"
    law = shared / "lawrefbook"
    law.mkdir(parents=True)
    shutil.copy2(corpora_dir / "lawrefbook" / "db.sqlite3", law / "db.sqlite3")
    (law / "社会法").mkdir()
    for name in ("社会保险法(2018-12-29).md", "劳动合同法(2012-12-28).md", "劳动法(2018-12-29).md"):
        shutil.copy2(corpora_dir / "lawrefbook" / "社会法" / name, law / "社会法" / name)
    supervision = Path("waystowork") / "xzzfhg" / "09行政执法监督"
    shutil.copytree(corpora_dir / supervision, shared / supervision)
    shutil.copytree(corpora_dir / "govcn-html", shared / "govcn-html")
    return project


def run(project: Path, command: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGSEARCH_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "120"
    return subprocess.run(
        ["bash", "-c", command], cwd=project, env=env, capture_output=True, text=True, timeout=600
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str, tries: int = 300) -> str:
    for _ in range(tries):
        try:
            with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - local server
                return str(r.read().decode("utf-8"))
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


def search(project: Path, query: str) -> list[dict]:  # type: ignore[type-arg]
    res = run(project, f"regsearch search {query} --json --limit 20")
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)["results"]  # type: ignore[no-any-return]


def test_quick_start_then_real_documents(project: Path) -> None:
    install, ingest, serve = (c.strip() for c in commands(section("## Quick start"))[0].split("&&"))
    assert (install, serve) == ("python3 -m pip install .", "regsearch serve")

    # 1. the samples, served
    done = run(project, ingest)
    assert done.returncode == 0, done.stderr
    assert (project / "indexes" / "main" / "CURRENT").exists()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGSEARCH_")}
    exe = str(Path(sys.executable).parent / "regsearch")
    log = (project / "serve.log").open("w", encoding="utf-8")
    server = subprocess.Popen(
        [exe, *serve.split()[1:], "--port", str(port)],
        cwd=project,
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        home = fetch(f"http://127.0.0.1:{port}/")
        assert "收录 11 件文件" in home
        assert "其中 11 件是项目自编的<strong>示例文件</strong>" in home
        hits = fetch(f"http://127.0.0.1:{port}/search?q=%E8%A1%8C%E6%94%BF%E8%A7%84%E8%8C%83")
        assert 'class="badge sample"' in hits
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    # 2. the switch to real data, as written
    switch = commands(section("### Real documents instead of the samples"))
    assert len(switch) == 1 and switch[0].startswith("regsearch ingest --rebuild ")
    done = run(project, switch[0])
    assert done.returncode == 0, done.stderr
    assert "注意" not in done.stderr  # nothing mixed
    stats = json.loads(run(project, "regsearch stats --json").stdout)
    assert set(stats["collections"]) == {"lawrefbook", "waystowork", "govcn-html"}

    # what a new user then looks for comes from the real documents, first
    first = search(project, "行政规范性文件合法性审核")
    assert first[0]["doc_number"] == "国办发〔2018〕115号"
    assert {r["collection"] for r in first} <= {"lawrefbook", "waystowork", "govcn-html"}
    law = run(project, "regsearch show 社会保险法第十条")
    assert law.returncode == 0, law.stderr
    assert "中华人民共和国社会保险法" in law.stdout
    assert "第十条 职工应当参加基本养老保险" in law.stdout
    assert "国家法律法规数据库（https://flk.npc.gov.cn/）" in law.stdout
    report = run(project, "regsearch cleanup --format csv")
    assert report.returncode == 0, report.stderr
    assert ",samples," not in report.stdout
    assert "贵州省公共数据授权运营管理办法" not in report.stdout
