"""Korean postal addresses as ONE span, from postal code / province to the last detail part.

Why not one flat regex (the previous one): it stopped at the road number when ``17길`` was spaced from its road
(``새솔로 17길 9-4`` -> ``새솔로 17``), dropped detail parts after a comma (``, 1107호``, ``103동 1502호``,
``B1층``), parenthesised reference parts (``(오룡동, 한빛빌딩)``), building names with a block (``한울종합청사 4동``),
short provinces (``서울시``, ``경기``) and postal codes (``(우) 61009``). Here an address is

    [postal code] [province] [city/county/district]{0,2} [읍/면] (road [N(번)길] number | 동/리 [산] lot[번지])
    (detail | (reference))*

and it must start with a province, a real city/district name, or follow an address label (``주소:``,
``소재지``, a table cell after ``주소``): a bare ``...로 3`` in prose is not an address. A unit of a named
building on its own (``누리스퀘어 B동 803호``) is kept at a lower score.
"""

from __future__ import annotations

import re

from redaction.recognizers.base import Pat, RegexRecognizer

PROVINCE_FULL = ("서울특별시 부산광역시 대구광역시 인천광역시 광주광역시 대전광역시 울산광역시 세종특별자치시 경기도 "  # noqa: SIM905
                 "강원도 "
                 "강원특별자치도 충청북도 충청남도 전라북도 전북특별자치도 전라남도 경상북도 경상남도 제주특별자치도 제주도").split()
PROVINCE_SHORT = ("서울시 부산시 대구시 인천시 광주시 대전시 울산시 세종시 서울 부산 대구 인천 광주 대전 울산 세종 "  # noqa: SIM905
                  "경기 강원 "
                  "충북 충남 전북 전남 경북 경남 제주").split()
_PROV = "|".join(sorted(PROVINCE_FULL + PROVINCE_SHORT, key=len, reverse=True))
LABELS = ("주소", "주 소", "현주소", "주소지", "소재지", "거주지", "거소", "사업장 소재지", "본점 소재지", "사업장소재지",
          "본점소재지", "배송지", "근무지", "등록기준지", "본적", "송달장소", "주민등록상 주소", "실거주지", "임차주택",
          "목적물", "부동산의 표시", "소재")

_SP = r"[ \t]*"
CITY = r"[가-힣]{1,5}(?:시|군|구)"
TOWN = r"[가-힣0-9]{1,6}(?:읍|면)"
ROAD = r"[가-힣A-Za-z0-9·]{1,14}(?:대로|로|길|거리|가)(?:" + _SP + r"\d{1,4}(?:번|번가|가)?(?:길|로))?"
NUMBER = r"(?:지하" + _SP + r")?\d{1,5}(?:-\d{1,5})?(?:번지)?(?!\d)"
LOT = r"[가-힣0-9]{1,8}(?:동|리|가)" + _SP + r"(?:산" + _SP + r")?\d{1,5}(?:-\d{1,5})?(?:번지)?(?!\d)"
BUILDING = (r"[가-힣A-Za-z0-9]{1,16}(?:빌딩|타워|아파트|빌라|맨션|오피스텔|센터|프라자|플라자|스퀘어|청사|하우스|캐슬|자이|"
            r"래미안|푸르지오|힐스테이트|주택|상가|시티|파크|마을|단지|오피스|빌|홈|팰리스|리버|뷰|더샵|아이파크|롯데캐슬)")
UNIT = (r"(?:(?:" + BUILDING + _SP + r")?(?:[A-Za-z]|\d{1,4})동(?:" + _SP + r"(?:지하" + _SP + r")?[A-Za-z]?\d{1,5}호)?"
        r"|(?:지하" + _SP + r")?[A-Za-z]?\d{1,5}호(?:실)?|(?:지하" + _SP + r"\d{1,2}|[Bb]\d{1,2}|\d{1,3})층(?:" + _SP +
        r"[A-Za-z]?\d{1,5}호)?|" + BUILDING + r")")
PAREN = r"\([가-힣0-9A-Za-z,·ㆍ \-]{1,40}\)"
DETAIL = r"(?:" + _SP + r",?" + _SP + r"(?:" + UNIT + r"|" + PAREN + r"))"
POSTAL = (r"(?:(?:\(우\)|\[우\]|우\)|우편번호" + _SP + r"[:：]?)" + _SP + r"(?:\d{5}|\d{3}-\d{3})[ \t,]*"
          r"|\[\d{5}\][ \t]*|\d{5}[ \t]+(?=" + _PROV + r"))")
