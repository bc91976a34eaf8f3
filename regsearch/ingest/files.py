"""Reading source files: decoding with no guessing that could produce mojibake, and
limits that keep one odd file (a named pipe, a 50 MB single line) from hanging or
exhausting an ingest."""

from __future__ import annotations

import stat
import unicodedata
from pathlib import Path

from regsearch import settings
from regsearch.errors import BadInputFile

# A document file larger than this is not one regulation (the longest law is ~1 MB).
MAX_FILE_BYTES = settings.megabytes("REGSEARCH_MAX_FILE_MB", 32)
# One JSON Lines record (one line) larger than this is refused; the file may be any size.
MAX_LINE_BYTES = settings.megabytes("REGSEARCH_MAX_LINE_MB", 32)
# A title longer than this is a file without line breaks, not a title.
MAX_TITLE_CHARS = 300


def megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 100 * 1024 else f"{n / 1024:.1f} KB"


def file_problem(path: Path, *, any_size: bool = False) -> str | None:
    """Why `path` must not be read as a document file (not a regular file, too large), or None.

    Checked before opening: reading a named pipe or a device would block forever.
    """
    try:
        st = path.stat()
    except OSError as exc:
        return f"无法读取：{exc.strerror or exc}"
    if stat.S_ISFIFO(st.st_mode):
        return "是命名管道（FIFO），不是普通文件，未读取"
    if not stat.S_ISREG(st.st_mode):
        return "不是普通文件（设备或套接字），未读取"
    if not any_size and st.st_size > MAX_FILE_BYTES and path.suffix.lower() not in JSONL_SUFFIXES:
        return (
            f"文件过大（{megabytes(st.st_size)}，上限 {megabytes(MAX_FILE_BYTES)}），"
            "不像单个法规文件，未读取；确有需要可设置 REGSEARCH_MAX_FILE_MB"
        )
    return None


# JSON Lines files hold many records: their limit is per line (MAX_LINE_BYTES).
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}


def _mostly_cjk(text: str) -> bool:
    letters = [ch for ch in text[:5000] if not ch.isspace() and not ch.isascii()]
    if not letters:
        return False
    cjk = sum(1 for ch in letters if unicodedata.name(ch, "").startswith(("CJK", "FULLWIDTH")))
    return cjk / len(letters) > 0.6


def decode_bytes(data: bytes, source: str) -> tuple[str, list[str]]:
    """UTF-8 (BOM allowed), UTF-16 with a BOM, or GB18030 when it clearly reads as Chinese.

    Returns (text, warnings); raises BadInputFile for anything else, so a binary or
    Latin-1 file is reported rather than indexed as garbage.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError as exc:
            raise BadInputFile(source, f"无法按UTF-16解码：{exc.reason}") from exc
    if b"\x00" in data[:4096]:
        raise BadInputFile(source, "二进制文件，不是文本")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if text and _mostly_cjk(text):
        return text, ["文件不是UTF-8编码，已按GB18030解码"]
    raise BadInputFile(
        source, f"不是UTF-8文本（第{utf8_error.start}字节无法解码），请转换为UTF-8后重试"
    )


def read_source(path: Path, source: str) -> tuple[bytes, str, list[str]]:
    """(raw bytes, decoded text, warnings) of a file; BadInputFile if it can't be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInputFile(source, f"无法读取：{exc.strerror or exc}") from exc
    text, warnings = decode_bytes(data, source)
    return data, text, warnings
