"""Level (效力级别), region and issuing authority from what a document says about itself.

The rules read the 令号 / 发文字号, the issuing authority, the title and the
history line; they are general (any province, any ministry), not keyed to files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from regsearch.model import Document

from regsearch.ingest.authority import (
    MEETING,
    issuers_in_heading,
    normalize_authority,
    preamble,
)
from regsearch.text.docnum import find_doc_numbers

PROVINCES = (
    "北京市",
    "天津市",
    "上海市",
    "重庆市",
    "河北省",
    "山西省",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "海南省",
    "四川省",
    "贵州省",
    "云南省",
    "陕西省",
    "甘肃省",
    "青海省",
    "台湾省",
    "内蒙古自治区",
    "广西壮族自治区",
    "西藏自治区",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "香港特别行政区",
    "澳门特别行政区",
)
# One-character abbreviations used as the first character of a provincial 机关代字 (黔府发).
ABBREVIATIONS = {
    "京": "北京市",
    "津": "天津市",
    "沪": "上海市",
    "渝": "重庆市",
    "冀": "河北省",
    "晋": "山西省",
    "辽": "辽宁省",
    "吉": "吉林省",
    "黑": "黑龙江省",
    "苏": "江苏省",
    "浙": "浙江省",
    "皖": "安徽省",
    "闽": "福建省",
    "赣": "江西省",
    "鲁": "山东省",
    "豫": "河南省",
    "鄂": "湖北省",
    "湘": "湖南省",
    "粤": "广东省",
    "琼": "海南省",
    "川": "四川省",
    "黔": "贵州省",
    "贵": "贵州省",
    "云": "云南省",
    "滇": "云南省",
    "陕": "陕西省",
    "甘": "甘肃省",
    "青": "青海省",
    "蒙": "内蒙古自治区",
    "内蒙": "内蒙古自治区",
    "桂": "广西壮族自治区",
    "藏": "西藏自治区",
    "宁": "宁夏回族自治区",
    "新": "新疆维吾尔自治区",
}
_SHORT_PROVINCE = {p.removesuffix("省").removesuffix("市"): p for p in PROVINCES}
_SHORT_PROVINCE.update({"内蒙古": "内蒙古自治区", "广西": "广西壮族自治区", "西藏": "西藏自治区"})
_SHORT_PROVINCE.update({"宁夏": "宁夏回族自治区", "新疆": "新疆维吾尔自治区"})

_NATIONAL_STARTS = ("中华人民共和国", "中国", "全国", "国家", "国务院", "中共中央", "最高人民")
# Provincial capitals, cities with separate planning status and the other 较大的市 that have
# long made local rules: a title may name one of these without the authority confirming it.
MAJOR_CITIES = frozenset(
    (
        "石家庄 太原 沈阳 长春 哈尔滨 南京 杭州 合肥 福州 南昌 济南 郑州 武汉 长沙 广州 海口 "
        "成都 贵阳 昆明 西安 兰州 西宁 呼和浩特 南宁 拉萨 银川 乌鲁木齐 台北 "
        "深圳 大连 青岛 宁波 厦门 珠海 汕头 唐山 邯郸 大同 包头 鞍山 抚顺 本溪 吉林 "
        "齐齐哈尔 无锡 苏州 徐州 淮南 淄博 洛阳"
    ).split()
)
# A local people's government or people's congress: it confirms the place it names.
_LOCAL_ORGAN = re.compile(
    r"^(?P<name>[\u4e00-\u9fff]{2,8}?(?:市|自治州|州|盟|地区|自治县|自治旗|县|旗|区))"
    r"(?:人民政府|人民代表大会|人大常委会)"
)
# Place words that are not a place: 自治区人民政府, 本市人民政府, 设区的市人民政府.
_NOT_A_PLACE = re.compile(r"^(?:本|该|各|全|我|省|市|县|区|州|自治|特别行政|设区|所在|地)")
# An authority that names no place because the document's own region is meant (省政府令).
_RELATIVE_ORGAN = re.compile(
    r"^(?:省|市|县|自治区|自治州|自治县|本省|本市)(?:人民政府|政府|人民代表大会|人大)"
)
_CITY_TITLE = re.compile(r"^(?P<name>[\u4e00-\u9fff]{2,4}?)市")
# Ethnic autonomous prefectures and counties name themselves unmistakably.
_AUTONOMOUS_TITLE = re.compile(r"^(?P<name>[\u4e00-\u9fff]{2,14}?族自治(?:州|县|旗))")
# 机关代字 of national bodies -> authority.
_NATIONAL_CODES = {
    "国发": "国务院",
    "国函": "国务院",
    "国办发": "国务院办公厅",
    "国办函": "国务院办公厅",
    "中发": "中共中央",
    "中办发": "中共中央办公厅",
}
_PROVINCIAL_CODE = re.compile(
    r"^(?P<abbr>内蒙|[\u4e00-\u9fff])(?P<body>政办|府办|政|府)(?:发|函|字|通|办)"
)

LEVELS = (
    "宪法",
    "法律",
    "行政法规",
    "监察法规",
    "司法解释",
    "部门规章",
    "地方性法规",
    "地方政府规章",
    "规范性文件",
    "其他",
)


def canonical_region(name: str | None) -> str | None:
    """A province's full name for its short one (山东 -> 山东省); other names unchanged."""
    if not name:
        return None
    return _SHORT_PROVINCE.get(name, name)


