"""Many threads, one service, while a writer publishes new generations.

Every answer a thread gets must equal what a single-threaded run gives for the same
generation; a generation stays on disk while any reader holds it and goes after the
last one lets go. The warm-up of question search runs in the same test, as it does in
`regsearch serve`.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pytest

from regsearch.index.update import update_index
from regsearch.model import Document, SearchQuery
from regsearch.search.service import Reader, SearchService

DATA = Path(__file__).resolve().parent / "data"
THREADS = 8
pytestmark = pytest.mark.backends  # on both backends (conftest.py)


def _documents() -> list[Document]:
    lines = (DATA / "search" / "docs.jsonl").read_text("utf-8").splitlines()
    docs = [Document.from_dict(json.loads(x)) for x in lines if x.strip()]
    raw = json.loads((DATA / "question" / "documents.json").read_text("utf-8"))
    return docs + [Document.from_dict(d) for d in raw]


def _requests() -> list[tuple[str, Any]]:
    """(name, reader -> answer) pairs: searches, filters and facets, questions, articles,
    documents with their versions, statistics."""

    def search(**kw: Any) -> Any:
        return lambda r: asdict(r.search(SearchQuery(**kw)))

    def document(key: str) -> Any:
        def run(r: Reader) -> Any:
            doc = r.get(key, as_of="2024-01-01")
            return [asdict(doc), [asdict(v) for v in r.versions(doc.id)]]

        return run

    def stats(r: Reader) -> Any:
        out = r.stats()
        out.pop("index_bytes")  # hard links are counted once per generation directory
        return out

    return [
        ("words", search(q="劳动合同", as_of="2024-01-01", per_page=20)),
        ("phrase", search(q='"规范性文件"', as_of="2024-01-01")),
        ("or-not", search(q="(工资 OR 补偿) -派遣", as_of="2024-01-01")),
        ("docnum", search(q="国办函(2018)71号", as_of="2024-01-01")),
        ("filters", search(q="", status=["现行有效"], level=["法律"], as_of="2024-01-01")),
        ("newest", search(q="", sort="newest", per_page=30, as_of="2020-06-30")),
        ("articles", search(q="经济补偿", articles=True, per_page=20, as_of="2024-01-01")),
        ("question", search(q="老板把我辞退了，能要经济补偿吗？", as_of="2024-01-01")),
        (
            "question-articles",
            search(q="公司拖欠工资怎么办", articles=True, per_page=15, as_of="2024-01-01"),
        ),
        ("question-page-2", search(q="被辞退了有经济补偿吗", page=2, per_page=3)),
        # A place named: the priors keyed by its regions, cached beside the others.
        ("question-place", search(q="我在上海上班，公司拖欠工资怎么办", articles=True)),
        # Spaces between clauses, no question word: answered by the relaxed reading.
        ("relaxed", search(q="借出去五万块 到期了一直欠钱不还", as_of="2024-01-01")),
        # A long story that quotes a word: a question (not a phrase query), the words of
        # its asking sentence weighted up.
        (
            "question-story",
            search(
                q="2021年我进了一家公司，签了三年的劳动合同，每个月工资六千。今年三月老板说"
                "“部门调整”，让我第二天就别来了，一分钱补偿也不给。我去找他要个说法，他说这是"
                "公司定的规矩。我被这样辞退了，能要经济补偿吗？",
                articles=True,
                as_of="2024-01-01",
            ),
        ),
        ("document", document("wangtong")),
        ("document-by-number", document("国办函〔2018〕71号")),
        ("stats", stats),
    ]


def _changed(docs: list[Document], n: int) -> list[Document]:
    """Generation n: new documents and a changed text, so answers differ between them."""
    extra = [
        replace(
            docs[i % len(docs)],
            id=f"new{n}-{i}",
            source=f"new{n}-{i}.md",
            title=f"{docs[i % len(docs)].title}（第{n}批）",
            content_hash=f"new{n}-{i}",
        )
        for i in range(6 * n)
    ]
    first = replace(docs[0], body=docs[0].body + f"劳动合同第{n}次修订。", content_hash=f"v{n}")
    return [first, *docs[1:], *extra]


def test_eight_threads_during_two_publishes_get_single_threaded_answers(
    new_location, backend
) -> None:
    index_dir = new_location("ix")
    docs = _documents()
    update_index(index_dir, docs, rebuild=True)
    service = SearchService(index_dir)
    requests = _requests()
    answers: list[tuple[str, int, Any]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    stop = threading.Event()
    held: list[Reader] = []  # one reader per generation, kept to answer single-threaded

    def client(seed: int) -> None:
        i = seed
        try:
            while not stop.is_set():
                n = i % len(requests)
                with service.read() as r:
                    answer = requests[n][1](r)
                    generation = r.generation
                with lock:
                    answers.append((generation, n, answer))
                i += 1
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    held.append(service.read())
    threads = [threading.Thread(target=client, args=(k * 5,)) for k in range(THREADS)]
    warm = threading.Thread(target=service.warm_up, name="warm-up")
    warm.start()
    for t in threads:
        t.start()
    try:
        for n in (1, 2):
            while len(answers) < 40 * n and not errors:  # let the clients read this one
                threading.Event().wait(0.02)
            update_index(index_dir, _changed(docs, n))
            held.append(service.read())
            assert held[-1].generation != held[-2].generation
        target = len(answers) + 60
        while len(answers) < target and not errors:
            threading.Event().wait(0.02)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
        warm.join(60)
    assert not errors, errors[0]
    generations = [r.generation for r in held]
    by_generation = {
        g: {n: f(r) for n, (_name, f) in enumerate(requests)}
        for g, r in zip(generations, held, strict=True)
    }
    assert {g for g, _n, _a in answers} == set(generations)  # the threads saw all three
    for generation, n, answer in answers:
        assert answer == by_generation[generation][n], (generation, requests[n][0])
    # The answers differ between generations (the test would not notice mixing otherwise).
    assert by_generation[generations[0]][0] != by_generation[generations[2]][0]
    # The oldest generation is still on disk while its reader holds it; once released,
    # the next publish removes it. (A database keeps a superseded generation's rows for
    # `regsearch.engine.postgres.writer.KEEP_S` instead.)
    oldest = index_dir / generations[0] if backend == "embedded" else None
    assert oldest is None or oldest.is_dir()
    for r in held:
        r.close()
    if oldest is not None:
        update_index(index_dir, _changed(docs, 3))
        assert not oldest.exists()
    service.close()


def test_a_reader_is_never_swapped_under_a_request(new_location) -> None:
    index_dir = new_location("ix")
    docs = _documents()
    update_index(index_dir, docs, rebuild=True)
    with SearchService(index_dir) as service:
        with service.read() as r:
            before = r.search(SearchQuery(q="劳动合同", per_page=50)).total
            update_index(index_dir, _changed(docs, 2))
            assert r.search(SearchQuery(q="劳动合同", per_page=50)).total == before
            doc = r.get(docs[0].id)
            assert "第2次修订" not in doc.body
        assert "第2次修订" in service.get(docs[0].id).body  # the next request sees it
        assert service.search(SearchQuery(q="劳动合同", per_page=50)).total > before


@pytest.mark.parametrize("budget", [1, 3])
def test_bounded_caches_stay_within_their_bound(new_location, monkeypatch, budget: int) -> None:
    from regsearch.search import filters

    monkeypatch.setattr(filters, "STATUS_MEMO_ENTRIES", budget)
    monkeypatch.setattr(filters, "FILTER_SET_BUDGET", 5 * budget)
    index_dir = new_location("ix")
    update_index(index_dir, _documents(), rebuild=True)
    with SearchService(index_dir) as service, service.read() as r:
        for year in range(1990, 2030):  # a client asking for many days and filters
            r.search(SearchQuery(q="", status=["现行有效"], as_of=f"{year}-06-30"))
            r.search(SearchQuery(q="", level=["法律"], date_from=str(year)))
        assert r.filters._statuses.used <= budget
        assert r.filters._sets.used <= 5 * budget
