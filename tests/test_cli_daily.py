# ruff: noqa: E501 - exact expected messages are wider than 100 columns
"""The terminal as legal staff use it every day: unquoted queries, usage errors with exit 2,
tables that fit the terminal, `show` by any name, and no tracebacks (CliRunner)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from daily_index import AS_OF, build_daily_index

from regsearch.cli import main
from regsearch.cli.output import display_width

SAMPLES = Path(__file__).resolve().parent.parent / "corpora" / "samples"


@pytest.fixture(scope="module")
def daily_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_daily_index(tmp_path_factory.mktemp("daily") / "index")


@pytest.fixture()
def cli(daily_index: Path):  # type: ignore[no-untyped-def]
    """Run a command over the daily index, piped (no terminal) and with no $COLUMNS."""
    runner = CliRunner(env={"COLUMNS": None, "REGSEARCH_INDEX": None, "REGSEARCH_BASE_URL": None})

    def invoke(*args: str, env: dict[str, str | None] | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(main, [args[0], "--index", str(daily_index), *args[1:]], env=env)

    return invoke


def ids(result) -> list[str]:  # type: ignore[no-untyped-def]
    assert result.exit_code == 0, result.output
    return [r["id"] for r in json.loads(result.stdout)["results"]]


# --- queries without quotes ------------------------------------------------------


def test_multi_word_queries_need_no_quotes(cli) -> None:  # type: ignore[no-untyped-def]
    quoted = ids(cli("search", "监管 OR 补助", "--json"))
    assert set(quoted) == {"d-gov", "d-finance"}
    assert ids(cli("search", "监管", "OR", "补助", "--json")) == quoted


def test_a_minus_word_excludes_it(cli) -> None:  # type: ignore[no-untyped-def]
    every = ids(cli("search", "示范", "--json", "--limit", "50"))
    without = ids(cli("search", "示范", "-补助", "--json", "--limit", "50"))
    assert "d-finance" in every and "d-finance" not in without
    assert set(without) == set(every) - {"d-finance"}
    assert ids(cli("search", "示范 -补助", "--json", "--limit", "50")) == without
    # options may come before, between or after the words; `--` ends the options
    assert ids(cli("search", "--json", "示范", "--limit", "50", "-补助")) == without
    assert ids(cli("search", "--json", "--limit", "50", "--", "示范", "-补助")) == without


def test_a_mistyped_option_is_still_an_error(cli) -> None:  # type: ignore[no-untyped-def]
    res = cli("search", "示范", "--stauts", "现行有效")
    assert res.exit_code == 2
    assert "No such option '--stauts'. Did you mean '--status'?" in res.stderr


# --- every bad option value is a usage error (exit 2) ---------------------------------

STATUSES = "尚未发布、尚未施行、现行有效、已修改、部分失效、已失效、已废止、不适用"
LEVELS = (
    "宪法、法律、行政法规、监察法规、司法解释、部门规章、地方性法规、地方政府规章、规范性文件、其他"
)
KINDS = "superseded、repealed、expired、expiring、not-yet-effective、broken-basis、duplicates"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "示范", "--status", "有效"], f"Invalid value for '--status': 没有这个时效状态：有效（可选：{STATUSES}）"),
        (["search", "示范", "--level", "法规"], f"Invalid value for '--level': 没有这个效力级别：法规（可选：{LEVELS}）"),
        (["search", "示范", "--collection", "nosuch"], "Invalid value for '--collection': 没有这个集合：nosuch（可选：waystowork、lawrefbook、govcn-html、samples）"),
        (["search", "示范", "--as-of", "2025-13-01"], "Invalid value for '--as-of': 不是有效日期：2025-13-01（应为 YYYY-MM-DD，也可写 YYYY 或 YYYY-MM）"),
        (["search", "示范", "--from", "2021", "--to", "2020"], "Invalid value for --from: 起始日期 2021-01-01 晚于截止日期 2020-12-31"),
        (["search", "示范", "--sort", "best"], "Invalid value for '--sort': 没有这个排序方式：best（可选：relevance、newest、oldest）"),
        (["search", "作者:张三"], "Invalid value for 'QUERY...': 没有这个字段：作者（可用的字段：标题、文号、机关、全文（或 title、number、authority、body））"),
        (["search", "示范", "titel:办法"], "没有这个字段：titel"),
        (["cleanup", "--kind", "obsolete"], f"Invalid value for '--kind': 没有这个清理类别：obsolete（可选：{KINDS}）"),
        (["cleanup", "--group-by", "topic"], "Invalid value for '--group-by': 没有这个分组方式：topic（可选：authority、level、region、collection）"),
        (["cleanup", "--level", "法规"], f"没有这个效力级别：法规（可选：{LEVELS}）"),
        (["cleanup", "--as-of", "2025-02-30"], "Invalid value for '--as-of': 不是有效日期：2025-02-30"),
        (["cleanup", "--within", "-5"], "Invalid value for '--within'"),
        (["cleanup", "--bom"], "--bom 只适用于 --format csv。"),
        (["show", "d-md", "--as-of", "昨天"], "Invalid value for '--as-of': 不是有效日期：昨天"),
    ],
)  # fmt: skip
def test_bad_option_values_exit_2_with_the_known_values(cli, args, message) -> None:  # type: ignore[no-untyped-def]
    res = cli(*args)
    assert res.exit_code == 2, res.output
    assert message in res.stderr
    assert res.stdout == "" and "Traceback" not in res.output


def test_dates_may_be_a_year_or_a_month(cli) -> None:  # type: ignore[no-untyped-def]
    in_2019 = ids(
        cli("search", "示范", "--from", "2019", "--to", "2019", "--json", "--limit", "50")
    )
    assert set(in_2019) == {"d-gov", "d-eq", "d-plus", "d-minus", "d-at", "d-tab", "d-finance"}
    assert ids(cli("search", "示范", "--from", "2019-05", "--to", "2019-05", "--json")) == ["d-at"]


def test_chinese_names_of_kinds_and_groups_work(cli) -> None:  # type: ignore[no-untyped-def]
    english = cli("cleanup", "--as-of", AS_OF, "--kind", "expired", "--group-by", "authority")
    chinese = cli("cleanup", "--as-of", AS_OF, "--kind", "已失效", "--group-by", "发文机关")
    assert english.exit_code == chinese.exit_code == 0
    assert english.stdout == chinese.stdout


def test_a_scheduled_check_tells_items_from_typos(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("cleanup", "--as-of", AS_OF, "--check").exit_code == 1  # items to clean
    assert cli("cleanup", "--as-of", "2019-01-01", "--kind", "expired", "--check").exit_code == 0
    assert cli("cleanup", "--as-of", AS_OF, "--kind", "expird", "--check").exit_code == 2


def test_an_unknown_authority_gets_a_hint(cli) -> None:  # type: ignore[no-untyped-def]
    res = cli("search", "示范", "--authority", "国务院办公室")
    assert res.exit_code == 0  # zero hits is success
    assert res.stdout == "共 0 条结果。\n"
    assert res.stderr == "提示：索引中没有发文机关“国务院办公室”；相近的有：国务院办公厅\n"


# --- tables that fit the terminal --------------------------------------------------


def table_lines(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    assert lines[1].startswith("ID ")
    return lines[1:]


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_the_table_fits_the_terminal_cutting_only_titles(cli, columns: int) -> None:  # type: ignore[no-untyped-def]
    res = cli("search", "示范", "--limit", "20", env={"COLUMNS": str(columns)})
    assert res.exit_code == 0, res.output
    lines = table_lines(res.stdout)
    assert all(display_width(line) <= columns for line in lines), lines
    body = "\n".join(lines)
    for number in ("国办发〔2019〕1号", "某市人民政府令第12号", "国办发〔2019〕2号"):
        assert number in body  # 文号 are never cut
    for doc_id in ("d-law-2020", "d-gov", "d-finance"):
        assert f"\n{doc_id} " in body  # the ID column, in full
    if columns >= 120:
        assert "国务院办公厅关于推行示范监管的通知" in body
    else:
        assert "国务院办公厅关于推行示范监管的通知" not in body
        assert "国务院办公厅关" in body and "…" in body
    # at 60 columns the date makes way for the title
    assert ("发布日期" in lines[0]) == (columns > 60)


def test_piped_output_keeps_whole_cells(cli) -> None:  # type: ignore[no-untyped-def]
    res = cli("search", "监管")
    assert res.stdout.splitlines()[0] == "共 1 条结果（第 1/1 页）"
    row = res.stdout.splitlines()[3]
    assert row.split() == [
        "d-gov",
        "现行有效",
        "国办发〔2019〕1号",
        "2019-01-05",
        "国务院办公厅关于推行示范监管的通知",
    ]
    # columns line up in terminal cells: each starts where its header starts
    header = res.stdout.splitlines()[1]
    assert display_width(header[: header.index("文号")]) == display_width(
        row[: row.index("国办发")]
    )
    assert (
        res.stdout.splitlines()[4].strip()
        == "各省、自治区、直辖市人民政府：推行示范监管，现通知如下。"
    )


def test_a_page_past_the_last_says_so(cli) -> None:  # type: ignore[no-untyped-def]
    res = cli("search", "示范", "--page", "9")
    assert res.exit_code == 0
    assert res.stdout == "共 11 条结果；第 9 页超出了最后一页（第 2 页），请用 --page 1 到 2。\n"


# --- show -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ref",
    [
        ["d-gov"],
        ["国办发[2019]1号"],  # 文号 in another bracket style
        ["国务院办公厅关于推行示范监管的通知"],  # the title
    ],
)
def test_show_by_id_doc_number_or_title(cli, ref: list[str]) -> None:  # type: ignore[no-untyped-def]
    res = cli("show", *ref)
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0] == "标题      国务院办公厅关于推行示范监管的通知"
    assert "ID        d-gov" in res.stdout


def test_show_by_short_name_picks_the_version_in_force(cli) -> None:  # type: ignore[no-untyped-def]
    res = cli("show", "示范保护法")
    assert res.exit_code == 0, res.output
    assert "ID        d-law-2020" in res.stdout
    old = cli("show", "示范保护法", "--as-of", "2015-01-01")
    assert "ID        d-law-2010" in old.stdout


def test_show_an_article_by_its_search_id_or_citation(cli) -> None:  # type: ignore[no-untyped-def]
    hit = json.loads(cli("search", "新版第3项", "--articles", "--json").stdout)["results"][0]
    assert (hit["id"], hit["article"]) == ("d-law-2020#2", "第三条")
    by_id = cli("show", hit["id"])
    assert by_id.exit_code == 0, by_id.output
    assert by_id.stdout.endswith("\n【第一章 总则】\n第三条 新版第3项规定，示范条款的内容。\n")
    cited = cli("show", "示范保护法第三条")
    assert cited.stdout == by_id.stdout
    assert cli("show", "示范保护法第3条").stdout == by_id.stdout
    assert cli("show", "d-law-2020#第三条").stdout == by_id.stdout
    res = cli("show", "示范保护法第九条")
    assert res.exit_code == 1
    assert res.stderr == "错误: 《中华人民共和国示范保护法》中没有“第九条”。\n"


def test_show_lists_candidates_when_no_title_is_exact(cli) -> None:  # type: ignore[no-untyped-def]
    res = cli("show", "示范")
    assert res.exit_code == 1
    assert res.stderr.startswith("错误: 没有标题恰为“示范”的文档；标题含有它的有：\n  ")
    assert "\n请用其中的 ID 或完整标题查看。" in res.stderr


def test_show_speaks_chinese_and_prints_the_whole_text_on_request(cli) -> None:  # type: ignore[no-untyped-def]
    res = cli("show", "d-law-2010", "--as-of", AS_OF)
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "时效状态  已修改（截至 2025-06-01）这一版本已被新版本取代" in out
    assert "现行版本  《中华人民共和国示范保护法》  ID d-law-2020" in out
    assert "来源      国家法律法规数据库（https://flk.npc.gov.cn/）" in out
    assert "  新版本（取代本文件）：《中华人民共和国示范保护法》 2020-06-01  ID d-law-2020" in out
    for internal in ("default", "version_chain", "superseded_by", "lawrefbook", ".md"):
        assert internal not in out
    assert out.endswith(
        "共 3 条（第一条至第三条）。加 --full 显示全文，--article 第一条 只显示一条。\n"
    )
    full = cli("show", "d-law-2010", "--full").stdout
    assert full.endswith(
        "\n【第一章 总则】\n第一条 旧版第1项规定，示范条款的内容。\n"
        "第二条 旧版第2项规定，示范条款的内容。\n第三条 旧版第3项规定，示范条款的内容。\n"
    )
    gov = cli("show", "d-gov").stdout
    assert (
        "来源      中国政府网：https://www.gov.cn/zhengce/content/2019-01/05/content_5000001.htm"
        in gov
    )


# --- no tracebacks --------------------------------------------------------------------


def test_output_into_a_missing_folder(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "no" / "such" / "清单.csv"
    res = cli("cleanup", "--format", "csv", "-o", str(target))
    assert res.exit_code == 2
    assert f"Invalid value for --output: 文件夹 {target.parent} 不存在；请先创建它" in res.stderr
    assert "Traceback" not in res.output


def test_a_full_disk(cli) -> None:  # type: ignore[no-untyped-def]
    res = cli("cleanup", "--as-of", AS_OF, "--format", "csv", "-o", "/dev/full")
    assert res.exit_code == 1
    assert res.stderr == ("错误: 磁盘空间不足。请腾出空间后重试（原有索引和文件不受影响）。\n")


def test_debug_shows_the_traceback(daily_index: Path) -> None:
    args = ["cleanup", "--format", "csv", "-o", "/dev/full", "--index", str(daily_index)]
    quiet = CliRunner().invoke(main, args)
    assert quiet.exit_code == 1 and isinstance(quiet.exception, SystemExit)
    loud = CliRunner().invoke(main, ["--debug", *args])
    assert isinstance(loud.exception, OSError)  # raised, so the traceback is printed


def test_an_index_location_that_is_a_file(tmp_path: Path) -> None:
    file = tmp_path / "index.txt"
    file.write_text("not an index", encoding="utf-8")
    runner = CliRunner(env={"REGSEARCH_INDEX": str(file)})
    for args in (["search", "示范"], ["stats"], ["show", "x"], ["cleanup"]):
        res = runner.invoke(main, args)
        assert res.exit_code == 1, (args, res.output)
        assert res.stderr == (
            f"错误: 索引位置 {file}（来自REGSEARCH_INDEX）是一个文件，不是文件夹："
            "请用 --index 或 REGSEARCH_INDEX 指向索引文件夹。\n"
        )
    res = runner.invoke(main, ["ingest", str(SAMPLES)])
    assert res.exit_code == 1 and "是一个文件，不是文件夹" in res.stderr
    assert "读取文件" not in res.stderr  # found before any source was read


def unwritable(tmp_path: Path) -> Path:
    """A folder this process cannot write to: read-only permissions, or (as root, whom
    permissions do not stop) a place in sysfs, where nobody may create files."""
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
        return folder / "index"
    return Path("/sys/regsearch-test-index")


def test_an_unwritable_index_folder_is_found_before_reading_sources(tmp_path: Path) -> None:
    target = unwritable(tmp_path)
    res = CliRunner().invoke(main, ["ingest", str(SAMPLES), "--index", str(target)])
    assert res.exit_code == 1
    assert res.stderr.startswith(f"错误: 无法写入索引文件夹 {target}（来自--index）：")
    assert "请换一个可写的位置（--index DIR 或 REGSEARCH_INDEX）" in res.stderr
    assert "读取文件" not in res.stderr and res.stdout == ""
    assert "Traceback" not in res.output


# --- ingest in a log, and samples beside real documents ------------------------------------


def test_ingest_without_a_terminal_logs_each_phase(tmp_path: Path) -> None:
    index = tmp_path / "index"
    res = CliRunner().invoke(main, ["ingest", str(SAMPLES), "--index", str(index)])
    assert res.exit_code == 0, res.output
    phases = [line for line in res.stderr.splitlines() if line.startswith(("读取文件", "建立索引"))]
    assert len(phases) == 2
    assert phases[0].startswith("读取文件：11 个文件，11 篇文档，跳过 1 个，失败 0 个（")
    assert phases[1].startswith("建立索引：写入 11 篇文档（")
    assert all(p.endswith(" 秒）") for p in phases)
    again = CliRunner().invoke(main, ["ingest", str(SAMPLES), "--index", str(index)])
    assert "建立索引：无需改写（" in again.stderr
    assert "注意" not in res.stderr + again.stderr  # samples alone: nothing mixed


def test_samples_beside_real_documents_are_pointed_out(tmp_path: Path, data_dir: Path) -> None:
    index = tmp_path / "index"
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(SAMPLES), "--index", str(index)]).exit_code == 0
    real = tmp_path / "real"
    real.mkdir()
    (real / "停车.md").write_text(
        "# 某市停车管理办法\n\n第一条 为了规范停车管理，制定本办法。\n", "utf-8"
    )
    mixed = runner.invoke(main, ["ingest", str(real), "--index", str(index)])
    assert mixed.exit_code == 0
    assert (
        f"注意：索引 {index} 中既有示例文件（11 件，项目自编，不是真实文件）又有其他文件，"
        "示例会出现在检索结果和清理清单里。只保留真实文件：regsearch ingest --rebuild SRC…"
    ) in mixed.stderr
    rebuilt = runner.invoke(main, ["ingest", "--rebuild", str(real), "--index", str(index)])
    assert rebuilt.exit_code == 0 and "注意" not in rebuilt.stderr
    stats = json.loads(runner.invoke(main, ["stats", "--json", "--index", str(index)]).stdout)
    assert stats["collections"] == {"real": 1}


def test_show_takes_the_short_names_search_learned(cli) -> None:  # type: ignore[no-untyped-def]
    # 示保法 is no title: the search box's name table (an abbreviation of the words of a
    # national law's title) resolves it, and `show` asks it when no title matches
    by_title = cli("show", "示范保护法第三条")
    res = cli("show", "示保法第三条")
    assert res.exit_code == 0, res.output
    assert res.stdout == by_title.stdout
    assert "ID        d-law-2020" in cli("show", "示保法").stdout
    missing = cli("show", "示保法第九条")
    assert missing.exit_code == 1
    assert missing.stderr == "错误: 《中华人民共和国示范保护法》中没有“第九条”。\n"


def test_show_lists_documents_in_force_that_share_a_title(tmp_path: Path) -> None:
    from regsearch.index.update import update_index
    from regsearch.model import Article, Document

    docs = [
        Document(
            id=f"rule-{region}",
            title="出租汽车管理办法",
            collection="fixture",
            source=f"{region}.md",
            format="markdown",
            level="地方政府规章",
            region=region,
            publish_date="2020-01-01",
            effective_date="2020-01-01",
            articles=[Article(number="第一条", text="第一条 为了管理出租汽车。", ordinal=1)],
            body="第一条 为了管理出租汽车。",
        )
        for region in ("贵州省", "上海市")
    ]
    update_index(tmp_path / "ix", docs, rebuild=True)
    runner = CliRunner(env={"COLUMNS": None, "REGSEARCH_INDEX": None})
    for ref in ("出租汽车管理办法", "出租汽车管理办法第一条"):
        res = runner.invoke(main, ["show", "--index", str(tmp_path / "ix"), ref])
        assert res.exit_code == 1  # never one of them picked by another route
        assert res.stderr.startswith("错误: 有 2 件现行文档的标题是“出租汽车管理办法”：\n")
