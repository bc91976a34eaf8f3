"""A parsed query tree (`regsearch.model.QueryNode`) -> a Whoosh query.

Words all must match; a word of several tokens is a phrase (in titles also its words
in any order, ranked below the phrase; in bodies its words in any order: checking the
phrase in every body holding the words costs hundreds of ms on the corpus); a single
Chinese character in a body also matches inside words (the `chars` field); a 文号
field query also matches the canonical `docnum` keyword. Known-item keywords are
OR-ed in with their boost.
"""

from __future__ import annotations

import re
from typing import Any

from whoosh import query as Q

from regsearch.engine import Match
from regsearch.engine.whoosh.phrase import FastPhrase
from regsearch.errors import BadQuery
from regsearch.index.analyzer import is_single_han, query_terms
from regsearch.index.layout import canonical_doc_number
from regsearch.model import QueryNode

_HAN_ONLY = re.compile(r"^[\u3400-\u9fff]+$")


def to_whoosh(match: Match) -> Any:
    """The Whoosh query of `match` (None when it matches every record)."""
    main = _to_whoosh(match.root, match.fields) if match.root else None
    boosts = [Q.Term(f, v, boost=b) for f, v, b in match.exact]
    if not boosts:
        return main
    return Q.Or([main, *boosts]) if main is not None else Q.Or(boosts)


def _term(fieldname: str, term: str) -> Any:
    if fieldname == "body" and is_single_han(term):
        return Q.Or([Q.Term("body", term), Q.Term("chars", term)])
    return Q.Term(fieldname, term)


def _term_query(node: QueryNode, fieldname: str) -> Any:
    terms = query_terms(node.text)
    if not terms:
        return None
    if len(terms) == 1:
        return _term(fieldname, terms[0])
    phrase = FastPhrase(fieldname, terms)
    if node.op == "word" and _HAN_ONLY.match(node.text):
        words = Q.And([_term(fieldname, t) for t in terms])
        if fieldname == "body":
            return words
        return Q.Or([FastPhrase(fieldname, terms, boost=2.0), words])
    return phrase


def _leaf(node: QueryNode, fields: tuple[str, ...]) -> Any:
    targets = (node.field,) if node.field else fields
    parts = [q for f in targets if (q := _term_query(node, f)) is not None]
    if node.field == "number":
        canon = canonical_doc_number(node.text)
        if canon:
            parts.append(Q.Term("docnum", canon, boost=10.0))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Q.Or(parts)


def _to_whoosh(node: QueryNode, fields: tuple[str, ...]) -> Any:
    if node.op in ("word", "phrase"):
        return _leaf(node, fields)
    if node.op == "not":
        inner = _to_whoosh(node.children[0], fields)
        return Q.Not(inner) if inner is not None else None
    parts = [p for c in node.children if (p := _to_whoosh(c, fields)) is not None]
    if not parts:
        return None
    if node.op == "or":
        return parts[0] if len(parts) == 1 else Q.Or(parts)
    positive = [p for p in parts if not isinstance(p, Q.Not)]
    if not positive:
        raise BadQuery("查询不能只包含排除词：请至少给出一个要查找的词。")
    return parts[0] if len(parts) == 1 else Q.And(parts)
