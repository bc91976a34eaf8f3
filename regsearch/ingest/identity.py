"""Identity: one record per document version, however many sources carry it.

The same law reaches the index from several sources (a national database crawl, a
collection of department rules, the government's own page), and a source may hold
the same file twice. `merge_sources` is a pure function from all *source
documents* to *records*: it groups the copies of one version and merges each group
into one `Document` that keeps every source (`Document.sources`) and the richest
fields of each, the official page first.

Sameness is decided from what the sources say and confirmed by the text:
- candidates share a title (without 中华人民共和国, one bracket style) and the part
  of the document they are (民法典 总则编), and no 文号 or region tells them apart;
- their version dates agree (a day or a few weeks apart: adopted vs published), or one
  copy's history names the other's version date as its revision;
- their texts agree (the articles of the shorter are in the longer).
A copy whose history names no revision ("1992年国务院令第100号发布" over an amended
text) says nothing about which version it is: its text decides, and only when one
version is clearly closest. Two version files of one source are never merged: the
source itself tells them apart. Different versions stay different records, and
linking chains them across sources.

`explode` takes a record apart again into the source documents it was made from, so
that an update can replace one source's documents and merge again (see
`index.writer.update_index`).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import hashlib
import json
import os
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from regsearch.ingest.classify import PROVINCES
from regsearch.ingest.history import latest_revision, parse_events, version_date
from regsearch.ingest.relations import norm_title
from regsearch.model import Document, Relation, SourceRef, content_hash

# Set to 0/off to keep one record per source document (cleanup then lists the copies).
MERGE_ENV = "REGSEARCH_MERGE_SOURCES"


@dataclass(frozen=True)
class IdentityRules:
    """The thresholds of sameness (tests and evaluations build their own)."""

    same_days: int = 31  # version dates this close are one version (adopted vs published)
    # share of the shorter text's articles found word for word in the longer: different
    # wording of one article (a typo) costs 1/n, a different version a tenth or more
    confirm: float = 0.97
    near_identical: float = 0.95  # articles shared by copies whose dates say nothing
    margin: float = 0.02  # an undated copy joins the closest version only by this margin
    different: float = 0.5  # below this share two texts are different documents
    enabled: bool = True


DEFAULT_RULES = IdentityRules()


def merging_enabled() -> bool:
    """Whether identity merging is on (`REGSEARCH_MERGE_SOURCES=0` turns it off)."""
    return os.environ.get(MERGE_ENV, "1").strip().lower() not in {"0", "off", "no", "false"}


def default_rules() -> IdentityRules:
    return DEFAULT_RULES if merging_enabled() else IdentityRules(enabled=False)


# -- what a source document says about its version ------------------------------------------

_ARTICLE = re.compile(r"第[零〇一二三四五六七八九十百千0-9]+条")
_FIRST_ARTICLE = re.compile(r"第[一1]条")
_NON_WORD = re.compile(r"[\W_]+")
# Full-width letters and digits as ASCII (NFKC would do it, at ten times the cost).
_FULL_WIDTH = {
    c: c - 0xFEE0 for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]
}
_HAS_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_BRACKETED = re.compile(r"^[（(［\[【].*[）)］\]】]$")
_OFFICIAL_HOST = re.compile(r"^https?://(?:[\w-]+\.)*gov\.cn(?:[:/]|$)", re.I)


def is_official(doc: Document) -> bool:
    """A government's own publication of the text: a saved government page or a gov.cn URL."""
    return doc.format == "govcn-html" or bool(doc.url and _OFFICIAL_HOST.match(doc.url))


def part_key(doc: Document) -> str:
    """The part of a document a source document is (民法典 总则编), '' for the whole.

    Sub-titles that only annotate the title — （2021修正）, (农业部令2016年第6号), the
    title repeated — do not make another part.
    """
    sub = norm_title(doc.subtitle)
    if not sub or _BRACKETED.match(sub) or sub == norm_title(doc.title):
        return ""
    return sub


_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]+")


def text_signature(doc: Document) -> str | None:
    """The wording of a text's first articles (Chinese characters only): the same for
    copies of one text whatever their formatting, None for a text too short to tell."""
    body = doc.body or ""
    first = _FIRST_ARTICLE.search(body)
    start = first.start() if first else 0
    words = _NOT_CJK.sub("", body[start : start + 3000])
    return words[:1000] if len(words) >= 300 else None


