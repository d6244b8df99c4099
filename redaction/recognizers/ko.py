"""Korean structured identifiers, phones, accounts, plates, addresses and dates of birth."""

from __future__ import annotations

import re

from redaction.recognizers.base import Pat, RegexRecognizer
from redaction.recognizers.checksums import (
    brn_checksum_ok,
    crn_checksum_ok,
    digits_of,
    luhn_ok,
    rrn_checksum_ok,
    rrn_date_ok,
)

ND, NA = r"(?<!\d)", r"(?!\d)"          # no \b next to Hangul

# Call-centre / representative numbers: 15xx, 16xx, 18xx-xxxx (not personal).
CALL_CENTRE = ("대표번호", "고객센터", "콜센터", "상담센터", "대표전화", "call center", "customer service")


def _rrn_like(value: str, text: str, s: int, e: int, foreign: bool) -> float | None:
    d = digits_of(value)
    if len(d) != 13 or not rrn_date_ok(d):
        return None
    if (d[6] in "5678") != foreign:
        return None
    if "법인" in text[max(0, s - 16):s]:
        return 0.4                      # a 법인등록번호 has the same shape
    # Numbers issued since Oct 2020 carry no check digit: keep them, slightly lower.
    return 1.0 if rrn_checksum_ok(d) else 0.85


MASK = r"[*＊xX●○■□#]"


def _masked(value: str, text: str, s: int, e: int) -> float | None:
    d = digits_of(value)
    return 0.9 if len(d) >= 6 and rrn_date_ok(d[:6] + (d[6] if len(d) > 6 else "1") + "000000") else None


def masked_rrn() -> RegexRecognizer:
    """``880317-2******``: a partly masked RRN/FRN still identifies (birth date + sex): redact it whole."""
    rx = ND + r"\d{2}[01]\d[0-3]\d[ \t]*-?[ \t]*[1-8]?\d{0,5}" + MASK + r"{1,7}(?!\d)"
    return RegexRecognizer("KR_RRN", [Pat("rrn_masked", rx, 0.9)], name="KrMaskedRrnRecognizer",
                           validator=_masked)


def rrn() -> RegexRecognizer:
    """Why not Presidio's ``KrRrnRecognizer``: its pattern has ``-?`` only (no space or line break between the
    groups), English context words, and score 0.5 without a valid check digit (numbers issued since 2020 have
    none); here the date is validated and a missing check digit scores 0.85."""
    return RegexRecognizer(
        "KR_RRN", [Pat("rrn", ND + r"\d{2}[01]\d[0-3]\d[ \t]*(?:\r?\n)?[ \t]*-?[ \t]*(?:\r?\n)?[ \t]*[1-49]\d{6}" + NA,
                       1.0)], name="KrRrnRecognizer",
        context=["주민", "등록번호", "주민번호", "resident"], context_boost=0.1,
        validator=lambda v, t, s, e: _rrn_like(v, t, s, e, False))


def frn() -> RegexRecognizer:
    return RegexRecognizer(
        "KR_FRN", [Pat("frn", ND + r"\d{2}[01]\d[0-3]\d[ \t]*(?:\r?\n)?[ \t]*-?[ \t]*(?:\r?\n)?[ \t]*[5-8]\d{6}" + NA,
                       1.0)], name="KrFrnRecognizer",
        context=["외국인", "등록번호", "alien"], context_boost=0.1,
        validator=lambda v, t, s, e: _rrn_like(v, t, s, e, True))


def _phone(value: str, text: str, s: int, e: int) -> float | None:
    d = digits_of(value)
    if d.startswith("82"):
        d = "0" + d[2:]
    if not 9 <= len(d) <= 11:
        return None
    if d.startswith("01"):
        return 0.9 if len(d) in (10, 11) and d[2] in "016789" else None
    if d.startswith(("070", "050")):
        return 0.85
    if d.startswith("02") or re.match(r"0[3-6][1-5]", d):
        return 0.8
    return None


def phone() -> RegexRecognizer:
    body = r"(?:\+82[-\s]?|0)(?:1[016789]|2|[3-6][1-5]|70|50[2-8])"
    pats = [
        Pat("phone_sep", ND + r"(?:\+82[-\s]?(?:\(0\))?|\(?0)(?:1[016789]|2|[3-6][1-5]|70|50[2-8])\)?[-.\s]\d{3,4}[-.\s]\d{4}" + NA, 0.9),
        Pat("phone_half_paren", ND + r"0(?:2|[3-6][1-5]|70)\)\s?\d{3,4}[-.\s]\d{4}" + NA, 0.85),
        Pat("phone_paren", ND + r"\(\s?0(?:1[016789]|2|[3-6][1-5]|70|50[2-8])\s?\)[-.\s]?\d{3,4}[-.\s]?\d{4}" + NA, 0.9),
        Pat("phone_plain", ND + body + r"\d{7,8}" + NA, 0.7),
    ]
    return RegexRecognizer("PHONE_NUMBER", pats, name="KrPhoneRecognizer",
                           context=["전화", "연락처", "휴대폰", "핸드폰", "tel", "phone", "mobile", "팩스", "fax"],
                           context_boost=0.1, negative_context=CALL_CENTRE, validator=_phone)


