"""Ingest: files and folders of any supported format -> normalized `Document`s.

`ingest_paths` walks files and folders, detects each file's format (LawRefBook
folders by their `db.sqlite3`, then extension and content), hands it to the
reader for that format and accounts for every file: each one is a source of
records, a reported Skip, or a metadata file (db.sqlite3, urls.tsv).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from regsearch.ingest.lawrefbook import read_lawrefbook
from regsearch.ingest.linking import link_documents
from regsearch.model import Document, Skip

MARKDOWN_EXTS = {".md", ".markdown", ".txt"}
HTML_EXTS = {".html", ".htm", ".shtml", ".xhtml"}
JSONL_EXTS = {".jsonl", ".ndjson", ".json"}
METADATA_NAMES = {"db.sqlite3", "urls.tsv"}
WORKLIST_EXTS = {".csv"}


@dataclass
class IngestResult:
    documents: list[Document] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    files: int = 0
    per_format: dict[str, int] = field(default_factory=dict)
    metadata_files: list[str] = field(default_factory=list)
    # Each file is exactly one of: a source of records, skipped (no record), metadata.
    record_files: int = 0
    skipped_files: int = 0

    @property
    def failed(self) -> list[Skip]:
        """Skips of files that could not be read (not deliberate skips of non-legal pages)."""
        return [s for s in self.skips if s.failed]


def detect_format(path: Path) -> str | None:
    """markdown | govcn-html | jsonl | worklist by extension, or by the first bytes if unclear."""
    ext = path.suffix.lower()
    try:
        with path.open("rb") as fh:
            raw = fh.read(4096 if ext in WORKLIST_EXTS else 512)
    except OSError:
        raw = b""
    head = raw[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if ext in WORKLIST_EXTS:  # a cleanup worklist: a CSV with a 清理结论 column
        from regsearch.ingest.worklist import FORMAT, has_conclusion_column

        return FORMAT if has_conclusion_column(raw) else None
    looks_html = head.startswith(
        (b"<!doctype html", b"<html", b"<div", b"<table", b"<head", b"<body")
    )
    if ext in HTML_EXTS or (ext in {".txt", ""} and looks_html):
        return "govcn-html"
    if ext in JSONL_EXTS or (ext == "" and head.startswith(b"{")):
        return "jsonl"
    if ext in MARKDOWN_EXTS or (ext == "" and head.startswith(b"#")):
        return "markdown"
    return None


def _read_file(path: Path, base: Path, collection: str, fmt: str) -> Iterator[Document | Skip]:
    # Readers are imported here so that importing `regsearch.ingest` stays cheap (lxml).
    if fmt == "govcn-html":
        from regsearch.ingest.govcn import read_govcn, read_urls

        yield from read_govcn(path, base, collection, read_urls(path.parent))
    elif fmt == "worklist":
        from regsearch.ingest.worklist import read_worklist

        yield from read_worklist(path, base, collection)
    elif fmt == "jsonl":
        from regsearch.ingest.jsonl import read_jsonl

        yield from read_jsonl(path, base, collection)
    else:
        from regsearch.ingest.markdown import read_markdown

        yield from read_markdown(path, base, collection)


def _walk(folder: Path) -> tuple[list[Path], list[Path]]:
    """(LawRefBook roots, other files) under `folder`, sorted; files under a root are its own."""
    roots: list[Path] = []
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        here = Path(dirpath)
        dirnames.sort()
        if "db.sqlite3" in filenames:
            roots.append(here)
        files.extend(here / name for name in sorted(filenames))
    return roots, files


def _owner(path: Path, roots: list[Path]) -> Path | None:
    """The nearest LawRefBook root holding `path`, if any."""
    best: Path | None = None
    for root in roots:
        if path.is_relative_to(root) and (best is None or len(root.parts) > len(best.parts)):
            best = root
    return best


def ingest_paths(
    paths: Iterable[str | Path],
    collection: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    link: bool = True,
) -> IngestResult:
    """Read every file under `paths`; one bad file never stops the rest.

    `link=False` returns the documents as their files state them (the document store
    keeps them so; linking is derived when the index is built).
    """
    result = IngestResult()
    per_format: Counter[str] = Counter()
    jobs: list[tuple[Path, Path, str, list[Path], list[Path]]] = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            roots, files = _walk(p)
            jobs.append((p, p, collection or p.resolve().name, roots, files))
        elif p.is_file():
            jobs.append((p.parent, p.parent, collection or p.resolve().parent.name, [], [p]))
        else:
            result.skips.append(Skip(str(given), "路径不存在"))
    total = sum(len(job[4]) for job in jobs)
    result.files = total + len(result.skips)
    result.skipped_files = len(result.skips)  # paths that do not exist
    done = 0

    def tick(n: int = 1) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    for base, _, coll, roots, files in jobs:
        produced: set[str] = set()  # files that gave at least one record
        skipped: set[str] = set()  # files that gave a Skip (a whole file or some lines)
        metadata: set[str] = set()

        def take(
            item: Document | Skip,
            file: str | None = None,
            produced: set[str] = produced,
            skipped: set[str] = skipped,
        ) -> None:
            """Record `item`, read from `file` (default: the item's own source)."""
            if isinstance(item, Document):
                result.documents.append(item)
                per_format[item.format or "unknown"] += 1
                produced.add(file or item.source)
            else:
                result.skips.append(item)
                skipped.add(file or item.source)

        for root in roots:
            try:
                for item in read_lawrefbook(root, base, coll):
                    take(item)
                    tick()
            except Exception as exc:  # noqa: BLE001 - one broken database must not stop the rest
                source = (root / "db.sqlite3").relative_to(base).as_posix()
                result.skips.append(Skip(source, f"LawRefBook 数据库无法读取：{exc}"))
        for path in files:
            source = path.relative_to(base).as_posix() if path != base else path.name
            if path.name in METADATA_NAMES or (path.name.startswith(".") and _owner(path, roots)):
                result.metadata_files.append(source)
                metadata.add(source)
                tick()
                continue
            if _owner(path, roots) is not None and path.suffix.lower() == ".md":
                continue  # read by the LawRefBook reader above
            fmt = detect_format(path)
            if fmt is None:
                take(
                    Skip(
                        source,
                        f"不支持的文件格式（{path.suffix or '无扩展名'}），未读取",
                        failed=False,
                    )
                )
            else:
                try:
                    for item in _read_file(path, base, coll, fmt):
                        take(item, source)
                except Exception as exc:  # noqa: BLE001 - reported, never a traceback
                    take(Skip(source, f"读取失败：{type(exc).__name__}: {exc}"), source)
            tick()
        for path in files:
            source = path.relative_to(base).as_posix() if path != base else path.name
            if source not in produced | skipped | metadata:
                take(Skip(source, "没有产生记录（读取器未处理该文件）"))
        result.record_files += len(produced)
        result.skipped_files += len(skipped - produced - metadata)

    result.per_format = dict(per_format)
    if link:
        link_documents(result.documents)
    return result


__all__ = ["IngestResult", "detect_format", "ingest_paths"]
