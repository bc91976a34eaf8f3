"""Cleanup worklists (清理结论 CSV) -> one decision record that acts on the documents listed.

The cleanup team fills a spreadsheet with one row per document and a 清理结论 column
(继续有效 / 修改 / 废止 / 宣布失效 / 失效), saves it as CSV (UTF-8, with or without a BOM,
or GB18030 as Excel does on a Chinese system) and ingests it. The file becomes one
`Document` (level 其他, format "worklist") whose relations name each target by id,
文号 and/or title; `linking` resolves them and records the inverse events
(`repealed_by`, `expired_by`, `amended_by`, `confirmed_by`) on the targets, with the
row as evidence and the decision date as the date, so the targets' statuses change
from that day on. A bad row is reported with its line number and skipped.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from regsearch.errors import BadInputFile
from regsearch.ingest.dates import parse_date
from regsearch.ingest.files import read_source
from regsearch.model import Document, Relation, RelationType, Skip, content_hash, make_id
from regsearch.text.docnum import normalize_doc_number

FORMAT = "worklist"
CONCLUSION_HEADER = "清理结论"

R = RelationType
CONCLUSIONS = {
    "继续有效": R.CONFIRMS.value,
    "修改": R.AMENDS.value,
    "修订": R.AMENDS.value,
    "废止": R.REPEALS.value,
    "宣布失效": R.DECLARES_EXPIRED.value,
    "失效": R.DECLARES_EXPIRED.value,
}
# 拟废止 / 予以废止 / 建议修改 mean the same conclusion.
_CONCLUSION_PREFIX = re.compile(r"^(?:拟|予以|建议|拟予|应予|决定)+")

# Header cell (white space removed, lower case) -> the column's role.
COLUMNS = {
    "清理结论": "conclusion",
    "id": "id",
    "文档id": "id",
    "标题": "title",
    "title": "title",
    "文件标题": "title",
    "文件名称": "title",
    "名称": "title",
    "文号": "number",
    "doc_number": "number",
    "发文字号": "number",
    "文件文号": "number",
    "决定文号": "decision_number",
    "决定日期": "decision_date",
    "理由": "reason",
    "清理理由": "reason",
    "说明": "note",
    "备注": "note",
}
# Lines above the header row: `标题,…` / `决定文号,…` / `决定日期,…` / `发文机关,…`.
PREAMBLE = {
    "标题": "title",
    "决定标题": "title",
    "title": "title",
    "决定文号": "number",
    "文号": "number",
    "决定日期": "date",
    "日期": "date",
    "发文机关": "authority",
    "地区": "region",
    "理由": "note",
    "说明": "note",
}
_LABELS = {
    R.CONFIRMS.value: "继续有效",
    R.AMENDS.value: "修改",
    R.REPEALS.value: "废止",
    R.DECLARES_EXPIRED.value: "宣布失效",
}


def _key(cell: str) -> str:
    return re.sub(r"[\s\ufeff*：:]", "", cell).lower()


def _role(cell: str) -> str | None:
    """A header cell's role; 清理结论（继续有效/废止/…） is the conclusion column too."""
    key = _key(cell)
    return COLUMNS.get(key) or ("conclusion" if key.startswith(CONCLUSION_HEADER) else None)


def has_conclusion_column(head: bytes) -> bool:
    """Whether the first bytes of a .csv file carry a 清理结论 header (UTF-8/16 or GB18030)."""
    encodings = ("utf-16",) if head.startswith((b"\xff\xfe", b"\xfe\xff")) else ()
    for encoding in (*encodings, "utf-8", "gb18030"):
        if CONCLUSION_HEADER in head.decode(encoding, errors="ignore"):
            return True
    return False


@dataclass
class _Preamble:
    title: str | None = None
    number: str | None = None
    date: str | None = None
    authority: str | None = None
    region: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class _Row:
    line: int
    kind: str
    target_id: str | None
    title: str | None
    number: str | None
    number_raw: str | None
    decision_number: str | None
    date: str | None
    reason: str
    note: str


def _delimiter(text: str) -> str:
    """The separator of the header line: comma, tab (Excel's Unicode text) or semicolon."""
    line = next((ln for ln in text.splitlines() if CONCLUSION_HEADER in ln), "")
    return max((",", "\t", ";"), key=line.count)


def _read_preamble(cells: list[str], pre: _Preamble, warnings: list[str]) -> None:
    cells = [c.strip() for c in cells if c.strip()]
    if not cells:
        return
    label, value = cells[0], " ".join(cells[1:])
    if not value and re.search("[：:]", label):
        label, value = re.split("[：:]", label, maxsplit=1)
    role = PREAMBLE.get(_key(label)) if value else None
    if role is None:
        if pre.title is None and len(cells) == 1:
            pre.title = cells[0]
        else:
            pre.notes.append(" ".join(cells))
        return
    value = value.strip()
    if role == "date":
        pre.date = parse_date(value)
        if not pre.date:
            warnings.append(f"决定日期无法识别：{value}")
    elif role == "number":
        pre.number = normalize_doc_number(value) or value
    elif role == "note":
        pre.notes.append(f"{label}：{value}")
    else:
        setattr(pre, role, value.strip("《》"))


class _Undecided(ValueError):
    """A row whose 清理结论 is still empty: listed, but not an error in the file."""


