"""Surrogates: realistic, consistent per document, never real, recognisable only with the run's key."""

from __future__ import annotations

import re

from redaction import Redactor
from redaction.config import NlpConfig, RedactionConfig
from redaction.recognizers.checksums import luhn_ok, rrn_checksum_ok
from redaction.surrogates import is_surrogate

KEY = b"k" * 32
TEXT_EN = ("Call Mr. John Smith at (212) 555-7382 or john.smith@gmail.com; card 4111 1111 1111 1111. "
           "John Smith logged in from 10.0.23.177.")
TEXT_KO = "피보험자 홍길동(900101-1234568) 연락처 010-1234-5678, 홍길동 님 확인."


def _redactor() -> Redactor:
    return Redactor(RedactionConfig(replace="surrogate", use_name_analyser=False, nlp=NlpConfig(en=None)),
                    surrogate_key=KEY)


def test_no_tags_no_originals_and_consistent():
    r = _redactor()
    res = r.redact(TEXT_EN, "en")
    assert not re.search(r"<[A-Z_]+_\d+>", res.text)
    for original in ("John Smith", "555-7382", "john.smith@gmail.com", "4111 1111 1111 1111", "10.0.23.177"):
        assert original not in res.text
    names = [res.text[m.start():m.end()] for m in re.finditer(r"Mr\. \w+ \w+", res.text)]
    fake = names[0][4:]
    assert res.text.count(fake) == 2                # the same person keeps the same fake name
    assert "@example.com" in res.text and re.search(r"555-01\d\d", res.text)
    assert re.search(r"\b192\.0\.2\.|\b198\.51\.100\.|\b203\.0\.113\.", res.text)


def test_structured_surrogates_are_invalid_and_keyed():
    r = _redactor()
    res = r.redact(TEXT_EN + " " + TEXT_KO, "en")
    by_type = {sp.entity_type: sp.placeholder for sp in res.spans}
    card = re.sub(r"\D", "", by_type["CREDIT_CARD"])
    assert not luhn_ok(card)
    rrn = re.sub(r"\D", "", by_type["KR_RRN"])
    assert len(rrn) == 13 and not rrn_checksum_ok(rrn)
    for t in ("CREDIT_CARD", "KR_RRN", "EMAIL_ADDRESS", "IP_ADDRESS", "PHONE_NUMBER"):
        assert is_surrogate(t, by_type[t], KEY), t
    # without the key the digit surrogates are not recognisable; real values never are
    assert not is_surrogate("KR_RRN", by_type["KR_RRN"], b"x" * 32)
    assert not is_surrogate("CREDIT_CARD", "4111 1111 1111 1111", KEY)
    assert not is_surrogate("KR_RRN", "900101-1234568", KEY)


def test_korean_values_get_korean_surrogates():
    res = _redactor().redact(TEXT_KO, "ko")
    assert "홍길동" not in res.text and re.search(r"[가-힣]{3} 님", res.text)
    assert re.search(r"010-0\d{3}-\d{4}", res.text)


def test_placeholder_stays_default():
    res = Redactor(RedactionConfig(use_name_analyser=False, nlp=NlpConfig(en=None))).redact(TEXT_EN, "en")
    assert "<PERSON_1>" in res.text


def test_marking_terms_only_match_markings():
    r = Redactor(RedactionConfig(use_name_analyser=False, nlp=NlpConfig(en=None)))
    prose = "We keep your information confidential. We never sell it."
    assert r.redact(prose, "en").text == prose
    doc = "CONFIDENTIAL\nLoan rate table follows.\nClassification: Confidential"
    out = r.redact(doc, "en")
    assert "CONFIDENTIAL" not in out.text and "Classification" not in out.text
    assert "Loan rate table follows." in out.text
    # sentence mode (the default for an entry without a prefix) still takes the whole sentence
    ko = r.redact("보험금은 지급한다. 본 요율표는 대외비로 외부 반출을 금한다.", "ko")
    assert "대외비" not in ko.text and "보험금은 지급한다." in ko.text


def test_vault_maps_surrogates_back(tmp_path):
    from redaction.vault import Vault
    vault = Vault(tmp_path / "v.jsonl", b"v" * 32)
    r = Redactor(RedactionConfig(replace="surrogate", use_name_analyser=False, nlp=NlpConfig(en=None)),
                 vault=vault, surrogate_key=KEY)
    res = r.redact(TEXT_EN, "en", doc_id="d1")
    assert vault.reveal("d1", res.text) == TEXT_EN