def _province_prefix(text: str) -> str | None:
    return next((p for p in PROVINCES if text.startswith(p)), None)


def _confirmed_unit(authority: str) -> str | None:
    """The city/prefecture/county named by a local government or congress (临沂市人民政府)."""
    m = _LOCAL_ORGAN.match(authority)
    if m and not _NOT_A_PLACE.match(m["name"]):
        return m["name"]
    return None


def infer_region(title: str | None, authority: str | None) -> str | None:
    """The province (or city) a document belongs to; None when national or not certain.

    The authority decides when it names a place or a national body. A title counts only
    when it starts with a province's full name, a major city or an autonomous prefecture
    or county: 城市市容和环境卫生管理条例 names no city. None is better than a wrong region.
    """
    authority = (authority or "").strip()
    title = (title or "").strip()
    if authority:
        place = _province_prefix(authority) or _confirmed_unit(authority)
        if place:
            return place
        if not _RELATIVE_ORGAN.match(authority):
            return None  # a national body: a place in the title is its subject, not its region
    if not title or title.startswith(_NATIONAL_STARTS):
        return None
    place = _province_prefix(title)
    if place:
        return place
    m = _CITY_TITLE.match(title)
    if m and m["name"] in MAJOR_CITIES:
        return f"{m['name']}市"
    m = _AUTONOMOUS_TITLE.match(title)
    return m["name"] if m else None


def authority_from_doc_number(doc_number: str | None) -> str | None:
    """The issuing authority a 令号 or 机关代字 names (贵州省人民政府令… -> 贵州省人民政府)."""
    if not doc_number:
        return None
    m = re.match(r"^(?P<issuer>[\u4e00-\u9fff]{1,40}?)(?:令|公告)", doc_number)
    if m and "〔" not in doc_number:
        issuer = m["issuer"]
        return "国务院" if issuer in ("中华人民共和国国务院", "国") else issuer
    code = doc_number.split("〔", 1)[0]
    if code in _NATIONAL_CODES:
        return _NATIONAL_CODES[code]
    m = _PROVINCIAL_CODE.match(code)
    if m and m["abbr"] in ABBREVIATIONS:
        office = "办公厅" if "办" in m["body"] else ""
        return f"{ABBREVIATIONS[m['abbr']]}人民政府{office}"
    return None


def _order_level(issuer: str) -> str:
    """The level a 令 of `issuer` promulgates (主席令 a law, 国务院令 a 行政法规 …)."""
    if issuer.endswith(("主席", "委员长")):
        return "法律"
    if issuer.endswith("国务院") or issuer == "国":  # 国令第707号 is the portal's 国务院令
        return "行政法规"
    if issuer.startswith("国家监察委员会"):
        return "监察法规"
    if issuer.endswith(("人民政府", "政府")):
        return "地方政府规章"
    return "部门规章"


_ORDER = re.compile(r"^(?P<issuer>[\u4e00-\u9fff]{1,40}?)令")
_NOTICE_TITLE = re.compile(
    r"(?:通知|意见|决定|方案|纲要|规划|批复|复函|函|公告|通告|通报|答复|指引|指南|要点|计划)$"
)
_RULE_TITLE = re.compile(
    r"(?:办法|规定|规则|细则|规范|规程|标准|制度|章程)(?:[（(][^（()）]*[)）])?$"
)
_LAW_TITLE = re.compile(r"(?<![办方做想说立司])法(?:[（(][^（()）]*[)）])?$")
_REGULATION_TITLE = re.compile(r"条例(?:[（(][^（()）]*[)）])?$")
_PARTY = re.compile(r"^中国共产党|^中共")
_ARTICLES = re.compile(r"(?:^|\n)\s*(?:#+\s*)?第[一1１]条")
# Who published it, in a history line or the text's first lines: 交通运输部公布, 国务院发布,
# 交通运输部、工业和信息化部、公安部发布, 交通部交公路发〔1998〕349号公布.
_BODY = r"[\u4e00-\u9fff]{2,20}?(?:部|委员会|委|总局|局|署|办公厅|办|人民政府|银行)"
_PUBLISHER = re.compile(
    rf"(?P<org>国务院|(?:{_BODY}[、，, ]+)*{_BODY})"
    r"(?:[\u4e00-\u9fff]{0,8}〔[0-9]{4}〕[0-9]+号文?|第[0-9一二三四五六七八九十百]+号)?"
    r"(?:令)?(?:公布|发布|颁布|印发)"
)
# 住房和城乡建设部关于印发…的通知 / 国家安全监管总局 保监会 财政部关于印发…: the first line.
_ISSUER_LINE = re.compile(rf"^(?P<org>(?:{_BODY}[、，, ]*)+?)关于")
# A level made by one body only (立法法): who made a document of that level.
_LEVEL_BODY = {"行政法规": "国务院", "监察法规": "国家监察委员会", "宪法": "全国人民代表大会"}


