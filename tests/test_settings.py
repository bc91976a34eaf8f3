"""Numbers an operator sets in the environment: a bad one is named, with what it takes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from regsearch import settings
from regsearch.settings import BadSetting

ROOT = Path(__file__).resolve().parent.parent


def test_unset_or_empty_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REGSEARCH_X", raising=False)
    assert settings.count("REGSEARCH_X", 7) == 7
    monkeypatch.setenv("REGSEARCH_X", "  ")
    assert settings.megabytes("REGSEARCH_X", 1.5) == 1.5 * 2**20


def test_values_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGSEARCH_X", "3")
    assert settings.count("REGSEARCH_X", 7) == 3
    monkeypatch.setenv("REGSEARCH_X", "0.5")
    assert settings.megabytes("REGSEARCH_X", 64) == 2**19


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("lots", lambda: settings.megabytes("REGSEARCH_X", 64)),
        ("nan", lambda: settings.megabytes("REGSEARCH_X", 64)),
        ("-1", lambda: settings.megabytes("REGSEARCH_X", 64)),
        ("2.5", lambda: settings.count("REGSEARCH_X", 2)),  # a count is whole
        ("0", lambda: settings.count("REGSEARCH_X", 2)),  # at least one worker
    ],
)
def test_a_bad_value_names_the_variable_and_what_it_takes(
    monkeypatch: pytest.MonkeyPatch, value: str, read
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("REGSEARCH_X", value)
    with pytest.raises(BadSetting) as err:
        read()
    message = str(err.value)
    assert "REGSEARCH_X" in message and repr(value) in message and "默认" in message


def test_the_cli_says_which_setting_is_wrong_without_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "REGSEARCH_POSTINGS_CACHE_MB": "lots", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "regsearch", "search", "刑法", "--index", str(tmp_path / "ix")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 1
    assert "REGSEARCH_POSTINGS_CACHE_MB='lots'" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
