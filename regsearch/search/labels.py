"""The Chinese words users see for statuses, relations and where a status came from.

One table for the terminal and the web pages, so `show` and the document page say the same.
"""

from __future__ import annotations

from regsearch.model import RelationType, Status, StatusSource

S = Status
STATUS_MEANINGS = {
    S.NOT_YET_ISSUED.value: "所查日期时这一文件（版本）尚未公布，当时还不存在。",
    S.NOT_YET_EFFECTIVE.value: "已经公布，但还没到施行日期，目前尚不适用。",
    S.IN_FORCE.value: "已经施行，且没有被修改取代、废止或宣布失效。",
    S.AMENDED.value: "这一版本已被新版本取代（法规经修改或修订后重新公布），请以现行版本为准。",
    S.PARTIALLY_INVALID.value: "部分条款已被废止或宣布失效，其余条款仍然有效。",
    S.EXPIRED.value: "有效期已经届满，或已被有权机关宣布失效，不再适用。",
    S.REPEALED.value: "已被有权机关明令废止，不再适用。",
    S.NOT_APPLICABLE.value: "这是案例，不是法规或规范性文件，没有时效状态。",
}

R = RelationType
RELATION_LABELS = {
    R.SUPERSEDED_BY.value: "新版本（取代本文件）",
    R.SUPERSEDES.value: "旧版本（被本文件取代）",
    R.REPEALED_BY.value: "废止依据",
    R.REPEALS.value: "本文件废止",
    R.EXPIRED_BY.value: "宣布失效依据",
    R.DECLARES_EXPIRED.value: "本文件宣布失效",
    R.PARTIALLY_INVALIDATED_BY.value: "部分失效依据",
    R.AMENDED_BY.value: "修改决定",
    R.CITES.value: "引用 / 制定依据",
    R.CONFIRMED_BY.value: "确认继续有效",
    R.AMENDS.value: "本文件决定修改",
    R.CONFIRMS.value: "本文件确认继续有效",
    R.PARTIALLY_INVALIDATES.value: "本文件宣布部分失效",
}

SS = StatusSource
STATUS_SOURCE_LABELS = {
    SS.SOURCE.value: "来源数据的标注",
    SS.VERSION_CHAIN.value: "同一文件有新版本",
    SS.REPEAL.value: "废止或清理决定",
    SS.EXPIRY.value: "有效期届满",
    SS.EFFECTIVE_DATE.value: "施行日期未到",
    SS.DEFAULT.value: "",  # nothing says otherwise: nothing to show
}


# What a results page says above its hits (SearchPage.resolved / .relaxed).
RESOLVED_NOTE = "已识别为：{}，排在最前。"
RELAXED_NOTE = "没有同时包含全部词语的结果；以下是与问题最接近的部分匹配。"


def relation_label(kind: str) -> str:
    return RELATION_LABELS.get(kind, "关联文件")


def status_basis(source: str | None, evidence: str | None) -> str:
    """What a status rests on, for a reader: the evidence, else where the status came from."""
    return (evidence or "").strip() or STATUS_SOURCE_LABELS.get(source or "", "")