def identity_key(doc: Document) -> tuple[str, str]:
    return norm_title(doc.title), part_key(doc)


def _iso_days(a: str, b: str) -> int:
    try:
        return abs((_dt.date.fromisoformat(a) - _dt.date.fromisoformat(b)).days)
    except ValueError:
        return 1 << 30


@dataclass
class _Facts:
    """The identity evidence of one source document."""

    doc: Document
    index: int

    @cached_property
    def version(self) -> str | None:
        return self.doc.version_date or version_date(self.doc.publish_date, self.doc.history)

    @cached_property
    def adopted(self) -> set[str]:
        """Dates of the revisions and adoptions its history names."""
        text = " ".join(self.doc.history)
        out = {e.date for e in parse_events(text) if e.kind in ("amend", "pass")}
        revised = latest_revision(self.doc.history)
        if revised:
            out.add(revised)
        return out

    @cached_property
    def bare(self) -> bool:
        """Its history names no revision: the text may be any version since its date.

        An official page is the version it publishes, on the day it says.
        """
        return not is_official(self.doc) and latest_revision(self.doc.history) is None

    @cached_property
    def number(self) -> str | None:
        """Its 文号 with a year (黔府发〔2020〕1号); 令号 are reused across versions."""
        n = self.doc.doc_number
        return n if n and "〔" in n else None

    @cached_property
    def chunks(self) -> frozenset[str]:
        """The text as a set of article-sized pieces, without marks, spaces or headings."""
        text = self.doc.body or ""
        if _HAS_FULL_WIDTH.search(text):
            text = text.translate(_FULL_WIDTH)
        first = _FIRST_ARTICLE.search(text)
        if first:  # the articles: not the title, history lines or table of contents above
            text = text[first.start() :]
            words = _NON_WORD.sub("", text)
            starts = [m.start() for m in _ARTICLE.finditer(words)] or [0]
            pieces = [words[a:b] for a, b in zip(starts, [*starts[1:], len(words)], strict=True)]
        else:
            pieces = [_NON_WORD.sub("", line) for line in text.split("\n")]
        return frozenset(p for p in pieces if len(p) >= 4)


def _share(a: _Facts, b: _Facts) -> tuple[float, float]:
    """(Jaccard, containment of the smaller) of two texts' pieces; (0, 0) if one is empty."""
    x, y = a.chunks, b.chunks
    if not x or not y:
        return 0.0, 0.0
    common = len(x & y)
    # A truncated copy ends in half an article: one piece of the shorter may be missing.
    smaller = min(len(x), len(y))
    return common / len(x | y), min(1.0, common / max(1, smaller - 1))


def _dates_agree(a: _Facts, b: _Facts, rules: IdentityRules) -> bool:
    """One version by its dates: close, or the later one's history adopted it on the other's day."""
    if not a.version or not b.version:
        return False
    if _iso_days(a.version, b.version) <= rules.same_days:
        return True
    later, earlier = (a, b) if a.version > b.version else (b, a)
    assert earlier.version is not None
    if not later.adopted:
        return False
    return _iso_days(max(later.adopted), earlier.version) <= rules.same_days


def _incompatible(a: _Facts, b: _Facts, rules: IdentityRules) -> bool:
    """Evidence that two source documents are not one version."""
    if a.number and b.number and a.number != b.number:
        return True
    if _regions_differ(a.doc.region, b.doc.region):
        return True
    if a.chunks and b.chunks and _share(a, b)[1] < rules.different:
        return True
    if _dates_agree(a, b, rules):
        return False
    if a.doc.collection == b.doc.collection and a.version and b.version:
        # a source's own version files are different versions, unless their texts are
        # the same word for word (a copy that kept an older header)
        return not (a.chunks and a.chunks == b.chunks)
    return not a.bare and not b.bare and bool(a.version and b.version)


def _regions_differ(a: str | None, b: str | None) -> bool:
    """Two regions of the same rank that differ (a province and a city in it may be one)."""
    if not a or not b or a == b:
        return False
    return (a in PROVINCES) == (b in PROVINCES)


def _texts_confirm(a: _Facts, b: _Facts, rules: IdentityRules) -> bool:
    jaccard, contained = _share(a, b)
    if _dates_agree(a, b, rules):
        # a copy with no text (header only) is confirmed by its dates alone
        return contained >= rules.confirm or not a.chunks or not b.chunks
    return jaccard >= rules.near_identical


