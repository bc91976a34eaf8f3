"""Parts of a document named right after its title: `《X》第五章`, `《X》中关于反倾销的规定`.

A repeal clause that names such a part repeals only that part: the target becomes
部分失效, not 已废止. The rules are conservative: the part must follow the title (or its
parenthesised 文号) directly, and in running text the repeal verb must follow the part.
"""

from __future__ import annotations

import re

_NUM = "零〇一二三四五六七八九十百千0-9０-９"
_UNIT = "编章节条款项"
_VERB = (
    r"(?:同时|一并|予以|也|均|自[^。；;，,]{2,20}?起)?\s*(?:废止|失效|停止执行|不再执行|停止施行)"
)
_PART = (
    r"(?P<part>"
    # 第五章 / 第十条第二款 / 第三条、第五条和附件二
    rf"第[{_NUM}]+[{_UNIT}](?:[^。；;，,《》]{{0,40}}?)"
    # 中关于反倾销的规定 / 中有关总会计师的内容
    r"|(?:关于|有关)[^。；;，,《》]{1,40}?的(?:规定|内容|条款|部分)"
    # 的部分条款 / 的有关规定 / 附件
    r"|(?:部分|有关|相关)(?:条款|规定|内容)"
    rf"|附件[{_NUM}]*"
    r")"
)
_LEAD = r"^\s*(?:[（(][^（()）]{0,60}[)）])?\s*(?:中|的)?\s*"
_PART_THEN_VERB = re.compile(_LEAD + _PART + r"(?:的规定|的内容)?\s*" + _VERB)
_PART_ITEM = re.compile(
    _LEAD + _PART + r"(?:的规定|的内容)?\s*(?:" + _VERB + r")?\s*[。；;，,]?\s*$"
)
# A decision that only voids parts of the documents it lists (关于废止部分规章部分条款的决定).
PARTIAL_DECISION = re.compile(r"(?:部分|有关|相关)(?:条款|规定|内容)")


def part_after(rest: str, *, item: bool = False) -> str | None:
    """The part named at the start of `rest` (the text after a title's 》), or None.

    In running text the repeal verb must follow (`第五章同时废止`); in a decision's list
    (`item=True`) the part may end the line on its own (`《X》（文号）第八条`).
    """
    m = _PART_THEN_VERB.match(rest) or (_PART_ITEM.match(rest) if item else None)
    return m["part"].strip() if m else None
