"""LawRefBook: Markdown files described by a `db.sqlite3` (tables `law`, `category`).

A file is `<category.folder>/<filename | name(publish) | name | subtitle>.md`.
The header (`# 标题`, extra `#` lines, `YYYY年M月D日 事件` lines) ends at
`<!-- INFO END -->`; the body follows with `##`/`###` headings for 编/章/节.
Every .md file under the folder becomes a `Document` or a `Skip`; database
metadata wins over what the file says, and every irregularity is reported in
`Document.warnings`.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from regsearch.ingest.articles import split_articles
from regsearch.ingest.classify import canonical_region, classify_level, infer_region
from regsearch.ingest.files import MAX_TITLE_CHARS, file_problem
from regsearch.ingest.history import version_date
from regsearch.ingest.lawrefbook_header import Header, parse_header
from regsearch.ingest.relations import effective_from_text
from regsearch.model import Document, Skip, content_hash, make_id
from regsearch.text.clean import clean_text
from regsearch.text.docnum import find_doc_numbers

INFO_END = "<!-- INFO END -->"
_FRONT_MATTER = re.compile(r"\A\s*---\n(.*?)\n---\s*(?:\n|\Z)", re.S)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ODD_BLANK_LINE = re.compile(
    r"^[ \t\u200b\u3000\xa0\ufeff]*[\u200b\u3000\xa0\ufeff][ \t\u200b\u3000\xa0\ufeff]*$", re.M
)
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$", re.M)
_MD_LINK = re.compile(r"\]\(https?://|^\s*https?://", re.M)
_ARTICLE_LINE = re.compile(r"^\s*(?:#+\s*)?第[0-9零〇一二三四五六七八九十百千]+条", re.M)
_DATED_TITLE = re.compile(r"^(?P<name>.+?)\((?P<date>\d{4}-\d{2}-\d{2})\)$")


@dataclass
class LawRow:
    """One `law` row joined with its category."""

    name: str
    level: str
    publish: str | None
    valid_from: str | None
    expired: bool
    filename: str | None
    subtitle: str | None
    folder: str
    category: str
    group: str


@dataclass
class _Db:
    rows: list[LawRow] = field(default_factory=list)
    categories: dict[str, tuple[str, str]] = field(default_factory=dict)  # folder -> (name, group)
    error: str | None = None


def _read_db(path: Path) -> _Db:
    """Rows of `law` joined to `category`; a broken database gives an error, not an exception."""
    db = _Db()
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            cats = {
                r[0]: (r[1] or "", (r[2] or "").strip("/"), r[3] or "")
                for r in con.execute('SELECT id, name, folder, "group" FROM category')
            }
            for name, folder, group in cats.values():
                db.categories[folder] = (name, group)
            query = (
                "SELECT name, level, publish, valid_from, expired, filename, subtitle, category_id "
                "FROM law"
            )
            for name, level, pub, valid, expired, fname, sub, cid in con.execute(query):
                cname, folder, group = cats.get(cid, ("", "", ""))
                db.rows.append(
                    LawRow(
                        name=(name or "").strip(),
                        level=(level or "").strip(),
                        publish=_iso(pub),
                        valid_from=_iso(valid),
                        expired=bool(expired),
                        filename=fname or None,
                        subtitle=sub or None,
                        folder=folder,
                        category=cname,
                        group=group,
                    )
                )
        finally:
            con.close()
    except (sqlite3.Error, ValueError, OSError) as exc:
        db.error = f"db.sqlite3 无法读取（{exc}），只用文件本身的信息"
    return db


def _iso(value: object) -> str | None:
    text = str(value or "").strip()[:10]
    return text if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None


def _md_files(folder: Path) -> list[str]:
    """.md files under `folder` (POSIX, relative), not descending into folders with their own db."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not (here / d / "db.sqlite3").exists())
        for name in sorted(filenames):
            if name.lower().endswith(".md"):
                found.append((here / name).relative_to(folder).as_posix())
    return found


def _match_rows(rows: list[LawRow], files: list[str]) -> dict[str, LawRow]:
    """file -> its row: the expected path first, then the same file name in another folder."""
    available = set(files)
    by_name: dict[str, list[str]] = defaultdict(list)
    for f in files:
        by_name[f.rsplit("/", 1)[-1]].append(f)
    matched: dict[str, LawRow] = {}
    pending: list[tuple[LawRow, list[str]]] = []
    for row in rows:
        stems = [s for s in (row.filename, row.publish and f"{row.name}({row.publish})") if s]
        stems += [row.name] + ([row.subtitle] if row.subtitle else [])
        names = [f"{s}.md" for s in stems]
        prefix = f"{row.folder}/" if row.folder else ""
        hit = next((prefix + n for n in names if prefix + n in available), None)
        if hit and hit not in matched:
            matched[hit] = row
        else:
            pending.append((row, names))
    for row, names in pending:  # a row filed under the wrong category folder
        for n in names:
            free = [f for f in by_name.get(n, []) if f not in matched]
            if len(free) == 1:
                matched[free[0]] = row
                break
    return matched


