"""Synthetic copies of a collection of records, so that it grows like a national one.

Copy k (k >= 1) of a record is the same text issued by another province: the issuing
province or body in the title, authority, region and 发文字号 is renamed (a national
body becomes that province's: 国务院 -> 江苏省人民政府, 国办发 -> 苏政办发), the
province's name is replaced in the text, the document number is shifted by k, and the
ids (record, source documents, relation targets within the copy) are new. Articles
keep their numbers, headings and order. Copies are generated lazily from records in
memory; nothing is written to disk. Used by `scripts/bench_scale.py`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from regsearch.model import Article, Document

# Province-level divisions and the one-character abbreviation of their 发文字号.
PROVINCES: tuple[tuple[str, str], ...] = (
    ("北京市", "京"),
    ("天津市", "津"),
    ("河北省", "冀"),
    ("山西省", "晋"),
    ("内蒙古自治区", "蒙"),
    ("辽宁省", "辽"),
    ("吉林省", "吉"),
    ("黑龙江省", "黑"),
    ("上海市", "沪"),
    ("江苏省", "苏"),
    ("浙江省", "浙"),
    ("安徽省", "皖"),
    ("福建省", "闽"),
    ("江西省", "赣"),
    ("山东省", "鲁"),
    ("河南省", "豫"),
    ("湖北省", "鄂"),
    ("湖南省", "湘"),
    ("广东省", "粤"),
    ("广西壮族自治区", "桂"),
    ("海南省", "琼"),
    ("重庆市", "渝"),
    ("四川省", "川"),
    ("贵州省", "黔"),
    ("云南省", "滇"),
    ("西藏自治区", "藏"),
    ("陕西省", "陕"),
    ("甘肃省", "甘"),
    ("青海省", "青"),
    ("宁夏回族自治区", "宁"),
    ("新疆维吾尔自治区", "新"),
)
_NAMES = [p for p, _a in PROVINCES]
# Placeholder names of the test fixtures count as a province of their own.
_OTHER = ("某省", "某市")
_ROTATION = len(PROVINCES) - 1  # copies per cycle that never reuse a record's own province
# National bodies a title may start with (longest first), renamed as the copy's issuer.
_NATIONAL = (
    "国务院办公厅",
    "国务院",
    "全国人民代表大会常务委员会",
    "全国人民代表大会",
    "最高人民法院",
    "最高人民检察院",
    "中共中央",
)
# Added to a copy's number so that it is no real number of the issuer it now names.
NUMBER_SHIFT = 1000

_BRACKETED = re.compile(r"^(?P<pre>.*?)(?P<year>[〔\[（(【]\d{4}[〕\]）)】])(?P<rest>.*)$")
_LAST_NUMBER = re.compile(r"(\d+)(?=\D*$)")


@dataclass(frozen=True)
class Issuer:
    """Who issues copy k of one record: a province and the copy's cycle (0 at first)."""

    name: str
    abbr: str
    own: str | None  # the record's own province (as written), if it has one
    own_abbr: str | None
    cycle: int


def own_province(doc: Document) -> str | None:
    """The province (or placeholder) the record's title or region names, if any."""
    for name in (*_NAMES, *_OTHER):
        if doc.title.startswith(name) or (doc.authority or "").startswith(name):
            return name
    return doc.region if doc.region in _NAMES else None


def issuer(doc: Document, k: int) -> Issuer:
    own = own_province(doc)
    cycle, r = divmod(k - 1, _ROTATION)
    if own in _NAMES:
        name, abbr = PROVINCES[(_NAMES.index(own) + 1 + r) % len(PROVINCES)]
    else:
        name, abbr = PROVINCES[r]
    own_abbr = PROVINCES[_NAMES.index(own)][1] if own in _NAMES else None
    return Issuer(name, abbr, own, own_abbr, cycle)


def copy_id(record_id: str, k: int) -> str:
    return hashlib.sha1(f"{record_id}\x1fcopy{k}".encode()).hexdigest()[:16]


def copy_authority(authority: str | None, who: Issuer) -> str | None:
    if not authority:
        return authority
    if who.own and authority.startswith(who.own):
        return who.name + authority[len(who.own) :]
    for national, local in (
        ("全国人民代表大会常务委员会", "人民代表大会常务委员会"),
        ("全国人民代表大会", "人民代表大会"),
        ("国务院办公厅", "人民政府办公厅"),
        ("国务院", "人民政府"),
        ("最高人民法院", "高级人民法院"),
        ("最高人民检察院", "人民检察院"),
    ):
        if authority.startswith(national):
            return who.name + local + authority[len(national) :]
    if authority.startswith("中共中央"):
        return f"中共{who.name}委员会" + authority[4:]
    body = authority.removeprefix("国家").replace("总局", "局").replace("总署", "局")
    if body.endswith("部"):
        body = body[:-1] + "厅"
    return who.name + body


def copy_title(title: str, who: Issuer) -> str:
    if who.own and title.startswith(who.own):
        new = who.name + title[len(who.own) :]
    elif title.startswith("中华人民共和国"):
        new = who.name + title[len("中华人民共和国") :]
    elif title.startswith(_NATIONAL):
        head = next(h for h in _NATIONAL if title.startswith(h))
        new = str(copy_authority(head, who)) + title[len(head) :]
    else:
        new = who.name + title
    return new + (f"（第{who.cycle + 1}批）" if who.cycle else "")


