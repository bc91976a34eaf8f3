"""Build the generated evaluation sets of issue 12 from the LawRefBook corpus (reproducibly).

    .venv/bin/python scripts/build_eval_sets.py [--corpora DIR] [--out tests/data/eval]

Writes two JSON Lines files (one query a line, `{"id", "query", "form", "relevant"}`,
`relevant` a list of `{"path", "article"?}` in the paths `lawrefbook/` gives them):

- `citations.jsonl`: a law's name plus an article number, in the forms people write
  (full, short, 《》, a common abbreviation; 第二百六十四条, 第264条, 264条, 第十七条之一,
  第三十九条第二项, a space, inside a sentence). The answer is that article of the law's
  latest version (the newest dated file of that title: the version a lawyer cites).
- `names.jsonl`: a law's usual name alone (short, full, 《》, a common abbreviation, an
  implementing regulation's name); the answer is the latest version's file(s).

Which laws and articles: every form over a seeded sample (random.Random(SEED)) of the
documents `regsearch.ingest` reads from `lawrefbook/`, plus the names people use most
(`EVERYDAY_NAMES`). The expected versions come from the sources' own dates (the newest
version of a title), not from regsearch's status code. Laws whose every version the
source marks expired are left out of the name set (no version is in force).

`COMMON_ALIASES` is written by hand: abbreviations people type (个保法, 民诉法 …), used
only to write queries here; the search code never reads it (it learns names from the
corpus), so the abbreviation rows measure whether that learning generalizes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from regsearch.ingest import ingest_paths  # noqa: E402
from regsearch.model import Document  # noqa: E402
from regsearch.text.numerals import int_to_cn  # noqa: E402

SEED = 20261201
PREFIX = "中华人民共和国"
N_CITATIONS = 520
N_SAMPLED_NAMES = 80

# Hand-written (see the module doc): short name -> abbreviations people use for it.
COMMON_ALIASES = {
    "个人信息保护法": ["个保法"],
    "消费者权益保护法": ["消保法", "消法"],
    "道路交通安全法": ["道交法"],
    "民事诉讼法": ["民诉法"],
    "刑事诉讼法": ["刑诉法"],
    "行政诉讼法": ["行诉法"],
    "未成年人保护法": ["未保法"],
    "环境保护法": ["环保法"],
    "食品安全法": ["食安法"],
    "网络安全法": ["网安法"],
    "数据安全法": ["数安法"],
    "反家庭暴力法": ["反家暴法"],
    "国家赔偿法": ["国赔法"],
    "治安管理处罚法": ["治安处罚法"],
    "税收征收管理法": ["税收征管法", "征管法"],
    "个人所得税法": ["个税法"],
    "劳动争议调解仲裁法": ["劳动仲裁法", "劳动争议仲裁法"],
    "妇女权益保障法": ["妇女权益法"],
    "老年人权益保障法": ["老年人权益法"],
    "残疾人保障法": ["残保法"],
    "民办教育促进法": ["民促法"],
    "义务教育法": ["义教法"],
    "电子商务法": ["电商法"],
    "反电信网络诈骗法": ["反诈法"],
    "农村土地承包法": ["土地承包法"],
    "道路交通安全法实施条例": ["道交法实施条例"],
}

# The names people type most (hand-picked, short form; see the examples).
EVERYDAY_NAMES = """刑法 民法典 宪法 公司法 劳动合同法 劳动法 道路交通安全法 消费者权益保护法
个人信息保护法 行政处罚法 行政许可法 行政诉讼法 民事诉讼法 刑事诉讼法 治安管理处罚法 著作权法
商标法 专利法 反不正当竞争法 广告法 食品安全法 产品质量法 安全生产法 环境保护法 土地管理法
物业管理条例 政府信息公开条例 社会保险法 工伤保险条例 劳动争议调解仲裁法 未成年人保护法
网络安全法 数据安全法 税收征收管理法 个人所得税法 证券法 保险法 国家赔偿法 行政复议法
反家庭暴力法 电子商务法 农村土地承包法 保障农民工工资支付条例 道路交通安全法实施条例
劳动合同法实施条例 优化营商环境条例 传染病防治法 律师法 仲裁法 企业破产法""".split()

# How each form writes a citation ({cn} 第二百六十四条, {arabic} 第264条, {bare} 264条).
FORMS = {
    "short+cn": "{short}{cn}",
    "full+cn": "{title}{cn}",
    "quoted_full+cn": "《{title}》{cn}",
    "quoted_short+cn": "《{short}》{cn}",
    "quoted_short+arabic": "《{short}》{arabic}",
    "short+arabic": "{short}{arabic}",
    "short+bare": "{short}{bare}",
    "short space cn": "{short} {cn}",
}
_ITEM_RE = re.compile(r"（([一二三四五六七八九十]+)）")
# Sentences that carry a citation (forms people type around it).
CITATION_FRAMES = (
    "{c}是怎么规定的",
    "请问{c}的内容",
    "{c}规定了什么",
    "查一下{c}",
)


def short_name(title: str) -> str:
    return title[len(PREFIX) :] if title.startswith(PREFIX) else title


def version_key(doc: Document) -> str:
    return doc.version_date or doc.publish_date or doc.effective_date or ""


def latest_versions(docs: list[Document]) -> dict[str, list[Document]]:
    """title -> the documents of its newest version (several for a law filed in parts,
    such as the 民法典's 编), by the sources' own dates."""
    by_title: dict[str, list[Document]] = defaultdict(list)
    for d in docs:
        if d.articles and d.level != "案例":
            by_title[d.title].append(d)
    out = {}
    for title, group in by_title.items():
        newest = max(version_key(d) for d in group)
        out[title] = sorted((d for d in group if version_key(d) == newest), key=lambda d: d.source)
    return out


def article_forms(number: str, ordinal: int) -> dict[str, str]:
    """Ways of writing one article number (`number` canonical: 第十七条之一)."""
    sub = number.split("条", 1)[1]  # 之一 or ""
    sub_digits = ""
    if sub:
        from regsearch.text.numerals import cn_to_int

        value = cn_to_int(sub[1:])
        sub_digits = f"之{value}" if value else sub
    return {
        "cn": number,
        "arabic": f"第{ordinal}条{sub_digits}",
        "bare": f"{ordinal}条{sub_digits}",
    }


def citation_rows(latest: dict[str, list[Document]], rng: random.Random) -> list[dict[str, Any]]:
    """N_CITATIONS lookups, the forms taken in turn over a seeded sample of articles."""
    pool: list[tuple[str, Document, Any]] = []
    weights = {"法律": 6, "宪法": 1, "行政法规": 3, "地方性法规": 1, "司法解释": 1, "部门规章": 1}
    titles = sorted(latest)
    rng.shuffle(titles)
    for title in titles:
        group = latest[title]
        level = group[0].level
        take = weights.get(level, 0)
        if not take:
            continue
        # Articles of the law, wherever filed (the 民法典's parts), each with its file.
        arts = [(d, a) for d in group for a in d.articles if a.ordinal]
        if not arts:
            continue
        special = [x for x in arts if "之" in x[1].number or x[1].ordinal >= 1000]
        chosen = rng.sample(arts, min(take, len(arts)))
        if special and rng.random() < 0.5:
            chosen.append(rng.choice(special))
        pool.extend((title, d, a) for d, a in chosen)
    rng.shuffle(pool)
    # The laws people cite most, two articles each, and every abbreviated law in its
    # abbreviated form (the sample above rarely meets one).
    by_short = {short_name(t): t for t in titles}
    extra: list[tuple[str, Document, Any, str | None]] = []
    for short in [*EVERYDAY_NAMES, *COMMON_ALIASES]:
        title = by_short.get(short)
        if title is None:
            continue
        arts = [(d, a) for d in latest[title] for a in d.articles if a.ordinal]
        for d, a in rng.sample(arts, min(2, len(arts))):
            extra.append((title, d, a, "alias+cn" if short in COMMON_ALIASES else None))
    forms = [
        "short+cn",
        "full+cn",
        "quoted_full+cn",
        "quoted_short+cn",
        "short+arabic",
        "short+bare",
        "short space cn",
        "short+cn+clause",
        "sentence",
        "alias+cn",
        "quoted_short+arabic",
    ]
    rows: list[dict[str, Any]] = []
    n = 0
    todo = [(t, d, a, None) for t, d, a in pool[:N_CITATIONS]] + extra
    for title, doc, art, fixed in todo:
        form = fixed or forms[n % len(forms)]
        n += 1
        short = short_name(title)
        numbers = article_forms(art.number, art.ordinal)
        if form == "alias+cn":
            aliases = COMMON_ALIASES.get(short)
            if not aliases:
                form = "short+cn"
            else:
                query = rng.choice(aliases) + numbers["cn"]
        if form in FORMS:
            query = FORMS[form].format(short=short, title=title, **numbers)
        elif form == "short+cn+clause":
            items = _ITEM_RE.findall(art.text)
            paragraphs = [p for p in art.text.split("\n") if p.strip()]
            if items:
                tail = f"第{items[min(1, len(items) - 1)]}项"
            elif len(paragraphs) > 1:
                tail = f"第{int_to_cn(2)}款"
            else:
                tail = f"第{int_to_cn(1)}款"
            query = short + numbers["cn"] + tail
        elif form == "sentence":
            query = rng.choice(CITATION_FRAMES).format(c=short + numbers["cn"])
        rows.append(
            {
                "id": f"cite-{len(rows) + 1:03d}",
                "query": query,
                "form": form,
                "level": doc.level,
                # Every file of that version holding the article (a law filed twice).
                "relevant": [
                    {"path": d.source, "article": art.number}
                    for d in latest[title]
                    if d.source == doc.source
                    or (version_key(d) == version_key(doc) and _text_of(d, art.number) == art.text)
                ],
            }
        )
    return rows


def _text_of(doc: Document, number: str) -> str | None:
    return next((a.text for a in doc.articles if a.number == number), None)


def name_rows(latest: dict[str, list[Document]], rng: random.Random) -> list[dict[str, Any]]:
    """Names alone: the everyday list in each form, plus a seeded sample of laws and
    行政法规 by their short name."""
    expired_titles = {t for t, group in latest.items() if all(d.source_expired for d in group)}
    by_short: dict[str, str] = {}
    for title in latest:
        by_short.setdefault(short_name(title), title)
    rows: list[dict[str, Any]] = []

    def add(query: str, title: str, form: str) -> None:
        if title in expired_titles:
            return
        rows.append(
            {
                "id": f"name-{len(rows) + 1:03d}",
                "query": query,
                "form": form,
                "level": latest[title][0].level,
                "relevant": [{"path": d.source} for d in latest[title]],
            }
        )

    for i, short in enumerate(EVERYDAY_NAMES):
        title = by_short.get(short)
        if title is None:
            continue
        add(short, title, "everyday short")
        if i % 3 == 0 and title != short:
            add(title, title, "everyday full")
        if i % 3 == 1:
            add(f"《{short}》", title, "everyday quoted")
        for alias in COMMON_ALIASES.get(short, []):
            add(alias, title, "alias")
    everyday = set(EVERYDAY_NAMES)
    national = sorted(
        t
        for t, group in latest.items()
        if group[0].level in ("法律", "行政法规") and short_name(t) not in everyday
    )
    for title in rng.sample(national, min(N_SAMPLED_NAMES, len(national))):
        add(short_name(title), title, "sampled short")
    return rows


def write(rows: list[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{path}: {len(rows)} queries", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(os.environ.get("REGSEARCH_CORPORA", ROOT.parent / "shared" / "corpora"))
    ap.add_argument("--corpora", type=Path, default=default)
    ap.add_argument("--out", type=Path, default=ROOT / "tests" / "data" / "eval")
    args = ap.parse_args(argv)
    src = args.corpora / "lawrefbook"
    if not src.is_dir():
        print(f"corpus not found at {src} (set REGSEARCH_CORPORA)", file=sys.stderr)
        return 1
    docs = ingest_paths([src]).documents
    latest = latest_versions(docs)
    write(citation_rows(latest, random.Random(SEED)), args.out / "citations.jsonl")
    write(name_rows(latest, random.Random(SEED + 1)), args.out / "names.jsonl")
    return 0


if __name__ == "__main__":
    sys.exit(main())