def _skip_reason(text: str) -> str | None:
    """Why a file is not a legal text (judged from its content), or None."""
    fm = _FRONT_MATTER.match(text)
    rest = text[fm.end() :] if fm else text
    if fm and re.search(r"^\s*bookHidden\s*:\s*true\s*$", fm.group(1), re.M):
        return "隐藏页面（front matter 中 bookHidden: true），是模板而不是法规"
    if not _HTML_COMMENT.sub("", rest).strip():
        return "Hugo 栏目页：只有 front matter，没有标题和正文" if fm else "空文件"
    head = rest.split(INFO_END, 1)[0]
    has_dates = bool(re.search(r"^\s*\d{4}\s*(?:年|-)", head, re.M))
    if not has_dates and not _ARTICLE_LINE.search(rest) and _MD_LINK.search(rest):
        return "不是法律文本：没有日期、没有条文，含外部链接（指南类文章）"
    return None


def _table_warning(body: str) -> str | None:
    rows = _TABLE_ROW.findall(body)
    return f"正文含 Markdown 表格（{len(rows)} 行）" if len(rows) >= 2 else None


def read_lawrefbook(folder: Path, base: Path, collection: str) -> Iterator[Document | Skip]:
    """Documents and skips for every .md file of the LawRefBook folder holding `db.sqlite3`."""
    folder, base = Path(folder), Path(base)
    db = _read_db(folder / "db.sqlite3")
    files = _md_files(folder)
    matched = _match_rows(db.rows, files)
    folder_levels: dict[str, Counter[str]] = defaultdict(Counter)
    for row in db.rows:
        folder_levels[row.folder][row.level] += 1

    texts: dict[str, str] = {}
    skips: dict[str, Skip] = {}
    for rel in files:
        source = _source(folder / rel, base)
        problem = file_problem(folder / rel)
        if problem:
            skips[rel] = Skip(source=source, reason=problem)
            continue
        try:
            raw = (folder / rel).read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            skips[rel] = Skip(source=source, reason=f"无法读取：{exc}")
            continue
        reason = _skip_reason(raw.replace("\r\n", "\n"))
        first = raw.lstrip().split("\n", 1)[0]
        if not reason and len(first) > MAX_TITLE_CHARS + 2:
            skips[rel] = Skip(
                source=source,
                reason=f"第一行有 {len(first)} 字，超过标题上限 {MAX_TITLE_CHARS} 字："
                "文件可能缺少换行",
            )
            continue
        if reason:
            skips[rel] = Skip(source=source, reason=reason, failed=False)
        else:
            texts[rel] = raw

    by_hash: dict[str, list[str]] = defaultdict(list)
    for rel, raw in texts.items():
        by_hash[content_hash(raw)].append(rel)

    for rel in files:
        source = _source(folder / rel, base)
        if rel in skips:
            yield skips[rel]
            continue
        try:
            doc = _document(
                texts[rel], rel, source, collection, matched.get(rel), db, folder_levels
            )
        except Exception as exc:  # noqa: BLE001 - one odd file must not stop the rest
            yield Skip(source=source, reason=f"解析失败：{type(exc).__name__}: {exc}")
            continue
        twins = [r for r in by_hash[content_hash(texts[rel])] if r != rel]
        for twin in twins:
            doc.warnings.append(
                f"与 {_source(folder / twin, base)} 内容完全相同（重复文件，两份都保留）"
            )
        yield doc


