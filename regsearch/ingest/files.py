"""Reading source files: decoding with no guessing that could produce mojibake."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from regsearch.errors import BadInputFile


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
