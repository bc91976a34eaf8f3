"""Markdown and plain-text documents: `# 标题`, a history line, then the body.

Handles the waystowork layout (a parenthesised history line), LawRefBook-style
event lines before `<!-- INFO END -->`, a 文号 line at the top of the body, a
文号 at the start of the file name, and pages that are not legal texts (a
README with YAML front matter), which become a Skip.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from regsearch.errors import BadInputFile
from regsearch.ingest.articles import split_articles
from regsearch.ingest.classify import classify_level, infer_region
from regsearch.ingest.dates import parse_date
from regsearch.ingest.files import MAX_TITLE_CHARS, read_source
from regsearch.ingest.history import (
    effective_from_body,
    is_history_line,
    parse_history,
    signature_date,
    version_date,
)
from regsearch.model import Document, Skip, content_hash, make_id
from regsearch.text.clean import clean_text, one_line
from regsearch.text.docnum import find_doc_numbers, normalize_doc_number

INFO_END = "<!-- INFO END -->"
_H1 = re.compile(r"^#(?!#)\s*(.+?)\s*#*\s*$")
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_NAME_DATE = re.compile(r"[（(](\d{4}-\d{2}-\d{2})[)）]\s*$")


def _file_doc_number(stem: str) -> tuple[str, str] | None:
    """A 文号 the file name starts with: `国发〔2004〕10号全面依法行政实施纲要`."""
    found = find_doc_numbers(stem[:40])
    if found and stem.startswith(found[0][1]):
        return found[0]
    return None


def _unclosed(line: str) -> bool:
    """A header line broken in the middle of a 《…》 title or a parenthesis."""
    return line.count("《") > line.count("》") or line.count("（") > line.count("）")


_CN = "零〇一二三四五六七八九十百千"
_HEADING = re.compile(rf"(?=第[{_CN}]+[编章节](?![之]))")
_ARTICLE_AFTER_STOP = re.compile(rf"(?<=[。；：”])\s*(?=第[{_CN}]+条)")
_HEADING_THEN_ARTICLE = re.compile(rf"^(第[{_CN}]+[编章节][^。；第]{{0,20}}?)\s*(?=第[{_CN}]+条)")


def _rebreak(text: str) -> str:
    """Line breaks back into a text run together on one line: before each 章/节 heading,
    after it, and before each article that starts after a full stop."""
    if "\n" in text:
        return text
    out: list[str] = []
    for part in _HEADING.split(text):
        part = _HEADING_THEN_ARTICLE.sub(r"\1\n", part.strip())
        out.append(_ARTICLE_AFTER_STOP.sub("\n", part))
    return "\n".join(p for p in out if p)


def _split_history(line: str) -> tuple[str, str]:
    """A parenthesised history line and any text after its closing parenthesis."""
    if not line.startswith(("（", "(")):
        return line, ""
    depth = 0
    for pos, ch in enumerate(line):
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth -= 1
            if depth == 0:
                rest = line[pos + 1 :].strip()
                return (line[: pos + 1], rest) if len(rest) >= 10 else (line, "")
    return line, ""


def _header(
    lines: list[str],
) -> tuple[str | None, str | None, list[str], str | None, int, list[str]]:
    """(title, subtitle, history lines, 文号 line, index of the first body line, warnings)."""
    warnings: list[str] = []
    title: str | None = None
    subtitle: str | None = None
    history: list[str] = []
    number_line: str | None = None
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines):
        m = _H1.match(lines[i])
        title = one_line(m.group(1) if m else lines[i].strip().strip("*"))
        i += 1
    has_info_end = INFO_END in lines
    while i < len(lines):
        line = lines[i].strip()
        if line == INFO_END:
            i += 1
            break
        if not line:
            i += 1
            continue
        m = _H1.match(line)
        if m and not history:
            sub = one_line(m.group(1))
            if subtitle is None:
                subtitle = sub
            warnings.append(f"多个一级标题：{sub}")
            i += 1
            continue
        if is_history_line(line) or (history and _unclosed(history[-1])):
            if history and _unclosed(history[-1]):
                history[-1] += line  # a history line broken in the middle of a title
                warnings.append("表头行在中途断开，已与下一行合并")
            else:
                head, rest = _split_history(line)
                history.append(one_line(head))
                if rest:  # （…施行）第一章 总则第一条…: the text runs on after the history
                    warnings.append("历史行后紧接正文（缺少换行），已拆开")
                    lines[i : i + 1] = _rebreak(rest).split("\n")
                    continue
            i += 1
            continue
        if number_line is None and normalize_doc_number(line):
            number_line = line
            i += 1
            continue
        if re.match(r"^[（(][^）)]{1,20}[）)]$", line) and subtitle is None and not history:
            subtitle = line  # （试行）, （2021年修订）
            i += 1
            continue
        if has_info_end and not history:
            # Title lines wrapped before the dates:
            # 中华人民共和国各级人民代表大会 / 常务委员会监督法
            subtitle = (subtitle or "") + one_line(line)
            i += 1
            continue
        if has_info_end:
            warnings.append(f"表头行不是日期事件：{line[:40]}")
            history.append(one_line(line))
            i += 1
            continue
        break
    return title, subtitle, history, number_line, i, warnings


def parse_markdown(
    text: str, source: str, collection: str, fmt: str = "markdown"
) -> Document | Skip:
    """One Markdown/plain-text document from its decoded text."""
    text = clean_text(text)
    name = source.rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0]
    front = _FRONT_MATTER.match(text)
    if front:
        text = text[front.end() :]
    lines = text.split("\n")
    title, subtitle, history, number_line, start, warnings = _header(lines)
    body = "\n".join(lines[start:]).strip("\n")
    articles = split_articles(body)
    if front and not history and not articles:
        return Skip(source, "不是法规文本（带YAML头的说明页）", failed=False)
    if not title:
        return Skip(source, "空文件：没有标题也没有正文", failed=False)
    if len(title) > MAX_TITLE_CHARS:
        return Skip(
            source,
            f"第一行有 {len(title)} 字，超过标题上限 {MAX_TITLE_CHARS} 字：文件可能缺少换行，"
            "请检查后重新导入",
        )

    info = parse_history(history)
    doc_number, doc_number_raw = info.doc_number, info.doc_number_raw
    if number_line:
        doc_number, doc_number_raw = normalize_doc_number(number_line), number_line
    file_number = _file_doc_number(stem)
    if not doc_number and file_number:
        doc_number, doc_number_raw = file_number
    if not doc_number:
        for line in body.split("\n")[:5]:
            if normalize_doc_number(line):
                doc_number, doc_number_raw = normalize_doc_number(line), line.strip()
                break

    name_date = _NAME_DATE.search(stem)
    publish = info.publish_date
    if not publish and name_date:
        publish = parse_date(name_date.group(1))
    if not publish:
        adopted = [e.date for e in info.events if e.kind in ("pass", "amend")]
        publish = adopted[-1] if adopted else None
    written = info.written_date or signature_date(body)
    effective = info.effective_date or effective_from_body(body, publish)

    authority = info.authority
    if not authority and doc_number:
        from regsearch.ingest.classify import authority_from_doc_number

        authority = authority_from_doc_number(doc_number)
    if not body.strip():
        warnings.append("正文为空")
    if history and not info.events:
        warnings.append("表头行中没有可识别的日期")
    if not publish and not written:
        warnings.append("未找到公布日期")

    return Document(
        id=make_id(collection, source),
        title=title,
        collection=collection,
        source=source,
        format=fmt,
        subtitle=subtitle,
        doc_number=doc_number,
        doc_number_raw=doc_number_raw,
        authority=authority,
        level=classify_level(title, authority, doc_number, history),
        region=infer_region(title, authority),
        written_date=written,
        publish_date=publish,
        effective_date=effective,
        articles=articles,
        body=body,
        content_hash=content_hash(text),
        history=history,
        warnings=warnings,
        version_date=version_date(publish, history),
    )


def read_markdown(path: Path, base: Path, collection: str) -> Iterator[Document | Skip]:
    """Read one `.md`/`.markdown`/`.txt` file; a file that can't be decoded is a Skip."""
    source = path.relative_to(base).as_posix() if path != base else path.name
    fmt = "text" if path.suffix.lower() == ".txt" else "markdown"
    try:
        _, text, warnings = read_source(path, source)
    except BadInputFile as exc:
        yield Skip(source, exc.reason)
        return
    result = parse_markdown(text, source, collection, fmt)
    if isinstance(result, Document):
        result.warnings = warnings + result.warnings
    yield result
