"""Names first: the order of the documents a query that names a law should open with.

A user who types `公司法` wants the 公司法 in force, not the first 司法解释 whose
title mentions it. For a named law (its key, see `regsearch.search.citation`), the
documents come in tiers:

0. the law's version in force on the search day (every part of a law filed in parts,
   such as the 民法典's 编, in the order of their articles);
1. its other versions, newest first;
2. its implementing regulations (…实施条例 / 实施细则 / 实施办法);
3. judicial interpretations that name it in their title;
4. other national documents that name it (amendments, decisions, ministry rules);
5. local rules that name it (…省实施《…法》办法).

Within a tier, documents in force come first, then the newest. A document "names"
the law when the law's key occurs in its title on word boundaries (保险法 is not named
by 社会保险法). Pure: it orders `LawDoc` rows, whatever engine produced them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from regsearch.search.citation import IMPLEMENTING

LOCAL_LEVELS = frozenset({"地方性法规", "地方政府规章", "自治条例", "单行条例"})
MAX_PINNED = 60  # a name never pins more than this many documents


@dataclass(frozen=True)
class LawDoc:
    """What the ranking needs of one document: an opaque record handle and metadata."""

    record: int
    key: str  # citation.law_key of its title
    level: str = ""
    in_force: bool = True  # on the search day
    date: str = ""  # version or publish date (YYYY-MM-DD), for "newest first"
    part: int = 0  # order among the parts of one law (its first article's number)


def _segment_default(text: str) -> list[tuple[int, int]]:
    from regsearch.index.analyzer import tokenize

    return [(s, e) for _t, _p, s, e in tokenize(text, "query")]


def mentions(
    title_key: str, law: str, segment: Callable[[str], list[tuple[int, int]]] = _segment_default
) -> bool:
    """Whether `law` occurs in `title_key` on word boundaries (its words, not inside a
    longer word: 刑法 in 适用刑法第十二条, not 保险法 in 社会保险法)."""
    if law not in title_key:
        return False
    spans = segment(title_key)
    starts = {s for s, _e in spans}
    ends = {e for _s, e in spans}
    i = title_key.find(law)
    while i >= 0:
        if i in starts and i + len(law) in ends:
            return True
        i = title_key.find(law, i + 1)
    return False


def tier(law: str, doc: LawDoc, named: Callable[[str, str], bool] = mentions) -> int | None:
    """The doc's tier for the named `law` (module doc), or None when it is not related."""
    if doc.key == law:
        return 0 if doc.in_force else 1
    stem = law[: -len("条例")] if law.endswith("条例") else law
    if doc.key in {stem + tail for tail in IMPLEMENTING} | {law + t for t in IMPLEMENTING}:
        return 2
    if not named(doc.key, law):
        return None
    if doc.level == "司法解释":
        return 3
    if doc.level in LOCAL_LEVELS:
        return 5
    return 4


def names_first(
    law: str, docs: Iterable[LawDoc], named: Callable[[str, str], bool] = mentions
) -> list[LawDoc]:
    """The documents related to the named `law`, in the order a user expects (module
    doc); unrelated ones are left out. At most MAX_PINNED."""
    ranked = []
    for doc in docs:
        t = tier(law, doc, named)
        if t is None:
            continue
        # Tier 0 can hold several records (the parts of one law): newest, then in order.
        ranked.append(((t, not doc.in_force, _newest(doc.date), doc.part, doc.record), doc))
    ranked.sort(key=lambda pair: pair[0])
    return [doc for _key, doc in ranked[:MAX_PINNED]]


def _newest(date: str) -> tuple[int, ...]:
    """A sort key that puts later dates first (missing dates last)."""
    digits = [int(p) for p in (date or "").split("-") if p.isdigit()]
    return tuple(-d for d in digits) if digits else (1,)


def versions_first(law: str, docs: Iterable[LawDoc]) -> list[LawDoc]:
    """The law's own records only (tiers 0 and 1): the version in force first, then the
    others, newest first (for a citation: where to look for the article)."""
    own = [d for d in docs if d.key == law]
    return sorted(own, key=lambda d: (not d.in_force, _newest(d.date), d.part, d.record))
