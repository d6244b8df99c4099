"""Korean and English person names: context rules, Kiwi proper nouns, propagation, negatives."""

from __future__ import annotations

import pytest

from redaction import Redactor
from redaction.config import RedactionConfig

KO_CONTEXT = [
    ("피보험자 홍길동은 2023년에 입원하였다.", "홍길동"),
    ("보험계약자: 김민수", "김민수"),
    ("원고 박서연과 피고 주식회사", "박서연"),
    ("담당 설계사 이준호 씨에게 문의", "이준호"),
    ("최지우 님의 보험금 청구를 접수했습니다.", "최지우"),
    ("연대보증인 남궁민 의 서명", "남궁민"),
    ("채무자 정하늘(이하 '차주')은", "정하늘"),
]

KO_NEG = [
    "보험금 지급 고객센터로 문의하십시오.",
    "이상의 내용을 확인하였습니다.",
    "정보 변경 시 고객님께 안내합니다.",
    "피보험자가 사망한 경우 보험금을 지급한다.",
    "계약자는 보험료를 납입하여야 한다.",
    "서울특별시에 소재한 법원",
    "대출금은 차주 명의의 계좌로 송금된다.",
]


@pytest.mark.parametrize("text,name", KO_CONTEXT)
def test_korean_names_by_context(redactor, found, text, name):
    assert ("PERSON", name) in found(redactor, text)


@pytest.mark.parametrize("text", KO_NEG)
def test_korean_name_negatives(redactor_kiwi, found, text):
    assert [h for h in found(redactor_kiwi, text) if h[0] == "PERSON"] == []


def test_kiwi_finds_names_without_context(redactor, redactor_kiwi, found):
    text = "지난달 서울에서 김철수와 만나 계약 내용을 설명하였다."
    assert ("PERSON", "김철수") in found(redactor_kiwi, text)


def test_bare_analyser_hit_is_not_propagated(redactor_kiwi):
    # '상해' (injury; also Shanghai, an NNP) must not become a person and spread through an insurance text
    res = redactor_kiwi.redact("피보험자 홍길동은 상해로 입원하였다. 상해 보험금은 지급한다.")
    assert res.text.count("상해") == 2 and "<PERSON_1>" in res.text


def test_name_propagates_to_other_mentions(redactor):
    res = redactor.redact("피보험자 홍길동은 입원하였다. 이후 홍길동이 퇴원하였다.")
    assert "홍길동" not in res.text
    assert res.text.count("<PERSON_1>") == 2


def test_toggle_off_means_no_kiwi():
    r = Redactor(RedactionConfig(use_name_analyser=False))
    r.redact("피보험자 홍길동")
    assert r.recognizers[-2]._kiwi is None