def copy_number(number: str | None, doc: Document, who: Issuer, k: int) -> str | None:
    """The copy's 发文字号: the issuer's name or abbreviation in place of the original's,
    the last number shifted by NUMBER_SHIFT * k."""
    if not number:
        return number
    authority = doc.authority or ""
    m = _BRACKETED.match(number)
    if authority and number.startswith(authority):
        new = str(copy_authority(authority, who)) + number[len(authority) :]
    elif who.own and number.startswith(who.own):
        new = who.name + number[len(who.own) :]
    elif m:
        pre = m["pre"]
        if pre.startswith("国"):
            pre = who.abbr + "政" + pre[1:]
        elif who.own_abbr and pre.startswith(who.own_abbr):
            pre = who.abbr + pre[1:]
        else:
            pre = who.abbr + pre
        new = pre + m["year"] + m["rest"]
    elif number.startswith("国令"):
        new = who.name + "人民政府令" + number[2:]
    else:
        new = who.name + number
    new = _LAST_NUMBER.sub(lambda n: str(int(n[1]) + NUMBER_SHIFT * k), new, count=1)
    if who.cycle:
        new = f"{new}（第{who.cycle + 1}批）"
    return new


def _text(text: str, who: Issuer, numbers: dict[str, str]) -> str:
    if who.own:
        text = text.replace(who.own, who.name)
    for old, new in numbers.items():
        text = text.replace(old, new)
    return text


def copy_record(
    doc: Document,
    k: int,
    targets: dict[str, Document] | None = None,
    titles: dict[str, str] | None = None,
) -> Document:
    """Copy k of one record (`targets`: the collection's records by id, so that a
    relation to another record points at that record's copy k; `titles`: copy k's
    title of each original title, see `copy_titles`)."""
    titles = titles if titles is not None else {}
    who = issuer(doc, k)
    number = copy_number(doc.doc_number, doc, who, k)
    raw = copy_number(doc.doc_number_raw, doc, who, k)
    numbers = {
        old: new for old, new in ((doc.doc_number_raw, raw), (doc.doc_number, number)) if old
    }
    title = titles.get(doc.title) or copy_title(doc.title, who)
    relations = []
    for rel in doc.relations:
        target = (targets or {}).get(rel.target_id or "")
        if target is None:
            relations.append(rel)
            continue
        twho = issuer(target, k)
        relations.append(
            replace(
                rel,
                target_id=copy_id(target.id, k),
                target_title=(titles.get(target.title) or copy_title(target.title, twho))
                if rel.target_title
                else None,
                target_doc_number=copy_number(rel.target_doc_number, target, twho, k),
            )
        )
    new_id = copy_id(doc.id, k)
    prefix = f"copy{k}/"
    sources = [
        replace(
            ref,
            id=new_id if ref.id == doc.id else copy_id(ref.id, k),
            source=prefix + ref.source,
            title=(titles.get(ref.title) or copy_title(ref.title, who)) if ref.title else "",
            content_hash=_hash(ref.content_hash, k),
        )
        for ref in doc.sources
    ]
    return replace(
        doc,
        id=new_id,
        title=title,
        source=prefix + doc.source,
        doc_number=number,
        doc_number_raw=raw,
        authority=copy_authority(doc.authority, who),
        co_authorities=[str(copy_authority(a, who)) for a in doc.co_authorities],
        region=who.name,
        url=None,
        content_hash=_hash(doc.content_hash, k),
        relations=relations,
        articles=[
            Article(a.number, _text(a.text, who, numbers), list(a.path), a.ordinal)
            for a in doc.articles
        ],
        body=_text(doc.body, who, numbers),
        history=list(doc.history),
        warnings=list(doc.warnings),
        sources=sources,
    )


def _hash(value: str, k: int) -> str:
    return hashlib.sha256(f"{value}\x1fcopy{k}".encode()).hexdigest()


def copy_titles(docs: Sequence[Document], k: int, taken: set[str]) -> dict[str, str]:
    """Copy k's title of each distinct title of `docs` (versions of one law keep sharing
    theirs), none of them in `taken` (the titles so far, updated): where two originals
    would give the same copy title, the later one says which copy it is."""
    out: dict[str, str] = {}
    for doc in docs:
        if doc.title in out:
            continue
        who = issuer(doc, k)
        title = copy_title(doc.title, who)
        if title in taken:
            title = f"{title}（{who.abbr}{k}）"
        taken.add(title)
        out[doc.title] = title
    return out


def scaled(docs: Sequence[Document], scale: int) -> Iterator[Document]:
    """The records themselves, then copies 1 … scale-1 of each (a lazy stream)."""
    targets = {d.id: d for d in docs}
    taken = {d.title for d in docs}
    yield from docs
    for k in range(1, scale):
        titles = copy_titles(docs, k, taken)
        for doc in docs:
            yield copy_record(doc, k, targets, titles)
