"""No dead ends: a query that found nothing is answered by its best partial match.

`欠钱不还`, `房东不退押金`: every word must match in the query language, and no text
holds them all. Read as a question instead (any word may match, colloquial words
mapped to legal ones, ranked by how well they match), the same words find the law
that answers them. The page says so (`SearchPage.relaxed`). Only questions and
situations told in words are relaxed: keywords (`劳动合同 租金`), field syntax,
quoted phrases, boolean operators and 文号 keep their exact meaning: they are the
query language, precise on purpose, and the web's zero-result page suggests how to
widen them.
"""

from __future__ import annotations

import re

from regsearch.index.analyzer import query_terms
from regsearch.search.query import ParsedQuery
from regsearch.search.question import FILLER, find_colloquial, is_question, load_vocabulary

_HAN_RE = re.compile(r"[\u4e00-\u9fff]")


def relaxed_query(text: str) -> ParsedQuery | None:
    """The question reading of `text` (its best partial match), or None for precise
    syntax and texts without a searchable word."""
    from regsearch.search.question_rank import question_rewriter

    text = (text or "").strip()
    if not text or not (is_question(text) or _told_in_words(text)):
        return None
    # Question mode takes a text with a question mark as a question (question.is_question):
    # asking it that way gives the question reading of exactly these words.
    return question_rewriter(text if text.endswith(("?", "？")) else text + "？")


def _told_in_words(text: str) -> bool:
    """A situation told in a few words (欠钱不还, 房东不退押金), not keywords: one run of
    Chinese of three words or more or holding an everyday expression of the colloquial
    vocabulary. Typed with spaces between its clauses (跟团去云南 导游不让走), a
    sentence has a part of three content words or more (question words and particles
    left out) or an expression of two words or more; keywords have shorter parts, so
    keywords that match nothing (劳动合同 租金) stay at nothing."""
    if not _HAN_RE.search(text):
        return False
    vocab = load_vocabulary()
    parts = text.split()
    if len(parts) == 1:
        words = [t for t in query_terms(text) if _HAN_RE.search(t)]
        return len(words) >= 3 or bool(find_colloquial(words, vocab))
    for part in parts:
        words = [t for t in query_terms(part) if _HAN_RE.search(t)]
        content = [t for t in words if t not in FILLER]
        if len(content) >= 3 or (len(words) >= 2 and find_colloquial(words, vocab)):
            return True
    return False