def _parse_row(line: int, cells: list[str], roles: dict[int, str]) -> _Row | None:
    """One target row; None for a blank row; ValueError says what is wrong with it."""
    values: dict[str, str] = {}
    for i, role in roles.items():
        if i < len(cells) and cells[i].strip():
            values.setdefault(role, cells[i].strip())
    if not any(c.strip() for c in cells):
        return None
    raw = values.get("conclusion", "")
    conclusion = re.sub(r"\s", "", raw)
    kind = CONCLUSIONS.get(conclusion) or CONCLUSIONS.get(_CONCLUSION_PREFIX.sub("", conclusion))
    if not raw:
        raise _Undecided("未填写清理结论，未处理")
    if kind is None:
        raise ValueError(f"清理结论“{raw}”无法识别，应为 {' / '.join(CONCLUSIONS)}")
    title = values.get("title", "").strip("《》 ") or None
    number_raw = values.get("number")
    number = normalize_doc_number(number_raw) if number_raw else None
    if number_raw and not number and not title and not values.get("id"):
        raise ValueError(f"文号“{number_raw}”无法识别，且没有标题或 id")
    if not (title or number or values.get("id")):
        raise ValueError("没有指明文件：id、标题、文号至少填写一项")
    date = None
    if values.get("decision_date"):
        date = parse_date(values["decision_date"])
        if not date:
            raise ValueError(f"决定日期“{values['decision_date']}”无法识别")
    decision_number = values.get("decision_number")
    if decision_number:
        decision_number = normalize_doc_number(decision_number) or decision_number
    return _Row(
        line=line,
        kind=kind,
        target_id=values.get("id"),
        title=title,
        number=number,
        number_raw=number_raw if number_raw and not number else None,
        decision_number=decision_number,
        date=date,
        reason=values.get("reason", ""),
        note=values.get("note", ""),
    )


def _evidence(row: _Row, own_number: str | None) -> str:
    """The row, as a sentence: 第5行：废止《X》（黔府发〔2001〕2号）；理由：…"""
    what = f"《{row.title}》" if row.title else ""
    number = row.number or row.number_raw
    if number:
        what += f"（{number}）" if what else number
    what = what or f"id {row.target_id}"
    text = f"第{row.line}行：清理结论 {_LABELS[row.kind]} {what}"
    if row.decision_number and row.decision_number != own_number:
        text += f"；决定文号：{row.decision_number}"
    if row.date:
        text += f"；决定日期：{row.date}"
    if row.reason:
        text += f"；理由：{row.reason}"
    if row.note:
        text += f"；说明：{row.note}"
    return text


def _decode(path: Path, source: str) -> tuple[str, list[str]]:
    _, text, warnings = read_source(path, source)
    if warnings:  # the shared decoder says GB18030: say where it came from
        warnings = ["CSV 不是 UTF-8 编码（Excel 另存为 CSV 时的 GB18030），已按 GB18030 解码"]
    return text, warnings


def read_worklist(path: Path, base: Path, collection: str) -> Iterator[Document | Skip]:
    """The decision record of one worklist CSV, preceded by a Skip for each bad row."""
    source = path.relative_to(base).as_posix() if path != base else path.name
    try:
        text, warnings = _decode(path, source)
    except BadInputFile as exc:
        yield Skip(source, exc.reason)
        return
    table = list(csv.reader(io.StringIO(text), delimiter=_delimiter(text)))
    header_at = next(
        (i for i, cells in enumerate(table) if any(_role(c) == "conclusion" for c in cells)),
        None,
    )
    if header_at is None:
        yield Skip(source, "没有“清理结论”列，不是清理工作表")
        return
    pre = _Preamble()
    for cells in table[:header_at]:
        _read_preamble(cells, pre, warnings)
    roles: dict[int, str] = {}
    for i, cell in enumerate(table[header_at]):
        role = _role(cell)
        if role and role not in roles.values():
            roles[i] = role
    if not {"id", "title", "number"} & set(roles.values()):
        yield Skip(source, "没有指明文件的列：需要 id、标题 或 文号 列之一")
        return
    rows: list[_Row] = []
    # csv.reader gives rows, not lines: count physical lines so a report points at the row.
    line = sum(1 + "".join(c).count("\n") for c in table[: header_at + 1])
    for cells in table[header_at + 1 :]:
        line += 1 + "".join(cells).count("\n")
        try:
            row = _parse_row(line, cells, roles)
        except _Undecided as exc:
            yield Skip(f"{source}:{line}", f"第{line}行：{exc}", failed=False)
            continue
        except ValueError as exc:
            yield Skip(f"{source}:{line}", f"第{line}行：{exc}，已跳过")
            continue
        if row is not None:
            rows.append(row)
    yield _decision(pre, rows, path, source, collection, text, warnings)


def _decision(
    pre: _Preamble,
    rows: list[_Row],
    path: Path,
    source: str,
    collection: str,
    text: str,
    warnings: list[str],
) -> Document:
    numbers = {r.decision_number for r in rows if r.decision_number}
    own_number = pre.number or (numbers.pop() if len(numbers) == 1 else None)
    row_dates = [r.date for r in rows if r.date]
    date = pre.date or (max(row_dates) if row_dates else None)
    if not date:
        warnings.append("没有决定日期（决定日期列或“决定日期”行）：状态变更的日期不详")
    title = pre.title or path.stem
    relations = [
        Relation(
            type=r.kind,
            target_id=r.target_id,
            target_title=r.title,
            target_doc_number=r.number,
            evidence=_evidence(r, own_number),
            date=r.date or date,
        )
        for r in rows
    ]
    body = [title, *(f"{k}：{v}" for k, v in (("决定文号", own_number), ("决定日期", date)) if v)]
    body += pre.notes
    body += [rel.evidence for rel in relations]
    return Document(
        id=make_id(collection, source),
        title=title,
        collection=collection,
        source=source,
        format=FORMAT,
        doc_number=own_number,
        doc_number_raw=own_number,
        authority=pre.authority,
        level="其他",
        region=pre.region,
        publish_date=date,
        effective_date=date,
        relations=relations,
        body="\n".join(body),
        content_hash=content_hash(text),
        warnings=warnings,
    )