BANKS = ("은행", "계좌", "입금", "예금주", "송금", "이체", "account", "bank", "농협", "국민", "신한", "우리", "하나",
         "기업", "카카오뱅크", "토스뱅크", "새마을", "우체국", "신협", "수협", "케이뱅크", "sc제일", "씨티")


def _account(value: str, text: str, s: int, e: int) -> float | None:
    d = digits_of(value)
    if not 10 <= len(d) <= 14:
        return None
    groups = re.split(r"[-\s]", value)
    if len(groups) >= 2 and len(groups[0]) == 4 and all(len(g) == 4 for g in groups):
        return None                                   # card-shaped
    if re.fullmatch(r"01[016789]\d{7,8}", d) or re.fullmatch(r"\d{6}[1-8]\d{6}", d) and rrn_date_ok(d):
        return 0.3                                    # phone / RRN shape: let those recognizers win
    if re.fullmatch(r"\d{3}-\d{2}-\d{5}", value):
        return 0.3                                    # 사업자등록번호 shape
    return 0.5


def bank_account() -> RegexRecognizer:
    pats = [Pat("acct_groups", ND + r"\d{2,6}-\d{2,6}-\d{2,7}(?:-\d{1,3})?" + NA, 0.5),
            Pat("acct_two", ND + r"\d{3,6}-\d{6,9}" + NA, 0.3, needs_context=True),
            Pat("acct_plain", ND + r"\d{10,14}" + NA, 0.3, needs_context=True)]
    return RegexRecognizer("KR_BANK_ACCOUNT", pats, name="KrBankAccountRecognizer", context=BANKS,
                           context_boost=0.4, validator=_account, window=30, window_after=6,
                           negative_context=CALL_CENTRE)


def card() -> RegexRecognizer:
    def v(value: str, text: str, s: int, e: int) -> float | None:
        if "*" in value:
            return 0.85
        if luhn_ok(value):
            return 1.0
        return 0.4 if any(w in text[max(0, s - 20):s] for w in ("카드", "card")) else None
    pats = [Pat("card16", ND + r"\d{4}([-\s]?)\d{4}\1\d{4}\1\d{4}" + NA, 1.0),
            Pat("amex", ND + r"3[47]\d{2}[-\s]?\d{6}[-\s]?\d{5}" + NA, 1.0),
            # partly masked in the source (9490-66**-****-5468): still a card, redact it whole
            Pat("card_masked", ND + r"\d{4}([-\s])[\d*]{4}\1\*{4}\1\d{4}" + NA, 0.85)]
    return RegexRecognizer("CREDIT_CARD", pats, name="KrCardRecognizer", context=["카드", "card"],
                           context_boost=0.2, validator=v)


def passport() -> RegexRecognizer:
    # Presidio's KrPassportRecognizer has the letter + 8 digits and 2021 formats but not the old 9-digit one
    # (before 2008), and English context only; the 9-digit form is taken only next to a passport word.
    pats = [Pat("passport_old", r"(?<![A-Za-z0-9])[MSRODGmsrodg]\d{8}(?![A-Za-z0-9])", 0.6),
            Pat("passport_new", r"(?<![A-Za-z0-9])[MSRODGmsrodg]\d{3}[A-Za-z]\d{4}(?![A-Za-z0-9])", 0.6),
            Pat("passport_9digit", ND + r"\d{9}" + NA, 0.3, needs_context=True)]
    return RegexRecognizer("KR_PASSPORT", pats, name="KrPassportRecognizer",
                           context=["여권", "passport", "여권번호"], context_boost=0.45, window=20)


REGIONS = "서울|부산|경기|강원|충북|충남|전북|전남|경북|경남|제주|대구|인천|광주|대전|울산|세종"


def driver_licence() -> RegexRecognizer:
    sep = r"[-\s.]?"
    pats = [Pat("dl_num", r"(?<![\d+])" + rf"(?:1[1-9]|2[0-8]){sep}\d{{2}}{sep}\d{{6}}{sep}\d{{2}}" + NA, 0.7),
            Pat("dl_region", rf"(?:{REGIONS})[ \t]?\d{{2}}{sep}\d{{6}}{sep}\d{{2}}" + NA, 0.85),
            Pat("dl_other", ND + r"\d{2}-\d{6}-\d{2}" + NA, 0.5, needs_context=True)]
    return RegexRecognizer("KR_DRIVER_LICENSE", pats, name="KrDriverLicenseRecognizer",
                           context=["면허", "운전", "driver", "licen"], context_boost=0.25)