def _source(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _category_of(rel: str, db: _Db) -> tuple[str, str] | None:
    parent = rel.rsplit("/", 1)[0] if "/" in rel else ""
    return db.categories.get(parent)


def _document(
    raw: str,
    rel: str,
    source: str,
    collection: str,
    row: LawRow | None,
    db: _Db,
    folder_levels: dict[str, Counter[str]],
) -> Document:
    """Parse one file and merge it with its database row."""
    warnings: list[str] = []
    if db.error:
        warnings.append(db.error)
    if _ODD_BLANK_LINE.search(raw.replace("\r\n", "\n")):
        warnings.append("含只由 U+200B/U+3000/NBSP 等空白组成的行（已清理）")
    text = clean_text(raw)
    fm = _FRONT_MATTER.match(text)
    if fm:
        text = text[fm.end() :]
    if INFO_END in text:
        head, body = text.split(INFO_END, 1)
    else:
        head, body = _split_without_marker(text)
        warnings.append("缺少 <!-- INFO END --> 标记，表头按位置判断")
    header: Header = parse_header(head)
    warnings.extend(header.warnings)
    body = _HTML_COMMENT.sub("", body).strip("\n")
    if not body.strip():
        warnings.append("正文为空（只有表头）")
    table = _table_warning(body)
    if table:
        warnings.append(table)

    stem = rel.rsplit("/", 1)[-1][:-3]
    dated = _DATED_TITLE.match(stem)
    title = header.title or (row.name if row else (dated["name"] if dated else stem))
    if not header.title:
        warnings.append("文件没有 # 标题行，标题取自数据库或文件名")
    subtitle = (row.subtitle if row and row.subtitle else None) or header.subtitle

    # LawRefBook names a version `标题(公布日期).md`: without a row, the name is the best source.
    named = dated["date"] if dated and not row else None
    publish = (row.publish if row else None) or named or header.publish
    effective = (row.valid_from if row else None) or header.effective
    if not effective:
        effective = effective_from_text(body, publish)
    if not header.events and not (row and (row.publish or row.valid_from)):
        warnings.append("没有任何日期（表头无日期行，数据库也未记载）")

    if row is None:
        warnings.append("db.sqlite3 中没有这个文件的记录，元数据取自文件本身")
    category = (row.category, row.group) if row else _category_of(rel, db)
    level = (
        row.level if row and row.level else _level_without_row(rel, folder_levels, title, header)
    )
    authority, co_authorities = header.authority, header.co_authorities
    if not authority:
        authority, co_authorities = _authority_from_title(title)
    if not authority and row and row.level == "部门规章":
        authority = _category_body(row.category)
    region = _region(category, title, authority, has_row=row is not None)

    numbers = find_doc_numbers(" ".join(header.publish_events))
    doc = Document(
        id=make_id(collection, source),
        title=title,
        collection=collection,
        source=source,
        format="lawrefbook",
        subtitle=subtitle,
        doc_number=numbers[-1][0] if numbers else None,
        doc_number_raw=numbers[-1][1] if numbers else None,
        authority=authority,
        co_authorities=co_authorities,
        level=level,
        region=region,
        topic=row.category
        if row and row.group not in ("", None) and "地方" not in row.group
        else None,
        written_date=header.written,
        publish_date=publish,
        effective_date=effective,
        body=body,
        content_hash=content_hash(text),
        history=header.events,
        warnings=warnings,
        articles=split_articles(body),
        source_expired=bool(row and row.expired),
        version_date=version_date(publish, header.events),
    )
    return doc


def _split_without_marker(text: str) -> tuple[str, str]:
    """Header = leading H1 and date lines when the INFO END marker is missing."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if line and not (line.startswith("# ") or re.match(r"\d{4}\s*年", line)):
            break
        i += 1
    return "\n".join(lines[:i]), "\n".join(lines[i:])


def _level_without_row(
    rel: str, folder_levels: dict[str, Counter[str]], title: str, header: Header
) -> str:
    """A file with no row: the one level every row of its folder shares, else the classifier."""
    parent = rel.rsplit("/", 1)[0] if "/" in rel else ""
    levels = folder_levels.get(parent)
    if levels and len(levels) == 1:
        return next(iter(levels))
    return classify_level(title, header.authority, None, header.events)


def _region(
    category: tuple[str, str] | None, title: str, authority: str | None, *, has_row: bool
) -> str | None:
    """A local-regulation category (DLC) names its region (full name); rows elsewhere are national.

    Only a file the database does not describe has its region inferred from its title.
    """
    if category and "地方" in category[1] and category[0]:
        return canonical_region(category[0])  # DLC folders say 山东: one name per region
    return None if has_row else infer_region(title, authority)


def _category_body(category: str) -> str | None:
    """A rules category named after the ministry that makes them (公安部规章 -> 公安部)."""
    name = re.sub(r"(?:规章|部门规章)$", "", category or "")
    return name if len(name) >= 3 and name.endswith(_ORG_END) else None


_TITLE_ORG = re.compile(r"^(?P<orgs>[\u4e00-\u9fff、]{2,60}?)关于")
_ORG_END = ("院", "委员会", "部", "委", "局", "署", "办公厅", "政府", "总局", "银行")


def _authority_from_title(title: str) -> tuple[str | None, list[str]]:
    """`最高人民法院、最高人民检察院关于…` names its issuers; other titles name none."""
    m = _TITLE_ORG.match(title)
    if not m:
        return None, []
    orgs = [o for o in m["orgs"].split("、") if o]
    if not orgs or not all(o.endswith(_ORG_END) and len(o) >= 3 for o in orgs):
        return None, []
    return orgs[0], orgs[1:]