def _organ_level(organ: str) -> str | None:
    """The level of a rule a body makes on its own authority (a meeting or a publication)."""
    organ = re.sub(r"^.*?[日经由]", "", organ) or organ
    if organ.endswith("国务院") or organ == "国务院":
        return "行政法规"
    if organ.endswith(("人民政府", "政府")) or re.search(r"[省市州县区]政府$", organ):
        return "地方政府规章"
    if organ.endswith(("人民代表大会常务委员会", "人大常委会", "人民代表大会")):
        return "法律" if organ.startswith("全国") else "地方性法规"
    if organ.endswith(("部", "委员会", "总局", "局", "署", "银行")):
        return "部门规章"
    return None


def _meeting_level(text: str, region: str | None) -> str | None:
    """国务院常务会议 -> 行政法规; 部务会议 -> 部门规章; 省政府常务会议 -> 地方政府规章."""
    for m in MEETING.finditer(text):
        organ, kind = m["organ"], m["kind"]
        if kind in ("审判委员会", "检察委员会"):
            return "司法解释"
        if kind != "常务会议":
            return "部门规章"  # 部务会议, 委务会议, 局务会议, 署务会议, 主任会议
        if "国务院" in organ:
            return "行政法规"
        if re.search(r"(?:人民政府|政府)$", organ):
            return "地方政府规章"
        level = _organ_level(organ)
        if level == "部门规章":
            return level
    return None


def is_court_case(title: str | None, level: str | None, body: str | None = None) -> bool:
    """A court case (案例: 指导性案例, 典型案例, a case report) rather than a rule.

    The source says so (its level or category is 案例), the title names a case, or the
    text is laid out as one (基本案情 … 裁判结果 / 裁判理由 / 法院认为).
    """
    if (level or "") == "案例":
        return True
    t = (title or "").strip()
    if re.search(r"(?:通知|决定|意见|规定|办法)$", t):
        return False  # 关于发布第X批指导性案例的通知 is a notice, not a case
    if re.search(
        r"指导(?:性)?案例\s*第?[0-9一二三四五六七八九十百]+号|典型案例|案例[一二三四五六七八九十0-9]+",
        t,
    ):
        return True
    head = (body or "")[:3000]
    marks = sum(
        1
        for w in (
            "基本案情",
            "裁判结果",
            "裁判理由",
            "裁判要旨",
            "裁判要点",
            "案例要旨",
            "典型意义",
        )
        if w in head
    )
    return marks >= 2


