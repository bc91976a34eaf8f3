"""Split a body into articles (条) with their heading path (编 / 章 / 节).

An article starts a line with `第X条` (Chinese or Arabic numerals, optional
之一), possibly after a Markdown heading or bold marker. A `第X条` inside a
sentence (依照本法第十条的规定) is a citation, not an article start.
"""

from __future__ import annotations

import re

from regsearch.model import Article
from regsearch.text.numerals import CN_NUMERAL_CHARS, article_ordinal, normalize_article_number

_NUM = rf"(?:[0-9０-９]+|[{CN_NUMERAL_CHARS}]+)"
_SPACE = r"[ \t\u3000\xa0]"
# Markdown heading / list / bold / quote markers that may precede a number at the start of a line.
_LEAD = rf"^{_SPACE}*(?P<hashes>#{{1,6}})?{_SPACE}*(?:[>*_]{{1,3}}{_SPACE}*)*"
_ARTICLE = re.compile(
    rf"{_LEAD}(?P<num>第{_SPACE}*{_NUM}{_SPACE}*条(?:{_SPACE}*之{_SPACE}*{_NUM})?)"
    rf"(?P<after>.?)"
)
_HEADING = re.compile(
    rf"{_LEAD}(?P<num>第{_SPACE}*{_NUM}{_SPACE}*(?P<unit>分编|编|章|节))(?P<rest>.*)$"
)
# A number followed by these is a citation or a sentence about it, not an article start.
_NOT_START_AFTER = set("的规中、和或及至第款项之")
_RANK = {"编": 1, "分编": 2, "章": 3, "节": 4}


def _strip_markup(line: str) -> str:
    """A line without Markdown heading/bold markers and with odd spaces made plain."""
    line = re.sub(r"^\s*#{1,6}\s*", "", line)
    line = line.replace("**", "").replace("__", "")
    return line.replace("\u3000", " ").replace("\xa0", " ").strip()


def _heading(line: str) -> tuple[int, str] | None:
    """(rank, text) if `line` is a heading: a Markdown heading or a plain 编/章/节 line."""
    m = _HEADING.match(line)
    if m:
        rest = re.sub(r"[\s*_#]+", "", m["rest"])
        if len(rest) <= 30 and not re.search(r"[。；，,;]", rest) and not rest.startswith("的"):
            number = re.sub(r"\s+", "", m["num"])
            return _RANK[m["unit"]], f"{number} {rest}".strip()
    md = re.match(r"^\s*(#{1,6})\s*(.*?)\s*#*\s*$", line)
    if md and md.group(2):
        return len(md.group(1)), re.sub(r"[*_]{2}", "", md.group(2)).strip()
    return None


def _article_start(line: str) -> str | None:
    """The raw article number if `line` starts an article, else None."""
    m = _ARTICLE.match(line)
    if not m:
        return None
    if m["after"] and m["after"] in _NOT_START_AFTER:
        return None
    return m["num"]


def split_articles(body: str) -> list[Article]:
    """Articles of `body` in order; text before the first article is not an article."""
    articles: list[Article] = []
    path: list[tuple[int, str]] = []
    current: Article | None = None
    lines: list[str] = []

    def close() -> None:
        if current is not None:
            current.text = "\n".join(lines).strip()
            articles.append(current)

    for raw in (body or "").split("\n"):
        raw_num = _article_start(raw)
        if raw_num:
            close()
            number = normalize_article_number(re.sub(r"\s+", "", raw_num)) or raw_num
            ordinal = article_ordinal(re.sub(r"\s+", "", raw_num)) or 0
            current = Article(number=number, text="", path=[t for _, t in path], ordinal=ordinal)
            lines = [_strip_markup(raw)]
            continue
        heading = _heading(raw)
        if heading:
            close()
            current, lines = None, []
            rank, text = heading
            path = [(r, t) for r, t in path if r < rank] + [(rank, text)]
            continue
        if current is not None:
            stripped = _strip_markup(raw)
            if stripped:
                lines.append(stripped)
    close()
    return articles
