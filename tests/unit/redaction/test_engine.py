"""Redactor API: placeholders, value normalisation, config handling, clauses, batch."""

from __future__ import annotations

import itertools

import pytest
from omegaconf import OmegaConf

from redaction import PlaceholderMap, Redactor
from redaction.config import RedactionConfig, SensitiveClauseConfig
from redaction.normalize import normalize, normalize_value


def test_default_constructor_and_result_shape(redactor):
    text = "피보험자 홍길동(900101-1234568)의 연락처는 010-1234-5678입니다."
    res = redactor.redact(text, language="ko")
    assert res.text == "피보험자 <PERSON_1>(<KR_RRN_1>)의 연락처는 <PHONE_NUMBER_1>입니다."
    for sp in res.spans:
        assert 0 <= sp.start < sp.end <= len(text)
        assert sp.recognizer and 0 < sp.score <= 1
    assert res.counts == {"PERSON": 1, "KR_RRN": 1, "PHONE_NUMBER": 1}
    assert "900101" not in repr(res)


def test_same_value_different_format_is_one_entity(redactor):
    res = redactor.redact("주민등록번호 900101-1234568, 다시 기재: 9001011234568. 다른 번호 851203-1234563.")
    assert res.text.count("<KR_RRN_1>") == 2
    assert "<KR_RRN_2>" in res.text


def test_mapping_shared_across_chunks_of_one_document(redactor):
    m = PlaceholderMap("doc-1")
    a = redactor.redact("피보험자 홍길동의 전화 010-1111-2222", mapping=m)
    b = redactor.redact("홍길동 고객님께 01011112222로 안내", mapping=m)
    c = redactor.redact("피보험자 이영희의 전화 010-3333-4444", mapping=m)
    assert "<PERSON_1>" in a.text and "<PERSON_1>" in b.text and "<PHONE_NUMBER_1>" in b.text
    assert "<PERSON_2>" in c.text and "<PHONE_NUMBER_2>" in c.text


def test_redact_many_separate_documents(redactor):
    out = redactor.redact_many(["피보험자 홍길동", "피보험자 김철수"])
    assert [r.text for r in out] == ["피보험자 <PERSON_1>", "피보험자 <PERSON_1>"]
    shared = redactor.redact_many(["피보험자 홍길동", "피보험자 김철수"], same_document=True)
    assert shared[1].text == "피보험자 <PERSON_2>"


def test_overlaps_merge_into_one_wider_span(redactor):
    text = "주소 서울특별시 강남구 테헤란로 123 연락처 010-1234-5678"
    spans = redactor.analyze(text)
    for a, b in itertools.pairwise(spans):
        assert a.end <= b.start


@pytest.mark.parametrize("cfg", [
    {"use_name_analyser": False, "score_threshold": 0.5},
    OmegaConf.create({"use_name_analyser": False, "score_threshold": 0.5,
                      "sensitive_clauses": {"action": "mask"}}),
    OmegaConf.structured(RedactionConfig(use_name_analyser=False, score_threshold=0.5)),
])
def test_from_config_accepts_dict_and_dictconfig(cfg):
    r = Redactor.from_config(cfg)
    assert r.config.score_threshold == 0.5 and r.config.use_name_analyser is False


def test_from_config_rejects_unknown_keys_and_types():
    with pytest.raises(ValueError, match="scor_threshold"):
        Redactor.from_config({"scor_threshold": 0.1})
    with pytest.raises(ValueError, match="NOT_A_TYPE"):
        Redactor(RedactionConfig(entities=["NOT_A_TYPE"], use_name_analyser=False))
    with pytest.raises(ValueError, match="action"):
        Redactor(RedactionConfig(sensitive_clauses=SensitiveClauseConfig(action="shred"),
                                 use_name_analyser=False))


def test_entity_filter():
    r = Redactor(RedactionConfig(entities=["PHONE_NUMBER"], use_name_analyser=False))
    res = r.redact("피보험자 홍길동 010-1234-5678")
    assert res.text == "피보험자 홍길동 <PHONE_NUMBER_1>"


def test_sensitive_clause_remove_and_mask():
    text = "보험금은 3영업일 내 지급한다. 본 요율표는 대외비로 외부 반출을 금한다. 해지 시 환급금을 준다."
    rm = Redactor(RedactionConfig(use_name_analyser=False)).redact(text)
    assert "대외비" not in rm.text and "요율표" not in rm.text
    assert rm.text.startswith("보험금은 3영업일 내 지급한다.") and "환급금" in rm.text
    sp = [s for s in rm.spans if s.entity_type == "SENSITIVE_CLAUSE"]
    assert len(sp) == 1 and sp[0].operator == "remove"
    mask = Redactor(RedactionConfig(use_name_analyser=False,
                                    sensitive_clauses=SensitiveClauseConfig(action="mask"))).redact(text)
    assert "<SENSITIVE_CLAUSE_1>" in mask.text and "대외비" not in mask.text


def test_sensitive_clause_patterns():
    cfg = RedactionConfig(use_name_analyser=False, sensitive_clauses=SensitiveClauseConfig(
        terms=[], patterns=[r"내부\s*금리\s*표", r"rate table"]))
    res = Redactor(cfg).redact("Our internal rate table: A=3.1%. Public terms follow.\n내부 금리표 참조 바람.")
    assert "3.1%" not in res.text and "Public terms follow." in res.text and "금리표" not in res.text
    with pytest.raises(ValueError, match="invalid regex"):
        Redactor(RedactionConfig(use_name_analyser=False,
                                 sensitive_clauses=SensitiveClauseConfig(patterns=["(unclosed"])))


def test_normalisation_helpers():
    n = normalize("전화 ０１０－１２３４－５６７８")
    assert n.text == "전화 010-1234-5678" and n.index is None
    assert normalize_value("900101-1234567") == normalize_value("９００１０１ 1234567") == "9001011234567"
    assert normalize_value("Hong@Example.COM ") == "hong@example.com"


def test_literal_escape_sequences_read_as_breaks_with_original_offsets(redactor):
    # text exported from JSON/CSV carries "\\n" as two characters; a number right after it was glued to the "n"
    text = "Name: Kim\\nPhone:\\n022 656 53 65\\n\\nE-mail:\\nkim@corp.example"
    n = normalize(text)
    assert len(n.text) == len(text) and "\\" not in n.text and "\n022 656 53 65" in n.text
    assert normalize("C:\\\\new").text == "C:\\\\new"            # an escaped backslash stays as it is
    res = redactor.redact(text, "en")
    phones = [text[s.start:s.end] for s in res.spans if s.entity_type == "PHONE_NUMBER"]
    assert phones == ["022 656 53 65"]
    # the output keeps the escapes as they were written; only detection read them as breaks
    assert res.text == "Name: <PERSON_1>\\nPhone:\\n<PHONE_NUMBER_1>\\n\\nE-mail:\\n<EMAIL_ADDRESS_1>"


def test_full_width_input_keeps_original_offsets(redactor):
    text = "연락처 ０１０－１２３４－５６７８ 입니다"
    res = redactor.redact(text)
    assert res.text == "연락처 <PHONE_NUMBER_1> 입니다"
