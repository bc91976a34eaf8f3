"""Version dates: a copy of an amended text is dated by its latest revision, not its 公布."""

from __future__ import annotations

from regsearch.ingest.history import latest_revision, version_date
from regsearch.ingest.linking import link_documents
from regsearch.ingest.markdown import parse_markdown
from regsearch.model import Document

AS_OF = "2026-01-01"

NURSES_WAYSTOWORK = (
    "(2008年1月31日中华人民共和国国务院令第517号公布 "
    "根据2020年3月27日《国务院关于修改和废止部分行政法规的决定》修订)"
)
# Every date splits the events: the revision's own date is the first of its 根据… clause.
STATE_COMPENSATION = (
    "(1994年5月12日第八届全国人民代表大会常务委员会第七次会议通过 "
    "1994年5月12日中华人民共和国主席令第23号公布 "
    "根据2012年10月26日第十一届全国人民代表大会常务委员会第二十九次会议通过 "
    "2012年10月26日中华人民共和国主席令第68号公布 自2013年1月1日起施行的"
    "《全国人民代表大会常务委员会关于修改<中华人民共和国国家赔偿法>的决定》第二次修正)"
)


def test_latest_revision() -> None:
    assert latest_revision([NURSES_WAYSTOWORK]) == "2020-03-27"
    assert latest_revision([STATE_COMPENSATION]) == "2012-10-26"
    assert (
        latest_revision(
            [
                "1988年9月5日 第七届全国人民代表大会常务委员会第三次会议通过",
                "2010年4月29日 第十一届全国人民代表大会常务委员会第十四次会议第一次修订",
                "2024年2月27日 第十四届全国人民代表大会常务委员会第八次会议第二次修订",
            ]
        )
        == "2024-02-27"
    )
    assert latest_revision(["2008年1月31日 中华人民共和国国务院令第517号公布"]) is None
    assert latest_revision([]) is None


def test_version_date() -> None:
    assert version_date("2008-01-31", [NURSES_WAYSTOWORK]) == "2020-03-27"
    assert version_date("2020-03-27", ["2008年1月31日 中华人民共和国国务院令第517号公布"]) == (
        "2020-03-27"
    )
    assert version_date(None, []) is None


def test_markdown_reader_sets_the_version_date() -> None:
    doc = parse_markdown(f"# 护士条例\n\n{NURSES_WAYSTOWORK}\n\n第一条 为了……", "护士条例.md", "w")
    assert isinstance(doc, Document)
    assert (doc.publish_date, doc.version_date) == ("2008-01-31", "2020-03-27")


def make(title: str, source: str, collection: str = "c", **kw: object) -> Document:
    return Document(id=source, title=title, collection=collection, source=source, **kw)


def supersession(*docs: Document) -> list[tuple[str, list[str]]]:
    return [
        (d.id, [r.target_id or "" for r in d.relations if r.type == "superseded_by"]) for d in docs
    ]


def test_a_copy_of_the_current_version_is_a_duplicate_not_an_older_version() -> None:
    copy = make(
        "护士条例",
        "w",
        "waystowork",
        publish_date="2008-01-31",
        effective_date="2008-05-12",
        history=[NURSES_WAYSTOWORK],
    )
    current = make(
        "护士条例",
        "l",
        "lawrefbook",
        publish_date="2020-03-27",
        effective_date="2020-03-27",
        history=["2008年1月31日 中华人民共和国国务院令第517号公布"],
    )
    old = make("护士条例", "o", "lawrefbook", publish_date="2008-01-31", source_expired=True)
    link_documents([copy, current, old], as_of=AS_OF)
    assert supersession(copy, current, old) == [("w", []), ("l", []), ("o", ["l"])]
    assert [d.status for d in (copy, current, old)] == ["现行有效", "现行有效", "已修改"]
    assert copy.version_date == "2020-03-27"
    assert copy.warnings == ["同一版本另见 lawrefbook/l（重复，不构成新旧版本）"]
    assert current.warnings == ["同一版本另见 waystowork/w（重复，不构成新旧版本）"]


def test_a_copy_of_an_older_version_is_superseded() -> None:
    copy = make(
        "示例条例",
        "w",
        "waystowork",
        publish_date="2001-12-11",
        history=[
            "(2001年12月11日国务院令第335号公布 "
            "根据2019年3月2日《国务院关于修改部分行政法规的决定》修订)"
        ],
    )
    newer = make("示例条例", "l", "lawrefbook", publish_date="2023-07-20")
    link_documents([copy, newer], as_of=AS_OF)
    assert supersession(copy, newer) == [("w", ["l"]), ("l", [])]
    assert copy.status_evidence == "被《示例条例》（2023-07-20公布）取代"


def test_adopted_then_published_later_is_one_version() -> None:
    # 修订通过 at a State Council meeting, 公布 by 国务院令 months later: the same version
    adopted = make(
        "示例实施条例",
        "w",
        "waystowork",
        publish_date="2009-07-20",
        history=["（2009年7月20日国务院令第557号公布 2019年3月26日国务院第42次常务会议修订通过）"],
    )
    published = make(
        "示例实施条例",
        "l",
        "lawrefbook",
        publish_date="2019-10-11",
        history=["2019年3月26日 国务院第42次常务会议修订通过", "2019年12月1日 施行"],
    )
    link_documents([adopted, published], as_of=AS_OF)
    assert supersession(adopted, published) == [("w", []), ("l", [])]


def test_a_later_adoption_is_a_new_version_even_with_the_same_last_revision() -> None:
    v2017 = make(
        "示例制定条例", "a", publish_date="2017-01-20", history=["2017年1月20日 第五次会议修订"]
    )
    v2023 = make(
        "示例制定条例",
        "b",
        publish_date="2023-07-28",
        history=["2017年1月20日 第五次会议修订", "2023年7月28日 常务委员会第四次会议通过"],
    )
    link_documents([v2017, v2023], as_of=AS_OF)
    assert supersession(v2017, v2023) == [("a", ["b"]), ("b", [])]


def test_undated_copies_are_placed_by_their_effective_date() -> None:
    dated = make(
        "示例法", "d", publish_date="2018-10-26", effective_date="2019-01-01", body="新文本"
    )
    before = make("示例法", "e", effective_date="2008-09-01", body="旧文本")
    # the same 施行 date as a dated version says nothing unless the text is the same
    unknown = make("示例法", "u", effective_date="2019-01-01", body="另一文本")
    same = make("示例法", "s", effective_date="2019-01-01", body="新 文本")
    link_documents([dated, before, unknown, same], as_of=AS_OF)
    assert supersession(dated, before, unknown, same) == [
        ("d", []),
        ("e", ["d"]),
        ("u", []),
        ("s", []),
    ]
    assert [r.target_id for r in dated.relations if r.type == "supersedes"] == ["e"]
