"""`regsearch db init | migrate | check | copy` and `--database` on the other commands,
against the PostgreSQL test server (tests/pg_support.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from regsearch.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpora" / "samples"


def invoke(*args: str, env: dict[str, str | None] | None = None):  # type: ignore[no-untyped-def]
    runner = CliRunner(env={"REGSEARCH_DATABASE_URL": None, "REGSEARCH_INDEX": None, **(env or {})})
    return runner.invoke(main, list(args), catch_exceptions=False)


def hits(*args: str) -> list[tuple[str, str]]:
    result = invoke(*args, "search", "--json", "--limit", "20", "办法")
    assert result.exit_code == 0, result.output
    return [(h["id"], h["status"]) for h in json.loads(result.stdout)["results"]]


def test_a_server_that_is_down_is_one_line_without_traceback() -> None:
    for args in (
        ["db", "check", "--database", "postgresql://u:pw@127.0.0.1:9/x"],
        ["--database", "postgresql://u:pw@127.0.0.1:9/x", "search", "办法"],
    ):
        result = invoke(*args)
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("错误: 无法连接数据库"), result.output
        assert "pw" not in result.output and "Traceback" not in result.output
    result = invoke("db", "check", "--database", "mysql://x")
    assert result.exit_code == 1 and "应形如 postgresql://" in result.output
    result = invoke("db", "check")
    assert result.exit_code == 1 and "REGSEARCH_DATABASE_URL" in result.output
    result = invoke("search", "办法", env={"REGSEARCH_DATABASE_URL": "mysql://x/y"})
    assert result.exit_code == 1 and "数据库地址 mysql://x/y 无效" in result.output


def test_init_check_and_an_old_schema(pg_url: str) -> None:
    result = invoke("--database", pg_url, "search", "办法")
    assert result.exit_code == 1 and "regsearch db init" in result.output
    assert invoke("db", "init", "--database", pg_url).exit_code == 0
    assert invoke("db", "init", "--database", pg_url).exit_code == 0  # twice is fine
    result = invoke("db", "check", "--json", env={"REGSEARCH_DATABASE_URL": pg_url})
    info = json.loads(result.stdout)
    assert (info["schema_version"], info["last_seq"], info["index_generation"]) == (1, 0, None)
    result = invoke("--database", pg_url, "search", "办法")
    assert result.exit_code == 1 and "还没有索引" in result.output

    from regsearch.store.postgres import PostgresStore

    PostgresStore(pg_url).set_meta("schema_version", "0")
    result = invoke("--database", pg_url, "users", "list")
    assert result.exit_code == 1 and "regsearch db init" in result.output


def test_ingest_search_and_copy_both_ways(pg_url: str, tmp_path: Path) -> None:
    embedded = tmp_path / "main"
    assert invoke("ingest", "--index", str(embedded), str(SAMPLES)).exit_code == 0
    want = _hits_index(embedded)
    assert want

    assert invoke("db", "init", "--database", pg_url).exit_code == 0
    result = invoke("db", "copy", "--from", str(embedded), "--to", pg_url)
    assert result.exit_code == 0, result.output
    assert "文件库：复制" in result.output and "建立完成" in result.output
    assert hits("--database", pg_url) == want
    again = invoke("db", "copy", "--from", str(embedded), "--to", pg_url)
    assert again.exit_code == 1 and "已有数据" in again.output

    back = tmp_path / "back"
    result = invoke("db", "copy", "--from", pg_url, "--to", str(back))
    assert result.exit_code == 0, result.output
    assert _hits_index(back) == want
    from regsearch.store import open_store

    a, b = open_store(index_dir=embedded), open_store(database=pg_url)
    assert [c.seq for c in a.changes()] == [c.seq for c in b.changes()]
    assert a.meta("store_id") == b.meta("store_id")

    # the PostgreSQL installation takes new documents like the embedded one
    result = invoke("--database", pg_url, "ingest", str(SAMPLES / "markdown"))
    assert result.exit_code == 0, result.output
    assert "未变" in result.output


def _hits_index(index: Path) -> list[tuple[str, str]]:
    result = invoke("search", "--index", str(index), "--json", "--limit", "20", "办法")
    assert result.exit_code == 0, result.output
    return [(h["id"], h["status"]) for h in json.loads(result.stdout)["results"]]


@pytest.mark.parametrize("args", [["db", "init"], ["db", "migrate"]])
def test_init_and_migrate_say_where(pg_url: str, args: list[str]) -> None:
    result = invoke(*args, "--database", pg_url)
    assert result.exit_code == 0 and "postgresql://" in result.output