# -- clustering ------------------------------------------------------------------------------


class _Clusters:
    """Union-find over the source documents of one title, merging only compatible sets."""

    def __init__(self, facts: list[_Facts], rules: IdentityRules) -> None:
        self.facts = facts
        self.rules = rules
        self.parent = list(range(len(facts)))
        self.members: dict[int, list[int]] = {i: [i] for i in range(len(facts))}
        self._bad: dict[tuple[int, int], bool] = {}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def incompatible(self, i: int, j: int) -> bool:
        key = (min(i, j), max(i, j))
        if key not in self._bad:
            self._bad[key] = _incompatible(self.facts[i], self.facts[j], self.rules)
        return self._bad[key]

    def incompatible_sets(self, ri: int, rj: int) -> bool:
        """Whether the clusters rooted at `ri` and `rj` cannot be one version."""
        return any(self.incompatible(a, b) for a in self.members[ri] for b in self.members[rj])

    def union(self, i: int, j: int) -> bool:
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return True
        if self.incompatible_sets(ri, rj):
            return False
        self.parent[rj] = ri
        self.members[ri].extend(self.members.pop(rj))
        return True

    def groups(self) -> list[list[int]]:
        return sorted((sorted(m) for m in self.members.values()), key=lambda m: m[0])


def _cluster(facts: list[_Facts], rules: IdentityRules) -> list[list[int]]:
    """Groups of indexes into `facts` that are one version each."""
    clusters = _Clusters(facts, rules)
    n = len(facts)
    # 1. Copies whose dates say they are one version and whose texts agree: closest first.
    dated: list[tuple[float, int, int]] = []
    for i in range(n):
        for j in range(i + 1, n):
            a, b = facts[i], facts[j]
            if a.bare or b.bare or not _dates_agree(a, b, rules):
                continue
            if clusters.incompatible(i, j) or not _texts_confirm(a, b, rules):
                continue
            dated.append((-_share(a, b)[0], i, j))
    for _, i, j in sorted(dated):
        clusters.union(i, j)
    # 2. Copies whose history names no revision: the version whose text is clearly closest,
    # closest pairs first (a stale copy of the newer text joins it before anything joins it).
    score: dict[tuple[int, int], float] = {}
    for i in (k for k in range(n) if facts[k].bare):
        for j in range(n):
            if j == i or clusters.incompatible(i, j):
                continue
            if _texts_confirm(facts[i], facts[j], rules):
                score[i, j] = _share(facts[i], facts[j])[0]
    placed: set[int] = set()
    for (i, j), s in sorted(score.items(), key=lambda kv: (-kv[1], kv[0])):
        if i in placed or clusters.find(i) == clusters.find(j):
            continue
        placed.add(i)
        target = clusters.find(j)
        # another *version* fitting the text about as well leaves its version unknown;
        # other copies of the same version do not
        rivals = {
            clusters.find(k)
            for (x, k), t in score.items()
            if x == i
            and s - t < rules.margin
            and clusters.find(k) not in (target, clusters.find(i))
        }
        if not any(clusters.incompatible_sets(target, r) for r in rivals):
            clusters.union(target, i)
    return clusters.groups()


# -- merging ---------------------------------------------------------------------------------


def _richness(doc: Document) -> int:
    """How much a source says about a document (metadata fields it fills)."""
    fields = (
        doc.doc_number,
        doc.authority,
        doc.publish_date,
        doc.effective_date,
        doc.written_date,
        doc.index_number,
        doc.topic,
        doc.url,
    )
    return sum(1 for f in fields if f) + len(doc.history)


def _rank(doc: Document) -> tuple[int, int, int, str, str]:
    """Source preference: the official page first, then a source whose history dates the
    version (not only the original publication), then the source that says most."""
    return (
        0 if is_official(doc) else 1,
        0 if doc.history and latest_revision(doc.history) else 1,
        -_richness(doc),
        doc.collection,
        doc.source,
    )


def _first(values: Iterable[str | None]) -> str | None:
    return next((v for v in values if v), None)


def _text_size(doc: Document) -> int:
    return len(doc.body or "")


