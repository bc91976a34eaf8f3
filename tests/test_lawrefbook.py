"""The LawRefBook reader on a hand-made folder with every irregularity of the real one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lawrefbook_folder import build_lawrefbook

from regsearch.ingest.lawrefbook import read_lawrefbook
from regsearch.ingest.lawrefbook_header import parse_header
from regsearch.model import Document, Skip, make_id


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_lawrefbook(tmp_path_factory.mktemp("lrb"))


@pytest.fixture(scope="module")
def items(folder: Path) -> list[Document | Skip]:
    return list(read_lawrefbook(folder, folder, "法规库"))


@pytest.fixture(scope="module")
def docs(items: list[Document | Skip]) -> dict[str, Document]:
    return {i.source: i for i in items if isinstance(i, Document)}


def test_every_markdown_file_is_a_document_or_a_skip(folder: Path, items: list) -> None:
    md_files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.md"))
    assert len(md_files) == 15
    assert sorted(i.source for i in items) == md_files


def test_skips_are_judged_by_content(items: list) -> None:
    skips = {i.source: (i.reason, i.failed) for i in items if isinstance(i, Skip)}
    assert skips == {
        "法律/_index.md": ("Hugo 栏目页：只有 front matter，没有标题和正文", False),
        "法律法规模版.md": (
            "隐藏页面（front matter 中 bookHidden: true），是模板而不是法规",
            False,
        ),
        "其他/诉讼攻略.md": ("不是法律文本：没有日期、没有条文，含外部链接（指南类文章）", False),
    }


def test_database_metadata_joined_to_files(docs: dict[str, Document]) -> None:
    doc = docs["法律/劳动合同法(2007-06-29).md"]
    assert doc.id == make_id("法规库", "法律/劳动合同法(2007-06-29).md")
    assert doc.title == "中华人民共和国劳动合同法"
    assert (doc.level, doc.region, doc.format) == ("法律", None, "lawrefbook")
    assert (doc.publish_date, doc.effective_date, doc.written_date) == (
        "2007-06-29",
        "2008-01-01",
        "2007-06-29",
    )
    assert doc.authority == "全国人民代表大会常务委员会"
    assert doc.doc_number == "主席令第65号"
    assert doc.source_expired is True
    assert [a.number for a in doc.articles] == ["第一条", "第二条", "第九十八条"]
    assert doc.articles[2].path == ["第八章 附则"]
    assert doc.warnings == []
    assert docs["法律/劳动合同法(2012-12-28).md"].source_expired is False


def test_event_line_broken_inside_a_title_is_joined(docs: dict[str, Document]) -> None:
    doc = docs["法律/劳动合同法(2012-12-28).md"]
    assert doc.history == [
        "2007年6月29日 第十届全国人民代表大会常务委员会第二十八次会议通过",
        "2012年12月28日 第十一届全国人民代表大会常务委员会第三十次会议"
        "《关于修改〈中华人民共和国劳动合同法〉的决定》修正",
    ]
    assert "表头事件行在《…》标题中间断开，已与上一行合并：的决定》修正" in doc.warnings


def test_odd_white_space_and_crlf_are_cleaned_and_reported(docs: dict[str, Document]) -> None:
    doc = docs["法律/劳动合同法(2012-12-28).md"]
    assert "含只由 U+200B/U+3000/NBSP 等空白组成的行（已清理）" in doc.warnings
    assert not any(ch in doc.body for ch in "\r\u200b\u3000\xa0")
    assert [a.text for a in doc.articles] == [
        "第一条 为了完善劳动合同制度，制定本法。",
        "第二条 中华人民共和国境内的企业建立劳动关系，适用本法。",
    ]


def test_two_h1_lines_give_a_subtitle(docs: dict[str, Document]) -> None:
    doc = docs["民法典/总则.md"]
    assert (doc.title, doc.subtitle) == ("中华人民共和国民法典", "总则")
    assert doc.warnings == ["有 2 个一级标题，后面的作为副标题：总则"]
    assert doc.authority == "全国人民代表大会"
    assert doc.articles[0].path == ["第一编 总则", "第一章 基本规定"]


def test_empty_body_is_kept_and_reported(docs: dict[str, Document]) -> None:
    doc = docs["地方性法规/示例市/示例市丁条例(2019-06-01).md"]
    assert (doc.body, doc.articles) == ("", [])
    assert doc.warnings == ["正文为空（只有表头）"]
    assert (doc.region, doc.authority) == ("示例", "示例市人民代表大会常务委员会")


def test_file_with_no_date_at_all(docs: dict[str, Document]) -> None:
    doc = docs["地方性法规/示例市/示例市丙规定.md"]
    assert (doc.publish_date, doc.effective_date) == (None, None)
    assert doc.warnings == ["没有任何日期（表头无日期行，数据库也未记载）"]
    assert doc.source_expired is True


def test_table_body_and_undated_header_lines(docs: dict[str, Document]) -> None:
    doc = docs["行政法规/收费标准(2010-01-01).md"]
    assert doc.warnings == [
        "表头行不是日期：中央军委发布",
        "表头行不是日期：发布之日施行",
        "正文含 Markdown 表格（3 行）",
    ]
    assert doc.history == ["2010年1月1日 国务院", "中央军委发布", "发布之日施行"]
    assert (doc.authority, doc.publish_date, doc.effective_date) == (
        "国务院",
        "2010-01-01",
        "2010-01-01",
    )
    assert "| 登记费 | 10元 |" in doc.body


def test_identical_files_in_two_folders_are_both_kept(docs: dict[str, Document]) -> None:
    with_row = docs["宪法相关法/居民身份证法(2011-10-29).md"]
    without_row = docs["法律/居民身份证法(2011-10-29).md"]
    assert with_row.warnings == [
        "与 法律/居民身份证法(2011-10-29).md 内容完全相同（重复文件，两份都保留）"
    ]
    assert without_row.warnings == [
        "db.sqlite3 中没有这个文件的记录，元数据取自文件本身",
        "与 宪法相关法/居民身份证法(2011-10-29).md 内容完全相同（重复文件，两份都保留）",
    ]
    # No row: the file name gives the publish date, the folder's rows give the level.
    assert (without_row.publish_date, without_row.level) == ("2011-10-29", "法律")
    assert with_row.content_hash == without_row.content_hash


def test_sub_folder_with_its_own_database_is_left_to_its_own_call(tmp_path: Path) -> None:
    folder = build_lawrefbook(tmp_path)
    dlc = folder / "DLC" / "示例省"
    shutil.copytree(folder, dlc, ignore=shutil.ignore_patterns("DLC"))
    outer = list(read_lawrefbook(folder, tmp_path, "c"))
    inner = list(read_lawrefbook(dlc, tmp_path, "c"))
    assert len(outer) == len(inner) == 15
    assert not any(i.source.startswith("lawrefbook/DLC/") for i in outer)
    assert all(i.source.startswith("lawrefbook/DLC/示例省/") for i in inner)


def test_broken_database_still_reads_every_file(tmp_path: Path) -> None:
    folder = build_lawrefbook(tmp_path)
    (folder / "db.sqlite3").write_bytes(b"this is not a database")
    items = list(read_lawrefbook(folder, folder, "c"))
    docs = [i for i in items if isinstance(i, Document)]
    assert len(items) == 15 and len(docs) == 12
    doc = next(d for d in docs if d.source == "法律/劳动合同法(2007-06-29).md")
    assert doc.warnings[0].startswith("db.sqlite3 无法读取（")
    assert (doc.publish_date, doc.effective_date) == ("2007-06-29", "2008-01-01")


@pytest.mark.parametrize(
    ("line", "authority", "co"),
    [
        ("2006年7月24日 中华人民共和国国务院令第472号公布", "国务院", []),
        ("1996年10月3日 中华人民共和国交通部令第8号发布", "交通部", []),
        ("2012年12月13日 公安部令第127号修订发布", "公安部", []),
        ("2010年5月17日 最高人民法院审判委员会第1487次会议通过", "最高人民法院", []),
        ("2019年12月2日 最高人民检察院第十三届检察委员会第二十八次会议通过", "最高人民检察院", []),
        ("1982年12月4日 第五届全国人民代表大会第五次会议通过", "全国人民代表大会", []),
        (
            "2012年11月29日 经酉阳土家族苗族自治县第十六届人民代表大会第二次会议通过",
            "酉阳土家族苗族自治县人民代表大会",
            [],
        ),
        ("1984年4月4日 国务院、中央军委发布", "国务院", ["中央军事委员会"]),
    ],
)
def test_authority_from_event_lines(line: str, authority: str, co: list[str]) -> None:
    header = parse_header(f"# 标题\n\n{line}\n")
    assert (header.authority, header.co_authorities) == (authority, co)


def test_approval_alone_does_not_make_the_authority() -> None:
    header = parse_header(
        "# 宁波市城市绿化条例\n\n"
        "1991年10月26日 宁波市第九届人民代表大会常务委员会第二十六次会议通过\n\n"
        "1991年12月29日 浙江省第七届人民代表大会常务委员会第二十六次会议批准\n"
    )
    assert header.authority == "宁波市人民代表大会常务委员会"
    assert (header.publish, header.written) == ("1991-10-26", "1991-10-26")


def test_title_repeated_over_two_header_lines_is_ignored() -> None:
    header = parse_header(
        "# 中华人民共和国农村土地承包经营纠纷调解仲裁法\n\n中华人民共和国农村土地\n\n"
        "承包经营纠纷调解仲裁法\n\n2009年6月27日 第十一届全国人民代表大会常务委员会第九次会议通过\n"
    )
    assert header.events == ["2009年6月27日 第十一届全国人民代表大会常务委员会第九次会议通过"]
    assert header.warnings == [
        "表头行重复了标题的一部分，已忽略：中华人民共和国农村土地",
        "表头行重复了标题的一部分，已忽略：承包经营纠纷调解仲裁法",
    ]


def test_publish_and_effective_from_event_verbs() -> None:
    header = parse_header(
        "# 条例\n\n2006年7月5日 国务院第142次常务会议通过\n\n"
        "2006年7月24日 中华人民共和国国务院令第472号公布\n\n2006年8月1日 施行\n"
    )
    assert (header.written, header.publish, header.effective) == (
        "2006-07-05",
        "2006-07-24",
        "2006-08-01",
    )
    assert header.publish_events == ["中华人民共和国国务院令第472号公布"]


def test_unreadable_file_is_a_failed_skip(tmp_path: Path) -> None:
    folder = build_lawrefbook(tmp_path)
    (folder / "法律" / "乱码法(2001-01-01).md").write_bytes("# 乱码法\n".encode("gbk"))
    items = {i.source: i for i in read_lawrefbook(folder, folder, "c")}
    bad = items["法律/乱码法(2001-01-01).md"]
    assert isinstance(bad, Skip) and bad.failed
    assert bad.reason.startswith("无法读取：'utf-8' codec can't decode")
    assert len(items) == 16