def brn() -> RegexRecognizer:
    def v(value: str, text: str, s: int, e: int) -> float | None:
        return 0.9 if brn_checksum_ok(value) else 0.45
    pats = [Pat("brn", ND + r"\d{3}-\d{2}-\d{5}" + NA, 0.9), Pat("brn_plain", ND + r"\d{10}" + NA, 0.3)]
    return RegexRecognizer("KR_BRN", pats, name="KrBrnRecognizer", validator=v,
                           context=["사업자", "business registration"], context_boost=0.4)


def crn() -> RegexRecognizer:
    def v(value: str, text: str, s: int, e: int) -> float | None:
        ok = crn_checksum_ok(value)
        ctx = "법인" in text[max(0, s - 16):s]
        if ctx:
            return 0.95
        return 0.4 if ok and not rrn_date_ok(digits_of(value)) else None
    return RegexRecognizer("KR_CRN", [Pat("crn", ND + r"\d{6}-?\d{7}" + NA, 0.95)], name="KrCrnRecognizer",
                           validator=v)


def health_insurance() -> RegexRecognizer:
    pats = [Pat("nhis", ND + r"\d-?\d{10}" + NA, 0.5), Pat("nhis_grp", ND + r"\d{5}-?\d{3}-?\d{3}" + NA, 0.5)]
    return RegexRecognizer("KR_HEALTH_INSURANCE", pats, name="KrHealthInsuranceRecognizer",
                           context=["건강보험", "건보", "보험증", "의료보험", "health insurance"], require_context=True,
                           context_boost=0.4, window=30)


POLICY_CTX = ("증권번호", "계약번호", "보험증권", "증권 번호", "계약 번호", "대출번호", "약정번호", "청구번호", "접수번호",
              "사고번호", "여신번호", "policy no", "policy number", "contract no", "contract number",
              "loan no", "loan number", "claim no", "claim number", "account no")


POLICY_WORD = "(?:" + "|".join(f"(?<={w}{sep})" for w in ("[Pp]olicy", "[Cc]ontract", "[Cc]laim", "[Ll]oan")
                                for sep in (" ", " #", ": ", " no. ", " No. ")) + ")"


def policy_number() -> RegexRecognizer:
    ident = r"(?<![A-Za-z0-9-])(?=[A-Z0-9-]*\d{4})[A-Z0-9][A-Z0-9-]{5,24}[A-Z0-9](?![A-Za-z0-9-])"
    pats = [Pat("policy_ctx", ident, 0.5, needs_context=True),
            Pat("policy_prefixed", r"(?<![A-Za-z0-9])(?:POL|PL|PN|CT|CON|LN|LOAN|CLM|INS)-?\d{2,4}-?\d{4,10}"
                r"(?![A-Za-z0-9])", 0.85),
            # right after the word itself ("this is Daniel (policy BL-2291)"): letters + digits, any length
            Pat("policy_word", POLICY_WORD + r"[A-Z]{1,4}-?\d{3,12}(?:-\d{1,6})?(?![A-Za-z0-9-])", 0.7)]
    return RegexRecognizer("POLICY_NUMBER", pats, name="PolicyNumberRecognizer", context=POLICY_CTX,
                           context_boost=0.45, window=20,
                           validator=lambda v, t, s, e: None if re.fullmatch(r"(19|20)\d\d-?\d\d-?\d\d", v) else 1.0)


PLATE_CHARS = "가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주아바사자배하허호"


def vehicle_plate() -> RegexRecognizer:
    pats = [Pat("plate", rf"(?:(?:{REGIONS})\s?)?{ND}\d{{2,3}}\s?[{PLATE_CHARS}]\s?\d{{4}}{NA}", 0.8)]
    return RegexRecognizer("KR_VEHICLE_PLATE", pats, name="KrVehiclePlateRecognizer",
                           context=["차량", "번호판", "자동차", "차량번호", "vehicle", "plate"], context_boost=0.2,
                           negative_context=["사건", "판결", "선고", "대법원", "법원", "case"], window=12)


def email() -> RegexRecognizer:
    rx = r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
    return RegexRecognizer("EMAIL_ADDRESS", [Pat("email", rx, 1.0)], name="EmailRecognizer")


def ip_address() -> RegexRecognizer:
    from redaction.recognizers.checksums import ipv4_ok
    pats = [Pat("ipv4", r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.]*\d)", 0.8),
            Pat("ipv6", r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{1,4}(?![0-9A-Fa-f:])", 0.7),
            Pat("ipv6_compressed", r"(?<![0-9A-Za-z:])(?:[0-9A-Fa-f]{1,4}:){1,6}(?::[0-9A-Fa-f]{1,4}){1,6}"
                r"(?![0-9A-Za-z:])", 0.7)]
    return RegexRecognizer("IP_ADDRESS", pats, name="IpRecognizer",
                           validator=lambda v, t, s, e: (0.9 if ipv4_ok(v) else None) if "." in v else 0.7)