def _best_text(ranked: list[Document]) -> Document:
    """The most complete text; the preferred source's unless another has clearly more."""
    longest = max(_text_size(d) for d in ranked)
    return next(d for d in ranked if _text_size(d) >= 0.9 * longest)


def _events(doc: Document) -> int:
    return len(parse_events(" ".join(doc.history)))


_SAME_TEXT = "same_text_as_record"


def pack(doc: Document, record: Document | None = None) -> str:
    """A source document as stored inside a record (compressed JSON, base64).

    Its text is left out when it is the record's own (the record stores it once).
    """
    data = doc.to_dict(internal=True)
    data.pop("sources", None)
    if record is not None and record.body == doc.body and record.articles == doc.articles:
        data.pop("body")
        data.pop("articles")
        data[_SAME_TEXT] = True
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(zlib.compress(raw, 1)).decode("ascii")


def unpack(packed: str, record: Document | None = None) -> Document:
    """The source document `pack` stored (taking its text from `record` if it was left out)."""
    data = json.loads(zlib.decompress(base64.b64decode(packed)))
    if data.pop(_SAME_TEXT, False):
        if record is None:
            raise ValueError("packed source document without its record's text")
        data["body"] = record.body
        data["articles"] = [vars(a) for a in record.articles]
    return Document.from_dict(data)


def _ref(doc: Document, packed: str) -> SourceRef:
    return SourceRef(
        id=doc.id,
        collection=doc.collection,
        source=doc.source,
        format=doc.format,
        url=doc.url,
        title=doc.title,
        content_hash=doc.content_hash,
        official=is_official(doc),
        packed=packed,
    )


def _copy(doc: Document) -> Document:
    """A copy whose lists linking may change without touching `doc` (texts are shared)."""
    return dataclasses.replace(
        doc,
        relations=[Relation(**vars(r)) for r in doc.relations],
        warnings=list(doc.warnings),
        co_authorities=list(doc.co_authorities),
        history=list(doc.history),
        articles=list(doc.articles),
        sources=[],
    )


def _single(doc: Document) -> Document:
    """A record of one source document (nothing to merge): itself, with its source noted."""
    record = _copy(doc)
    record.sources = [_ref(doc, pack(doc, record))]
    if not record.version_date:
        record.version_date = version_date(record.publish_date, record.history)
    return record


def merge_group(docs: list[Document], record_id: str | None = None) -> Document:
    """One record from source documents that are one version: the richest fields of each."""
    if len(docs) == 1:
        record = _single(docs[0])
        record.id = record_id or record.id
        return record
    ranked = sorted(docs, key=_rank)
    lead = ranked[0]
    text = _best_text(ranked)
    record = _copy(lead)
    record.id = record_id or lead.id
    record.body, record.articles = text.body, list(text.articles)
    record.subtitle = next((d.subtitle for d in ranked if part_key(d)), lead.subtitle)
    if record.subtitle and norm_title(record.subtitle) == norm_title(record.title):
        record.subtitle = None
    for name in (
        "doc_number",
        "authority",
        "region",
        "topic",
        "index_number",
        "written_date",
        "publish_date",
        "effective_date",
        "expiry_date",
        "repeal_date",
        "url",
    ):
        setattr(record, name, _first(getattr(d, name) for d in ranked))
    if record.doc_number:
        record.doc_number_raw = next(
            (d.doc_number_raw for d in ranked if d.doc_number == record.doc_number), None
        )
    record.title = _official_title(ranked)
    record.level = _first(d.level for d in ranked if d.level != "其他") or lead.level
    record.kind = lead.kind
    record.co_authorities = list(
        dict.fromkeys(a for d in ranked for a in d.co_authorities if a != record.authority)
    )
    record.history = max(ranked, key=lambda d: (_events(d), -ranked.index(d))).history
    versions = [
        v for v in (d.version_date or version_date(d.publish_date, d.history) for d in ranked) if v
    ]
    record.version_date = max(versions) if versions else None
    record.source_expired = any(d.source_expired for d in ranked)
    record.relations = _union_relations(ranked)
    record.warnings = list(dict.fromkeys(w for d in ranked for w in d.warnings))
    record.content_hash = content_hash("\n".join(sorted(d.content_hash for d in ranked)))
    record.sources = [_ref(d, pack(d, record)) for d in ranked]
    return record


