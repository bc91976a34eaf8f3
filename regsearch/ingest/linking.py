"""Cross-document links and validity status for a whole ingested set.

After every reader has run, `link_documents`:
(a) chains versions of the same document (same normalized title) by date:
    `superseded_by` on the older, `supersedes` on the newer;
(b) resolves repeal / 宣布失效 / amendment / 继续有效 targets (an explicit
    target id first, then 文号, then exact title) and stores the inverse
    relation on each target;
(c) sets `expiry_date` from 有效期 clauses;
(d) turns a source's bare "expired" flag into 已修改 (a successor exists), 已废止 (a
    repealing document) or else 已失效 with the flag itself as the evidence, in plain
    words (来源标注已失效，未找到废止或修改文件): never 已废止 by an unknown document;
(e) resolves citations; (f) applies the status as of a date with a sentence
    of evidence.
Everything is dict lookups: the whole corpus links in well under a second.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from regsearch.ingest.history import latest_revision, parse_events, version_date
from regsearch.ingest.identity import part_key, text_signature
from regsearch.ingest.relations import (
    extract_citations,
    extract_expiry,
    extract_relations,
    norm_title,
)
from regsearch.model import CASE_KIND, Document, Relation, RelationType, Status
from regsearch.status import apply_status

# Formats whose relations are stated explicitly (a cleanup worklist): their text is
# not mined for repeal clauses or citations, which would only duplicate them.
EXPLICIT_FORMATS = {"worklist"}

SOURCE_FLAG_EVIDENCE = "来源标注已失效，未找到废止或修改文件"

_NOT_A_VERSION = re.compile(r"关于(?:修改|废止|.*宣布失效|.*清理)|修正案")
_INVERSE = {
    RelationType.REPEALS.value: RelationType.REPEALED_BY.value,
    RelationType.DECLARES_EXPIRED.value: RelationType.EXPIRED_BY.value,
    RelationType.AMENDS.value: RelationType.AMENDED_BY.value,
    RelationType.CONFIRMS.value: RelationType.CONFIRMED_BY.value,
    RelationType.PARTIALLY_INVALIDATES.value: RelationType.PARTIALLY_INVALIDATED_BY.value,
}


def _version(doc: Document) -> str | None:
    """The date of the version `doc` is: its latest revision, else its publication."""
    if not doc.version_date:
        doc.version_date = version_date(doc.publish_date, doc.history)
    return doc.version_date


def _date(doc: Document) -> str | None:
    """When a document's own text took effect: its effective date, never before its version.

    Sources often give an amended version the original law's effective date.
    """
    known = [d for d in (doc.effective_date, doc.publish_date, _version(doc)) if d]
    return max(known) if known else None


def _order_date(doc: Document) -> str:
    return _version(doc) or doc.effective_date or ""


def _add(doc: Document, rel: Relation) -> None:
    """Add `rel` unless the same link is already there (linking twice changes nothing)."""
    key = (rel.type, rel.target_title, rel.target_doc_number)
    for r in doc.relations:
        same_target = rel.target_id is None or r.target_id == rel.target_id
        if same_target and (r.type, r.target_title, r.target_doc_number) == key:
            return
    doc.relations.append(rel)


def _link_to(kind: str, target: Document, evidence: str, date: str | None) -> Relation:
    return Relation(
        type=kind,
        target_id=target.id,
        target_title=target.title,
        target_doc_number=target.doc_number,
        evidence=evidence,
        date=date,
    )


def version_key(doc: Document) -> tuple[str, str, str] | None:
    """Versions of one document share this key; decisions and 修正案 are never versions."""
    title = norm_title(doc.title)
    if not title or _NOT_A_VERSION.search(title) or doc.format in EXPLICIT_FORMATS:
        return None
    if doc.kind == CASE_KIND:
        return None  # a court case has no versions
    return title, part_key(doc), doc.region or ""


def _version_groups(docs: list[Document]) -> list[list[Document]]:
    """Versions of one document, oldest first; copies of the same version share a group.

    Dated versions are ordered by their version date; two groups are one version when
    both name the same latest revision (修订通过 on one date, 公布 months later). An
    undated copy is placed by its effective date (see `_place_undated`); an undated one
    the source calls expired is the oldest.
    """
    by_day: dict[str, list[Document]] = defaultdict(list)
    undated: list[Document] = []
    for doc in docs:
        day = _version(doc)
        if day:
            by_day[day].append(doc)
        elif doc.source_expired:
            by_day[""].append(doc)
        elif doc.effective_date:
            undated.append(doc)
    groups: list[list[Document]] = []
    for day in sorted(by_day):
        group = by_day[day]
        if groups and _same_revision(groups[-1], group):
            groups[-1].extend(group)
        else:
            groups.append(list(group))
    for doc in undated:
        _place_undated(doc, groups)
    return [g for g in groups if g]


def _place_undated(doc: Document, groups: list[list[Document]]) -> None:
    """Put an undated copy with the version in force on its effective date.

    Amended texts keep the original 施行 sentence, so an effective date shared with a dated
    version says nothing about which version the copy is: it joins only a version with the
    same text, else it stays out of the chain. Before every dated version, it is the oldest.
    """
    day = doc.effective_date or ""
    same_day = [g for g in groups if any(d.effective_date == day for d in g)]
    if same_day:
        text = _squash(doc.body)
        for group in same_day:
            if text and any(_squash(d.body) == text for d in group):
                group.append(doc)
        return
    dated = [g for g in groups if _version(g[0]) and (_version(g[0]) or "") <= day]
    if dated:
        dated[-1].append(doc)
    elif groups:
        groups.insert(0, [doc])


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def _revisions(group: list[Document]) -> set[str]:
    return {r for r in (latest_revision(d.history) for d in group) if r}


def _same_revision(older: list[Document], newer: list[Document]) -> bool:
    """Both groups name the same latest revision and the newer adopts nothing after it.

    The newer copy's later date is then only its 公布 (国务院令) of that revision.
    """
    shared = _revisions(older) & _revisions(newer)
    if not shared:
        return False
    day = max(shared)
    return not any(
        e.date > day and e.kind in ("pass", "amend")
        for doc in newer
        for e in parse_events(" ".join(doc.history))
    )


def _note_copies(group: list[Document]) -> None:
    """Warn that the same version also comes from another source (a duplicate, not a chain)."""
    for doc in group:
        for other in group:
            if other is doc or other.collection == doc.collection:
                continue
            note = f"同一版本另见 {other.collection}/{other.source}（重复，不构成新旧版本）"
            if note not in doc.warnings:
                doc.warnings.append(note)


def _doubtful_titles(documents: list[Document]) -> set[int]:
    """Documents whose text is another title's (a file saved under the wrong name).

    The same text under two titles: the title the most sources give is believed; the
    others (all of them on a tie) are kept out of version chains by title, with a warning.
    """
    titles: dict[str, Counter[str]] = defaultdict(Counter)
    holders: dict[str, list[Document]] = defaultdict(list)
    for doc in documents:
        key = version_key(doc)
        sig = text_signature(doc) if key else None
        if key and sig:
            titles[sig][key[0]] += max(1, len(doc.sources))
            holders[sig].append(doc)
    doubtful: set[int] = set()
    for sig, counts in titles.items():
        if len(counts) < 2:
            continue
        ranked = counts.most_common()
        believed = ranked[0][0] if ranked[0][1] > ranked[1][1] else None
        for doc in holders[sig]:
            key = version_key(doc)
            if key and key[0] != believed:
                doubtful.add(id(doc))
                other = next(t for t in counts if t != key[0])
                note = f"正文与《{other}》相同，标题存疑，未按标题排入版本链"
                if note not in doc.warnings:
                    doc.warnings.append(note)
    return doubtful


def _chain_versions(documents: list[Document]) -> None:
    chains: dict[tuple[str, str, str], list[Document]] = defaultdict(list)
    doubtful = _doubtful_titles(documents)
    for doc in documents:
        key = version_key(doc)
        if key and id(doc) not in doubtful:
            chains[key].append(doc)
    for docs in chains.values():
        if len(docs) < 2:
            continue
        ordered = _version_groups(docs)
        for group in ordered:
            _note_copies(group)
        for older, newer in zip(ordered, ordered[1:], strict=False):
            # among copies, the one published as that version names it best
            successor = max(newer, key=lambda d: (_version(d) or "", d.publish_date == _version(d)))
            when = _date(successor)
            label = "施行" if when and when == successor.effective_date else "公布"
            for doc in older:
                evidence = f"同一文件的新版本《{successor.title}》（{when or '日期不详'}{label}）"
                _add(doc, _link_to(RelationType.SUPERSEDED_BY.value, successor, evidence, when))
                for new in newer:
                    back = f"取代同一文件的旧版本（{_order_date(doc) or '日期不详'}）"
                    _add(new, _link_to(RelationType.SUPERSEDES.value, doc, back, _date(new)))


class _Lookup:
    """Documents by 文号 and by normalized title."""

    def __init__(self, documents: list[Document]) -> None:
        self.by_number: dict[str, list[Document]] = defaultdict(list)
        self.by_title: dict[str, list[Document]] = defaultdict(list)
        for doc in documents:
            if doc.doc_number:
                self.by_number[doc.doc_number].append(doc)
            self.by_title[norm_title(doc.title)].append(doc)
            if doc.subtitle:
                self.by_title[norm_title(f"{doc.title}{doc.subtitle}")].append(doc)

    def find(self, rel: Relation, exclude: Document) -> list[Document]:
        """Documents a relation names: by 文号 first, then by exact (normalized) title."""
        found: list[Document] = []
        if rel.target_doc_number:
            found = [d for d in self.by_number.get(rel.target_doc_number, []) if d is not exclude]
            if found and "〔" not in rel.target_doc_number:
                # 令号 carry no year and are reused: the title must agree, or be the only one
                if rel.target_title:
                    key = norm_title(rel.target_title)
                    found = [d for d in found if norm_title(d.title) == key]
                elif len({norm_title(d.title) for d in found}) > 1:
                    found = []
        if not found and rel.target_title:
            found = [
                d for d in self.by_title.get(norm_title(rel.target_title), []) if d is not exclude
            ]
        return sorted(found, key=_order_date, reverse=True)


def _by_id(documents: list[Document]) -> dict[str, Document]:
    """Records by id, and by the ids of their source documents (a worklist or a JSON Lines
    relation may name a source document that is now part of a merged record)."""
    by_id: dict[str, Document] = {}
    for doc in documents:
        for ref in doc.sources:
            by_id.setdefault(ref.id, doc)
    by_id.update({d.id: d for d in documents})
    return by_id


def _drop_self_links(documents: list[Document]) -> None:
    """Links from a record to itself (two copies linked before they were merged into one
    record): no document repeals, supersedes or cites itself."""
    for doc in documents:
        own = {doc.id, *(ref.id for ref in doc.sources)}
        if any(r.target_id in own for r in doc.relations):
            doc.relations = [r for r in doc.relations if r.target_id not in own]


def _same_document(a: Document, b: Document) -> bool:
    """`b` is `a` itself or another version of it: a document never repeals itself."""
    return a is b or (version_key(a) is not None and version_key(a) == version_key(b))


def _resolve_targets(documents: list[Document], lookup: _Lookup) -> None:
    by_id = _by_id(documents)
    for doc in documents:
        when = _date(doc)
        for rel in list(doc.relations):
            inverse = _INVERSE.get(rel.type)
            if not inverse:
                continue
            named = by_id.get(rel.target_id or "")
            if named is not None and named is not doc:
                # A known target (an explicit id, or resolved by an earlier run): (re)state
                # the inverse, which a re-ingested target has lost.
                rel.target_id = named.id
                _add(named, _link_to(inverse, doc, rel.evidence, rel.date or when))
                continue
            targets = [t for t in lookup.find(rel, doc) if t is not doc]
            if rel.type != RelationType.CONFIRMS.value:
                # 《X》同时废止 in X's new version: the old version is superseded, not repealed
                targets = [t for t in targets if not _same_document(doc, t)]
            if when:  # a document cannot act on versions made after it
                targets = [t for t in targets if not _order_date(t) or _order_date(t) <= when]
            if rel.type == RelationType.AMENDS.value:
                targets = [t for t in targets if not when or _order_date(t) < when][:1]
            if not targets:
                continue
            rel.target_id = targets[0].id
            rel.target_title = rel.target_title or targets[0].title
            rel.date = rel.date or when
            for target in targets:
                _add(target, _link_to(inverse, doc, rel.evidence, rel.date))


_RENAMING = re.compile(r"（试行）|\(试行\)|暂行|试行|工作|实施|若干")
_DOC_KIND = re.compile(r"(?:条例|办法|规定|细则|规则|决定)$")


def _core(title: str) -> str:
    return _DOC_KIND.sub("", _RENAMING.sub("", norm_title(title)))


def _link_renamed_successors(documents: list[Document]) -> None:
    """A text that repeals, in full, the document it replaces under a new name (信访工作条例
    repealing 信访条例, X办法 repealing X暂行办法) is its successor: link them as versions."""
    by_id = _by_id(documents)
    for doc in documents:
        for rel in list(doc.relations):
            if rel.type != RelationType.REPEALS.value or not rel.target_id:
                continue
            old = by_id.get(rel.target_id)
            if old is None or old is doc or (old.region or "") != (doc.region or ""):
                continue
            core = _core(doc.title)
            if len(core) < 2 or core != _core(old.title):
                continue
            if norm_title(old.title) == norm_title(doc.title):
                continue
            if any(r.type == RelationType.SUPERSEDED_BY.value for r in old.relations):
                continue  # it has a successor of its own name
            when = rel.date or _date(doc)
            evidence = f"由更名后的《{doc.title}》取代（其条文明确废止本文件）"
            _add(old, _link_to(RelationType.SUPERSEDED_BY.value, doc, evidence, when))
            back = f"取代更名前的《{old.title}》"
            _add(doc, _link_to(RelationType.SUPERSEDES.value, old, back, _date(doc)))


def _resolve_citations(documents: list[Document], lookup: _Lookup) -> None:
    for doc in documents:
        for rel in doc.relations:
            if rel.type != RelationType.CITES.value or rel.target_id:
                continue
            targets = lookup.find(rel, doc)
            if targets:  # the newest version: a title citation means the law as it stands
                rel.target_id = targets[0].id


def _source_flags(documents: list[Document]) -> None:
    """A bare source "expired" flag, no successor, no repealing document: 已废止 as stated."""
    ended = {
        RelationType.SUPERSEDED_BY.value,
        RelationType.REPEALED_BY.value,
        RelationType.EXPIRED_BY.value,
    }
    for doc in documents:
        if not doc.source_expired or doc.repeal_date:
            continue
        if any(r.type in ended and r.target_id for r in doc.relations):
            continue
        _add(doc, Relation(type=RelationType.EXPIRED_BY.value, evidence=SOURCE_FLAG_EVIDENCE))


def _first(doc: Document, kind: RelationType) -> Relation | None:
    rels = [r for r in doc.relations if r.type == kind.value]
    rels.sort(key=lambda r: (r.target_id is None, r.date or ""))
    return rels[0] if rels else None


def status_evidence(doc: Document, by_id: dict[str, Document] | None = None) -> str:
    """A sentence saying why `doc` has its current status."""
    status = doc.status
    if status == Status.REPEALED.value:
        rel = _first(doc, RelationType.REPEALED_BY)
        if rel and rel.target_id:
            ref = rel.target_doc_number or (f"{rel.date}施行" if rel.date else "")
            return (
                f"被《{rel.target_title}》（{ref}）废止" if ref else f"被《{rel.target_title}》废止"
            )
        if doc.repeal_date:
            return f"{doc.repeal_date}废止"
        return rel.evidence if rel else ""
    if status == Status.EXPIRED.value:
        rel = _first(doc, RelationType.EXPIRED_BY)
        if doc.expiry_date and not (rel and rel.date and rel.date <= doc.expiry_date):
            return f"有效期至{doc.expiry_date}"
        if rel:
            return f"被《{rel.target_title}》宣布失效" if rel.target_title else rel.evidence
        return ""
    if status == Status.AMENDED.value:
        rel = _first(doc, RelationType.SUPERSEDED_BY)
        if rel:
            succ = (by_id or {}).get(rel.target_id or "")
            label = "公布" if succ is not None and rel.date != succ.effective_date else "施行"
            return f"被《{rel.target_title}》（{rel.date or '日期不详'}{label}）取代"
        return ""
    if status == Status.NOT_YET_EFFECTIVE.value:
        return f"自{doc.effective_date}起施行"
    if status == Status.PARTIALLY_INVALID.value:
        rel = _first(doc, RelationType.PARTIALLY_INVALIDATED_BY)
        if not rel or not rel.target_title:
            return ""
        verb = "宣布失效" if "失效" in rel.evidence and "废止" not in rel.evidence else "废止"
        return f"部分内容被《{rel.target_title}》{verb}：{rel.evidence[:120]}"
    if doc.expiry_date:
        return f"有效期至{doc.expiry_date}"
    return f"自{doc.effective_date}起施行" if doc.effective_date else ""


def link_documents(documents: Iterable[Document], as_of: str | None = None) -> None:
    """Link `documents` to each other and set each one's status as of `as_of` (default today)."""
    docs = list(documents)
    _drop_self_links(docs)
    for doc in docs:
        if doc.format in EXPLICIT_FORMATS:
            continue
        if doc.kind == CASE_KIND:  # a court case cites rules; it repeals and amends nothing
            for rel in extract_citations(doc, []):
                _add(doc, rel)
            continue
        found = extract_relations(doc)
        for rel in found + extract_citations(doc, found):
            _add(doc, rel)
        if not doc.expiry_date:
            doc.expiry_date = extract_expiry(doc)
    _chain_versions(docs)
    lookup = _Lookup(docs)
    _resolve_targets(docs, lookup)
    _link_renamed_successors(docs)
    _resolve_citations(docs, lookup)
    _source_flags(docs)
    by_id = _by_id(docs)
    for doc in docs:
        apply_status(doc, as_of)
        doc.status_evidence = status_evidence(doc, by_id)
