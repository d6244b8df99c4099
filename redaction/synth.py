"""Synthetic labelled documents for the redaction benchmark (needs the dev extra ``faker``).

Values come from Faker (ko_KR / en_US: names, addresses, emails, cards, IPs, SSNs, IBANs) and from generators
here for formats Faker lacks or gets wrong for Korea (RRN/FRN, accounts, passports, licences, plates, BRN/CRN,
health-insurance and policy numbers). Templates come in two sets: ``dev`` (used while writing the
recognizers) and ``heldout`` (written apart and never used to tune them).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

from redaction.recognizers.checksums import brn_checksum_ok

SLOT_TYPES = {
    "NAME": "PERSON", "EN_NAME": "PERSON", "RRN": "KR_RRN", "RRN_PLAIN": "KR_RRN", "FRN": "KR_FRN",
    "PHONE": "PHONE_NUMBER", "LANDLINE": "PHONE_NUMBER", "EN_PHONE": "PHONE_NUMBER", "ACCOUNT": "KR_BANK_ACCOUNT",
    "CARD": "CREDIT_CARD", "PASSPORT": "KR_PASSPORT", "DL": "KR_DRIVER_LICENSE", "BRN": "KR_BRN", "CRN": "KR_CRN",
    "NHIS": "KR_HEALTH_INSURANCE", "POLICY": "POLICY_NUMBER", "PLATE": "KR_VEHICLE_PLATE",
    "EMAIL": "EMAIL_ADDRESS", "IP": "IP_ADDRESS", "ADDR": "ADDRESS", "EN_ADDR": "ADDRESS", "DOB": "DATE_OF_BIRTH",
    "EN_DOB": "DATE_OF_BIRTH", "SSN": "US_SSN", "IBAN": "IBAN_CODE",
}

KO_DEV = [
    "피보험자 {NAME}(주민등록번호 {RRN})은 {DATE} 상해로 입원하였다.",
    "보험계약자 {NAME}의 연락처는 {PHONE}이며, 주소는 {ADDR}이다.",
    "보험금은 {BANK} {ACCOUNT} 계좌(예금주 {NAME})로 지급한다.",
    "{NAME} 고객님, 등록하신 이메일 {EMAIL}로 증권을 보내드렸습니다.",
    "증권번호 {POLICY}의 보험료는 카드 {CARD}로 자동이체된다.",
    "사고 차량 {PLATE}의 운전자 {NAME}의 운전면허번호는 {DL}이다.",
    "외국인등록번호 {FRN} 소지자 {NAME} 씨의 여권번호는 {PASSPORT}이다.",
    "사업자등록번호 {BRN}, 법인등록번호 {CRN}인 회사의 대표이사 {NAME}.",
    "건강보험증 번호 {NHIS}, 생년월일 {DOB}.",
    "접속 IP {IP}에서 대출 신청이 접수되었다. 담당자 {NAME} ({LANDLINE}).",
]
KO_HELDOUT = [
    "위 계약의 수익자는 {NAME}로 지정되어 있으며 휴대전화 {PHONE}으로 통지한다.",
    "원고 {NAME}은 피고에게 {AMOUNT}원의 지급을 청구하였다.",
    "대출금은 차주 명의의 {BANK} 계좌 {ACCOUNT}로 송금된다.",
    "신청인 {NAME}(생년월일: {DOB}), 거주지 {ADDR}.",
    "본인확인을 위해 주민번호 {RRN_PLAIN}을 입력하였다.",
    "결제 수단은 신용카드({CARD})이며 유효기간은 12/27이다.",
    "자동차등록번호 {PLATE} 차량이 {ADDR} 앞에서 추돌하였다.",
    "여권({PASSPORT}) 사본과 외국인등록번호 {FRN}을 제출한 {NAME} 씨의 서류를 접수하였다.",
    "문의는 담당 {NAME} 대리에게 {EMAIL} 또는 {LANDLINE}로 하시기 바랍니다.",
    "보험증권번호 {POLICY}, 운전면허 {DL}, 사업자등록번호 {BRN}, 건강보험 {NHIS}를 확인하였다.",
    "서버 로그상 {IP} 주소에서 {NAME} 님의 계정으로 접속하였다.",
    "법인등록번호 {CRN}인 채권자는 연대보증인 {NAME}에게 {AMOUNT}원을 청구한다.",
]
KO_NEG_DEV = [
    "보험료는 월 {AMOUNT}원이며 보험기간은 {N}년이다.",
    "제{N}조 제{N}항에 따라 회사는 보험금을 지급한다.",
    "대법원 {YEAR}다{N5} 판결을 참조한다.",
    "고객센터 1588-{D4}로 문의하십시오.",
    "{DATE}부터 {DATE}까지 보장한다.",
    "연 {RATE}%의 이율을 적용한다.",
]
KO_NEG_HELDOUT = [
    "약관 제{N}조 제{N}항 제{N}호의 사유에 해당하면 보험금을 지급하지 않는다.",
    "서울중앙지방법원 {YEAR}가합{N5} 사건에서 원고의 청구를 기각하였다.",
    "콜센터 대표번호 1577-{D4} (평일 09:00~18:00)",
    "보험가입금액은 {AMOUNT}원(부가세 포함)을 한도로 한다.",
    "대출 기간은 {N}개월이며 중도상환수수료율은 {RATE}%이다.",
    "{DATE} 이후 청구된 건은 {N}영업일 이내에 처리한다.",
    "제{N}관 제{N}절의 규정은 특약에 준용한다.",
]
EN_DEV = [
    "The insured, {EN_NAME}, resides at {EN_ADDR}.",
    "Please call {EN_NAME} at {EN_PHONE} or email {EMAIL}.",
    "Borrower SSN: {SSN}; card on file {CARD}.",
    "Wire the refund to IBAN {IBAN}.",
    "Login from IP {IP} was flagged for policyholder {EN_NAME}.",
    "Date of birth: {EN_DOB}.",
]
EN_HELDOUT = [
    "{EN_NAME} (social security number {SSN}) signed the loan agreement on {EN_DATE}.",
    "Correspondence should be sent to {EN_ADDR}, attention {EN_NAME}.",
    "The claimant can be reached on {EN_PHONE} during office hours.",
    "Premiums are debited monthly from IBAN {IBAN}.",
    "According to the beneficiary, {EN_NAME}, the card {CARD} was stolen.",
    "Server {IP} stored the applicant file; questions go to {EMAIL}.",
]
EN_NEG_DEV = [
    "The premium is ${AMOUNT} per year.",
    "See Section {N}.{N} of the Policy Terms.",
    "Interest accrues at {RATE}% annually from {EN_DATE}.",
]
EN_NEG_HELDOUT = [
    "Case No. {YEAR}-CV-{N5} was dismissed on appeal.",
    "Article {N}(2)(b) applies to claims above {AMOUNT} dollars.",
    "Call our customer service at 1588-{D4} for help.",
    "This Agreement is governed by the laws of the State of New York.",
]

TEMPLATES: dict[str, dict[str, list[str]]] = {
    "dev": {"ko": KO_DEV, "en": EN_DEV, "ko_neg": KO_NEG_DEV, "en_neg": EN_NEG_DEV},
    "heldout": {"ko": KO_HELDOUT, "en": EN_HELDOUT, "ko_neg": KO_NEG_HELDOUT, "en_neg": EN_NEG_HELDOUT},
}
BANKS = ["국민은행", "신한은행", "우리은행", "하나은행", "농협은행", "기업은행", "카카오뱅크", "우체국"]
PLATE_CHARS = "가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주하허호"
REGIONS = ["서울", "부산", "경기", "인천", "대구", "광주", "대전", "울산"]


class Generator:
    def __init__(self, seed: int = 0):
        from faker import Faker
        self.rng = random.Random(seed)
        self.ko, self.en = Faker("ko_KR"), Faker("en_US")
        self.ko.seed_instance(seed)
        self.en.seed_instance(seed + 1)

    def d(self, n: int) -> str:
        return "".join(str(self.rng.randint(0, 9)) for _ in range(n))

    def _birth(self) -> tuple[int, int, int]:
        return self.rng.randint(1940, 2012), self.rng.randint(1, 12), self.rng.randint(1, 28)

    def _rrn(self, foreign: bool, hyphen: bool = True) -> str:
        y, m, dd = self._birth()
        g = (5 if y < 2000 else 7) if foreign else (1 if y < 2000 else 3)
        g += self.rng.randint(0, 1)
        head = f"{y % 100:02d}{m:02d}{dd:02d}{g}{self.d(5)}"
        w = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
        s = sum(int(a) * b for a, b in zip(head, w))
        chk = (11 - s % 11) % 10
        if foreign:
            chk = (chk + 2) % 10
        if self.rng.random() < 0.3:          # issued after Oct 2020: no check digit
            chk = self.rng.randint(0, 9)
        num = head + str(chk)
        return f"{num[:6]}-{num[6:]}" if hyphen else num

    def value(self, slot: str) -> str:
        """One value for a template slot: a labelled PII type (``SLOT_TYPES``) or an unlabelled filler."""
        make = self._makers().get(slot)
        if make is None:
            raise KeyError(slot)
        return make()

    def _makers(self) -> dict[str, Callable[[], str]]:
        r, ko, en, d = self.rng, self.ko, self.en, self.d
        return {
            # people and contact
            "NAME": ko.name,
            "EN_NAME": lambda: en.name() if r.random() < 0.7 else f"{en.first_name()} {en.last_name()}",
            "PHONE": self._phone,
            "LANDLINE": lambda: f"{r.choice(['02', '031', '032', '051', '053', '062', '070'])}-"
                                f"{d(r.choice([3, 4]))}-{d(4)}",
            "EN_PHONE": en.phone_number,
            "EMAIL": lambda: en.email() if r.random() < 0.5 else ko.email(),
            "IP": lambda: en.ipv4_public() if r.random() < 0.5 else en.ipv4_private(),
            "ADDR": self._address,
            "EN_ADDR": lambda: en.address().replace("\n", ", "),
            "DOB": self._dob,
            "EN_DOB": lambda: en.date_of_birth().strftime(r.choice(["%B %d, %Y", "%m/%d/%Y"])),
            # identity numbers
            "RRN": lambda: self._rrn(False, hyphen=r.random() < 0.8),
            "RRN_PLAIN": lambda: self._rrn(False, hyphen=False),
            "FRN": lambda: self._rrn(True),
            "PASSPORT": self._passport,
            "DL": self._driver_licence,
            "SSN": en.ssn,
            # finance and business
            "ACCOUNT": lambda: "-".join(d(n) for n in r.choice([(3, 2, 6), (3, 3, 6), (6, 2, 6), (3, 6, 5),
                                                                  (4, 3, 6), (3, 4, 4, 2)])),
            "CARD": self._card,
            "IBAN": en.iban,
            "BRN": self._brn,
            "CRN": self._crn,
            "NHIS": lambda: f"{r.randint(1, 5)}-{d(10)}" if r.random() < 0.5 else d(11),
            "POLICY": lambda: r.choice([f"L{r.randint(2015, 2024)}-{d(7)}", f"POL-{r.randint(2015, 2024)}-{d(6)}",
                                        f"{r.randint(2015, 2024)}{d(4)}-{d(6)}", f"A{d(10)}"]),
            "PLATE": self._plate,
            # unlabelled fillers
            "DATE": lambda: f"{r.randint(2015, 2024)}년 {r.randint(1, 12)}월 {r.randint(1, 28)}일",
            "EN_DATE": lambda: f"{r.choice(['January', 'March', 'June', 'October'])} {r.randint(1, 28)}, "
                               f"{r.randint(2015, 2024)}",
            "AMOUNT": lambda: f"{r.randint(1, 999):,}" + ",000" * r.randint(0, 2),
            "N": lambda: str(r.randint(1, 30)),
            "N5": lambda: d(5),
            "D4": lambda: d(4),
            "YEAR": lambda: str(r.randint(1995, 2024)),
            "RATE": lambda: f"{r.randint(1, 15)}.{r.randint(0, 99):02d}",
            "BANK": lambda: r.choice(BANKS),
        }

    def _phone(self) -> str:
        mid, end = self.d(4), self.d(4)
        sep = self.rng.choice(["-", "-", "", " "])
        return f"010{sep}{mid}{sep}{end}"

    def _card(self) -> str:
        num = self.en.credit_card_number(card_type=self.rng.choice(["visa16", "mastercard"]))
        sep = self.rng.choice(["-", " ", ""])
        return sep.join(num[i:i + 4] for i in range(0, 16, 4))

    def _passport(self) -> str:
        r, c = self.rng, self.rng.choice("MS")
        return f"{c}{self.d(8)}" if r.random() < 0.5 else f"{c}{self.d(3)}{r.choice('ABCDEFG')}{self.d(4)}"

    def _driver_licence(self) -> str:
        r = self.rng
        if r.random() < 0.7:
            return f"{r.randint(11, 28)}-{self.d(2)}-{self.d(6)}-{self.d(2)}"
        return f"{r.choice(REGIONS)} {self.d(2)}-{self.d(6)}-{self.d(2)}"

    def _brn(self) -> str:
        while True:
            v = f"{self.rng.randint(101, 999)}-{self.d(2)}-{self.d(5)}"
            if brn_checksum_ok(v):
                return v

    def _crn(self) -> str:
        head = self.rng.choice(["110111", "131111", "160111", "200111", "284711"]) + self.d(6)
        s = sum(int(a) * (1 if i % 2 == 0 else 2) for i, a in enumerate(head))
        return f"{head[:6]}-{head[6:]}{(10 - s % 10) % 10}"

    def _plate(self) -> str:
        r = self.rng
        p = f"{self.d(2) if r.random() < 0.6 else str(r.randint(100, 699))}{r.choice(PLATE_CHARS)}"
        p = f"{p} {self.d(4)}" if r.random() < 0.5 else p + self.d(4)
        return f"{r.choice(REGIONS)} {p}" if r.random() < 0.2 else p

    def _address(self) -> str:
        r = self.rng
        if r.random() < 0.5:
            return self.ko.address()
        return (f"{r.choice(['서울특별시', '부산광역시', '경기도', '인천광역시', '대전광역시'])} "
                f"{r.choice(['중구', '남동구', '수원시 영통구', '성남시 분당구', '해운대구', '마포구'])} "
                f"{r.choice(['중앙로', '판교역로', '월드컵북로', '봉은사로', '센텀중앙로'])} {r.randint(1, 400)}"
                + (f", {r.randint(101, 120)}동 {r.randint(101, 2304)}호" if r.random() < 0.5 else ""))

    def _dob(self) -> str:
        y, m, dd = self._birth()
        return self.rng.choice([f"{y}년 {m}월 {dd}일", f"{y}.{m:02d}.{dd:02d}", f"{y}-{m:02d}-{dd:02d}"])

    def fill(self, template: str) -> tuple[str, list[tuple[str, int, int]]]:
        out, gold, pos = [], [], 0
        for m in re.finditer(r"\{([A-Z_0-9]+)\}", template):
            out.append(template[pos:m.start()])
            at = sum(len(x) for x in out)
            v = self.value(m.group(1))
            out.append(v)
            if m.group(1) in SLOT_TYPES:
                gold.append((SLOT_TYPES[m.group(1)], at, at + len(v)))
            pos = m.end()
        out.append(template[pos:])
        return "".join(out), gold


def build_docs(gen: Generator, which: str, n: int) -> list[dict[str, Any]]:
    """n documents of 3-6 sentences, ~70% Korean; each sentence positive (60%) or negative."""
    t = TEMPLATES[which]
    docs = []
    for _ in range(n):
        lang = "ko" if gen.rng.random() < 0.7 else "en"
        text, gold = "", []
        for _ in range(gen.rng.randint(3, 6)):
            pool = t[lang] if gen.rng.random() < 0.6 else t[f"{lang}_neg"]
            sent, g = gen.fill(gen.rng.choice(pool))
            off = len(text)
            gold += [(ty, s + off, e + off) for ty, s, e in g]
            text += sent + " "
        docs.append({"lang": lang, "text": text.strip(), "gold": gold})
    return docs
