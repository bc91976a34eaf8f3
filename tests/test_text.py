from __future__ import annotations

from regsearch.text.clean import clean_text, nfkc_brackets


def test_clean_text_white_space():
    raw = "a\r\nb\u200b\u3000c\xa0d  \r\n\u3000\xa0\u200b\n\n\n\n\n\ne\rf\ufeff"
    assert clean_text(raw) == "a\nb c d\n\n\ne\nf"


def test_nfkc_brackets():
    assert nfkc_brackets("黔府发[2020]13号") == "黔府发〔2020〕13号"
    assert nfkc_brackets("黔府发﹝2020﹞13号") == "黔府发〔2020〕13号"
