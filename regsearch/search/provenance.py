"""Where a document comes from, told to the public without internal names: the source's own
page when the source gave its address, else the database it was taken from when that is
certain from the source format, and whether it is one of the embedded samples.

Nothing is made up: a link is shown only when it is the document's recorded address or the
home page of the database its format comes from (LawRefBook texts are those of the national
law database, flk.npc.gov.cn).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

# `regsearch ingest corpora/samples` names the embedded sample corpus after its folder.
SAMPLE_COLLECTIONS = frozenset({"samples"})

# Source formats whose texts all come from one public database: (name, its address).
FORMAT_SOURCES = {
    "lawrefbook": ("国家法律法规数据库", "https://flk.npc.gov.cn/"),
}
# Hosts with a name the public knows.
HOST_NAMES = {
    "www.gov.cn": "中国政府网",
    "flk.npc.gov.cn": "国家法律法规数据库",
    "www.npc.gov.cn": "中国人大网",
}


@dataclass(frozen=True)
class Provenance:
    label: str  # 中国政府网, 国家法律法规数据库 … ("" when nothing is known)
    url: str | None = None  # the document's own page at its source
    site_url: str | None = None  # the database's home page, when the page itself is unknown
    sample: bool = False  # one of the embedded samples, not a real document


def web_address(url: str | None) -> str | None:
    """`url` if it is a plain web address (never `javascript:` and the like)."""
    url = (url or "").strip()
    return url if url.lower().startswith(("http://", "https://")) else None


def is_sample(collection: str | None, samples: Collection[str] = SAMPLE_COLLECTIONS) -> bool:
    return bool(collection) and collection in samples


def provenance(
    collection: str | None,
    fmt: str | None,
    url: str | None,
    samples: Collection[str] = SAMPLE_COLLECTIONS,
) -> Provenance:
    """What may be said about a document's origin (see the module docstring)."""
    if is_sample(collection, samples):
        return Provenance("regsearch 项目自编的示例文件，不是真实文件", sample=True)
    own = web_address(url)
    if own:
        host = (urlsplit(own).hostname or "").lower()
        return Provenance(HOST_NAMES.get(host, host), url=own)
    if fmt in FORMAT_SOURCES:
        name, site = FORMAT_SOURCES[fmt]
        return Provenance(name, site_url=site)
    return Provenance("")


def document_link(base_url: str | None, doc_id: str, article: str | None = None) -> str:
    """The public address of a document (and article) under the configured base URL;
    "" without one."""
    if not base_url:
        return ""
    link = f"{base_url.rstrip('/')}/doc/{quote(doc_id, safe='')}"
    return link + (f"#{quote(article, safe='')}" if article else "")
