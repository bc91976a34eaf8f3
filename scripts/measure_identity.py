"""Identity, levels and statuses over the shared collections (issue 11): prints figures.

    .venv/bin/python scripts/measure_identity.py [--corpora DIR] [--json]

Reads the three collections once and derives records from their source documents
three ways: all together, each collection alone, and all together with merging off.
Prints source documents and records; version groups several records share (title
without 中华人民共和国 + part + 文号 + date); the level distribution and the share of
其他; records without an issuing body; the version chains of LawRefBook alone against
the chains over all collections; and the records every source holds to be in force
(each alone) that the combined run shows 已修改 or 已废止, with the reason.
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

from regsearch.ingest import audit, ingest_paths  # noqa: E402
from regsearch.ingest.derive import derive  # noqa: E402
from regsearch.ingest.identity import IdentityRules  # noqa: E402

COLLECTIONS = ("lawrefbook", "waystowork", "govcn-html")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    default = os.environ.get("REGSEARCH_CORPORA", "../shared/corpora")
    parser.add_argument("--corpora", default=default)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    corpora = Path(args.corpora)
    t0 = time.perf_counter()
    together = ingest_paths([corpora / c for c in COLLECTIONS])
    t1 = time.perf_counter()
    records, sources = together.documents, together.sources
    alone = {
        c: derive([s for s in sources if s.collection == c], rules=IdentityRules())
        for c in COLLECTIONS
    }
    apart = derive(sources, rules=IdentityRules(enabled=False))
    status_alone = {
        k: v for recs in alone.values() for k, v in audit.statuses_by_source(recs).items()
    }
    chains_alone = audit.chain_links(alone["lawrefbook"], "lawrefbook")
    chains_together = audit.chain_links(records, "lawrefbook")
    path = {s.id: s.source for s in sources}
    chain_diffs = [
        {
            "source": path[sid],
            "alone": sorted(path.get(x, x) for x in succ),
            "together": sorted(path.get(x, x) for x in chains_together.get(sid, frozenset())),
        }
        for sid, succ in chains_alone.items()
        if chains_together.get(sid, frozenset()) != succ
    ]
    ended = [
        {
            "title": e.record.title,
            "version": e.record.version_date,
            "status": e.record.status,
            "sources": [f"{s.collection}:{s.source}" for s in e.record.sources],
            "by": [f"{s.collection}:{s.source}" for s in e.by.sources] if e.by else [],
            "by_version": e.by.version_date if e.by else None,
            "reason": e.reason,
        }
        for e in audit.shown_ended(records, status_alone)
    ]
    shared = audit.shared_versions(records)
    levels = audit.level_shares(records)
    figures = {
        "seconds_read_and_derive": round(t1 - t0, 1),
        "source_documents": len(sources),
        "records": len(records),
        "records_with_merging_off": len(apart),
        "merged_records": sum(1 for r in records if len(r.sources) > 1),
        "in_source_duplicate_records": sum(
            1 for r in records if len({s.collection for s in r.sources}) < len(r.sources)
        ),
        "shared_version_groups_before": len(audit.shared_versions(sources)),
        "shared_version_groups_after": len(shared),
        "shared_after": [[f"{d.collection}:{d.source}" for d in g] for g in shared],
        "levels": dict(levels.most_common()),
        "other_share": round(levels.get("其他", 0) / max(1, len(records)), 4),
        "no_authority": sum(1 for r in records if not r.authority),
        "no_authority_before": sum(1 for s in sources if not s.authority),
        "cases": sum(1 for r in records if r.kind == "case"),
        "statuses": dict(Counter(r.status for r in records).most_common()),
        "lawrefbook_chain_links_alone": sum(len(v) for v in chains_alone.values()),
        "chain_differences_vs_lawrefbook_alone": chain_diffs,
        "in_force_per_sources_shown_ended": ended,
        "unexplained": sum(1 for e in ended if e["reason"] == audit.UNEXPLAINED),
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
