"""Question mode: plain-language questions from the public -> weighted legal terms.

Members of the public ask "公司不给交社保怎么办", not "社会保险法 第五十八条". This
module (1) tells such questions apart from precise queries (titles, 发文字号,
quoted phrases, field syntax keep their exact behaviour), and (2) rewrites a
question into weighted terms: question words and filler dropped, colloquial
words mapped to the terms statutes use (`data/colloquial.tsv`), adjacent words
kept as proximity phrases. Retrieval and fusion over an index live in
`regsearch.search.question_rank`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

VOCAB_PATH = Path(__file__).resolve().parent.parent / "data" / "colloquial.tsv"

# Words that make a text a question (checked as substrings).
INTERROGATIVES = (
    "怎么办",
    "怎么样",
    "怎么",
    "怎样",
    "如何",
    "是否",
    "能否",
    "可否",
    "能不能",
    "可不可以",
    "会不会",
    "要不要",
    "有没有",
    "是不是",
    "算不算",
    "可以吗",
    "行吗",
    "吗",
    "呢",
    "什么",
    "哪些",
    "哪个",
    "哪里",
    "哪方",
    "哪种",
    "多少",
    "多久",
    "多长",
    "几年",
    "几天",
    "为什么",
    "为何",
    "谁",
    "请问",
    "咨询",
    "何种",
    "何时",
    # spoken and dialect forms: 咋办 / 咋弄 (怎么办), 啥 / 为啥 (什么 / 为什么)
    "咋",
    "啥",
)

# Question words that titles never use (unlike 是否 / 如何 in 关于…是否…的批复): a text
# holding one is a question even when it ends like a title (…申请多久答复).
_NEVER_IN_TITLES = (
    "多久",
    "多长时间",
    "怎么办",
    "怎么",
    "怎样",
    "能不能",
    "可不可以",
    "多少钱",
    "咋",
    "啥",
)

# Dropped from a question before it is searched: question words, pronouns,
# modal verbs, particles and chat filler. Matched against whole tokens.
FILLER = frozenset(
    """
    怎么办 怎么样 怎么 怎样 如何 是否 能否 可否 能不能 可不可以 会不会 要不要 有没有
    是不是 算不算 可以 吗 呢 吧 啊 呀 哦 嘛 了 着 过 的 地 得 之 所 什么 哪些 哪个 哪里
    哪 哪方 哪种 多少 多久 多长 几 为什么 为何 谁 请问 咨询 何种 何时 何 我 我们 你 你们
    他 他们 她 她们 它 它们 自己 本人 别人 人家 咱们 这 那 这个 那个 这些 那些 这样 那样 这种
    那种 此 该 其 的话 如果 假如 要是 若 因为 所以 但是 但 而且 并且 或者 还是 还 就 都
    也 又 再 才 已经 已 被 把 让 给 对 向 从 在 和 与 及 以及 跟 同 或 是 有 没有 没 不
    能 会 要 想 需要 应该 应当 必须 可能 得到 一下 一些 一点 一个 一种 一般 非常 特别
    比较 很 太 最 等 等等 之后 以后 之前 以前 时候 情况 情况下 问题 方面 相关 有关 现在
    目前 后来 然后 结果 其实 到底 究竟 一直 突然 直接 马上 立刻 具体 主要 分别 属于 算
    怎么回事 咋 咋办 咋弄 咋整 啥 为啥 干啥 规定 法律 法律规定 法律责任 依法 合法 违法吗
    处理 解决 办 做 做法 承担
    """.split()
)

# Field syntax, boolean operators and quoted phrases: keep the exact query language.
_FIELD_RE = re.compile(
    r"(?:^|\s)[-(（]?(?:标题|文号|机关|全文|title|number|authority|body)[:：]", re.I
)
_QUOTE_RE = re.compile(r"[\"“”「」『』]")
# A quoted span: what a sentence around it quotes (说是“纯玩团”, 认定“以非法占有为目的”).
_QUOTED_RE = re.compile(r"\"[^\"]*\"|“[^”]*”|「[^」]*」|『[^』]*』")
_BOOL_RE = re.compile(r"(?:^|\s)(?:OR|AND|NOT)(?:\s|$)|(?:^|\s)-\S")
# 发文字号: 国办发〔2018〕71号, 国发[2004]10号, 主席令第三十一号 ...
_DOCNUM_RE = re.compile(
    r"[〔\[［【(（﹝]\s*(?:19|20)\d{2}\s*[〕\]］】)）﹞]\s*第?\s*\d+\s*号|令\s*第\s*[\d零〇一二三四五六七八九十百千]+\s*号"
)
_TITLE_RE = re.compile(r"《[^》]+》")
_TITLE_SUFFIXES = (
    "法",
    "条例",
    "办法",
    "规定",
    "决定",
    "通知",
    "意见",
    "解释",
    "细则",
    "规则",
    "决议",
    "批复",
    "公告",
    "方案",
    "纲要",
    "章程",
    "规划",
    "准则",
    "标准",
    "命令",
    "答复",
    "复函",
    "函",
    "令",
    "通报",
    "报告",
    "指引",
    "指南",
    "清单",
    "目录",
    "计划",
    "要点",
    "制度",
)
# 关于…的通报 / …的实施意见: the shape of a document title whatever its last word.
_ABOUT_TITLE_RE = re.compile(r"关于.+的[\u4e00-\u9fff]{1,6}$")
_HAN_RE = re.compile(r"[\u3400-\u9fff]")
_SENTENCE_PUNCT_RE = re.compile(r"[，,。；;！!]")
# A token of digits only (2021, 6000, 8.5): the dates and amounts of a story, which match
# statutes' own dates (自2021年1月1日起施行) and numbers, not what the story is about.
# Article numbers are not affected: the analyzer reads 第264条 as one ordinal token.
_NUMBER_RE = re.compile(r"^[\d.,:%]+$")
_PERSONAL_RE = re.compile(r"我|我们|咱|俺|老婆|老公|孩子|家里|朋友|邻居|老板|公司")


def is_question(text: str) -> bool:
    """True for plain-language questions; False for titles, 文号, quoted phrases, field syntax."""
    q = (text or "").strip()
    if not q:
        return False
    if _QUOTE_RE.search(q):
        if not _quotes_in_sentence(q):
            return False  # a quoted phrase: the exact query language
        q = _QUOTE_RE.sub("", q)
    if _FIELD_RE.search(q) or _BOOL_RE.search(q) or _DOCNUM_RE.search(q):
        return False
    if "?" in q or "？" in q:
        return True
    han = len(_HAN_RE.findall(q))
    stripped = _TITLE_RE.sub("", q).strip()
    if _TITLE_RE.search(q) and len(_HAN_RE.findall(stripped)) <= 2:
        return False  # 《民法典》 or 《民法典》第五条: a known title
    title_shaped = q.endswith(_TITLE_SUFFIXES) or (
        _ABOUT_TITLE_RE.search(q) and not any(w in q for w in INTERROGATIVES)
    )
    if title_shaped and not any(w in q for w in ("吗", "呢", "么", *_NEVER_IN_TITLES)):
        return False  # title-shaped: 中华人民共和国劳动合同法, 关于…的通知
    if any(w in q for w in INTERROGATIVES):
        return True
    # A long sentence about one's own situation ("公司不给交社保，已经半年了").
    if han >= 12 and (_SENTENCE_PUNCT_RE.search(q) or _PERSONAL_RE.search(q)):
        return True
    return han >= 20 and " " not in q


def _quotes_in_sentence(text: str) -> bool:
    """True when quotation marks are a sentence's (我妈被忽悠去听“健康讲座”……怎么办？,
    “复利”的约定合法吗？): what is said around the quoted spans asks a question (a
    question mark and two Chinese characters or more) or is a sentence (twelve
    characters or more with sentence punctuation). A quoted phrase searched on its own or
    with a word or two (“解除劳动合同”怎么办) keeps its exact meaning."""
    rest = _QUOTED_RE.sub(" ", text)
    han = len(_HAN_RE.findall(rest))
    if ("?" in rest or "？" in rest) and han >= 2:
        return True
    return han >= 12 and bool(_SENTENCE_PUNCT_RE.search(rest))


@dataclass
class WeightedTerm:
    """One search term of a rewritten question with its weight."""

    text: str
    weight: float
    expansion: bool = False  # came from the vocabulary, not from the question itself
    vocabulary: bool = False  # a statute word the colloquial vocabulary maps the question to


@dataclass
class QuestionQuery:
    """A question rewritten for ranked retrieval (terms are OR-ed, BM25-scored)."""

    original: str
    terms: list[WeightedTerm] = field(default_factory=list)
    phrases: list[tuple[str, ...]] = field(default_factory=list)  # proximity boosts

    def term_weights(self) -> dict[str, float]:
        """term -> weight, the larger weight when a term occurs twice."""
        out: dict[str, float] = {}
        for t in self.terms:
            out[t.text] = max(out.get(t.text, 0.0), t.weight)
        return out


_vocab_lock = threading.Lock()
_vocab_cache: dict[Path, dict[str, list[str]]] = {}


def load_vocabulary(path: Path | str | None = None) -> dict[str, list[str]]:
    """colloquial word -> legal terms, from a TSV file (cached; bad lines are skipped)."""
    p = Path(path) if path is not None else VOCAB_PATH
    with _vocab_lock:
        if p not in _vocab_cache:
            _vocab_cache[p] = parse_vocabulary(p.read_text("utf-8").splitlines())
        return _vocab_cache[p]


def parse_vocabulary(lines: Iterable[str]) -> dict[str, list[str]]:
    """Parse `colloquial<TAB>term term ...` lines; comments (#) and malformed lines are skipped."""
    out: dict[str, list[str]] = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "\t" not in line:
            continue
        key, _, value = line.partition("\t")
        key = key.strip().lower()
        terms = [t for t in value.split() if t]
        if key and terms:
            merged = out.setdefault(key, [])
            merged.extend(t for t in terms if t not in merged)
    return out


# Aspect particles people put inside a phrase (生完孩子, 离了婚, 签过合同, 打着孩子): a
# key of adjacent tokens also matches with them left out.
INFIXES = frozenset("了过着完")
_NO_INFIXES = str.maketrans(dict.fromkeys(INFIXES))


def find_colloquial(tokens: list[str], vocab: dict[str, list[str]]) -> list[str]:
    """Vocabulary keys that are one token or a run of adjacent tokens (longest match first),
    a run also read without the aspect particles inside it (INFIXES), as tokens of their
    own or inside a token after its first character.

    Matching on token boundaries keeps 出租 from firing inside 出租车 and 告 inside 公告,
    while a key jieba splits (欠钱不还 -> 欠钱/不/还) still matches as a run, 生孩子
    matches 生/完/孩子 and 离婚 matches 离了婚.
    """
    longest = max((len(k) for k in vocab), default=0)
    found: list[str] = []
    i = 0
    while i < len(tokens):
        best = 0
        key = ""
        texts = {""}  # the run read so far, with and without each particle inside it
        for j in range(i, len(tokens)):
            tok = tokens[j].lower()
            forms = {tok, tok[:1] + tok[1:].translate(_NO_INFIXES)}  # 离了婚 -> 离婚 too
            grown = {t + f for t in texts for f in forms if len(t) + len(f) <= longest}
            if j > i and tok in INFIXES:
                grown |= texts
            texts = grown
            if not texts:
                break
            hits = [t for t in texts if t in vocab]
            if hits:
                best = j - i + 1
                key = max(hits, key=lambda t: (len(t), t))
        if best:
            if key not in found:
                found.append(key)
            i += best
        else:
            i += 1
    return found


# Punctuation and spaces end a clause: a vocabulary key never spans two (电话也不打，我
# ... is not 打我).
_CLAUSE_RE = re.compile(r"[\s，,。.；;：:！!？?、（）()《》“”\"'「」『』【】\[\]…—-]+")


def _clause_keys(
    text: str, tokenize: Callable[[str], list[str]], vocab: dict[str, list[str]]
) -> dict[str, list[str]]:
    """Each clause of `text` -> its vocabulary keys (find_colloquial on the clause)."""
    found: dict[str, list[str]] = {}
    for clause in _CLAUSE_RE.split(text):
        if clause and clause not in found:
            found[clause] = find_colloquial(tokenize(clause), vocab)
    return found


# Weights: the user's own words count fully, vocabulary expansions a little less
# (they are a guess about what was meant), phrases add a proximity bonus.
ORIGINAL_WEIGHT = 1.0
EXPANSION_WEIGHT = 0.7
SINGLE_CHAR_WEIGHT = 0.3
SUBWORD_WEIGHT = 0.5
# A long story (ASK_MIN_HAN Chinese characters or more, two sentences or more) tells its
# facts first and asks last (……新房东能直接把我赶走吗？): the words of the sentence that
# asks, and the legal words its everyday words map to, weigh ASK_WEIGHT x more than the
# story's incidental details (冬天, 楼下, 出租屋).
ASK_WEIGHT = 1.5
ASK_MIN_HAN = 60
_SENTENCE_END_RE = re.compile(r"(?<=[。！!？?；;])")


def ask_sentence(text: str) -> str:
    """The sentence of a long story that asks: the last one holding a question mark or a
    question word; "" for a shorter text, one sentence, or no such sentence."""
    if len(_HAN_RE.findall(text)) < ASK_MIN_HAN:
        return ""
    sentences = [s for s in _SENTENCE_END_RE.split(text) if _HAN_RE.search(s)]
    if len(sentences) < 2:
        return ""
    for s in reversed(sentences):
        if "?" in s or "？" in s or any(w in s for w in INTERROGATIVES):
            return s
    return ""


def rewrite(
    text: str,
    tokenize: Callable[[str], list[str]],
    vocab: dict[str, list[str]] | None = None,
    subwords: Callable[[str], list[str]] | None = None,
) -> QuestionQuery:
    """Rewrite a question into weighted terms and proximity phrases.

    Filler and numbers (the dates and amounts of a story) are left out; in a long story
    the sentence that asks weighs more (`ask_sentence`).
    `tokenize` is the index's query analyzer (so terms match the indexed tokens);
    `subwords` gives the dictionary words inside a long word (损害赔偿 -> 损害, 赔偿),
    added with a lower weight so an article worded differently still matches.
    """
    vocab = load_vocabulary() if vocab is None else vocab
    tokens = tokenize(text)
    ask = ask_sentence(text)
    ask_tokens = set(tokenize(ask)) if ask else set()
    clause_keys = _clause_keys(text, tokenize, vocab)
    # The ask sentence ends at a clause boundary, so its clauses are clauses of the text.
    ask_keys = {k for c in _CLAUSE_RE.split(ask) for k in clause_keys.get(c, ())}
    out = QuestionQuery(original=text)
    kept: list[list[str]] = [[]]  # runs of adjacent content words
    for tok in tokens:
        if tok in FILLER or not any(ch.isalnum() for ch in tok) or _NUMBER_RE.match(tok):
            kept.append([])
            continue
        weight = SINGLE_CHAR_WEIGHT if len(tok) == 1 and _HAN_RE.match(tok) else ORIGINAL_WEIGHT
        if tok in ask_tokens:
            weight *= ASK_WEIGHT
        out.terms.append(WeightedTerm(tok, weight))
        kept[-1].append(tok)
    for run in kept:
        for a, b in zip(run, run[1:], strict=False):
            if len(a) > 1 or len(b) > 1:
                out.phrases.append((a, b))
    present = {t.text for t in out.terms}
    if subwords is not None:
        for tok in [t.text for t in out.terms]:
            for sub in subwords(tok):
                if sub not in present and sub not in FILLER and len(sub) > 1:
                    out.terms.append(WeightedTerm(sub, SUBWORD_WEIGHT, expansion=True))
                    present.add(sub)
    for key in dict.fromkeys(k for keys in clause_keys.values() for k in keys):
        weight = EXPANSION_WEIGHT * (ASK_WEIGHT if key in ask_keys else 1.0)
        for legal in vocab[key]:
            parts = [p for p in tokenize(legal) if p not in FILLER]
            for p in parts:
                if p not in present and len(p) > 1:
                    out.terms.append(WeightedTerm(p, weight, expansion=True, vocabulary=True))
                    present.add(p)
            if len(parts) > 1:
                out.phrases.append(tuple(parts))
    return out