def _official_title(ranked: list[Document]) -> str:
    """The title as the official page writes it, else the fullest form (中华人民共和国…)."""
    official = [d.title for d in ranked if is_official(d)]
    if official:
        return official[0]
    return max((d.title for d in ranked), key=lambda t: (len(t), -ranked[0].title.find(t)))


def _union_relations(ranked: list[Document]) -> list[Relation]:
    seen: set[tuple[str, str | None, str | None, str | None]] = set()
    out: list[Relation] = []
    for d in ranked:
        for r in d.relations:
            key = (r.type, r.target_id, r.target_title, r.target_doc_number)
            if key not in seen:
                seen.add(key)
                out.append(Relation(**vars(r)))
    return out


def merge_sources(
    sources: Iterable[Document],
    *,
    previous: Mapping[str, str] | None = None,
    rules: IdentityRules | None = None,
) -> list[Document]:
    """Records from source documents: one per version, every source kept on its record.

    `previous` maps source document ids to the record ids they had before, so that a
    record keeps its id when a source joins or leaves it. With merging off
    (`rules.enabled` false) every source document is its own record.
    """
    rules = rules or default_rules()
    docs = list(sources)
    if not rules.enabled:
        return [_single(d) for d in docs]
    by_key: dict[tuple[str, str], list[_Facts]] = defaultdict(list)
    for i, doc in enumerate(docs):
        by_key[identity_key(doc)].append(_Facts(doc, i))
    groups: list[list[Document]] = []
    for facts in by_key.values():
        if len(facts) == 1:
            groups.append([facts[0].doc])
            continue
        for members in _cluster(facts, rules):
            groups.append([facts[m].doc for m in members])
    return _with_ids(groups, previous or {})


def _with_ids(groups: list[list[Document]], previous: Mapping[str, str]) -> list[Document]:
    """One record per group; ids kept from `previous` where the sources say so, else the
    preferred source's own id (unique: every source document id is)."""
    taken: set[str] = set()
    ids: list[str | None] = []
    for group in groups:
        votes = Counter(previous[d.id] for d in group if d.id in previous)
        choice = next((rid for rid, _ in votes.most_common() if rid not in taken), None)
        if choice:
            taken.add(choice)
        ids.append(choice)
    records: list[Document] = []
    for group, rid in zip(groups, ids, strict=True):
        if rid is None:
            ordered = group if len(group) == 1 else sorted(group, key=_rank)
            own = [d.id for d in ordered] + sorted(d.id for d in group)
            rid = next((i for i in own if i not in taken), None)
            if rid is None:
                rid = hashlib.sha1("\x1f".join(sorted(own)).encode()).hexdigest()[:16]
            taken.add(rid)
        records.append(merge_group(group, rid))
    return records


def explode(record: Document) -> list[Document]:
    """The source documents a record was made from, as they were read.

    A record stored before identity merging (no sources) is its own source document.
    """
    if not record.sources or not all(s.packed for s in record.sources):
        return [record]
    return [unpack(s.packed, record) for s in record.sources]


def source_ids(record: Document) -> list[str]:
    """The ids of a record's source documents (the record's own id when it has none)."""
    return [s.id for s in record.sources] or [record.id]


def copies_in_one_source(record: Document) -> dict[str, list[SourceRef]]:
    """Collections that carry this version more than once, with those source documents."""
    per: dict[str, list[SourceRef]] = defaultdict(list)
    for ref in record.sources:
        per[ref.collection].append(ref)
    return {c: refs for c, refs in per.items() if len(refs) > 1}


def version_groups(docs: list[Document], rules: IdentityRules | None = None) -> list[list[int]]:
    """Groups of indexes into `docs` that are one version (merging or not): for reports."""
    rules = rules or IdentityRules()
    by_key: dict[tuple[str, str], list[_Facts]] = defaultdict(list)
    for i, doc in enumerate(docs):
        by_key[identity_key(doc)].append(_Facts(doc, i))
    out: list[list[int]] = []
    for facts in by_key.values():
        if len(facts) > 1:
            out += [[facts[m].index for m in g] for g in _cluster(facts, rules) if len(g) > 1]
    return out


__all__ = [
    "DEFAULT_RULES",
    "MERGE_ENV",
    "IdentityRules",
    "copies_in_one_source",
    "explode",
    "identity_key",
    "is_official",
    "merge_group",
    "merge_sources",
    "merging_enabled",
    "source_ids",
    "text_signature",
    "version_groups",
]
