"""Plain data classes shared by every layer. Standard library only.

One `Document` is one version of one regulation or normative document. Its
validity `status` is not frozen at ingest: `regsearch.status.compute_status`
derives it from the document's dates and relations as of any date.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Status(str, Enum):
    """Validity status (时效性)."""

    NOT_YET_ISSUED = "尚未发布"  # the day asked about is before the document was issued
    NOT_YET_EFFECTIVE = "尚未施行"
    IN_FORCE = "现行有效"
    AMENDED = "已修改"  # a newer version of the same document exists
    PARTIALLY_INVALID = "部分失效"
    EXPIRED = "已失效"  # 有效期届满 or 宣布失效
    REPEALED = "已废止"
    NOT_APPLICABLE = "不适用"  # a court case (案例): not a rule, no validity status

    def __str__(self) -> str:
        return self.value


# Document.kind of a court case; every other document is NORMATIVE_KIND.
CASE_KIND = "case"
NORMATIVE_KIND = "normative"


class StatusSource(str, Enum):
    """Where a status came from."""

    SOURCE = "source"  # the source's own metadata (e.g. LawRefBook `expired`)
    VERSION_CHAIN = "version_chain"  # a newer version of the same document
    REPEAL = "repeal"  # a repealing document (or a cleanup decision)
    EXPIRY = "expiry"  # the expiry date (有效期) has passed
    EFFECTIVE_DATE = "effective_date"  # the effective date is still ahead
    ISSUE_DATE = "issue_date"  # the document had not been issued yet
    DEFAULT = "default"  # nothing says otherwise

    def __str__(self) -> str:
        return self.value


class RelationType(str, Enum):
    """Typed links between documents. Each has an inverse stored on the target."""

    SUPERSEDED_BY = "superseded_by"  # this version was replaced by a newer one
    SUPERSEDES = "supersedes"  # this version replaced an older one
    REPEALED_BY = "repealed_by"  # this document was repealed (已废止) by the target
    REPEALS = "repeals"  # this document repeals the target
    EXPIRED_BY = "expired_by"  # declared invalid (宣布失效) by the target
    DECLARES_EXPIRED = "declares_expired"
    PARTIALLY_INVALIDATED_BY = "partially_invalidated_by"  # some articles/parts repealed
    PARTIALLY_INVALIDATES = "partially_invalidates"  # inverse: partially_invalidated_by
    AMENDED_BY = "amended_by"  # amended in place by a decision (修改决定)
    CITES = "cites"  # the text cites the target (《title》 or 文号) as its basis
    CONFIRMED_BY = "confirmed_by"  # a cleanup decision confirmed it stays in force (继续有效)
    AMENDS = "amends"  # this amendment decision (修改决定) amends the target (inverse: amended_by)
    CONFIRMS = "confirms"  # this cleanup decision keeps the target in force (inverse: confirmed_by)

    def __str__(self) -> str:
        return self.value


@dataclass
class Relation:
    """A link from a document to another one, with the text that proves it."""

    type: str  # a RelationType value
    target_id: str | None = None
    target_title: str | None = None
    target_doc_number: str | None = None
    evidence: str = ""  # the sentence or metadata that establishes the relation
    date: str | None = None  # when it takes effect (YYYY-MM-DD)


@dataclass
class SourceRef:
    """One source document a record was made from: where it came from and what it said.

    A record (one document version) keeps every source that carries it. `packed` holds
    that source document as it was read (before merging and linking), compressed, so
    that an update can take the record apart again; it is internal (`Document.to_dict`
    leaves it out unless asked) and empty when the record's own fields are that source.
    """

    id: str  # the source document's own id (from its collection, file and line)
    collection: str
    source: str  # path relative to the ingested folder
    format: str = ""
    url: str | None = None
    title: str = ""
    content_hash: str = ""
    official: bool = False  # a government's own publication of the text
    packed: str = ""


@dataclass
class Article:
    """One article (条) of a document."""

    number: str  # canonical Chinese form, e.g. 第十七条之一
    text: str  # the article's full text, starting with its number
    path: list[str] = field(default_factory=list)  # heading path: 编 / 章 / 节
    ordinal: int = 0  # the article's integer number (17 for 第十七条之一)


@dataclass
class Document:
    """One version of one document, normalized. JSON keys are the field names."""

    id: str
    title: str
    collection: str
    source: str  # path relative to the ingested folder (POSIX separators)
    format: str = ""  # lawrefbook | markdown | govcn-html | jsonl | text
    subtitle: str | None = None
    doc_number: str | None = None  # canonical 发文字号 / 令号
    doc_number_raw: str | None = None
    authority: str | None = None
    co_authorities: list[str] = field(default_factory=list)
    level: str = "其他"
    region: str | None = None
    topic: str | None = None
    index_number: str | None = None
    written_date: str | None = None
    publish_date: str | None = None
    effective_date: str | None = None
    expiry_date: str | None = None
    repeal_date: str | None = None
    status: str = Status.IN_FORCE.value  # as of the day the record was produced
    status_source: str = StatusSource.DEFAULT.value
    status_evidence: str = ""
    relations: list[Relation] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    body: str = ""
    url: str | None = None
    content_hash: str = ""
    history: list[str] = field(default_factory=list)  # the source's history lines
    warnings: list[str] = field(default_factory=list)  # irregularities met in the source
    # The source itself marks this version as no longer in force without saying why or when
    # (LawRefBook `expired = 1`); linking turns it into 已修改 or 已废止 with evidence.
    source_expired: bool = False
    # The date of the version this text is (its latest 修订/修正/修改, else its publication):
    # version chains are ordered by it. None when nothing dates the text.
    version_date: str | None = None
    # What kind of text this is: a normative document, or a court case (案例), which is
    # not a rule, is never 现行有效 and stays out of cleanup worklists.
    kind: str = NORMATIVE_KIND
    # Every source document this record was made from (ingest.identity); empty for a
    # source document that has not been through identity merging yet.
    sources: list[SourceRef] = field(default_factory=list)

    def to_dict(self, internal: bool = False) -> dict[str, Any]:
        """The JSON form; `internal` keeps the packed source documents (index storage).

        Built by hand: `dataclasses.asdict` deep-copies every article (seconds per corpus).
        """
        data = dict(vars(self))
        for name in ("co_authorities", "history", "warnings"):
            data[name] = list(data[name])
        data["relations"] = [dict(vars(r)) for r in self.relations]
        data["articles"] = [
            {"number": a.number, "text": a.text, "path": list(a.path), "ordinal": a.ordinal}
            for a in self.articles
        ]
        data["sources"] = [dict(vars(s)) for s in self.sources]
        if not internal:
            for ref in data["sources"]:
                ref.pop("packed", None)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["relations"] = [
            r if isinstance(r, Relation) else Relation(**r) for r in data.get("relations") or []
        ]
        values["articles"] = [
            a if isinstance(a, Article) else Article(**a) for a in data.get("articles") or []
        ]
        values["sources"] = [
            s if isinstance(s, SourceRef) else SourceRef(**s) for s in data.get("sources") or []
        ]
        return cls(**values)


def make_id(collection: str, source: str, part: str | None = None) -> str:
    """A stable id from where a document came from: the same source gives the same id."""
    key = f"{collection}\x1f{source}\x1f{part or ''}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Skip:
    """A file (or one line or item of a file) that produced no document, and why."""

    source: str  # the file, or `file:line` for one line of it
    reason: str
    # False for a deliberate skip (a README or index page that is not a legal text):
    # it is listed but does not make `regsearch normalize` exit 1.
    failed: bool = True
    # the file itself (file names may contain ':'); None: `source`
    file: str | None = field(default=None, compare=False)

    @property
    def path(self) -> str:
        """The file this skip is about."""
        return self.file or self.source


@dataclass
class QueryNode:
    """A parsed query: `word` / `phrase` leaves (optionally in one field: title, number,
    authority, body) under `and` / `or` / `not` nodes. Engines translate it."""

    op: str  # word | phrase | and | or | not
    text: str = ""
    field: str | None = None
    children: list[QueryNode] = dataclasses.field(default_factory=list)


@dataclass
class SearchQuery:
    """What a user asked for: the query string plus filters, sort and page."""

    q: str = ""
    status: list[str] = field(default_factory=list)
    level: list[str] = field(default_factory=list)
    authority: list[str] = field(default_factory=list)
    region: list[str] = field(default_factory=list)
    collection: list[str] = field(default_factory=list)
    date_from: str | None = None  # publish date range, inclusive
    date_to: str | None = None
    as_of: str | None = None  # statuses are computed as of this date (default today)
    sort: str = "relevance"  # relevance | newest | oldest
    page: int = 1
    per_page: int = 10
    articles: bool = False  # one result per article instead of per document


@dataclass
class ArticleHit:
    number: str
    snippet: str


@dataclass
class SearchHit:
    """One result. With `SearchQuery.articles` it is an article and `article`/`doc_id` are set."""

    id: str
    title: str
    score: float
    snippet: str = ""
    doc_number: str | None = None
    level: str | None = None
    authority: str | None = None
    region: str | None = None
    status: str | None = None
    publish_date: str | None = None
    effective_date: str | None = None
    expiry_date: str | None = None
    collection: str | None = None
    source: str | None = None
    articles: list[ArticleHit] = field(default_factory=list)
    doc_id: str | None = None
    article: str | None = None


@dataclass
class FacetCount:
    value: str
    count: int


@dataclass
class SearchPage:
    query: str
    total: int
    page: int
    per_page: int
    results: list[SearchHit]
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    generation: str = ""  # the index generation that answered (one snapshot per search)
    # The ranking stopped counting at `total` (a question's results are capped): show
    # "1000+", not 1000.
    total_capped: bool = False
    # Nothing matched the query as written: these are its best partial matches.
    relaxed: bool = False
    # What the query was recognized as and put first (a citation or a law's name), e.g.
    # "刑法 第二百六十四条"; None for an ordinary query.
    resolved: str | None = None
