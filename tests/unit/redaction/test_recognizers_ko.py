"""Positive and negative tables for each Korean recognizer (text built here, not from data/sample)."""

from __future__ import annotations

import pytest

POSITIVE = [
    # (entity type, text, expected value)
    ("KR_RRN", "피보험자 주민등록번호는 900101-1234568입니다.", "900101-1234568"),          # valid checksum
    ("KR_RRN", "주민번호 9001011234568 확인", "9001011234568"),                              # no hyphen
    ("KR_RRN", "주민등록번호: 211015-3847261", "211015-3847261"),                           # post-2020, no checksum
    ("KR_RRN", "주민등록번호 ９００１０１－１２３４５６８ 기재", "９００１０１－１２３４５６８"),      # full-width
    ("KR_FRN", "외국인등록번호 851203-5123457 소지자", "851203-5123457"),
    ("PHONE_NUMBER", "연락처는 010-1234-5678입니다", "010-1234-5678"),
    ("PHONE_NUMBER", "휴대폰 01098765432로 연락", "01098765432"),
    ("PHONE_NUMBER", "사무실 02-345-6789 또는", "02-345-6789"),
    ("PHONE_NUMBER", "지점 031-987-6543로 문의", "031-987-6543"),
    ("PHONE_NUMBER", "인터넷전화 070-1234-5678", "070-1234-5678"),
    ("PHONE_NUMBER", "해외에서는 +82-10-2345-6789로", "+82-10-2345-6789"),
    ("KR_BANK_ACCOUNT", "신한은행 계좌 110-123-456789로 입금", "110-123-456789"),
    ("KR_BANK_ACCOUNT", "국민은행 123456-01-234567 (예금주 본인)", "123456-01-234567"),
    ("KR_BANK_ACCOUNT", "농협 계좌번호 302-1234-5678-91", "302-1234-5678-91"),
    ("KR_BANK_ACCOUNT", "입금 계좌 12345678901234", "12345678901234"),
    ("CREDIT_CARD", "카드번호 4111-1111-1111-1111 결제", "4111-1111-1111-1111"),
    ("CREDIT_CARD", "결제 5500 0000 0000 0004 승인", "5500 0000 0000 0004"),
    ("KR_PASSPORT", "여권번호 M12345678 기재", "M12345678"),
    ("KR_PASSPORT", "여권 M123A4567(신형)", "M123A4567"),
    ("KR_DRIVER_LICENSE", "운전면허번호 11-17-123456-62", "11-17-123456-62"),
    ("KR_DRIVER_LICENSE", "면허번호 서울 17-123456-62", "서울 17-123456-62"),
    ("KR_BRN", "사업자등록번호 220-81-62517", "220-81-62517"),
    ("KR_CRN", "법인등록번호 110111-1234567", "110111-1234567"),
    ("KR_HEALTH_INSURANCE", "건강보험증 번호 1-2345678901", "1-2345678901"),
    ("POLICY_NUMBER", "증권번호 L2023-0012345 계약", "L2023-0012345"),
    ("POLICY_NUMBER", "계약번호: 20230512-000123", "20230512-000123"),
    ("POLICY_NUMBER", "POL-2023-123456 증권 참조", "POL-2023-123456"),
    ("KR_VEHICLE_PLATE", "차량번호 12가 3456 사고", "12가 3456"),
    ("KR_VEHICLE_PLATE", "차량 123허4567 렌트", "123허4567"),
    ("KR_VEHICLE_PLATE", "서울 34나 5678 차량", "서울 34나 5678"),
    ("EMAIL_ADDRESS", "메일 hong.gd@example.co.kr로 회신", "hong.gd@example.co.kr"),
    ("IP_ADDRESS", "접속 IP 192.168.10.25에서", "192.168.10.25"),
    ("ADDRESS", "주소 서울특별시 강남구 테헤란로 123, 101동 1203호에 거주", "서울특별시 강남구 테헤란로 123, 101동 1203호"),
    ("ADDRESS", "경기도 성남시 분당구 정자동 178-1 소재", "경기도 성남시 분당구 정자동 178-1"),
    ("ADDRESS", "부산광역시 해운대구 해운대로 570번길 12 에서", "부산광역시 해운대구 해운대로 570번길 12"),
    ("DATE_OF_BIRTH", "생년월일: 1985년 3월 7일", "1985년 3월 7일"),
    ("DATE_OF_BIRTH", "생년월일 1985.03.07 남", "1985.03.07"),
]

NEGATIVE = [
    "보험료는 월 35,000원이며 보험금은 1,000,000원입니다.",
    "계약일 2023-05-12부터 2024-05-11까지 보장합니다.",
    "제3조 제2항에 따라 보험금을 지급합니다.",
    "대법원 2023다12345 판결 및 2019가합5678 사건을 참조한다.",
    "서울고등법원 2021나 2034 판결",
    "고객센터 1588-1234 또는 대표번호 1577-5678로 문의하십시오.",
    "콜센터 15881234",
    "이율은 연 3.5%이며 한도는 5천만원입니다.",
    "보험기간은 10년이고 납입기간은 20년입니다.",
    "약관 제12조 제1항 제3호를 적용한다.",
    "주문번호 1234567890123456 처리 완료",        # 16 digits, Luhn fails, no card context
    "버전 2.13.0 업데이트, 조항 3.2.1",
    "2023년 5월 12일 계약을 체결하였다.",          # a date, not a birth date
    "금리 4.25% 적용 기준일 2023.05.12",
    "총 3건 중 2건 지급",
]


@pytest.mark.parametrize("etype,text,value", POSITIVE, ids=[f"{p[0]}-{i}" for i, p in enumerate(POSITIVE)])
def test_positive(redactor, found, etype, text, value):
    hits = found(redactor, text)
    assert (etype, value) in hits, hits


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(redactor, found, text):
    hits = [h for h in found(redactor, text) if h[0] != "PERSON"]
    assert hits == [], hits


def test_rrn_checksum_scores(redactor):
    ok = [s for s in redactor.analyze("주민등록번호 900101-1234568") if s.entity_type == "KR_RRN"]
    new = [s for s in redactor.analyze("주민등록번호 900101-1234567") if s.entity_type == "KR_RRN"]
    assert ok and new, "a number without a valid check digit (issued after 2020) must still be redacted"
    assert ok[0].score > new[0].score


def test_rrn_invalid_date_not_rrn(redactor):
    assert not [s for s in redactor.analyze("번호 901301-1234567") if s.entity_type == "KR_RRN"]


def test_no_word_boundary_problem_next_to_hangul(redactor, found):
    assert ("KR_RRN", "900101-1234568") in found(redactor, "번호가900101-1234568입니다")
    assert ("PHONE_NUMBER", "010-1234-5678") in found(redactor, "전화010-1234-5678로")


def test_nfd_text_offsets_map_to_original(redactor):
    import unicodedata
    text = unicodedata.normalize("NFD", "피보험자 연락처 010-1234-5678 입니다")
    res = redactor.redact(text)
    phone = [s for s in res.spans if s.entity_type == "PHONE_NUMBER"]
    assert phone and text[phone[0].start:phone[0].end] == "010-1234-5678"
    assert "010" not in res.text
