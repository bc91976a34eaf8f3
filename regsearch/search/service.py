"""The one SearchService shared by the CLI, the web app and the tests.

It keeps one long-lived searcher (10x faster than one per query) and picks up a
newer index generation on `refresh()`, which checks the CURRENT pointer cheaply.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from whoosh import query as Q
from whoosh.matching import IntersectionMatcher, ListMatcher

from regsearch.errors import BadQuery, DocumentNotFound
from regsearch.index import store
from regsearch.index.columns import ColumnCache
from regsearch.index.records import (
    canonical_doc_number,
    stored_dates,
    unpack_document,
    unpack_text,
)
from regsearch.index.statusq import STATUS_VALUES
from regsearch.model import (
    ArticleHit,
    Document,
    FacetCount,
    SearchHit,
    SearchPage,
    SearchQuery,
    Status,
)
from regsearch.search import highlight
from regsearch.search.cleanup import CleanupQuery, CleanupReport, build_report
from regsearch.search.kindq import OfKind
from regsearch.search.query import ParsedQuery, parse_query
from regsearch.search.statuses import evidence_for
from regsearch.status import dates_of, status_at, today

SORTS = ("relevance", "newest", "oldest")
FACETS = ("status", "level", "authority", "region", "year")
_FACET_COLUMNS = {"level": "level", "authority": "authority1", "region": "region", "year": "year"}
ARTICLES_PER_DOC = 3

Rewriter = Callable[[str], "ParsedQuery | None"]


def check_date(value: str | None, label: str, end: bool = False) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD -> YYYY-MM-DD (range ends get the last day); else BadQuery."""
    if not value:
        return None
    v = value.strip().replace("/", "-").replace(".", "-")
    try:
        parts = [int(p) for p in v.split("-")]
        if len(parts) == 1:
            day = _dt.date(parts[0], 12, 31) if end else _dt.date(parts[0], 1, 1)
        elif len(parts) == 2:
            first = _dt.date(parts[0], parts[1], 1)
            nxt = _dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
            day = nxt - _dt.timedelta(days=1) if end else first
        elif len(parts) == 3:
            day = _dt.date(*parts)
        else:
            raise ValueError(v)
    except ValueError:
        raise BadQuery(
            f"{label}“{value}”不是有效日期，请写成 YYYY-MM-DD，例如 2020-01-31。"
        ) from None
    return day.isoformat()


