"""The one SearchService shared by the CLI, the web app and the tests.

Every call reads one immutable snapshot of the index (`regsearch.engine`): a
`Reader` holds the snapshot, answers from it alone, and gives it back on close, so
an answer never mixes two generations and no engine reader is shared between
threads. `service.read()` gives a reader for several calls (one web request); the
service's own methods take a reader per call. A newer generation is picked up by
the next reader.
"""

from __future__ import annotations

import html
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from regsearch import settings
from regsearch.engine import Engine, Match, Snapshot, open_engine
from regsearch.engine.cache import BoundedCache
from regsearch.errors import DocumentNotFound
from regsearch.index.layout import canonical_doc_number, stored_dates
from regsearch.model import (
    ArticleHit,
    Document,
    QueryNode,
    SearchHit,
    SearchPage,
    SearchQuery,
)
from regsearch.search import highlight
from regsearch.search.catalog import SnapshotCatalog
from regsearch.search.cleanup import CleanupQuery, CleanupReport, build_report
from regsearch.search.filters import Filters
from regsearch.search.params import check_date, check_search
from regsearch.search.pins import Pins, resolve
from regsearch.search.query import ParsedQuery, parse_query
from regsearch.search.question_index import QuestionIndex
from regsearch.search.question_score import QuestionScores
from regsearch.search.relax import relaxed_query
from regsearch.search.statuses import evidence_for
from regsearch.status import dates_of, status_at, today

ARTICLES_PER_DOC = 3
# A long text (a law's whole body, for its snippet) is kept for the next request that
# shows it, per generation: the laws that answer questions are read again and again.
LONG_TEXT = 4096  # characters
TEXT_CACHE_BYTES = settings.megabytes("REGSEARCH_TEXT_CACHE_MB", 64)

Rewriter = Callable[[str], "ParsedQuery | None"]


class SearchService:
    """search / count / get / versions / stats / cleanup / suggest over one index."""

    def __init__(
        self,
        index_dir: str | Path | None = None,
        rewrite: Rewriter | None | str = "question",
        engine: Engine | None = None,
    ) -> None:
        self.engine = engine or open_engine(index_dir)
        self.index_dir = Path(self.engine.location)
        # The question-mode seam: rewrite(text) -> ParsedQuery | None, tried first.
        # By default plain-language questions go through question mode; None turns it off.
        if rewrite == "question":
            from regsearch.search.question_rank import question_rewriter

            rewrite = question_rewriter
        self.rewrite: Rewriter | None = rewrite  # type: ignore[assignment]
        # Records a query names outright (a citation, a law's name) go first
        # (regsearch.search.pins); None turns it off (a plain baseline).
        self.resolver: Callable[..., Pins | None] | None = resolve

    def read(self) -> Reader:
        """A reader over the current generation, for one request (close it, or use `with`)."""
        return Reader(self, self.engine.snapshot())

    def close(self) -> None:
        """Release the index files; the next call opens the index again."""
        self.engine.close()

    def __enter__(self) -> SearchService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def parse(self, text: str) -> ParsedQuery:
        if self.rewrite is not None:
            rewritten = self.rewrite(text)
            if rewritten is not None:
                return rewritten
        return parse_query(text)

    # One reader per call.
    def search(self, sq: SearchQuery) -> SearchPage:
        with self.read() as r:
            return r.search(sq)

    def count(self, sq: SearchQuery) -> int:
        with self.read() as r:
            return r.count(sq)

    def get(self, id_or_doc_number: str, as_of: str | None = None) -> Document:
        with self.read() as r:
            return r.get(id_or_doc_number, as_of)

    def versions(self, doc_id: str) -> list[SearchHit]:
        with self.read() as r:
            return r.versions(doc_id)

    def iter_documents(self) -> Iterator[Document]:
        with self.read() as r:
            yield from r.iter_documents()

    def cleanup(self, query: CleanupQuery) -> CleanupReport:
        with self.read() as r:
            return r.cleanup(query)

    def suggest(self, text: str, limit: int = 5) -> list[SearchHit]:
        with self.read() as r:
            return r.suggest(text, limit)

    def stats(self) -> dict[str, Any]:
        with self.read() as r:
            return r.stats()

    def check(self) -> dict[str, Any]:
        with self.read() as r:
            return r.check()

    def warm_up(self) -> int:
        with self.read() as r:
            return r.warm_up()


