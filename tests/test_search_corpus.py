"""Known-item search over the real gov.cn pages: each page is the top hit for its 发文字号
(in three bracket styles) and for its exact title."""

from __future__ import annotations

import pytest

from regsearch.model import SearchQuery

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def govcn(corpora_dir, tmp_path_factory):
    from regsearch.index.update import update_index
    from regsearch.ingest import ingest_paths
    from regsearch.search.service import SearchService

    result = ingest_paths([corpora_dir / "govcn-html"])
    assert len(result.documents) == 40 and not result.failed
    index_dir = tmp_path_factory.mktemp("govcn-index")
    update_index(index_dir, result.documents)
    svc = SearchService(index_dir)
    yield svc, result.documents
    svc.close()


def top(svc, q: str) -> str | None:
    page = svc.search(SearchQuery(q=q, per_page=3))
    return page.results[0].id if page.results else None


def test_every_page_is_top_1_for_its_doc_number_in_three_bracket_styles(govcn):
    svc, docs = govcn
    misses = []
    numbered = [d for d in docs if d.doc_number]
    assert len(numbered) == 40
    bracketed = [d for d in numbered if "〔" in d.doc_number]
    assert len(bracketed) >= 35  # the others are 令 numbers such as 国令第707号
    for doc in numbered:
        number = doc.doc_number
        for form in (
            number,
            number.replace("〔", "[").replace("〕", "]"),
            number.replace("〔", "（").replace("〕", "）"),
        ):
            if top(svc, form) != doc.id:
                misses.append(form)
    assert misses == []


def test_every_page_is_top_1_for_its_exact_title(govcn):
    svc, docs = govcn
    misses = [d.title for d in docs if top(svc, d.title) != d.id]
    assert misses == []