PROVINCE = (r"(?:서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충청북|충청남|충북|충남|전라북|전라남|전북|전남|경상북|"
            r"경상남|경북|경남|제주)(?:특별시|광역시|특별자치시|특별자치도|도)?")
CITY = r"[가-힣]{1,6}(?:시|군|구)"
STREET = (r"(?:[가-힣0-9]{1,12}(?:대로|로|길|거리|가)\s*(?:지하\s*)?\d{1,5}(?:-\d{1,5})?(?:번길\s*\d{1,5}(?:-\d{1,5})?)?"
          r"|[가-힣0-9]{1,8}(?:동|리|가)\s*(?:산\s*)?\d{1,5}(?:-\d{1,5})?(?:번지)?)")
DETAIL = r"(?:,?\s*\d{1,4}동)?(?:,?\s*\d{1,5}호)?(?:,?\s*\d{1,3}층)?(?:\s*\([가-힣0-9,·\s]{1,30}\))?"
ADDRESS_RX = rf"(?:{PROVINCE}\s+)?(?:{CITY}\s+){{0,2}}(?:[가-힣]{{1,6}}(?:읍|면)\s+)?{STREET}{DETAIL}(?!\d)"


NOT_CITY = {"청구", "요구", "연구", "추구", "지구", "즉시", "동시", "개시", "표시", "제시", "다시", "게시", "지시", "명시",
            "감시", "무시", "당시", "역시", "혹시", "잠시", "수시", "임시", "일시", "상시", "적시", "기재시"}


def _address(value: str, text: str, s: int, e: int) -> float | None:
    if re.match(PROVINCE + r"\s", value):
        return 0.9
    first = value.split()[0]
    if re.fullmatch(CITY, first) and first not in NOT_CITY and not first.endswith(("하시", "되시")):
        return 0.7
    return None


def address() -> RegexRecognizer:
    return RegexRecognizer("ADDRESS", [Pat("kr_address", ADDRESS_RX, 0.9)], name="KrAddressRecognizer",
                           context=["주소", "거주", "소재지", "address"], context_boost=0.1, validator=_address)


DOB_CTX = ("생년월일", "출생", "생일", "태어", "d.o.b", "dob", "date of birth", "born")


def date_of_birth() -> RegexRecognizer:
    born = r"(?=\s?생(?:[)\s,.]|$))"      # (1992.11.17생): the date is followed by 생 (born)
    pats = [Pat("born_date", r"(?<!\d)(?:(?:19|20)?\d{2}\s?년\s?\d{1,2}\s?월\s?\d{1,2}\s?일|(?:19|20)?\d{2}[-./]\s?"
                r"\d{1,2}[-./]\s?\d{1,2}\.?|(?:19|20)?\d{2}[01]\d[0-3]\d)" + born, 0.8),
            Pat("yy_dotted", ND + r"\d{2}[-./]\d{2}[-./]\d{2}" + r"(?![\d.])", 0.4, needs_context=True),
            Pat("ko_date", r"(?<!\d)(?:19|20)\d{2}\s?년\s?\d{1,2}\s?월\s?\d{1,2}\s?일", 0.4, needs_context=True),
            Pat("num_date", ND + r"(?:19|20)\d{2}[-./]\s?\d{1,2}[-./]\s?\d{1,2}\.?" + NA, 0.4, needs_context=True),
            Pat("compact", ND + r"(?:19|20)\d{2}[01]\d[0-3]\d" + NA, 0.3, needs_context=True),
            Pat("yymmdd", ND + r"\d{2}[01]\d[0-3]\d" + NA, 0.3, needs_context=True),
            Pat("en_date", r"(?:\d{1,2}/\d{1,2}/(?:19|20)\d{2}|(?:January|February|March|April|May|June|July|"
                r"August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
                r"\.? \d{1,2},? (?:19|20)\d{2}|\d{1,2} (?:January|February|March|April|May|June|July|August|"
                r"September|October|November|December) (?:19|20)\d{2})", 0.4, needs_context=True)]
    return RegexRecognizer("DATE_OF_BIRTH", pats, name="DateOfBirthRecognizer", context=DOB_CTX,
                           context_boost=0.5, window=16)


def korean_recognizers() -> list[RegexRecognizer]:
    from redaction.recognizers.ko_address import address as kr_address
    return [rrn(), masked_rrn(), frn(), phone(), bank_account(), card(), passport(), driver_licence(), brn(), crn(),
            health_insurance(), policy_number(), vehicle_plate(), email(), ip_address(), kr_address(),
            date_of_birth()]
