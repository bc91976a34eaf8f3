"""Train the law model of question search (regsearch/data/question_model.json) from
stard-train and the story training sets.

Each training question gives (its own terms, as question mode tokenizes them;
the titles of the laws a lawyer cited for it). `regsearch.search.question_model`
turns these into a law prior and a term-to-law association table. Deterministic:
the same questions give the same file.

The questions come from stard-train (1,230 real questions, mostly short and worded
like a legal question) and from the story sets of tests/data/eval named in STORY_SETS
(stories told the way the public tells them, questions with no legal term), each
story weighing STORY_WEIGHT questions. `scripts/eval_relevance.py --cv K` measures both on
questions the model was not trained on; the other story sets are never trained on.

    .venv/bin/python scripts/train_question_model.py            # writes the shipped model
    .venv/bin/python scripts/train_question_model.py --out /tmp/m.json --stard-only
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

EVAL_DIR = ROOT / "tests" / "data" / "eval"
# The story sets the model learns from (the development sets); the held-out and blind
# sets are never trained on.
STORY_SETS = ("stories", "stories_dev", "stories_dev2", "stories_dev3")
# A story weighs this many stard-train questions in the model's counts (there are 343 of
# them beside 1,230 stard-train questions, and they are worded the way the public asks);
# what is learned at all still needs MIN_COUNT distinct questions.
STORY_WEIGHT = 2.0


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


def story_questions(names: tuple[str, ...] = STORY_SETS) -> list[dict[str, Any]]:
    """The questions of the story training sets, in order."""
    return [q for name in names for q in load_questions(EVAL_DIR / f"{name}.jsonl")]


def training_set(
    stard: list[dict[str, Any]], stories: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[float]]:
    """The training questions (stard-train's, then the stories) and their weights (a story
    counts STORY_WEIGHT times)."""
    return stard + stories, [1.0] * len(stard) + [STORY_WEIGHT] * len(stories)


def train_from(
    questions: list[dict[str, Any]], lawrefbook: Path, weights: list[float] | None = None
) -> LawModel:
    laws = read_laws(lawrefbook, {r["path"] for q in questions for r in q["relevant"]})
    return train_model(examples(questions, laws), weights)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=None, help="default: $REGSEARCH_CORPORA")
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--stard-only", action="store_true", help="no story training sets")
    args = ap.parse_args(argv)
    corpora = args.corpora or corpora_dir()
    qfile = corpora / "stard-train" / "queries.jsonl"
    if not qfile.is_file():
        print(f"questions not found at {qfile} (set REGSEARCH_CORPORA)", file=sys.stderr)
        return 1
    stories = [] if args.stard_only else story_questions()
    questions, weights = training_set(load_questions(qfile), stories)
    model = train_from(questions, corpora / "lawrefbook", weights)
    text = json.dumps(model.to_json(), ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(
        f"{len(stories)} stories x {STORY_WEIGHT} beside stard-train: "
        f"{len(model.prior)} laws, {len(model.assoc)} terms, "
        f"{sum(len(d) for d in model.assoc.values())} associations, "
        f"{len(model.expand)} expansion rows -> {args.out} "
        f"({len(text.encode()) // 1024} KB)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
