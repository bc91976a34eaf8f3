"""The query language -> a parsed tree (`QueryNode`) that engines translate.

Words all must match; "exact phrase" (also “…”); OR; -exclude (or NOT);
parentheses; fields 标题: 文号: 机关: 全文: (title: number: authority: body:).
Parentheses glued to a word (国办函(2018)71号) belong to the word, so 文号 in
every bracket style can be typed as is. A query that is a whole 发文字号 or a
whole title also matches the `docnum` / `title_exact` keyword, boosted so that
document comes first. Nesting and the number of words are capped, so no query
costs more than a bounded amount of work (and the parser never recurses deeply).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from regsearch.engine import DEFAULT_FIELDS, Match
from regsearch.errors import BadQuery, QueryTooComplex
from regsearch.index.analyzer import query_terms
from regsearch.index.layout import canonical_doc_number, exact_title
from regsearch.model import QueryNode as Node

FIELD_ALIASES = {
    "标题": "title",
    "title": "title",
    "文号": "number",
    "number": "number",
    "机关": "authority",
    "authority": "authority",
    "全文": "body",
    "body": "body",
}
_FIELD_RE = re.compile(r"(" + "|".join(FIELD_ALIASES) + r")[:：]", re.IGNORECASE)
_HAN_ONLY = re.compile(r"^[\u3400-\u9fff]+$")
KNOWN_ITEM_BOOST = 1000.0
MAX_DEPTH = 8  # nested parentheses
MAX_WORDS = 32  # words and phrases in one query


@dataclass
class ParsedQuery:
    """A parsed query: its tree, the whole-query known-item keys, and what to highlight."""

    text: str
    root: Node | None
    doc_number: str | None = None
    title: str | None = None
    as_of: str | None = None  # the status day of the search (set by the service)
    # Snippets find the highlight terms by substring search instead of postings or
    # re-analysis (question mode: many OR-ed terms, see highlight.substring_spans).
    highlight_by_text = False

    def match(self, fields: tuple[str, ...] = DEFAULT_FIELDS, known_items: bool = True) -> Match:
        """What an engine matches for this query over `fields`."""
        exact: list[tuple[str, str, float]] = []
        if known_items and self.doc_number:
            exact.append(("docnum", self.doc_number, KNOWN_ITEM_BOOST))
        if known_items and self.title:
            exact.append(("title_exact", self.title, KNOWN_ITEM_BOOST))
        return Match(self.root, fields, tuple(exact))

    def highlights(self) -> list[tuple[str, ...]]:
        """Term sequences to mark in body text: single terms and phrases, positive parts only."""
        out: list[tuple[str, ...]] = []

        def walk(node: Node) -> None:
            if node.op == "not":
                return
            if node.op in ("word", "phrase"):
                if node.field in (None, "body", "title"):
                    terms = tuple(query_terms(node.text))
                    if terms:
                        out.append(terms)
                        if node.op == "word" and len(terms) > 1 and _HAN_ONLY.match(node.text):
                            out.extend((t,) for t in terms)
                return
            for child in node.children:
                walk(child)

        if self.root:
            walk(self.root)
        return out


def _lex(text: str) -> list[tuple[str, str]]:
    """Split a query into (kind, value): ( ) - or field phrase word."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    depth = 0
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "(（":
            out.append(("(", ""))
            depth += 1
            if depth > MAX_DEPTH:
                raise QueryTooComplex(f"查询的括号嵌套过深：最多 {MAX_DEPTH} 层。")
            i += 1
            continue
        if ch in ")）" and depth > 0:
            out.append((")", ""))
            depth -= 1
            i += 1
            continue
        if ch in "-－" and (not out or out[-1][0] in ("(", "or", "word", "phrase", ")")):
            out.append(("-", ""))
            i += 1
            continue
        if ch in '"“”「':
            close = {"“": "”", "「": "」"}.get(ch, '"' if ch == '"' else "”")
            end = text.find(close, i + 1)
            if end < 0:
                raise BadQuery("引号没有配对：请检查查询中的引号。")
            out.append(("phrase", text[i + 1 : end]))
            i = end + 1
            continue
        m = _FIELD_RE.match(text, i)
        if m:
            out.append(("field", FIELD_ALIASES[m.group(1).lower()]))
            i = m.end()
            continue
        # A word runs to white space; brackets glued to it stay part of it.
        j, inner = i, 0
        while j < n and not text[j].isspace():
            c = text[j]
            if c in "(（[【〔":
                inner += 1
            elif c in ")）]】〕":
                if inner == 0 and c in ")）" and depth > 0:
                    break
                inner = max(0, inner - 1)
            j += 1
        word = text[i:j]
        out.append(
            ("or", "")
            if word in ("OR", "或")
            else ("not", "")
            if word == "NOT"
            else ("and", "")
            if word == "AND"
            else ("word", word)
        )
        if out[-1][0] == "not":
            out[-1] = ("-", "")
        if out[-1][0] == "and":
            out.pop()
        i = j
    words = sum(1 for kind, _v in out if kind in ("word", "phrase"))
    if words > MAX_WORDS:
        raise QueryTooComplex(f"查询的词太多（{words} 个）：最多 {MAX_WORDS} 个词或短语。")
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node | None:
        if not self.tokens:
            return None
        node = self.or_expr()
        if self.i < len(self.tokens):
            raise BadQuery("括号没有配对：多了一个“)”。")
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self.peek() == "or":
            self.take()
            if self.peek() in (None, ")", "or"):
                raise BadQuery("OR 后面缺少查询词。")
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Node("or", children=parts)

    def and_expr(self) -> Node:
        parts: list[Node] = []
        while self.peek() not in (None, ")", "or"):
            parts.append(self.unary())
        if not parts:
            raise BadQuery("查询不完整：括号内或 OR 前后缺少查询词。")
        return parts[0] if len(parts) == 1 else Node("and", children=parts)

    def unary(self) -> Node:
        if self.peek() == "-":
            self.take()
            if self.peek() in (None, ")", "or", "-"):
                raise BadQuery("“-”后面缺少要排除的词。")
            return Node("not", children=[self.atom(None)])
        return self.atom(None)

    def atom(self, fieldname: str | None) -> Node:
        kind, value = self.take()
        if kind == "field":
            if self.peek() in (None, ")", "or"):
                raise BadQuery("字段名后面缺少查询词，例如 标题:劳动合同。")
            return self.atom(value)
        if kind == "(":
            node = self.or_expr()
            if self.peek() != ")":
                raise BadQuery("括号没有配对：缺少“)”。")
            self.take()
            return _with_field(node, fieldname) if fieldname else node
        if kind in ("word", "phrase"):
            return Node(kind, text=value, field=fieldname)
        raise BadQuery(f"查询有误：无法理解“{value or kind}”。")


def _with_field(node: Node, fieldname: str) -> Node:
    if node.op in ("word", "phrase"):
        node.field = node.field or fieldname
    for child in node.children:
        _with_field(child, fieldname)
    return node


def parse_query(text: str) -> ParsedQuery:
    """Parse `text`; raises BadQuery with a Chinese message when it is malformed."""
    text = (text or "").strip()
    root = _Parser(_lex(text)).parse() if text else None
    if root is not None and root.op == "not":
        raise BadQuery("查询不能只包含排除词：请至少给出一个要查找的词。")
    bare = text.strip('"“”「」 ')
    title = exact_title(bare) if bare and len(bare) >= 4 else None
    return ParsedQuery(text=text, root=root, doc_number=canonical_doc_number(bare), title=title)
