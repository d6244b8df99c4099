"""Issue 12's failure classes (values made up here): whole spans, every ID layout, no over-redaction of legal
prose, and name propagation only from strong evidence."""

from __future__ import annotations

import pytest

from redaction import PlaceholderMap
from redaction.recognizers.ko_names import split_name

WHOLE = [
    ("ADDRESS", "주소: 광주광역시 북구 새솔로 17길 9-4, 1107호", "광주광역시 북구 새솔로 17길 9-4, 1107호"),
    ("ADDRESS", "경기도 안성시 공도읍 만정리 301-4번지 소재", "경기도 안성시 공도읍 만정리 301-4번지"),
    ("ADDRESS", "서울시 강남구 테헤란로 123 (역삼동, 한빛빌딩) 5층에서", "서울시 강남구 테헤란로 123 (역삼동, 한빛빌딩) 5층"),
    ("ADDRESS", "부산시 해운대구 보람7로 21, 103동 1502호", "부산시 해운대구 보람7로 21, 103동 1502호"),
    ("ADDRESS", "(우) 61009 광주광역시 북구 용봉로 77", "(우) 61009 광주광역시 북구 용봉로 77"),
    ("ADDRESS", "소재지 세종특별자치시 한누리대로 411 한울종합청사 4동", "세종특별자치시 한누리대로 411 한울종합청사 4동"),
    ("ADDRESS", "경기 성남시 분당구 판교로 256번길 25, B1층", "경기 성남시 분당구 판교로 256번길 25, B1층"),
    ("ADDRESS", "| 주소 | 새솔로 17길 9-4, 302호 |", "새솔로 17길 9-4, 302호"),
    ("ADDRESS", "방문지는 누리스퀘어 B동 803호입니다", "누리스퀘어 B동 803호"),
    ("PHONE_NUMBER", "대표 (031)987-6543", "(031)987-6543"),
    ("PHONE_NUMBER", "연락처 043)760-0746", "043)760-0746"),
    ("KR_RRN", "주민등록번호 880317-2******", "880317-2******"),
    ("KR_RRN", "주민번호 900101\n-1234568", "900101\n-1234568"),
    ("KR_RRN", "주민번호 900101 1234568", "900101 1234568"),
    ("KR_PASSPORT", "여권번호 M123A4567", "M123A4567"),
    ("KR_PASSPORT", "여권 R87654321", "R87654321"),
    ("KR_PASSPORT", "여권번호: 123456789", "123456789"),
    ("KR_DRIVER_LICENSE", "운전면허 경기 19-604213-71", "경기 19-604213-71"),
    ("KR_DRIVER_LICENSE", "면허번호 11-19-604213-71", "11-19-604213-71"),
    ("KR_BANK_ACCOUNT", "국민은행 123456-01-123456", "123456-01-123456"),
    ("KR_BANK_ACCOUNT", "원고에게 0708769466021 계좌로 송금", "0708769466021"),
    ("CREDIT_CARD", "결제카드: 9490-66**-****-5468", "9490-66**-****-5468"),
    ("DATE_OF_BIRTH", "피보험자 (1992.11.17생)", "1992.11.17"),
    ("IP_ADDRESS", "접속 IP: 2001:db8:b400::99ec", "2001:db8:b400::99ec"),
]


@pytest.mark.parametrize(("etype", "text", "value"), WHOLE, ids=[f"{w[0]}-{i}" for i, w in enumerate(WHOLE)])
def test_whole_span(redactor, found, etype, text, value):
    assert (etype, value) in found(redactor, text), found(redactor, text)


NAMES = [
    ("환자성명: 남궁서율 (남, 51세)", "남궁서율"),
    ("환자: 최하린(880317-2******)", "최하린"),
    ("권태오님께서 방문하셨습니다.", "권태오"),
    ("탁지유 씨는 계약을 해지했다.", "탁지유"),
    ("신청인 김민준, 박서연, 이도윤은 공동으로 청구한다.", "이도윤"),
    ("참석자: 정하늘·윤슬기·강예준", "윤슬기"),
    ("한유진 설계사가 안내했다.", "한유진"),
    ("성명: TRAN VAN LONG (베트남)", "TRAN VAN LONG"),
    ("근로자 Wang Xiaoming 씨는 입사했다.", "Wang Xiaoming"),
    ("처리 담당: 건축과 심율아 (051 6550 2211)", "심율아"),
    ("모집인: FC 강담아 (등록번호 39526032)", "강담아"),
]


@pytest.mark.parametrize(("text", "name"), NAMES)
def test_names_whole_and_found(redactor_kiwi, found, text, name):
    assert ("PERSON", name) in found(redactor_kiwi, text), found(redactor_kiwi, text)


@pytest.mark.parametrize("text", [
    "미성년자가 법정대리인의 허락을 얻어 영업을 하는 때에는 등기를 하여야 한다.",
    "대리권을 수여한 본인은 그 대리인의 행위에 대하여 책임을 진다.",
    "회사는 상호를 변경할 수 있고, 상호의 등기는 본점 소재지에서 한다.",
    "이사회의 결의로 이사가 전항의 사원의 책임을 면제한다.",
    "송하인은 운송인의 청구에 의하여 화물명세서를 교부하여야 한다.",
    "제2조제1호라목에 따른 이자율은 연 100분의 20을 초과할 수 없다.",
    "서울특별시장 또는 광역시장은 시ㆍ군ㆍ구의 조례로 정한다.",
])
def test_statute_prose_not_redacted(redactor_kiwi, text):
    assert redactor_kiwi.analyze(text) == []


def test_split_name_keeps_last_syllable_and_strips_particles():
    assert split_name("남궁서율") == "남궁서율"
    assert split_name("권태오님께서") == "권태오"
    assert split_name("홍길동은") == "홍길동"
    assert split_name("서면으로") == "서면"       # not 서면으 + 로
    assert split_name("대리권을") is None or split_name("대리권을") == "대리권"


def test_only_strong_names_propagate(redactor_kiwi):
    # a context-free (lexicon) guess is redacted where found, but not copied onto other mentions
    m = PlaceholderMap("d")
    res = redactor_kiwi.redact("이서윤이 왔다.", "ko", mapping=m)
    assert res.text == "<PERSON_1>이 왔다." and not m.person_surfaces
    # a labelled name is spread to later chunks of the same document, even without context there
    m2 = PlaceholderMap("d2")
    redactor_kiwi.redact("성명: 탁지유", "ko", mapping=m2)
    assert redactor_kiwi.redact("결과는 탁지유에게 통지한다.", "ko", mapping=m2).text == "결과는 <PERSON_1>에게 통지한다."