class Reader:
    """The service's answers from one snapshot (see module doc). One thread at a time."""

    def __init__(self, service: SearchService, snap: Snapshot) -> None:
        self.service = service
        self.snap = snap
        self.filters = Filters.of(snap)
        self.searches = 0  # matches run by this reader (a work budget, see web.views)
        # What the last _ranked() found besides its records (see search()).
        self._pins: Pins | None = None
        self._relaxed = False
        self._capped = False

    def close(self) -> None:
        self.snap.close()

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def generation(self) -> str:
        return self.snap.generation

    def parse(self, text: str) -> ParsedQuery:
        return self.service.parse(text)

    # -- search ----------------------------------------------------------------------
    def _ranked(self, sq: SearchQuery) -> tuple[list[int], ParsedQuery, str, Any]:
        """The matching records in result order, the parsed query, the day and the
        question's scores (None for other queries)."""
        start, end = check_search(sq)
        day = check_date(sq.as_of, "时效日期") or today()
        parsed = self.parse(sq.q)
        parsed.as_of = day  # question mode demotes versions that are dead on this day
        kind = "article" if sq.articles else "doc"
        allowed = self.filters.allowed(self.snap, kind, sq, day, start, end)
        ids, scores, scores_of, has_terms, capped = self._matches(parsed, kind, allowed)
        # Records the query names go first; a question or a situation told in words that
        # matches nothing is answered by its best partial match (the page says so).
        relevance = sq.sort == "relevance"
        resolver = self.service.resolver
        pins = None
        if resolver is not None and relevance:
            pins = resolver(sq.q, SnapshotCatalog(self.snap, self.filters), day)
        named = (pins.articles if sq.articles else pins.documents) if pins else []
        pinned = [r for r in dict.fromkeys(named) if allowed is None or r in allowed]
        self._pins, self._relaxed = (pins if pinned else None), False
        if not len(ids) and not pinned and relevance:
            retry = relaxed_query(sq.q)
            if retry is not None:
                retry.as_of = day
                found = self._matches(retry, kind, allowed)
                if len(found[0]):
                    ids, scores, scores_of, has_terms, capped = found
                    parsed, self._relaxed = retry, True
        self._capped = capped
        if sq.sort == "relevance" and has_terms:
            levels = self.snap.column("level").values(ids.tolist())
            cases = np.fromiter((v == "案例" for v in levels), dtype=bool, count=len(ids))
            order = np.lexsort((ids, -scores, cases))  # court cases after rules (issue 11)
            ranked = ids[order].tolist()
            self._scores = dict(zip(ranked, scores[order].tolist(), strict=True))
        else:
            self._scores = {}
            records = ids.tolist()
            dates = self.snap.column("publish").values(records)
            pairs = sorted(zip(dates, records, strict=True), key=lambda p: (p[0] or "", p[1]))
            if sq.sort != "oldest":
                pairs.reverse()
            ranked = [r for _d, r in pairs]
        if pinned:
            first = set(pinned)
            ranked = pinned + [r for r in ranked if r not in first]
        return ranked, parsed, day, scores_of

    def _matches(
        self, parsed: ParsedQuery, kind: str, allowed: Any
    ) -> tuple[np.ndarray, np.ndarray, QuestionScores | None, bool, bool]:
        """(records, scores) matching `parsed`, the question's scores (None for other
        queries), whether it had terms to rank by, and whether the ranking stopped
        counting (a question keeps its best `result_cap` of each kind: "1000+")."""
        self.searches += 1
        if hasattr(parsed, "score"):
            scores_of = parsed.score(self.snap)
            ids, scores = scores_of.of_kind(kind)
            cap = getattr(getattr(parsed, "weights", None), "result_cap", None)
            capped = cap is not None and len(ids) >= cap
            if allowed is not None and len(ids):
                keep = np.fromiter((int(i) in allowed for i in ids), dtype=bool, count=len(ids))
                ids, scores = ids[keep], scores[keep]
            return ids, scores, scores_of, True, capped
        match = parsed.match()
        ids, scores = self.snap.match(match, kind, within=allowed)
        return ids, scores, None, match.root is not None or bool(match.exact), False

    def count(self, sq: SearchQuery) -> int:
        """How many results `sq` has (no facets, no snippets: the cheap path)."""
        return len(self._ranked(sq)[0])

    def search(self, sq: SearchQuery) -> SearchPage:
        ranked, parsed, day, scores_of = self._ranked(sq)
        kind = "article" if sq.articles else "doc"
        facets = self.filters.facets(self.snap, kind, ranked, day)
        start = (sq.page - 1) * sq.per_page
        page = ranked[start : start + sq.per_page]
        hits = self._hits(page, parsed, day, sq.articles, scores_of)
        pins = self._pins
        if pins is not None and pins.cited and not sq.articles:
            self._cited_first(hits, pins, parsed)
        return SearchPage(
            query=sq.q,
            total=len(ranked),
            page=sq.page,
            per_page=sq.per_page,
            results=hits,
            facets=facets,
            generation=self.snap.generation,
            total_capped=self._capped,
            relaxed=self._relaxed,
            resolved=pins.label if pins is not None else None,
        )

    def _cited_first(self, hits: list[SearchHit], pins: Pins, parsed: ParsedQuery) -> None:
        """Under each pinned document, the articles it was cited for come first."""
        docs = self.snap.records("doc")
        for h in hits:
            record = next((r for r in self.snap.find("id", h.id) if r in docs), None)
            cited = pins.cited.get(record) if record is not None else None
            if not cited:
                continue
            snippets = self._snippets(cited, parsed, articles=True)
            first = [
                ArticleHit(number=self.snap.stored(r).get("article") or "", snippet=snippets[r])
                for r in cited
            ]
            numbers = {a.number for a in first}
            rest = [a for a in h.articles if a.number not in numbers]
            h.articles = (first + rest)[: max(ARTICLES_PER_DOC, len(first))]

    def _snippets(self, records: list[int], parsed: ParsedQuery, articles: bool) -> dict[int, str]:
        highlights = parsed.highlights()
        texts = {r: self._text(r) for r in records}
        # An article's number is shown beside its snippet: the snippet leaves it out.
        number = {r: self.snap.stored(r).get("article") for r in records} if articles else {}
        if parsed.highlight_by_text:
            return {
                r: highlight.render(t, highlight.substring_spans(t, highlights), number.get(r))
                for r, t in texts.items()
            }
        if articles:  # short texts: analysing again is cheaper than reading postings
            return {
                r: highlight.render(t, highlight.text_spans(t, highlights), number.get(r))
                for r, t in texts.items()
            }
        ordered = sorted(records)
        table = {
            term: self.snap.offsets("body", term, ordered)
            for term in highlight.posting_terms(highlights)
        }
        out = {}
        for r, t in texts.items():

            def offsets(term: str, r: int = r) -> list[tuple[int, int, int]]:
                return table[term].get(r, [])

            out[r] = highlight.render(t, highlight.match_spans(offsets, highlights, t))
        return out

    def _text(self, record: int) -> str:
        """A record's text; a long one from the generation's cache of long texts."""
        cache = self.snap.shared("long_texts", lambda _snap: BoundedCache(TEXT_CACHE_BYTES))
        text = cache.get(record)
        if text is None:
            text = self.snap.text(record)
            if len(text) >= LONG_TEXT:
                cache.put(record, text, sys.getsizeof(text))
        return text  # type: ignore[no-any-return]

    def _hits(
        self,
        page: list[int],
        parsed: ParsedQuery,
        day: str,
        articles: bool,
        scores_of: QuestionScores | None,
    ) -> list[SearchHit]:
        # A question's documents are shown with the articles that answer it: a document's
        # snippet is its best article's passage (below), and only a document without one
        # has its whole body scanned for a passage.
        by_articles = not articles and parsed.highlight_by_text and parsed.root is not None
        snippets = {} if by_articles else self._snippets(page, parsed, articles)
        out = []
        for record in page:
            f = self.snap.stored(record)
            status = self.filters.status(self.snap, record, day)
            score = round(self._scores.get(record, 0.0), 4)
            if articles:
                out.append(
                    SearchHit(
                        id=f["id"],
                        doc_id=f["doc_id"],
                        title=f.get("title", ""),
                        article=f.get("article"),
                        collection=f.get("collection"),
                        source=f.get("source"),
                        status=status,
                        score=score,
                        snippet=snippets[record],
                    )
                )
            else:
                out.append(self._doc_hit(f, status, score, snippets.get(record, "")))
        if not articles and out and parsed.root is not None:
            self._attach_articles(out, parsed, scores_of)
        if by_articles:
            bare = [r for r, h in zip(page, out, strict=True) if not h.articles]
            body = self._snippets(bare, parsed, articles=False) if bare else {}
            for record, h in zip(page, out, strict=True):
                first = h.articles[0] if h.articles else None
                h.snippet = (
                    f"{html.escape(first.number)} {first.snippet}" if first else body[record]
                )
        return out

    @staticmethod
    def _doc_hit(f: dict[str, Any], status: str, score: float, snippet: str = "") -> SearchHit:
        return SearchHit(
            id=f["id"],
            title=f.get("title", ""),
            score=score,
            snippet=snippet,
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

    def _attach_articles(
        self, hits: list[SearchHit], parsed: ParsedQuery, scores_of: QuestionScores | None
    ) -> None:
        doc_ids = [h.id for h in hits]
        if scores_of is not None:
            # A question's scorer already ranked every article: the articles that made a
            # document rank are its best ones.
            best = scores_of.best_articles(QuestionIndex.of(self.snap), doc_ids, ARTICLES_PER_DOC)
        else:
            best = self._best_articles(parsed.match(fields=("body",), known_items=False), doc_ids)
        records = sorted(r for lst in best.values() for r in lst)
        snippets = self._snippets(records, parsed, articles=True)
        found = {
            r: ArticleHit(number=self.snap.stored(r).get("article") or "", snippet=snippets[r])
            for r in records
        }
        for h in hits:
            h.articles = [found[r] for r in best.get(h.id, [])]

    def _best_articles(self, body: Match, doc_ids: list[str]) -> dict[str, list[int]]:
        """The ARTICLES_PER_DOC best-scoring articles matching `body` of each document
        (the match is restricted to the documents' own articles)."""
        if body.root is None:
            return {}
        arts = self.snap.records("article")
        members = {r for d in doc_ids for r in self.snap.find("doc_id", d) if r in arts}
        if not members:
            return {}
        ids, scores = self.snap.match(body, "article", within=members)
        order = np.lexsort((ids, -scores))
        doc_of = self.snap.column("doc_id")
        best: dict[str, list[int]] = {}
        for r in ids[order].tolist():
            lst = best.setdefault(doc_of[r], [])
            if len(lst) < ARTICLES_PER_DOC:
                lst.append(r)
        return best

    # -- documents ---------------------------------------------------------------------
    def _doc_record(self, key: str) -> int:
        docs = self.snap.records("doc")
        found = [r for r in self.snap.find("id", key) if r in docs]
        found = found or [r for r in self.snap.find("source_id", key) if r in docs]  # merged
        if found:
            return found[0]
        canon = canonical_doc_number(key)
        if canon:
            found = [r for r in self.snap.find("docnum", canon) if r in docs]
            if found:
                dates = self.snap.column("publish").values(found)
                return max(zip(dates, found, strict=True), key=lambda p: (p[0] or "", p[1]))[1]
        raise DocumentNotFound(f"找不到文档“{key}”：请检查 ID 或发文字号。")

    def get(self, id_or_doc_number: str, as_of: str | None = None) -> Document:
        day = check_date(as_of, "时效日期") or today()
        doc = self.snap.document(self._doc_record(id_or_doc_number.strip()))
        status, source = status_at(dates_of(doc), day)
        if not (doc.status_source == "source" and doc.status == status.value):
            doc.status_source = source.value
            doc.status_evidence = evidence_for(doc, source.value) or doc.status_evidence
        doc.status = status.value
        return doc

    def _summary(self, record: int, day: str, score: float = 0.0) -> SearchHit:
        f = self.snap.stored(record)
        return self._doc_hit(f, status_at(stored_dates(f), day)[0].value, score)

    def versions(self, doc_id: str) -> list[SearchHit]:
        """Every version of the same document (by version-chain relations)."""
        first = self._doc_record(doc_id)
        docs = self.snap.records("doc")
        seen = {self.snap.stored(first)["id"]}
        todo, records = [first], [first]
        while todo:
            doc = self.snap.document(todo.pop())
            for rel in doc.relations:
                if (
                    rel.type in ("supersedes", "superseded_by")
                    and rel.target_id
                    and rel.target_id not in seen
                ):
                    seen.add(rel.target_id)
                    found = [r for r in self.snap.find("id", rel.target_id) if r in docs]
                    if found:
                        records.append(found[0])
                        todo.append(found[0])
        day = today()
        hits = [self._summary(r, day) for r in records]
        hits.sort(key=lambda h: (h.effective_date or h.publish_date or "", h.id))
        return hits

    def iter_documents(self) -> Iterator[Document]:
        for record in sorted(self.snap.records("doc")):
            yield self.snap.document(record)

    def cleanup(self, query: CleanupQuery) -> CleanupReport:
        """The cleanup team's worklists over every stored document."""
        return build_report(self.iter_documents(), query)

    def suggest(self, text: str, limit: int = 5) -> list[SearchHit]:
        """The closest titles / 文号 to `text` (for a no-results page): any word may match."""
        from regsearch.index.analyzer import query_terms

        terms = list(dict.fromkeys(query_terms(text)))[:32]
        if not terms:
            return []
        root = QueryNode(
            "or", children=[QueryNode("word", t, f) for t in terms for f in ("title", "number")]
        )
        self.searches += 1
        ids, scores = self.snap.match(Match(root), "doc")
        order = np.lexsort((ids, -scores))[:limit]
        day = today()
        return [self._summary(int(ids[i]), day, round(float(scores[i]), 4)) for i in order]

    def stats(self) -> dict[str, Any]:
        facets = self.filters.facets(self.snap, "doc", None, today())
        found = self.snap.counts("doc", ["collection"])["collection"]
        collections = {value: n for value, n in found.items() if value}
        meta = self.snap.meta
        return {
            "documents": len(self.snap.records("doc")),
            "articles": len(self.snap.records("article")),
            "collections": dict(sorted(collections.items(), key=lambda kv: (-kv[1], kv[0]))),
            "levels": {f.value: f.count for f in facets["level"]},
            "statuses": {f.value: f.count for f in facets["status"]},
            "index_bytes": self.snap.index_bytes(),
            "index_dir": _shown(self.service.index_dir),
            "generation": self.snap.generation,
            "schema_version": meta.get("schema_version"),
            "built_at": meta.get("built_at"),
        }

    def check(self) -> dict[str, Any]:
        """Read every part of the generation (IndexDamaged if it cannot)."""
        self.snap.check()
        return {
            "generation": self.snap.generation,
            "documents": len(self.snap.records("doc")),
            "built_at": self.snap.meta.get("built_at"),
        }

    def warm_up(self) -> int:
        """Load what question search keeps in memory (whole-index arrays, the postings of
        the words questions use most) before the first question needs it: a server calls
        this in the background at start. Returns the number of postings lists read."""
        from regsearch.search.question_rank import QuestionRewriter, warm_up

        if self.service.resolver is not None:  # the name table of citation lookup
            SnapshotCatalog(self.snap, self.filters).names()
        rewrite = self.service.rewrite
        if not isinstance(rewrite, QuestionRewriter):
            return 0
        return warm_up(self.snap, rewrite.model)


def _shown(location: Path) -> str:
    """Where the index lives, for people: a database URL without its password."""
    from regsearch import pg

    url = pg.url_of(location)
    return pg.redact(url) if url else str(location)
