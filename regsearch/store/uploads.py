"""An uploaded file -> one parsed `Document`, or a message saying why it was refused.

Word (.docx, python-docx) and PDF with a text layer (pypdf) become plain text that
the Markdown/text reader parses (title, 文号 line, history line, articles); the
other formats go to their own ingest readers. A file must be what its name says
(the first bytes are checked), within the size limits, and must yield text.
Nothing is stored here: the caller stores only what the user then submits.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from regsearch.errors import BadInputFile
from regsearch.ingest.files import decode_bytes
from regsearch.model import Document, Skip
from regsearch.store.errors import UploadRejected

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 60 * 1024 * 1024  # a .docx is a zip: refuse zip bombs
MAX_PDF_PAGES = 1000
MIN_TEXT = 20
FORMATS = {
    ".docx": "docx",
    ".pdf": "pdf",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".html": "govcn-html",
    ".htm": "govcn-html",
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".csv": "worklist",
}
ACCEPT = ",".join(FORMATS)
_BINARY_MAGIC = (b"PK\x03\x04", b"%PDF", b"MZ", b"\x7fELF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff")


def _docx_text(data: bytes, name: str) -> str:
    if not data.startswith(b"PK\x03\x04"):
        raise UploadRejected(
            f"{name} 不是 Word（.docx）文件：内容不是 docx 格式。请用 Word 另存为 .docx 后上传。"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if "word/document.xml" not in {i.filename for i in infos}:
                raise UploadRejected(f"{name} 不是 Word（.docx）文件：缺少 word/document.xml。")
            if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
                raise UploadRejected(
                    f"{name} 解压后过大（超过 {MAX_UNPACKED_BYTES // 2**20} MB），已拒收。"
                )
    except zipfile.BadZipFile as exc:
        raise UploadRejected(f"{name} 已损坏，无法作为 .docx 打开：{exc}") from exc
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds for bad files
        raise UploadRejected(f"{name} 无法作为 Word 文件读取：{exc}") from exc
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _pdf_text(data: bytes, name: str) -> str:
    if b"%PDF-" not in data[:1024]:
        raise UploadRejected(f"{name} 不是 PDF 文件：文件头不是 %PDF。")
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UploadRejected(f"{name} 有密码保护，请上传未加密的 PDF。")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise UploadRejected(f"{name} 超过 {MAX_PDF_PAGES} 页，请拆分后上传。")
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except UploadRejected:
        raise
    except (PyPdfError, ValueError, KeyError, OSError) as exc:
        raise UploadRejected(f"{name} 已损坏，无法作为 PDF 读取：{exc}") from exc
    if len("".join(text.split())) < MIN_TEXT:
        raise UploadRejected(
            f"{name} 没有文字层（可能是扫描件）：请上传带文字的 PDF，或 Word 文件。"
        )
    return text


def _decode(data: bytes, name: str) -> str:
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(_BINARY_MAGIC):
        raise UploadRejected(f"{name} 不是文本文件（内容是二进制格式），与扩展名不符。")
    try:
        return decode_bytes(data, name)[0]
    except BadInputFile as exc:
        raise UploadRejected(f"{name}：{exc.reason}") from exc


def _one(items: list[Document | Skip], name: str) -> Document:
    docs = [i for i in items if isinstance(i, Document)]
    skips = [i for i in items if isinstance(i, Skip)]
    if not docs:
        reason = skips[0].reason if skips else "没有读到文件内容"
        raise UploadRejected(f"{name}：{reason}")
    if len(docs) > 1:
        raise UploadRejected(f"{name} 含 {len(docs)} 件文件：一次只能提交一件。")
    doc = docs[0]
    doc.warnings = [s.reason for s in skips] + doc.warnings
    return doc


def _via_file(reader: str, data: bytes, name: str, collection: str) -> list[Document | Skip]:
    """Readers that take a path (JSON Lines, worklists): a private temporary copy."""
    with tempfile.TemporaryDirectory(prefix="regsearch-upload-") as tmp:
        path = Path(tmp) / ("upload" + Path(name).suffix.lower())
        path.write_bytes(data)
        if reader == "jsonl":
            from regsearch.ingest.jsonl import read_jsonl

            return list(read_jsonl(path, path.parent, collection))
        from regsearch.ingest.worklist import read_worklist

        return list(read_worklist(path, path.parent, collection))


def parse_upload(
    filename: str, data: bytes, *, doc_id: str, collection: str, source: str
) -> Document:
    """The document in an uploaded file (id, collection and source as given)."""
    name = Path(filename or "").name or "上传的文件"
    ext = Path(name).suffix.lower()
    fmt = FORMATS.get(ext)
    if fmt is None:
        raise UploadRejected(
            f"不支持的文件类型“{ext or '无扩展名'}”：可上传 {'、'.join(sorted(set(FORMATS)))}。"
        )
    if not data:
        raise UploadRejected(f"{name} 是空文件。")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRejected(f"{name} 过大（上限 {MAX_UPLOAD_BYTES // 2**20} MB）。")
    if fmt in ("docx", "pdf"):
        text = _docx_text(data, name) if fmt == "docx" else _pdf_text(data, name)
        from regsearch.ingest.markdown import parse_markdown

        doc = _one([parse_markdown(text, source, collection, fmt)], name)
    elif fmt in ("markdown", "text"):
        from regsearch.ingest.markdown import parse_markdown

        doc = _one([parse_markdown(_decode(data, name), source, collection, fmt)], name)
    elif fmt == "govcn-html":
        _decode(data, name)
        from regsearch.ingest.govcn import parse_govcn

        try:
            doc = _one([parse_govcn(data, source, collection)], name)
        except BadInputFile as exc:
            raise UploadRejected(f"{name}：{exc.reason}") from exc
    else:
        _decode(data, name)
        doc = _one(_via_file(fmt, data, name, collection), name)
    if not (doc.body or "").strip() and not doc.relations:
        raise UploadRejected(f"{name} 中没有读到正文。")
    doc.id, doc.collection, doc.source = doc_id, collection, source
    return doc
