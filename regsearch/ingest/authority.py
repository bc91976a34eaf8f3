"""Issuing bodies (发文机关): one name per body, and the body a text names for itself.

Sources write the same body several ways: 中华人民共和国农业部 and 农业部, 主席 and
中华人民共和国主席, official short forms (国家发展改革委, 住房城乡建设部), residue of the
date before the name (…17日自然资源部第1次部务会议), a doubled character (生态环境部部令)
or a typo (国家质检检总局). `normalize_authority` gives each body one name; the names of
the State Council's bodies (past and present) are listed so that a name one slip away
from a listed one is read as that one. Nothing here is keyed to a source's files.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

PRC = "中华人民共和国"

# Bodies whose official name keeps the country's name.
_KEEP_PRC = {"中华人民共和国主席"}

# Official short forms -> full names (the forms used in 令号 and 文号 headers).
SHORT_FORMS = {
    "主席": "中华人民共和国主席",
    "国": "国务院",  # 国令第707号: the portal's 国务院令
    "国家主席": "中华人民共和国主席",
    "国家发展改革委": "国家发展和改革委员会",
    "发展改革委": "国家发展和改革委员会",
    "国家计委": "国家计划委员会",
    "国家经贸委": "国家经济贸易委员会",
    "国家科委": "国家科学技术委员会",
    "国家教委": "国家教育委员会",
    "国家体委": "国家体育运动委员会",
    "国家民委": "国家民族事务委员会",
    "住房城乡建设部": "住房和城乡建设部",
    "人力资源社会保障部": "人力资源和社会保障部",
    "工业和信息化部": "工业和信息化部",
    "工信部": "工业和信息化部",
    "国家市场监管总局": "国家市场监督管理总局",
    "市场监管总局": "国家市场监督管理总局",
    "市场监督管理总局": "国家市场监督管理总局",
    "工商总局": "国家工商行政管理总局",
    "国家工商总局": "国家工商行政管理总局",
    "质检总局": "国家质量监督检验检疫总局",
    "国家质检总局": "国家质量监督检验检疫总局",
    "民航总局": "中国民用航空总局",
    "民航局": "中国民用航空局",
    "国家卫生健康委": "国家卫生健康委员会",
    "国家卫生计生委": "国家卫生和计划生育委员会",
    "国家新闻出版广电总局": "国家新闻出版广电总局",
    "银保监会": "中国银行保险监督管理委员会",
    "中国银保监会": "中国银行保险监督管理委员会",
    "银监会": "中国银行业监督管理委员会",
    "中国银监会": "中国银行业监督管理委员会",
    "证监会": "中国证券监督管理委员会",
    "中国证监会": "中国证券监督管理委员会",
    "保监会": "中国保险监督管理委员会",
    "中国保监会": "中国保险监督管理委员会",
    "国家网信办": "国家互联网信息办公室",
    "中央军委": "中央军事委员会",
    "全国人大常委会": "全国人民代表大会常务委员会",
    "全国人大": "全国人民代表大会",
    "最高法": "最高人民法院",
    "最高检": "最高人民检察院",
}

# The State Council's bodies and other national issuers, past and present: a name one
# character away from one of these (or the same characters in another order) is it.
NATIONAL_BODIES = frozenset(
    """
    国务院 国务院办公厅 政务院 中华人民共和国主席 全国人民代表大会 全国人民代表大会常务委员会
    中央军事委员会 最高人民法院 最高人民检察院 国家监察委员会
    外交部 国防部 国家发展和改革委员会 教育部 科学技术部 工业和信息化部 国家民族事务委员会 公安部
    国家安全部 民政部 司法部 财政部 人力资源和社会保障部 自然资源部 生态环境部 住房和城乡建设部
    交通运输部 水利部 农业农村部 商务部 文化和旅游部 国家卫生健康委员会 退役军人事务部 应急管理部
    中国人民银行 审计署 国务院国有资产监督管理委员会 海关总署 国家税务总局 国家市场监督管理总局
    国家金融监督管理总局 中国证券监督管理委员会 国家广播电视总局 国家体育总局 国家统计局
    国家国际发展合作署 国家医疗保障局 国家机关事务管理局 国家标准化管理委员会 国家新闻出版署
    国家版权局 国家宗教事务局 国家信访局 国家粮食和物资储备局 国家能源局 国家国防科技工业局
    国家烟草专卖局 国家移民管理局 国家林业和草原局 国家铁路局 中国民用航空局 国家邮政局
    国家文物局 国家中医药管理局 国家疾病预防控制局 国家矿山安全监察局 国家消防救援局
    国家外汇管理局 国家药品监督管理局 国家知识产权局 国家数据局 国家互联网信息办公室
    国家发展计划委员会 国家计划委员会 国家经济贸易委员会 国家科学技术委员会 国家教育委员会
    国家体育运动委员会 对外贸易经济合作部 对外经济贸易部 信息产业部 铁道部 交通部 建设部
    国土资源部 农业部 林业部 卫生部 文化部 环境保护部 国家环境保护总局 劳动部 劳动和社会保障部
    人事部 监察部 化学工业部 能源部 水产部 农牧渔业部 广播电影电视部 国家广播电影电视总局
    国家新闻出版广电总局 新闻出版总署 新闻出版署 国家工商行政管理总局 国家工商行政管理局
    国家质量监督检验检疫总局 国家质量技术监督局 国家技术监督局 国家标准局 国家计量局
    国家食品药品监督管理总局 国家食品药品监督管理局 国家药品监督管理局 国家医药管理局
    国家安全生产监督管理总局 国家旅游局 国家海洋局 国家林业局 国家物价局 国家档案局
    国家卫生和计划生育委员会 中国民用航空总局 中国银行业监督管理委员会 中国保险监督管理委员会
    中国银行保险监督管理委员会 总后勤部 总参谋部 总政治部
    """.split()
)

_DATE_RESIDUE = re.compile(r"^[0-9０-９〇零一二三四五六七八九十]*[年月日号]+")
_LEAD_IN = re.compile(r"^(?:已由|已经|已于|由|经)")
_ORDINAL = re.compile(r"^第[一二三四五六七八九十百]+届")
_RELATIVE = re.compile(
    r"^(?:本)?(?:省|市|自治区|自治州|县|区)(?:人民)?政府(?P<office>办公厅|办公室)?$"
)


def _near(a: str, b: str) -> bool:
    """One character added, dropped or changed, or the same characters in another order."""
    if len(a) < 4 or len(b) < 4 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1 or Counter(a) == Counter(b)
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@lru_cache(maxsize=4096)
def normalize_authority(name: str | None, region: str | None = None) -> str | None:
    """One name per body: 中华人民共和国农业部 -> 农业部, 主席 -> 中华人民共和国主席,
    日自然资源部 -> 自然资源部, 省政府 (of 山东省) -> 山东省人民政府; None for no name."""
    text = re.sub(r"\s+", "", name or "")
    text = _LEAD_IN.sub("", _DATE_RESIDUE.sub("", text))
    if not text:
        return None
    start = text.find(PRC)
    if 0 < start <= 2:  # 中中华人民共和国主席: a stray character before the country's name
        text = text[start:]
    text = _ORDINAL.sub("", text)
    text = re.sub(r"(.)\1$", r"\1", text) if text.endswith(("部部", "局局", "署署")) else text
    if text.endswith("委员长") and text.startswith("全国人民代表大会常务委员会"):
        text = "全国人民代表大会常务委员会"
    if text.startswith("全国人民代表大会") and text.endswith("主席团"):
        text = "全国人民代表大会"
    if text in ("最高人民法院审判委员会", "最高人民检察院检察委员会"):
        text = text[:6]
    if text.startswith(PRC) and text not in _KEEP_PRC:
        rest = text[len(PRC) :]
        text = SHORT_FORMS.get(rest, rest) if rest else text
    text = SHORT_FORMS.get(text, text)
    if len(text) < 2:
        return None  # 部令第33号: a number that lost its body's name names no body
    relative = _RELATIVE.match(text)
    if relative and region:
        return f"{region}人民政府{relative['office'] or ''}"
    if text not in NATIONAL_BODIES:
        near = {b for b in NATIONAL_BODIES if _near(text, b)}
        near |= {full for short, full in SHORT_FORMS.items() if _near(text, short)}
        if len(near) == 1:
            return near.pop()
    return text


# A promulgation heading line at the top of a text: 中华人民共和国国务院令 (第499号),
# 山东省人民政府令 第336号, （中华人民共和国农业部 国家林业局令 2010年第2号）.
ORDER_HEADING = re.compile(
    r"^[（(]?(?P<issuer>[\u4e00-\u9fff][\u4e00-\u9fff、 ]{0,59}?)令\s*"
    r"(?:[（(]?\s*(?:[0-9]{4}\s*年\s*)?第?\s*[0-9０-９一二三四五六七八九十百〇零]+\s*号\s*[）)]?)?$"
)
# 经2020年10月13日省政府第85次常务会议通过 / 经第8次部务会议通过 / 国务院第177次常务会议
MEETING = re.compile(
    r"(?P<organ>[\u4e00-\u9fff]{0,30}?)(?:第[0-9一二三四五六七八九十百]+次)?"
    r"(?P<kind>部务会议|委务会议|局务会议|署务会议|主任会议|部长办公会议|常务会议|审判委员会|检察委员会)"
)


def preamble(body: str, lines: int = 8) -> list[str]:
    """The first lines of a text, where a promulgation order or a meeting is named."""
    return [ln.strip() for ln in (body or "").split("\n") if ln.strip()][:lines]


def issuers_in_heading(lines: list[str]) -> list[str]:
    """Bodies named by a 令 heading line (中华人民共和国农业部 国家林业局令 -> both)."""
    for line in lines:
        m = ORDER_HEADING.match(line)
        if not m:
            continue
        names = [n for n in re.split(r"[、\s]+", m["issuer"].strip()) if n]
        found = [n for n in (normalize_authority(x) for x in names) if n]
        if found:
            return found
    return []
