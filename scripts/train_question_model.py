"""Train the law model of question search (regsearch/data/question_model.json) from stard-train.

Each training question gives (its own terms, as question mode tokenizes them;
the titles of the laws a lawyer cited for it). `regsearch.search.question_model`
turns these into a law prior and a term-to-law association table. Deterministic:
the same questions give the same file.

    .venv/bin/python scripts/train_question_model.py            # writes the shipped model
    .venv/bin/python scripts/train_question_model.py --out /tmp/m.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regsearch.index.analyzer import query_terms  # noqa: E402
from regsearch.search.question import rewrite  # noqa: E402
from regsearch.search.question_model import (  # noqa: E402
    MODEL_PATH,
    Example,
    LawModel,
    train_model,
)
from regsearch.search.question_rank import _subwords, own_terms  # noqa: E402


def corpora_dir() -> Path:
    return Path(os.environ.get("REGSEARCH_CORPORA", ROOT.parent / "shared" / "corpora"))


def load_questions(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@dataclass
class Laws:
    """The cited files as the project's own ingest reads them (as the index does)."""

    titles: dict[str, str] = field(default_factory=dict)  # relative path -> title
    words: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (path, 第N条) -> terms


def read_laws(lawrefbook: Path, paths: set[str]) -> Laws:
    from regsearch.ingest import ingest_paths

    out = Laws()
    for rel in sorted(paths):
        file = lawrefbook / rel
        if not file.is_file():
            print(f"missing: {rel}", file=sys.stderr)
            continue
        docs = ingest_paths([file]).documents
        if docs:
            out.titles[rel] = docs[0].title
            for art in docs[0].articles:
                out.words[(rel, art.number)] = set(query_terms(art.text))
    return out


def examples(questions: list[dict[str, Any]], laws: Laws) -> list[Example]:
    """(question's own terms, cited law titles, words of the cited articles, cited articles
    as "<law title>\t<第N条>") per question."""
    out: list[Example] = []
    for q in questions:
        terms = list(own_terms(rewrite(q["query"], query_terms, subwords=_subwords)))
        rel = q["relevant"]
        titles = sorted({laws.titles[r["path"]] for r in rel if r["path"] in laws.titles})
        words: set[str] = set()
        for r in rel:
            words |= laws.words.get((r["path"], r["article"]), set())
        cited = sorted(
            {f"{laws.titles[r['path']]}\t{r['article']}" for r in rel if r["path"] in laws.titles}
        )
        out.append((terms, titles, words, cited))
    return out


def train_from(questions: list[dict[str, Any]], lawrefbook: Path) -> LawModel:
    laws = read_laws(lawrefbook, {r["path"] for q in questions for r in q["relevant"]})
    return train_model(examples(questions, laws))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=None, help="default: $REGSEARCH_CORPORA")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    args = ap.parse_args(argv)
    corpora = args.corpora or corpora_dir()
    qfile = corpora / "stard-train" / "queries.jsonl"
    if not qfile.is_file():
        print(f"questions not found at {qfile} (set REGSEARCH_CORPORA)", file=sys.stderr)
        return 1
    model = train_from(load_questions(qfile), corpora / "lawrefbook")
    text = json.dumps(model.to_json(), ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(
        f"{len(model.prior)} laws, {len(model.assoc)} terms, "
        f"{sum(len(d) for d in model.assoc.values())} associations, "
        f"{len(model.expand)} expansion rows -> {args.out} "
        f"({len(text.encode()) // 1024} KB)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
