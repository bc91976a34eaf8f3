from __future__ import annotations

from regsearch.ingest.jsonl import read_jsonl
from regsearch.model import Document, Skip, make_id


def test_jsonl_good_and_bad_lines(data_dir):
    base = data_dir / "ingest"
    items = list(read_jsonl(base / "export.jsonl", base, "cms"))
    assert [type(i) for i in items] == [Document, Skip, Skip, Document]
    first, bad_json, missing, last = items
    assert first.id == make_id("cms", "export.jsonl", "line1")
    assert (first.doc_number, first.publish_date, first.level) == (
        "黔府发〔2020〕13号",
        "2020-09-30",
        "规范性文件",
    )
    assert [a.number for a in first.articles] == ["第一条", "第二条"]
    assert bad_json.source == "export.jsonl:2" and bad_json.reason.startswith("第2行不是有效的JSON")
    assert missing.reason == "第3行：缺少 body 或 articles"
    assert (last.id, last.publish_date, last.articles[0].number) == ("cms-42", None, "第三条")
    assert last.warnings == ["日期无法识别：publish_date=2021-02-30"]
