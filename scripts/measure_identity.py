"""Identity, levels and statuses over the shared collections (issue 11): prints figures.

    .venv/bin/python scripts/measure_identity.py [--corpora DIR] [--json]

Ingests each collection alone and all of them together (no index is written) and
prints: source documents and records; version groups shared by several records
(title without 中华人民共和国 + part + 文号 + date); the level distribution and the
share of 其他; documents without an issuing body; the version chains of LawRefBook
alone compared with the chains over all collections; and the records every source
holds to be in force (each in its own collection's run) that the combined run shows
已修改 or 已废止, with the document that makes them so.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regsearch.ingest import ingest_paths  # noqa: E402
from regsearch.ingest.identity import part_key  # noqa: E402
from regsearch.ingest.relations import norm_title  # noqa: E402
from regsearch.model import Document  # noqa: E402

COLLECTIONS = ("lawrefbook", "waystowork", "govcn-html")
IN_FORCE = {"现行有效", "部分失效", "尚未施行"}
DEAD = {"已修改", "已废止"}


def version_key(doc: Document) -> tuple[str, str, str, str]:
    date = doc.version_date or doc.publish_date or doc.effective_date or ""
    return norm_title(doc.title), part_key(doc), doc.doc_number or "", date


def shared_versions(docs: list[Document]) -> tuple[int, int]:
    """(groups of records sharing a version key, records beyond the first in each)."""
    groups = Counter(version_key(d) for d in docs)
    many = [n for n in groups.values() if n > 1]
    return len(many), sum(n - 1 for n in many)


def successors(records: list[Document], collection: str) -> dict[str, set[str]]:
    """Source id (of `collection`) -> the source ids (of `collection`) of its successor."""
    by_id = {r.id: r for r in records}
    out: dict[str, set[str]] = {}
    for rec in records:
        mine = [s.id for s in rec.sources if s.collection == collection]
        succ: set[str] = set()
        for rel in rec.relations:
            if rel.type == "superseded_by" and rel.target_id in by_id:
                target = by_id[rel.target_id]
                succ |= {s.id for s in target.sources if s.collection == collection}
                if not any(s.collection == collection for s in target.sources):
                    succ.add(f"<{target.sources[0].collection}:{target.sources[0].source}>")
        for sid in mine:
            out[sid] = succ
    return out


def _days(a: str, b: str) -> int:
    import datetime as dt

    return abs((dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--corpora", default=os.environ.get("REGSEARCH_CORPORA", "../shared/corpora")
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    corpora = Path(args.corpora)
    t0 = time.perf_counter()
    alone = {c: ingest_paths([corpora / c]) for c in COLLECTIONS}
    t1 = time.perf_counter()
    together = ingest_paths([corpora / c for c in COLLECTIONS])
    t2 = time.perf_counter()
    records, sources = together.documents, together.sources

    status_alone: dict[str, str] = {}
    for result in alone.values():
        for rec in result.documents:
            for ref in rec.sources:
                status_alone[ref.id] = rec.status
    by_id = {r.id: r for r in records}
    wrongly_dead = []
    for rec in records:
        if rec.status not in DEAD or rec.kind == "case":
            continue
        if all(status_alone.get(ref.id) in IN_FORCE for ref in rec.sources):
            rel = next(
                (r for r in rec.relations if r.type in ("superseded_by", "repealed_by")), None
            )
            target = by_id.get(rel.target_id or "") if rel else None
            later = bool(
                target
                and target.version_date
                and rec.version_date
                and target.version_date > rec.version_date
                and _days(rec.version_date, target.version_date) > 31
            )
            why = (
                "a later version another source carries"
                if later
                else "undated copy placed before a dated version"
                if not rec.version_date
                else "UNEXPLAINED"
            )
            wrongly_dead.append(
                {
                    "title": rec.title,
                    "version": rec.version_date,
                    "sources": [f"{s.collection}:{s.source}" for s in rec.sources],
                    "status": rec.status,
                    "by": [f"{s.collection}:{s.source}" for s in target.sources] if target else [],
                    "by_version": target.version_date if target else None,
                    "evidence": rec.status_evidence,
                    "why": why,
                }
            )
    lrb_alone = successors(alone["lawrefbook"].documents, "lawrefbook")
    lrb_together = successors(records, "lawrefbook")
    src_path = {s.id: s.source for s in alone["lawrefbook"].sources}
    chain_diffs = [
        (
            src_path.get(sid, sid),
            sorted(src_path.get(x, x) for x in succ),
            sorted(src_path.get(x, x) for x in lrb_together.get(sid, set())),
        )
        for sid, succ in lrb_alone.items()
        if lrb_together.get(sid, set()) != succ
    ]
    levels = Counter(r.level for r in records)
    figures = {
        "seconds_ingest_each_alone": round(t1 - t0, 1),
        "seconds_ingest_together": round(t2 - t1, 1),
        "source_documents": len(sources),
        "records": len(records),
        "merged_records": sum(1 for r in records if len(r.sources) > 1),
        "shared_versions_before": shared_versions(sources),
        "shared_versions_after": shared_versions(records),
        "levels": dict(levels.most_common()),
        "other_share": round(levels.get("其他", 0) / max(1, len(records)), 4),
        "no_authority": sum(1 for r in records if not r.authority),
        "no_authority_normative": sum(1 for r in records if not r.authority and r.kind != "case"),
        "cases": sum(1 for r in records if r.kind == "case"),
        "statuses": dict(Counter(r.status for r in records).most_common()),
        "lawrefbook_chain_links_alone": sum(len(v) for v in lrb_alone.values()),
        "chain_differences_vs_lawrefbook_alone": chain_diffs,
        "in_force_per_sources_but_shown_dead": wrongly_dead,
        "unexplained_dead": sum(1 for w in wrongly_dead if w["why"] == "UNEXPLAINED"),
        "in_source_duplicate_records": sum(
            1 for r in records if len({s.collection for s in r.sources}) < len(r.sources)
        ),
    }
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=1))
        return
    for key, value in figures.items():
        if isinstance(value, list):
            print(f"{key}: {len(value)}")
            for item in value:
                print("   ", item)
        else:
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
