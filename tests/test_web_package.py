"""A non-editable install serves the templates and static files: build the wheel and look inside."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(out)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("regsearch-*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


def test_wheel_contains_templates_and_static_files(wheel_names: set[str]) -> None:
    assets = [p for p in (ROOT / "web").rglob("*") if p.is_file()]
    assert any(p.suffix == ".html" for p in assets) and any(p.suffix == ".css" for p in assets)
    for path in assets:
        assert "regsearch/webroot/" + path.relative_to(ROOT / "web").as_posix() in wheel_names


def test_wheel_contains_every_module(wheel_names: set[str]) -> None:
    """The package list in pyproject.toml is explicit: a new subpackage must be added there."""
    for path in (ROOT / "regsearch").rglob("*.py"):
        if "__pycache__" not in path.parts:
            assert path.relative_to(ROOT).as_posix() in wheel_names


def test_installed_copy_serves_pages_and_assets(wheel: Path, tmp_path: Path) -> None:
    """Installed from the wheel (not the source tree), the app still renders and serves assets."""
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    script = (
        "import regsearch.web as w\n"
        "print(w.assets_dir())\n"
        "c = w.create_app({'INDEX': 'no-such-index'}).test_client()\n"
        "r = c.get('/')\n"
        "print(r.status_code, 'ingest' in r.get_data(as_text=True))\n"
        "for p in ('/static/style.css', '/static/app.js'):\n"
        "    with c.get(p) as r: print(r.status_code)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        str(target / "regsearch" / "webroot"),
        "503 True",
        "200",
        "200",
    ]
