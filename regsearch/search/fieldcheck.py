"""Field names in a query that the query language does not know (`作者:张三`, `titel:办法`).

The parser reads an unknown `name:value` as one plain word, which then matches nothing; the
shells call this first and tell the user the known fields instead of showing zero hits.
Only what is plainly meant as a field counts: an ASCII name before a colon, or a short
Chinese name before an ASCII colon. A full-width colon after Chinese is ordinary writing
(问题：公司不给交社保怎么办), and quoted phrases and web addresses are left alone.
"""

from __future__ import annotations

import re

from regsearch.search.query import FIELD_ALIASES

_QUOTED = re.compile(r'"[^"]*"|“[^”]*”|「[^」]*」')
_FIELD = re.compile(
    r"(?:^|(?<=[\s(（-]))(?P<name>[A-Za-z_][A-Za-z0-9_]{0,19}(?=[:：])|[\u4e00-\u9fff]{1,4}(?=:))"
    r"[:：](?!//)(?=\S)"
)
KNOWN = "标题、文号、机关、全文（或 title、number、authority、body）"


def unknown_fields(text: str) -> list[str]:
    """The unknown field names of `text`, in order, each once."""
    out: list[str] = []
    for m in _FIELD.finditer(_QUOTED.sub(" ", text)):
        name = m["name"]
        if name.lower() not in FIELD_ALIASES and name not in out:
            out.append(name)
    return out


def unknown_field_message(names: list[str]) -> str:
    return (
        f"没有这个字段：{'、'.join(names)}（可用的字段：{KNOWN}）；"
        "要按原文检索含冒号的词，请给它加引号。"
    )