class SearchService:
    """search / get / versions / stats / iter_documents / suggest over one index directory."""

    def __init__(
        self, index_dir: str | Path | None = None, rewrite: Rewriter | None | str = "question"
    ) -> None:
        self.index_dir = Path(index_dir) if index_dir else store.default_index_dir()
        # The question-mode seam (issue 6): rewrite(text) -> ParsedQuery | None, tried first.
        # By default plain-language questions go through question mode; None turns it off.
        if rewrite == "question":
            from regsearch.search.question_rank import question_rewriter

            rewrite = question_rewriter
        self.rewrite: Rewriter | None = rewrite  # type: ignore[assignment]
        self._lock = threading.RLock()
        self._ix: Any = None
        self._searcher: Any = None
        self._gen: Path | None = None
        self._meta: dict[str, Any] = {}
        self._cache: ColumnCache = None  # type: ignore[assignment] # set by refresh()

    # -- lifecycle -------------------------------------------------------------
    def refresh(self) -> None:
        """Open the index, or switch to a newer generation if one was published."""
        gen = store.current_generation(self.index_dir)
        if self._searcher is not None and gen == self._gen:
            return
        with self._lock:
            ix, gen, meta = store.open_current(self.index_dir)
            old = self._searcher
            self._ix, self._gen, self._meta = ix, gen, meta
            self._searcher = ix.searcher()
            self._cache = ColumnCache(self._searcher)
            if old is not None:
                old.close()

    def close(self) -> None:
        """Release the index files; the next call opens the index again."""
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
            self._searcher = None
            self._gen = None

    def __enter__(self) -> SearchService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def searcher(self) -> Any:
        self.refresh()
        return self._searcher

    def _column(self, name: str) -> Any:
        return self._cache.column(name)

    def warm_up(self) -> int:
        """Load what question search keeps in memory (whole-index arrays, the postings of
        the words questions use most) before the first question needs it: a server calls
        this in the background at start. Returns the number of postings lists read."""
        if self.rewrite is None:
            return 0
        from regsearch.search.question_rank import warm_up

        return warm_up(self.searcher)

    # -- search ----------------------------------------------------------------
    def parse(self, text: str) -> ParsedQuery:
        if self.rewrite is not None:
            rewritten = self.rewrite(text)
            if rewritten is not None:
                return rewritten
        return parse_query(text)

    def _allowed(self, sq: SearchQuery, day: str, kind: str) -> set[int]:
        """The record numbers passing the filters (from cached columns, see index.columns)."""
        unknown = [s for s in sq.status if s not in STATUS_VALUES]
        if unknown:
            raise BadQuery(f"未知的时效状态“{unknown[0]}”，可选：{'、'.join(STATUS_VALUES)}")
        start = check_date(sq.date_from, "起始日期")
        end = check_date(sq.date_to, "截止日期", end=True)
        if start and end and start > end:
            raise BadQuery(f"起始日期 {start} 晚于截止日期 {end}。")
        return self._cache.allowed(
            kind,
            day=day,
            status=sq.status,
            level=sq.level,
            authority=sq.authority,
            region=sq.region,
            collection=sq.collection,
            start=start,
            end=end,
        )

    def search(self, sq: SearchQuery) -> SearchPage:
        day = check_date(sq.as_of, "时效日期") or today()
        if sq.sort not in SORTS:
            raise BadQuery(f"未知的排序方式“{sq.sort}”，可选：relevance、newest、oldest。")
        if sq.page < 1 or sq.per_page < 1 or sq.per_page > 1000:
            raise BadQuery("页码须 ≥ 1，每页条数须在 1 到 1000 之间。")
        searcher = self.searcher
        parsed = self.parse(sq.q)
        parsed.as_of = day  # question mode demotes versions that are dead on this day
        kind = "article" if sq.articles else "doc"
        allowed = self._allowed(sq, day, kind)
        q = parsed.whoosh()
        kwargs: dict[str, Any] = {}
        if sq.sort != "relevance" or q is None:
            kwargs = {"sortedby": "publish", "reverse": sq.sort != "oldest"}
        # Only the segments of this kind are searched (see kindq). One pass gives the
        # page, the total and the record numbers for the facets.
        whole = OfKind(kind, q)
        # An empty filter set means "no filter" to whoosh: nothing can match then.
        results = searcher.search(whole, filter=allowed, limit=None, **kwargs) if allowed else []
        matched = [h.docnum for h in results]
        facets = self._facets(matched, day)
        start = (sq.page - 1) * sq.per_page
        page_hits = [results[i] for i in range(start, min(len(matched), start + sq.per_page))]
        hits = self._hits(page_hits, parsed, day, sq.articles, q)
        return SearchPage(
            query=sq.q,
            total=len(matched),
            page=sq.page,
            per_page=sq.per_page,
            results=hits,
            facets=facets,
        )

    def _facets(self, docnums: list[int], day: str) -> dict[str, list[FacetCount]]:
        out: dict[str, list[FacetCount]] = {}
        for name, col in _FACET_COLUMNS.items():
            counts = Counter(self._column(col).values(docnums))
            counts.pop(None, None)
            counts.pop("", None)
            out[name] = _facet_list(counts, by_value=name == "year")
        statuses = self._cache.status_counts(docnums, day)
        statuses.pop(Status.NOT_APPLICABLE.value, None)  # court cases have none (issue 11)
        out["status"] = _facet_list(statuses)
        return out

    def _hits(
        self, page: list[Any], parsed: ParsedQuery, day: str, articles: bool, q: Any = None
    ) -> list[SearchHit]:
        reader = self._searcher.reader()
        highlights = parsed.highlights()
        cache: dict[str, Any] = {}
        snippets: dict[int, str] = {}
        by_text = parsed.highlight_by_text
        for hit in sorted(page, key=lambda h: h.docnum):
            text = unpack_text(hit.fields().get("text_z"))
            if by_text:
                spans = highlight.substring_spans(text, highlights)
            elif articles:  # short texts: analysing again is cheaper than reading postings
                spans = highlight.text_spans(text, highlights)
            else:
                spans = highlight.match_spans(reader, hit.docnum, highlights, cache, text)
            snippets[hit.docnum] = highlight.render(text, spans)
        out = []
        for hit in page:
            f = hit.fields()
            status = self._cache.status(hit.docnum, day)  # columns (articles store no dates)
            if articles:
                out.append(
                    SearchHit(
                        id=f["id"],
                        doc_id=f["doc_id"],
                        title=f.get("title_s", ""),
                        article=f.get("article"),
                        collection=f.get("collection"),
                        source=f.get("source"),
                        status=status,
                        score=_score(hit),
                        snippet=snippets[hit.docnum],
                    )
                )
                continue
            out.append(
                SearchHit(
                    id=f["id"],
                    title=f.get("title_s", ""),
                    score=_score(hit),
                    snippet=snippets[hit.docnum],
                    doc_number=f.get("docnum"),
                    level=f.get("level"),
                    authority=f.get("authority1"),
                    region=f.get("region"),
                    status=status,
                    publish_date=f.get("publish"),
                    effective_date=f.get("effective"),
                    expiry_date=f.get("expiry"),
                    collection=f.get("collection"),
                    source=f.get("source"),
                )
            )
        if not articles and out and parsed.root is not None:
            self._attach_articles(out, parsed, highlights, q)
        return out

    def _attach_articles(
        self, hits: list[SearchHit], parsed: ParsedQuery, highlights: Any, q: Any = None
    ) -> None:
        doc_ids = [h.id for h in hits]
        if hasattr(q, "best_articles"):
            # A question's scorer already ranked every article (question_score): the
            # articles that made a document rank are its best ones.
            best = q.best_articles(self._searcher, doc_ids, ARTICLES_PER_DOC)
        else:
            body_q = parsed.whoosh(fields=("body",), known_items=False)
            if body_q is None:
                return
            best = self._best_articles(body_q, doc_ids)
        found: dict[int, ArticleHit] = {}
        for docnum in sorted(d for lst in best.values() for d in lst):
            f = self._searcher.stored_fields(docnum)
            text = unpack_text(f.get("text_z"))
            if parsed.highlight_by_text:
                spans = highlight.substring_spans(text, highlights)
            else:
                spans = highlight.text_spans(text, highlights)
            found[docnum] = ArticleHit(number=f["article"], snippet=highlight.render(text, spans))
        for h in hits:
            h.articles = [found[d] for d in best.get(h.id, [])]

    def _best_articles(self, body_q: Any, doc_ids: list[str]) -> dict[str, list[int]]:
        """The ARTICLES_PER_DOC best-scoring articles matching `body_q` of each document.

        The documents' article records (from the `doc_id` postings) bound the walk:
        the query's matcher is intersected with their list, so it never runs past them.
        """
        searcher = self._searcher
        ids = Q.Or([Q.Term("doc_id", i) for i in doc_ids])
        members = sorted(searcher.docs_for_query(OfKind("article", ids)))
        if not members:
            return {}
        context = searcher.context()
        scored: list[tuple[float, int]] = []
        for leaf, offset in searcher.leaf_searchers():
            size = leaf.doc_count_all()
            local = [d - offset for d in members if offset <= d < offset + size]
            if not local:
                continue
            m = body_q.matcher(leaf, context)
            both = IntersectionMatcher(ListMatcher(local), m)
            while both.is_active():
                scored.append((-m.score(), both.id() + offset))
                both.next()
        scored.sort()
        doc_of = self._column("doc_id")
        best: dict[str, list[int]] = {}
        for _neg, docnum in scored:
            lst = best.setdefault(doc_of[docnum], [])
            if len(lst) < ARTICLES_PER_DOC:
                lst.append(docnum)
        return best

    # -- documents -------------------------------------------------------------
    def _doc_fields(self, key: str) -> dict[str, Any]:
        s = self.searcher
        docnum = s.document_number(id=key, kind="doc")
        if docnum is None:
            canon = canonical_doc_number(key)
            if canon:
                found = list(
                    s.docs_for_query(Q.And([Q.Term("docnum", canon), Q.Term("kind", "doc")]))
                )
                if found:
                    fields = [s.stored_fields(d) for d in found]
                    return max(fields, key=lambda f: f.get("publish") or "")
            raise DocumentNotFound(f"找不到文档“{key}”：请检查 ID 或发文字号。")
        return s.stored_fields(docnum)

    def get(self, id_or_doc_number: str, as_of: str | None = None) -> Document:
        day = check_date(as_of, "时效日期") or today()
        f = self._doc_fields(id_or_doc_number.strip())
        doc = unpack_document(f["doc_z"], f.get("text_z"))
        status, source = status_at(dates_of(doc), day)
        if not (doc.status_source == "source" and doc.status == status.value):
            doc.status_source = source.value
            doc.status_evidence = evidence_for(doc, source.value) or doc.status_evidence
        doc.status = status.value
        return doc

    def versions(self, doc_id: str) -> list[SearchHit]:
        """Every version of the same document (by version-chain relations and same title)."""
        s = self.searcher
        first = self._doc_fields(doc_id)
        seen, todo, fields = {first["id"]}, [first], [first]
        while todo:
            f = todo.pop()
            doc = unpack_document(f["doc_z"], None)
            for rel in doc.relations:
                if (
                    rel.type in ("supersedes", "superseded_by")
                    and rel.target_id
                    and rel.target_id not in seen
                ):
                    seen.add(rel.target_id)
                    n = s.document_number(id=rel.target_id, kind="doc")
                    if n is not None:
                        g = s.stored_fields(n)
                        fields.append(g)
                        todo.append(g)
        day = today()
        fields.sort(key=lambda f: (f.get("effective") or f.get("publish") or "", f["id"]))
        return [
            SearchHit(
                id=f["id"],
                title=f.get("title_s", ""),
                score=0.0,
                doc_number=f.get("docnum"),
                level=f.get("level"),
                authority=f.get("authority1"),
                region=f.get("region"),
                status=status_at(stored_dates(f), day)[0].value,
                publish_date=f.get("publish"),
                effective_date=f.get("effective"),
                expiry_date=f.get("expiry"),
                collection=f.get("collection"),
                source=f.get("source"),
            )
            for f in fields
        ]

    def iter_documents(self) -> Iterator[Document]:
        s = self.searcher
        for docnum in s.docs_for_query(Q.Term("kind", "doc")):
            f = s.stored_fields(docnum)
            yield unpack_document(f["doc_z"], f.get("text_z"))

    def cleanup(self, query: CleanupQuery) -> CleanupReport:
        """The cleanup team's worklists (issue 5) over every stored document."""
        return build_report(self.iter_documents(), query)

    def suggest(self, text: str, limit: int = 5) -> list[SearchHit]:
        """The closest titles / 文号 to `text` (for a no-results page): any word may match."""
        from regsearch.index.analyzer import query_terms

        terms = query_terms(text)
        if not terms:
            return []
        q = Q.Or([Q.Term(f, t) for t in terms for f in ("title", "number")])
        day = today()
        out = []
        for hit in self.searcher.search(OfKind("doc", q), limit=limit):
            f = hit.fields()
            out.append(
                SearchHit(
                    id=f["id"],
                    title=f.get("title_s", ""),
                    score=_score(hit),
                    doc_number=f.get("docnum"),
                    status=status_at(stored_dates(f), day)[0].value,
                    publish_date=f.get("publish"),
                    collection=f.get("collection"),
                    source=f.get("source"),
                )
            )
        return out

    def stats(self) -> dict[str, Any]:
        self.refresh()
        docs = sorted(self._cache.kind("doc"))
        day = today()
        facets = self._facets(docs, day)
        collections = Counter(self._column("collection")[d] for d in docs)
        return {
            "documents": len(docs),
            "articles": len(self._cache.kind("article")),
            "collections": dict(collections.most_common()),
            "levels": {f.value: f.count for f in facets["level"]},
            "statuses": {f.value: f.count for f in facets["status"]},
            "index_bytes": store.index_bytes(self._gen) if self._gen else 0,
            "index_dir": str(self.index_dir),
            "schema_version": self._meta.get("schema_version"),
            "built_at": self._meta.get("built_at"),
        }


def _facet_list(counts: Counter[str], by_value: bool = False) -> list[FacetCount]:
    items = (
        sorted(counts.items(), key=lambda kv: kv[0], reverse=True)
        if by_value
        else counts.most_common()
    )
    return [FacetCount(value=v, count=c) for v, c in items]


def _score(hit: Any) -> float:
    """The relevance score (sorted searches carry sort keys instead: 0.0)."""
    return round(hit.score, 4) if isinstance(hit.score, float) else 0.0
