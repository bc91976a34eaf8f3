"""Ingest: files and folders of any supported format -> normalized `Document`s.

`ingest_paths` walks files and folders (following symbolic links to folders once,
reporting folders it cannot read), detects each file's format (LawRefBook folders by
their `db.sqlite3`, then extension and content), hands it to the reader for that
format and accounts for every file: each one is a source of records, a deliberate
skip, a failure, or a metadata file (db.sqlite3, urls.tsv). The source documents
read are then derived into records (`ingest.derive`: one record per version across
sources, linked).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from regsearch.ingest.classify import apply_evidence
from regsearch.ingest.derive import derive
from regsearch.ingest.files import file_problem
from regsearch.ingest.identity import IdentityRules
from regsearch.ingest.lawrefbook import read_lawrefbook
from regsearch.model import Document, Skip, make_id

MARKDOWN_EXTS = {".md", ".markdown", ".txt"}
HTML_EXTS = {".html", ".htm", ".shtml", ".xhtml"}
JSONL_EXTS = {".jsonl", ".ndjson", ".json"}
METADATA_NAMES = {"db.sqlite3", "urls.tsv"}
WORKLIST_EXTS = {".csv"}


@dataclass
class IngestResult:
    documents: list[Document] = field(default_factory=list)  # records (merged, linked)
    skips: list[Skip] = field(default_factory=list)
    files: int = 0
    per_format: dict[str, int] = field(default_factory=dict)
    metadata_files: list[str] = field(default_factory=list)
    # Each file is exactly one of: a source of records, skipped (no record: deliberately,
    # or because it could not be read), metadata:
    # files == record_files + skipped_files + len(metadata_files).
    record_files: int = 0
    skipped_files: int = 0
    failed_file_count: int = 0  # the skipped files that failed (could not be read)
    sources: list[Document] = field(default_factory=list)  # source documents, as read

    @property
    def failed(self) -> list[Skip]:
        """Skips of files that could not be read (not deliberate skips of non-legal pages)."""
        return [s for s in self.skips if s.failed]

    @property
    def failed_files(self) -> list[str]:
        """Files (exact paths, ':' and all) with a failure: `--prune` must keep their records."""
        return sorted({s.path for s in self.failed})

    def counts(self) -> dict[str, int]:
        return {
            "files": self.files,
            "record_files": self.record_files,
            "skipped_files": self.skipped_files,  # failed ones included
            "failed_files": self.failed_file_count,
            "metadata_files": len(self.metadata_files),
            "sources": len(self.sources),
            "records": len(self.documents),
        }


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


def _walk(folder: Path) -> tuple[list[Path], list[Path], list[Skip]]:
    """(LawRefBook roots, other files, problems) under `folder`, sorted.

    Symbolic links to folders are followed, each real folder once (a link back to a
    folder already read is reported, not looped); a folder that cannot be listed is a
    failure, never silently missing.
    """
    roots: list[Path] = []
    files: list[Path] = []
    problems: list[Skip] = []

    def rel(path: Path) -> str:
        return path.relative_to(folder).as_posix() if path != folder else path.name

    def unreadable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else folder
        problems.append(Skip(rel(where), f"文件夹无法读取：{exc.strerror or exc}，请检查权限"))

    seen = {os.path.realpath(folder)}
    for dirpath, dirnames, filenames in os.walk(folder, onerror=unreadable, followlinks=True):
        here = Path(dirpath)
        dirnames.sort()
        for name in list(dirnames):
            real = os.path.realpath(here / name)
            if real in seen:
                dirnames.remove(name)
                problems.append(
                    Skip(rel(here / name), "符号链接指向已读取的文件夹，未重复读取", failed=False)
                )
            else:
                seen.add(real)
        if "db.sqlite3" in filenames:
            roots.append(here)
        files.extend(here / name for name in sorted(filenames))
    return roots, files, problems


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
    *,
    link: bool = True,
    rules: IdentityRules | None = None,
) -> IngestResult:
    """Read every file under `paths`; one bad file never stops the rest.

    `sources` are the source documents as their files state them (the document store
    keeps them so); `documents` the records derived from them (one per version across
    sources, linked), or with `link=False` the source documents themselves (the
    records are then derived when the index is built).
    """
    result = IngestResult()
    per_format: Counter[str] = Counter()
    jobs: list[tuple[Path, str, list[Path], list[Path]]] = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            roots, files, problems = _walk(p)
            jobs.append((p, collection or p.resolve().name, roots, files))
            result.skips.extend(problems)
            result.failed_file_count += sum(1 for s in problems if s.failed)
            result.skipped_files += len(problems)
        elif p.exists() or p.is_symlink():
            jobs.append((p.parent, collection or p.resolve().parent.name, [], [p]))
        else:
            result.skips.append(Skip(str(given), "路径不存在"))
            result.failed_file_count += 1
            result.skipped_files += 1
    total = sum(len(job[3]) for job in jobs)
    result.files = total + len(result.skips)
    done = 0

    def tick(n: int = 1) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    for base, coll, roots, files in jobs:
        produced: set[str] = set()  # files that gave at least one record
        skipped: set[str] = set()  # files that gave a deliberate skip
        failed: set[str] = set()  # files that gave a failure (the whole file or some lines)
        metadata: set[str] = set()

        def take(
            item: Document | Skip,
            file: str | None = None,
            produced: set[str] = produced,
            skipped: set[str] = skipped,
            failed: set[str] = failed,
        ) -> None:
            """Record `item`, read from `file` (default: the item's own source)."""
            if isinstance(item, Document):
                result.sources.append(item)
                per_format[item.format or "unknown"] += 1
                produced.add(file or item.source)
            else:
                item.file = item.file or file
                result.skips.append(item)
                (failed if item.failed else skipped).add(item.path)

        for root in roots:
            try:
                for item in read_lawrefbook(root, base, coll):
                    take(item)
                    tick()
            except Exception as exc:  # noqa: BLE001 - one broken database must not stop the rest
                source = (root / "db.sqlite3").relative_to(base).as_posix()
                take(Skip(source, f"LawRefBook 数据库无法读取：{exc}"))
        for path in files:
            source = path.relative_to(base).as_posix() if path != base else path.name
            if path.name in METADATA_NAMES or (path.name.startswith(".") and _owner(path, roots)):
                result.metadata_files.append(source)
                metadata.add(source)
                tick()
                continue
            if _owner(path, roots) is not None and path.suffix.lower() == ".md":
                continue  # read by the LawRefBook reader above
            problem = file_problem(path)
            fmt = None if problem else detect_format(path)
            if problem:
                take(Skip(source, problem), source)
            elif fmt is None:
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
            if source not in produced | skipped | failed | metadata:
                take(Skip(source, "没有产生记录（读取器未处理该文件）"), source)
        result.record_files += len(produced)
        result.failed_file_count += len(failed - produced - metadata)
        result.skipped_files += len((skipped | failed) - produced - metadata)

    result.per_format = dict(per_format)
    for doc in result.sources:
        apply_evidence(doc)
    _unique_ids(result.sources)
    result.documents = derive(result.sources, rules=rules) if link else list(result.sources)
    return result


def _unique_ids(documents: list[Document]) -> None:
    """A second document with an id already taken gets its own (and a warning), never
    overwriting the first: a CMS export may repeat an id by mistake."""
    first: dict[str, Document] = {}
    count: Counter[str] = Counter()
    for doc in documents:
        if doc.id not in first:
            first[doc.id] = doc
            continue
        count[doc.id] += 1
        old, new = doc.id, make_id(doc.collection, doc.source, f"{doc.id}#{count[doc.id]}")
        other = first[old]
        doc.warnings.append(
            f"id {old} 与 {other.collection}/{other.source}《{other.title}》重复，已改为 {new}"
        )
        doc.id = new
        first[new] = doc


__all__ = ["IngestResult", "detect_format", "ingest_paths"]
