"""Snippets people can read (regsearch.search.highlight.render, issue 12)."""

from __future__ import annotations

from regsearch.search import highlight


def spans_of(text: str, *words: str) -> list[tuple[int, int]]:
    out = []
    for w in words:
        i = text.find(w)
        while i >= 0:
            out.append((i, i + len(w)))
            i = text.find(w, i + 1)
    return highlight.merge(out, touching=False)


def test_no_markdown_markup():
    text = "## 第一章 总则\n\n### 第一节 一般规定\n\n第一条 为了**规范**行政执法，制定本办法。"
    out = highlight.render(text, spans_of(text, "行政执法"))
    assert "#" not in out and "**" not in out
    assert out.startswith("第一章 总则 第一节 一般规定 第一条 为了规范<mark>行政执法</mark>")


def test_an_article_does_not_repeat_its_number():
    text = "第七条 用人单位应当依法支付经济补偿。"
    assert highlight.render(text, spans_of(text, "经济补偿"), article="第七条") == (
        "用人单位应当依法支付<mark>经济补偿</mark>。"
    )
    # a document's text keeps it
    assert highlight.render(text, spans_of(text, "经济补偿")).startswith("第七条 ")


def test_single_characters_inside_words_are_not_marked():
    text = "（三）到统筹地区以外就医的交通食宿费；用人单位应当交社会保险费。"
    out = highlight.render(text, spans_of(text, "交"))
    assert "交通" in out and "<mark>交</mark>通" not in out
    assert "应当<mark>交</mark>社会保险费" in out  # 交 on its own is a word here


def test_marks_cover_whole_words():
    text = "推进一网通查工作，方便群众。"
    assert "<mark>一网通查</mark>" in highlight.render(text, spans_of(text, "通查"))
    text = "参照适用公司法律的有关规定。"  # reads 公司 / 法律: 公司 stays 公司
    assert "<mark>公司</mark>法律" in highlight.render(text, spans_of(text, "公司"))


def test_passages_start_and_end_at_sentence_or_clause_boundaries():
    filler = "本条例所称的事项依照有关规定办理。" * 12
    text = (
        filler + "经营者提供商品有欺诈行为的，应当按照消费者的要求增加赔偿其受到的损失。" + filler
    )
    out = highlight.render(text, spans_of(text, "欺诈行为"))
    body = out.strip("…")
    assert body.startswith("经营者提供商品有<mark>欺诈行为</mark>的") or body.startswith("本条例")
    assert body.endswith("。")


def test_escaping_stays_in_one_place():
    text = "第一条 <script>alert(1)</script> 与 & 符号。"
    out = highlight.render(text, spans_of(text, "符号"))
    assert "&lt;script&gt;" in out and "&amp;" in out and "<mark>符号</mark>" in out


def test_many_marks_choose_the_same_passages_as_few(monkeypatch):
    """Long bodies count their windows in numpy: the windows are the loop's."""
    import random

    rng = random.Random(12)
    for _ in range(200):
        length = rng.randint(500, 20000)
        spans, last = [], -1
        for p in sorted(rng.sample(range(length - 5), rng.randint(49, min(400, length // 5)))):
            if p > last:
                spans.append((p, p + rng.randint(1, 4)))
                last = spans[-1][1]
        fast = highlight._best_windows(spans, length)
        monkeypatch.setattr(highlight, "_VECTOR_FROM", 10**9)
        assert highlight._best_windows(spans, length) == fast
        monkeypatch.undo()