def classify_level(
    title: str | None,
    authority: str | None,
    doc_number: str | None,
    history: Sequence[str] | str | None = None,
    body: str | None = None,
    region: str | None = None,
) -> str:
    """效力级别 from the evidence a document carries, strongest first: its 令号 / 发文字号,
    its history lines, the promulgation heading and meeting in its first lines, its
    issuing body, then the kind of title it has. 其他 only when nothing says otherwise."""
    title = (title or "").strip()
    authority = (authority or "").strip()
    number = doc_number or ""
    hist = history if isinstance(history, str) else "\n".join(history or [])
    lines = preamble(body or "")
    head = "\n".join(lines)

    if re.match(r"^(中华人民共和国)?宪法(修正案)?(（.*）)?$", title):
        return "宪法"
    if number.startswith(("法释", "高检发释字")) or re.match(
        r"^最高人民(法院|检察院).*解释", title
    ):
        return "司法解释"
    if authority.startswith(("最高人民法院", "最高人民检察院")) and (
        "解释" in title or re.search(r"(?:审判|检察)委员会.{0,12}(?:通过|讨论)", hist)
    ):
        return "司法解释"
    m = _ORDER.match(number)
    if m and "〔" not in number:
        return _order_level(m["issuer"])
    if re.search(r"全国人民代表大会(常务委员会)?第?.{0,20}(会议|次).{0,12}(通过|修正|修订)", hist):
        return "法律"
    if authority.startswith("全国人民代表大会"):
        return "法律"
    if re.search(r"人民代表大会常务委员会.{0,20}(通过|批准)", hist) or re.search(
        r"人民代表大会.{0,20}次会议.{0,6}通过", hist
    ):
        return "地方性法规"
    if authority.endswith(("人民代表大会常务委员会", "人大常委会", "人民代表大会")):
        return "地方性法规"
    for canon, _raw in find_doc_numbers(hist):
        m = _ORDER.match(canon)
        if m and "〔" not in canon:
            return _order_level(m["issuer"])
    if re.search(r"国务院(第.{1,6}次)?常务会议(通过|审议)", hist) and title.endswith(
        ("条例", "规定", "办法", "细则")
    ):
        return "行政法规"
    issuers = issuers_in_heading(lines)
    if issuers:
        return _order_level(issuers[0])
    for text in (hist, head):
        if re.search(r"国务院批准", text) and re.search(r"(?:条例|规定|办法|细则)$", title):
            return "行政法规"  # 经国务院批准、由部门发布 (before 2000): 行政法规
        level = _meeting_level(text, region)
        if level and not (level == "司法解释" and not authority.startswith("最高人民")):
            return level
        pub = _PUBLISHER.search(text)
        if pub:
            level = _organ_level(_bodies(pub["org"])[0])
            if level:
                return level
    if "〔" in number or re.search(r"[\u4e00-\u9fff]{1,10}〔[0-9]{4}〕[0-9]+号", head):
        return "规范性文件"
    if _NOTICE_TITLE.search(title) and not _PARTY.search(title):
        return "规范性文件"
    if re.search(r"部(第.{1,6}次)?部务会议|局务会议|委务会议|主任会议", hist):
        return "部门规章"
    local = bool(region) or bool(_province_prefix(title))
    if _LAW_TITLE.search(title) and not local and not _PARTY.search(title):
        return "法律"
    if _PARTY.search(title):
        return "其他"  # 党内法规: not a level of the state's legal system
    if _REGULATION_TITLE.search(title):
        return "地方性法规" if local else "行政法规"
    if _RULE_TITLE.search(title) and _ARTICLES.search(body or ""):
        if authority.endswith(("人民政府", "政府")):
            return "地方政府规章"
        if authority and _organ_level(authority) == "部门规章":
            return "部门规章"
        if not authority:
            return "地方政府规章" if local else "部门规章"
    return "其他"


def apply_evidence(doc: Document) -> Document:
    """Issuing body, level and kind of a source document from the evidence it carries.

    Run on every source document after its reader: one name per body, a body taken from
    the 令 heading or 令号 when the metadata names none, the level worked out when the
    reader found none (其他), and a court case marked as one.
    """
    from regsearch.model import CASE_KIND

    doc.authority = normalize_authority(doc.authority, doc.region)
    doc.co_authorities = [
        a
        for a in dict.fromkeys(normalize_authority(x, doc.region) for x in doc.co_authorities)
        if a
    ]
    if not doc.authority:
        named = issuers_in_heading(preamble(doc.body)) or _publishers(doc)
        if not named and doc.doc_number:
            named = [
                n for n in [normalize_authority(authority_from_doc_number(doc.doc_number))] if n
            ]
        if not named and doc.level in _LEVEL_BODY:
            named = [_LEVEL_BODY[doc.level]]
        if named:
            doc.authority, extra = named[0], named[1:]
            doc.co_authorities = [*extra, *(a for a in doc.co_authorities if a not in extra)]
    if doc.authority in doc.co_authorities:
        doc.co_authorities.remove(doc.authority)
    if doc.region is None:
        doc.region = infer_region(doc.title, doc.authority)
    if not doc.level or doc.level == "其他":
        doc.level = classify_level(
            doc.title, doc.authority, doc.doc_number, doc.history, doc.body, doc.region
        )
    if is_court_case(doc.title, doc.level, doc.body):
        doc.kind = CASE_KIND
        doc.level = "案例"
    return doc


def _bodies(names: str) -> list[str]:
    """国家安全监管总局 保监会、财政部 -> each body, one name each, in order."""
    out = [normalize_authority(n) for n in re.split(r"[、，,\s]+", names) if n]
    return [n for n in dict.fromkeys(out) if n] or [names]


def _publishers(doc: Document) -> list[str]:
    """The bodies its history or first lines say issued it (交通运输部公布, X关于印发…)."""
    lines = preamble(doc.body)
    if lines:
        m = _ISSUER_LINE.match(lines[0])
        if m:
            return _bodies(m["org"])
    for text in ("\n".join(doc.history), "\n".join(lines)):
        pub = _PUBLISHER.search(text)
        if pub:
            return _bodies(pub["org"])
        meeting = MEETING.search(text)
        if meeting and meeting["organ"] and meeting["kind"] != "常务会议":
            organ = normalize_authority(meeting["organ"])
            if organ and _organ_level(organ) == "部门规章" and len(organ) >= 3:
                return [organ]
    return []
