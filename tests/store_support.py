"""Shared by the store and write-side tests: accounts, documents and files (no tests here)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from regsearch.model import Document
from regsearch.store import accounts
from regsearch.store.base import Actor, Store

ADMIN = Actor(name="测试管理员")
PASSWORD = "correct horse battery"
DEPT_A = "贵州省交通运输厅"
DEPT_B = "贵州省生态环境厅"


def doc(doc_id: str, title: str, authority: str, **extra: Any) -> Document:
    body = extra.pop(
        "body", f"第一条 为了规范{title}，制定本办法。\n第二条 本办法自发布之日起施行。"
    )
    return Document(
        id=doc_id,
        title=title,
        collection=extra.pop("collection", "seed"),
        source=extra.pop("source", f"{doc_id}.md"),
        format="markdown",
        authority=authority,
        level=extra.pop("level", "规范性文件"),
        publish_date=extra.pop("publish_date", "2020-01-01"),
        body=body,
        content_hash=extra.pop("content_hash", f"hash-{doc_id}-{len(body)}"),
        **extra,
    )


def seed_accounts(store: Store) -> dict[str, Any]:
    """Two departments, an editor and a reviewer in each, and an admin."""
    a = accounts.create_department(store, ADMIN, DEPT_A, "省交通运输厅")
    b = accounts.create_department(store, ADMIN, DEPT_B, ["省生态环境厅"])
    users = {
        "admin": accounts.create_user(store, ADMIN, "admin", PASSWORD, "admin"),
        "editor_a": accounts.create_user(
            store, ADMIN, "editor_a", PASSWORD, "editor", a.id, "张编辑"
        ),
        "reviewer_a": accounts.create_user(
            store, ADMIN, "reviewer_a", PASSWORD, "reviewer", a.id, "李审核"
        ),
        "editor_b": accounts.create_user(
            store, ADMIN, "editor_b", PASSWORD, "editor", b.id, "王编辑"
        ),
        "reviewer_b": accounts.create_user(store, ADMIN, "reviewer_b", PASSWORD, "reviewer", b.id),
    }
    return {"a": a, "b": b, **users}


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def pdf_bytes(lines: list[str]) -> bytes:
    """A small PDF with a real text layer for CJK text (Type0 font, Identity-H, ToUnicode)."""
    chars = sorted({ch for line in lines for ch in line})
    cid = {ch: i + 1 for i, ch in enumerate(chars)}
    ops = ["BT", "/F1 12 Tf", "14 TL", "50 780 Td"]
    for line in lines:
        ops.append("<" + "".join(f"{cid[ch]:04X}" for ch in line) + "> Tj T*")
    ops.append("ET")
    content = "\n".join(ops).encode("ascii")
    bfchar = "\n".join(f"<{cid[ch]:04X}> <{ord(ch):04X}>" for ch in chars)
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(chars)} beginbfchar\n{bfchar}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    ).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def index_titles(index_dir: Path) -> dict[str, str]:
    """doc id -> status of every document in the index (today)."""
    from regsearch.search.service import SearchService

    with SearchService(index_dir, rewrite=None) as svc:
        return {d.id: svc.get(d.id).status for d in svc.iter_documents()}
