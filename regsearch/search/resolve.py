"""A document named the way a user names it: by id, 发文字号, title, short name (社会保险法 for
中华人民共和国社会保险法), an article id from `search --articles`, or a citation with an
article (劳动合同法第三十九条). Shared by `regsearch show` and the document page.

Only the service's public methods are used (`get`, `search`), so any engine serves it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from regsearch.errors import DocumentNotFound
from regsearch.ingest.relations import norm_title
from regsearch.model import Article, Document, RelationType, SearchQuery, Status
from regsearch.search.citation import article_refs
from regsearch.text.numerals import normalize_article_number

# 第三十九条 / 第39条 / 第十七条之一 at the end of a reference.
_ARTICLE_TAIL = re.compile(
    r"^(?P<doc>.+?)\s*(?P<article>第\s*[0-9０-９零〇一二两三四五六七八九十百千]+\s*条"
    r"(?:\s*之\s*[0-9０-９一二三四五六七八九十]+)?)$"
)
_IN_FORCE = {Status.IN_FORCE.value, Status.PARTIALLY_INVALID.value}
CANDIDATES = 100  # title hits looked at
SHOWN = 5  # candidates listed when a reference is ambiguous
MAX_CHAIN = 50  # versions followed at most


@dataclass
class Resolved:
    document: Document
    article: Article | None = None  # set when the reference named an article


def find_article(doc: Document, number: str) -> Article | None:
    """The article `number` (第3条, 第三条, 第十七条之一) of `doc`, or None."""
    wanted = normalize_article_number(number) or number.strip()
    return next((a for a in doc.articles if a.number == wanted), None)


def _article_by_ref(doc: Document, part: str) -> Article | None:
    """`<id>#<n>` (the n-th article, as `search --articles` numbers them) or `<id>#第三条`."""
    if part.isdigit():
        n = int(part)
        return doc.articles[n] if n < len(doc.articles) else None
    return find_article(doc, part)


def _try_get(service: Any, ref: str, as_of: str | None) -> Document | None:
    try:
        return service.get(ref, as_of=as_of)
    except DocumentNotFound:
        return None


def _titles(service: Any, text: str, as_of: str | None) -> list[Any]:
    """Hits whose title contains `text` as a phrase (quotes in `text` dropped)."""
    phrase = re.sub(r'["“”「」]', "", text).strip()
    if not phrase:
        return []
    query = SearchQuery(q=f'标题:"{phrase}"', as_of=as_of, per_page=CANDIDATES)
    return list(service.search(query).results)


def _listing(service: Any, hits: list[Any], as_of: str | None) -> str:
    """The first candidates, one a line: ID, title, sub-title (民法典's 编), 文号, date."""
    lines = []
    for hit in hits[:SHOWN]:
        doc = _try_get(service, hit.id, as_of)
        subtitle = f" {doc.subtitle}" if doc is not None and doc.subtitle else ""
        number = f"（{hit.doc_number}）" if hit.doc_number else ""
        day = f" {hit.publish_date}" if hit.publish_date else ""
        lines.append(f"  {hit.id}  {hit.title}{subtitle}{number}{day}")
    more = f"\n  ……共 {len(hits)} 件" if len(hits) > SHOWN else ""
    return "\n".join(lines) + more


class Ambiguous(DocumentNotFound):
    """Several documents in force have the title asked for (listed in the message)."""


def _by_title(service: Any, text: str, as_of: str | None) -> Document:
    """The document titled `text` (or 中华人民共和国 + `text`): of several versions the one in
    force, else the latest; several documents in force under one title are listed instead."""
    key = norm_title(text)
    hits = _titles(service, text, as_of)
    same = [h for h in hits if norm_title(h.title) == key]
    in_force = [h for h in same if h.status in _IN_FORCE]
    if len(in_force) > 1:
        raise Ambiguous(
            f"有 {len(in_force)} 件现行文档的标题是“{text}”：\n"
            f"{_listing(service, in_force, as_of)}\n请用其中的 ID 查看。"
        )
    if same:
        best = max(in_force or same, key=lambda h: (h.effective_date or h.publish_date or "", h.id))
        return service.get(best.id, as_of=as_of)
    if not hits:
        raise DocumentNotFound(
            f"找不到文档“{text}”：ID、发文字号、标题或简称都没有对上。"
            "请先检索，再从结果中打开或用结果中的 ID 查看。"
        )
    raise DocumentNotFound(
        f"没有标题恰为“{text}”的文档；标题含有它的有：\n{_listing(service, hits, as_of)}\n"
        "请用其中的 ID 或完整标题查看。"
    )


def resolve(service: Any, ref: str, as_of: str | None = None) -> Resolved:
    """The document (and article) `ref` names; DocumentNotFound says what was tried."""
    ref = " ".join(ref.split())
    if not ref:
        raise DocumentNotFound("请给出要查看的文档：ID、发文字号、标题或简称。")
    doc_ref, sep, part = ref.rpartition("#")
    if sep and doc_ref:
        doc = _try_get(service, doc_ref, as_of)
        if doc is not None:
            article = _article_by_ref(doc, part)
            if article is None:
                raise DocumentNotFound(f"《{doc.title}》中没有条文“{part}”。")
            return Resolved(doc, article)
    doc = _try_get(service, ref, as_of)
    if doc is not None:
        return Resolved(doc)
    m = _ARTICLE_TAIL.match(ref)
    name = m["doc"] if m else ref
    doc = _try_get(service, name, as_of) if m else None
    if doc is None:
        try:
            doc = _by_title(service, name, as_of)
        except Ambiguous:
            raise
        except DocumentNotFound:  # no such title: perhaps a short name the search knows
            found = _by_citation(service, ref, as_of)
            if found is None:
                raise
            return found
    return _with_article(doc, m["article"]) if m else Resolved(doc)


def _with_article(doc: Document, number: str) -> Resolved:
    """`doc` and its article `number`; DocumentNotFound naming both if it has none."""
    article = find_article(doc, number)
    if article is None:
        raise DocumentNotFound(f"《{doc.title}》中没有“{number}”。")
    return Resolved(doc, article)


def _by_citation(service: Any, ref: str, as_of: str | None) -> Resolved | None:
    """What the search box's citation and name lookup (`search.pins`: the short names
    and 简称 learned from the corpus, 个保法第十三条, 264条 after a law's name) makes of
    `ref`: the law's version in force on the day, and the article cited."""
    page = service.search(SearchQuery(q=ref, as_of=as_of, per_page=1))
    if not page.resolved or not page.results:
        return None
    hit = page.results[0]
    doc = _try_get(service, hit.id, as_of)
    if doc is None:
        return None
    cited = article_refs(ref)
    return _with_article(doc, cited[-1].number) if cited else Resolved(doc)


def current_version(service: Any, doc: Document, as_of: str | None = None) -> Document | None:
    """The version that replaced `doc`, following 新版本 links to the end (None if `doc` has
    no successor in the index). A hit or page of an 已修改 version links to it."""
    seen = {doc.id}
    current = doc
    while current.status == Status.AMENDED.value and len(seen) <= MAX_CHAIN:
        successor = next(
            (
                r.target_id
                for r in current.relations
                if r.type == RelationType.SUPERSEDED_BY.value
                and r.target_id
                and r.target_id not in seen
            ),
            None,
        )
        found = _try_get(service, successor, as_of) if successor else None
        if found is None:
            break
        seen.add(found.id)
        current = found
    return current if current is not doc else None