POSTAL_AFTER = r"(?:" + _SP + r"\(?(?:우|우편번호)?" + _SP + r"\d{5}\)?)?"

CORE = (r"(?:(?:" + CITY + r")\s+){0,2}(?:" + TOWN + r"\s+)?(?:" + ROAD + _SP + NUMBER + r"|" + LOT + r"|(?:"
        + r"[가-힣0-9]{1,8}(?:동|리)\s+)" + ROAD + _SP + NUMBER + r")")
ADDRESS_RX = (r"(?P<addr>(?:" + POSTAL + r")?(?:(?:" + _PROV + r")\s+)?" + CORE + r"(?:" + DETAIL + r"){0,5}"
              + POSTAL_AFTER + r")")
LABELLED_RX = (r"(?:" + "|".join(sorted(map(re.escape, LABELS), key=len, reverse=True)) + r")" + _SP
               + r"(?:[:：|]|\))?" + _SP + r"(?P<addr>(?:" + ROAD + _SP + NUMBER + r"|" + LOT + r")(?:" + DETAIL
               + r"){0,5})")
UNIT_RX = r"(?<![가-힣A-Za-z0-9])(?P<addr>[가-힣A-Za-z0-9]{2,16}" + _SP + r"[A-Za-z]동" + _SP + r"\d{1,5}호)"

# Every address above holds a road/lot/unit word followed by its number: the regexes only run near one.
ANCHOR = r"(?:로|길|동|리|가)[ \t]*(?:지하[ \t]*|산[ \t]*)?\d"

NOT_CITY = {"청구", "요구", "연구", "추구", "지구", "즉시", "동시", "개시", "표시", "제시", "다시", "게시", "지시", "명시",
            "감시", "무시", "당시", "역시", "혹시", "잠시", "수시", "임시", "일시", "상시", "적시", "기재시", "도시", "전시",
            "공시", "고시", "각시", "각군", "각구", "해당시", "해당구", "출구", "입구", "창구", "기구", "도구", "가구",
            "통로", "경로", "진로", "선로", "항로", "도로", "해로", "수로"}
_PROV_START = re.compile(r"(?:" + POSTAL + r")?\s*(?:" + _PROV + r")\s")


_POSTAL_PREFIX = re.compile(POSTAL)


def _address(value: str, text: str, s: int, e: int) -> float | None:
    if _PROV_START.match(value):
        return 0.9
    m = _POSTAL_PREFIX.match(value)
    rest = value[m.end():] if m else value
    if not rest.split():
        return None
    first = rest.split()[0]
    if (re.fullmatch(CITY, first) and first not in NOT_CITY and not first.endswith(("하시", "되시"))
            and len(first) >= 2):
        return 0.75
    return None


class KrAddressRecognizer(RegexRecognizer):
    """Korean addresses (see the module docstring): a validated start, then everything up to the last detail."""

    def __init__(self, language: str = "any"):
        pats = [Pat("kr_address", ADDRESS_RX, 0.9, group=1, anchor=ANCHOR),
                Pat("kr_address_labelled", LABELLED_RX, 0.85, group=1, anchor=ANCHOR),
                Pat("kr_building_unit", UNIT_RX, 0.6, group=1, anchor=ANCHOR)]
        super().__init__("ADDRESS", pats, name="KrAddressRecognizer",
                         context=["주소", "거주", "소재지", "address"], context_boost=0.1, validator=self._validate,
                         language=language)

    @staticmethod
    def _validate(value: str, text: str, s: int, e: int) -> float | None:
        if (s and ("가" <= text[s - 1] <= "힣" or text[s - 1].isdigit())
                and not re.search(r"[:：|)]\s*$|\s$", text[max(0, s - 3):s])):
            return None
        m = _POSTAL_PREFIX.match(value)
        first = value[m.end():].lstrip() if m else value.lstrip()
        if re.match(r"[가-힣A-Za-z0-9·]{1,14}(?:대로|로|길)|[가-힣0-9]{1,8}(?:동|리|가)\s", first) and not re.match(
                r"(?:" + _PROV + r")\s", first):
            # labelled form (no province or city first): the label was matched around it, accept
            lab = text[max(0, s - 14):s]
            if any(lbl in lab for lbl in LABELS):
                return 0.85
        if re.search(r"[A-Za-z]동\s*\d{1,5}호$", value) and " " in value and not re.search(r"(?:로|길)\s*\d", value):
            return 0.6
        return _address(value, text, s, e)


def address() -> KrAddressRecognizer:
    return KrAddressRecognizer()
