"""Korean administrative document templates: forms, complaints, contracts, medical, HR, rulings, claims, loans.

A document is built from parts: plain strings, or ``(gold_type, value, fmt)`` tuples that become gold spans at
their exact character offsets. Gold spans never include particles, honorifics, labels or brackets around the
value; a whole address (province or city through detail and parenthesised reference part) is one span.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from . import prose
from .values import Values

Part = str | tuple[str, str, str]


@dataclass
class Doc:
    kind: str
    parts: list[str] = field(default_factory=list)
    spans: list[dict] = field(default_factory=list)
    n: int = 0

    def add(self, *parts: Part) -> Doc:
        for p in parts:
            if isinstance(p, tuple):
                typ, val, fmt = p
                self.spans.append({"start": self.n, "end": self.n + len(val), "type": typ, "fmt": fmt})
                p = val
            self.parts.append(p)
            self.n += len(p)
        return self

    def line(self, *parts: Part) -> Doc:
        return self.add(*parts, "\n")

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _batchim(word: str) -> bool:
    c = word[-1]
    return "가" <= c <= "힣" and (ord(c) - 0xAC00) % 28 != 0


def josa(word: str, pair: str) -> str:
    """'은/는' -> the right particle for ``word`` (Latin words take the vowel form)."""
    a, b = pair.split("/")
    return a if _batchim(word) else b


class Gen:
    """Per-document helpers around one seeded RNG."""

    def __init__(self, rng: random.Random):
        self.r = rng
        self.v = Values(rng)

    # ---- value parts ------------------------------------------------------------------------------------
    def person(self, latin: bool = False) -> tuple[str, str, str]:
        if latin:
            name, fmt = self.v.person_latin()
            return ("PERSON_LATIN", name, fmt)
        name, fmt = self.v.person_ko()
        return ("PERSON_KO", name, fmt)

    @staticmethod
    def ctx(p: tuple[str, str, str], how: str) -> tuple[str, str, str]:
        return (p[0], p[1], f"{p[2]}|{how}")

    def with_particle(self, p, honor_ok: bool = True) -> list[Part]:
        name = p[1]
        opts = [("", josa(name, "은/는"), "particle"), ("", josa(name, "이/가"), "particle")]
        if honor_ok:
            opts += [("", "님께서", "honorific"), ("", "님이", "honorific"), (" ", "씨는", "honorific"),
                     ("", "씨가", "honorific"), ("", "님은", "honorific"), (" 씨", "는", "honorific")]
        sp, suf, how = self.r.choice(opts)
        return [self.ctx(p, how), sp + suf]

    def address(self, how: str) -> tuple[str, str, str]:
        if self.r.random() < 0.72:
            val, fmt = self.v.address_road()
            return ("ADDRESS_ROAD", val, f"{fmt}|{how}")
        val, fmt = self.v.address_jibun()
        return ("ADDRESS_JIBUN", val, f"{fmt}|{how}")

    def addr_field(self, label: str = "주소") -> list[Part]:
        """An address after a label, sometimes preceded by a postal code."""
        parts: list[Part] = [f"{label}: " if self.r.random() < 0.7 else f"{label} "]
        if self.r.random() < 0.25:
            pc, pf = self.v.postal()
            style = self.r.choice(("(우) {} ", "(우){} ", "우편번호 {} ", "[{}] "))
            a, b = style.split("{}")
            parts += [a, ("POSTAL_CODE", pc, pf + "|before_address"), b]
        parts.append(self.address("label_" + label))
        return parts

    def val(self, typ: str, how: str) -> tuple[str, str, str]:
        fn = {"PHONE_MOBILE": self.v.phone_mobile, "PHONE_LANDLINE": self.v.phone_landline, "RRN": self.v.rrn,
              "FRN": self.v.frn, "BRN": self.v.brn, "CRN": self.v.crn, "PASSPORT": self.v.passport,
              "DRIVER_LICENSE": self.v.driver_licence, "CARD_NUMBER": self.v.card, "EMAIL": self.v.email,
              "IP_ADDRESS": self.v.ip, "DATE_OF_BIRTH": self.v.dob, "VEHICLE_PLATE": self.v.plate,
              "HEALTH_INSURANCE": self.v.health_insurance, "POLICY_NUMBER": self.v.policy_number,
              "POSTAL_CODE": self.v.postal}[typ]
        v, fmt = fn()
        return (typ, v, f"{fmt}|{how}")

    def phone(self, how: str) -> tuple[str, str, str]:
        return self.val("PHONE_MOBILE" if self.r.random() < 0.65 else "PHONE_LANDLINE", how)

    def account(self, how: str) -> list[Part]:
        bank, num, fmt = self.v.bank_account()
        u = self.r.random()
        if u < 0.45:
            return [f"{bank} ", ("BANK_ACCOUNT", num, f"{fmt}|bank_before|{how}")]
        if u < 0.65:
            return [("BANK_ACCOUNT", num, f"{fmt}|bank_after|{how}"), f" ({bank})"]
        return [("BANK_ACCOUNT", num, f"{fmt}|no_bank|{how}")]

    def email_parts(self, how: str) -> list[Part]:
        e = self.val("EMAIL", how)
        u = self.r.random()
        if u < 0.35:
            return [(e[0], e[1], e[2] + "|particle"), self.r.choice(("로", "으로", "에서", "로 회신"))]
        if u < 0.5:
            return ["(", e, ")"]
        return [e]

    def names_list(self, k: int, how: str) -> list[Part]:
        sep = self.r.choice((", ", "·", ", ", "ㆍ"))
        out: list[Part] = []
        for i in range(k):
            if i:
                out.append(sep)
            out.append(self.ctx(self.person(), f"list{sep.strip() or 'comma'}|{how}"))
        return out

    def para(self, lo: int = 1, hi: int = 3) -> str:
        return prose.paragraph(self.r, self.r.randint(lo, hi))

    def cell_row(self, d: Doc, *cells: Part | list[Part]) -> None:
        d.add("| ")
        for i, c in enumerate(cells):
            if i:
                d.add(" | ")
            if isinstance(c, list):
                d.add(*c)
            else:
                d.add(c)
        d.add(" |\n")


# ---------------------------------------------------------------------------------------------------------
# document kinds
# ---------------------------------------------------------------------------------------------------------

def application_form(g: Gen) -> Doc:
    r = g.r
    d = Doc("application_form")
    title = r.choice(("정보공개 청구서", "주민등록표 등본 교부 신청서", "보조금 지급 신청서", "민원 신청서",
                      "사실확인서 발급 신청서"))
    d.line(f"[별지 제{r.randint(1, 30)}호서식] {title}")
    p = g.person(latin=r.random() < 0.12)
    rrn = g.val("FRN" if p[0] == "PERSON_LATIN" else "RRN", "table_cell")
    if r.random() < 0.6:
        d.line("| 구분 | 내용 |")
        d.line("|---|---|")
        g.cell_row(d, r.choice(("성명", "신청인 성명", "이름")), [g.ctx(p, "table_cell")])
        g.cell_row(d, "외국인등록번호" if rrn[0] == "FRN" else "주민등록번호", [rrn])
        g.cell_row(d, "주소", [g.address("table_cell")])
        g.cell_row(d, r.choice(("전화번호", "연락처", "휴대전화")), [g.phone("table_cell")])
        if r.random() < 0.6:
            g.cell_row(d, "전자우편", [g.val("EMAIL", "table_cell")])
    else:
        d.line(r.choice(("성명", "이름", "신청인")), r.choice((": ", " ", "  ")), g.ctx(p, "label"),
               "   ", "외국인등록번호: " if rrn[0] == "FRN" else "주민등록번호: ", rrn)
        d.line(*g.addr_field(r.choice(("주소", "주소지", "거주지"))))
        d.add(r.choice(("연락처", "전화")), ": ", g.phone("label"))
        if r.random() < 0.5:
            d.add("  휴대전화: ", g.val("PHONE_MOBILE", "label"))
        d.add("\n")
    if r.random() < 0.3:
        d.line("신분 확인: 여권 ", g.val("PASSPORT", "inline"), r.choice(("", " (사본 첨부)")))
    d.line(g.para(1, 2))
    if r.random() < 0.5:
        a = g.person()
        d.line("대리인 ", g.ctx(a, "label_대리인"), "(", g.val("RRN", "glued_bracket"), ")",
               r.choice(("은 ", "이 ")), "위 신청인의 법정대리인으로서 신청합니다.")
    d.line(prose.cdate(r))
    d.line("신청인 ", g.ctx(p, "signature"), " (서명 또는 인)")
    officer = g.person()
    d.line("담당자: ", g.ctx(officer, "label_담당자"), " ☎ ", g.val("PHONE_LANDLINE", "officer"))
    return d


def complaint(g: Gen) -> Doc:
    r = g.r
    d = Doc("complaint")
    p = g.person(latin=r.random() < 0.1)
    d.line(f"민원번호 {r.randint(2019, 2025)}-{r.randint(100000, 999999)}  접수일 {prose.cdate(r)}")
    d.line("민원인: ", g.ctx(p, "label_민원인"), "  연락처: ", g.phone("label"))
    if p[0] == "PERSON_LATIN":
        d.line("외국인등록번호 ", g.val("FRN", "label"))
    d.line(*g.addr_field(r.choice(("주소", "민원인 주소"))))
    d.add("민원 요지: ", *g.with_particle(p), " ", prose.cdate(r), " 아래와 같이 민원을 제기하였습니다. ")
    d.line(g.para(1, 2))
    n2 = g.person()
    d.add(g.ctx(n2, "sentence_start"), r.choice((" 주무관은 ", " 팀장은 ", "은 ")), "현장을 확인한 결과 ")
    d.add(g.address("inline_at"), r.choice(("에 위치한 ", " 소재 ")), "건물 앞 도로에 불법 적치물이 있음을 확인하였다. ")
    d.line(g.para(1, 1))
    if r.random() < 0.5:
        d.line("회신은 ", *g.email_parts("inline"), " 받기를 원합니다.")
    if r.random() < 0.4:
        d.line("온라인 접수 시 접속 IP: ", g.val("IP_ADDRESS", "label"))
    if r.random() < 0.5:
        d.line("관련인: ", *g.names_list(r.randint(2, 4), "related"))
    d.line(g.para(1, 2))
    d.line("처리 담당: ", r.choice(("민원봉사과 ", "건축과 ", "")), g.ctx(g.person(), "label_처리담당"),
           " (", g.val("PHONE_LANDLINE", "officer"), ")")
    return d


def lease_contract(g: Gen) -> Doc:
    r = g.r
    d = Doc("lease_contract")
    d.line(r.choice(("부동산(주택) 임대차 계약서", "상가건물 임대차 계약서", "전세 계약서")))
    d.line("1. 부동산의 표시")
    d.line(*g.addr_field("소재지"))
    d.line(f"토지 지목 대, 면적 {r.randint(30, 900)}㎡ / 건물 구조 철근콘크리트, 용도 주거")
    d.line("2. 계약내용")
    d.line(f"{prose.art(r)} (목적) " + g.para(2, 3))
    lessor, lessee = g.person(), g.person()
    d.line("임대인 성명: ", g.ctx(lessor, "label_임대인"), "  주민등록번호: ", g.val("RRN", "label"))
    d.line(*g.addr_field("주소"))
    d.line("전화: ", g.phone("label"))
    d.line("임차인 ", g.ctx(lessee, "label_임차인"), "(", g.val("RRN", "glued_bracket"), ")")
    d.line(*g.addr_field("주소"))
    d.line("연락처 ", g.phone("label"))
    d.line("보증금 입금계좌: ", *g.account("label"), " 예금주 ", g.ctx(lessor, "account_holder"))
    d.line(g.para(1, 2))
    d.add("특약사항: ", *g.with_particle(lessee), " 반려동물을 사육하지 아니한다. ")
    d.line(g.para(1, 1))
    agent = g.person()
    d.line("개업공인중개사 ", g.ctx(agent, "label_중개사"), "  사무소 소재지: ", g.address("label_소재지"))
    d.line("사업자등록번호 ", g.val("BRN", "label"), "  전화 ", g.val("PHONE_LANDLINE", "label"))
    d.line(f"계약일: {prose.cdate(r)}")
    return d


def employment_contract(g: Gen) -> Doc:
    r = g.r
    d = Doc("employment_contract")
    foreign = r.random() < 0.5
    company = r.choice(prose.COMPANIES)
    d.line("표준근로계약서" + (" (외국인근로자용)" if foreign else ""))
    boss = g.person()
    d.line(f"사업체명: {company}  대표자: ", g.ctx(boss, "label_대표자"))
    d.line("사업자등록번호: ", g.val("BRN", "label"), "  법인등록번호: ", g.val("CRN", "label"))
    d.line(*g.addr_field("소재지"))
    w = g.person(latin=foreign)
    if foreign:
        d.line("근로자 성명: ", g.ctx(w, "label_근로자"), "  국적: ", r.choice(("베트남", "중국", "필리핀", "우즈베키스탄",
                                                                           "몽골", "네팔")))
        d.line("외국인등록번호: ", g.val("FRN", "label"), "  여권번호: ", g.val("PASSPORT", "label"))
    else:
        d.line("근로자 성명: ", g.ctx(w, "label_근로자"), "  생년월일: ", g.val("DATE_OF_BIRTH", "label"))
    d.line(*g.addr_field("주소"))
    d.line("연락처: ", g.phone("label"))
    d.line(g.para(2, 4))
    d.line("임금 지급 계좌: ", *g.account("label"))
    d.add("근로자 ", *g.with_particle(w, honor_ok=False), " 위 근로조건을 확인하고 이에 동의한다. ")
    d.line(g.para(1, 2))
    d.line(f"{prose.cdate(r)}")
    d.line("(사업주) ", g.ctx(boss, "signature"), " (인)   (근로자) ", g.ctx(w, "signature"), " (서명)")
    return d


def insurance_contract(g: Gen) -> Doc:
    r = g.r
    d = Doc("insurance_contract")
    d.line(r.choice(("보험계약 청약서", "자동차보험 가입증명서", "보험계약 체결 확인서")))
    d.line("증권번호: ", g.val("POLICY_NUMBER", "label"), f"  상품명: {r.choice(('무배당 건강보험', '개인용 자동차보험', '종신보험'))}")
    holder, insured = g.person(), g.person()
    d.line("보험계약자 ", g.ctx(holder, "label_계약자"), "(", g.val("RRN", "glued_bracket"), ")")
    if r.random() < 0.5:
        d.line("피보험자: ", g.ctx(insured, "label_피보험자"), ", 생년월일 ", g.val("DATE_OF_BIRTH", "label"))
    else:
        d.line("피보험자 ", g.ctx(insured, "label_피보험자"), " (", g.val("DATE_OF_BIRTH", "paren"), "생)")
    d.line(*g.addr_field("주소"))
    d.line("휴대전화: ", g.val("PHONE_MOBILE", "label"), "  이메일: ", *g.email_parts("label"))
    if r.random() < 0.6:
        d.line("피보험자동차: ", g.val("VEHICLE_PLATE", "label"), "  운전면허번호: ", g.val("DRIVER_LICENSE", "label"))
    d.line("자동이체 카드: ", g.val("CARD_NUMBER", "label"), r.choice(("", " (유효기간 09/28)")))
    d.line(g.para(2, 3))
    agent = g.person()
    title = r.choice(("설계사", "보험설계사", "FC", "상담원"))
    d.line("모집인: ", *([g.ctx(agent, "name_title"), f" {title}"] if r.random() < 0.5 else [f"{title} ", g.ctx(agent, "title_name")]),
           " (등록번호 ", str(r.randint(10000000, 99999999)), ")")
    d.add(g.ctx(agent, "name_title_sentence"), f" {title}{josa(title, '이/가')} 약관의 중요 내용을 설명하였으며, ")
    d.line(*g.with_particle(holder), " 이를 확인하였다.")
    d.line(g.para(1, 2))
    return d


def medical_record(g: Gen) -> Doc:
    r = g.r
    d = Doc("medical_record")
    d.line(r.choice(("외래 진료기록지", "입원 경과기록", "진단서", "응급실 기록")))
    p = g.person()
    age = r.randint(5, 90)
    lab = r.choice(("환자성명", "환자명", "성명", "이름"))
    d.line(f"{lab}: ", g.ctx(p, f"label_{lab}"), f" ({r.choice('남여')}, {age}세)   등록번호 {r.randint(1000000, 9999999)}")
    d.line("생년월일: ", g.val("DATE_OF_BIRTH", "label"), "  건강보험증번호: ", g.val("HEALTH_INSURANCE", "label"))
    if r.random() < 0.5:
        d.line("주민등록번호: ", g.val("RRN", "label"))
    d.line(*g.addr_field("주소"))
    guard = g.person()
    d.line("보호자: ", g.ctx(guard, "label_보호자"), f" ({r.choice(('배우자', '자녀', '모', '부'))}) ", g.phone("label"))
    d.line(f"진단명: {r.choice(prose.DIAGNOSES)} (상병코드 {r.choice('MKJIE')}{r.randint(10, 99)}.{r.randint(0, 9)})")
    d.add("주호소: ", prose.cdate(r), "부터 통증 호소. ")
    d.line(g.para(1, 2))
    d.add(*g.with_particle(p), " 투약 후 증상 호전되었다. ")
    d.line(g.para(1, 1))
    doc = g.person()
    d.line(r.choice(("담당의: ", "진료의 ", "주치의: ")), g.ctx(doc, "label_의사"), r.choice(("", " (인)", " 교수")))
    return d


def hr_record(g: Gen) -> Doc:
    r = g.r
    d = Doc("hr_record")
    d.line("인사기록카드")
    p = g.person(latin=r.random() < 0.08)
    d.line("| 성명 | ", g.ctx(p, "table_cell"), " | 생년월일 | ", g.val("DATE_OF_BIRTH", "table_cell"), " |")
    d.line("| 주민등록번호 | ", g.val("RRN", "table_cell"), " | 입사일 | ", prose.cdate(r), " |")
    d.line("| 주소 | ", g.address("table_cell"), " | 연락처 | ", g.phone("table_cell"), " |")
    if p[0] == "PERSON_LATIN":
        d.line("| 외국인등록번호 | ", g.val("FRN", "table_cell"), " | 여권번호 | ", g.val("PASSPORT", "table_cell"), " |")
    d.line("| 이메일 | ", g.val("EMAIL", "table_cell"), " | 직위 | ", r.choice(("대리", "과장", "주임", "사원", "차장")), " |")
    d.line("급여계좌: ", *g.account("label"))
    d.line("가족사항: ", *g.names_list(r.randint(2, 3), "family"))
    emer = g.person()
    d.line("비상연락처: ", g.ctx(emer, "label_비상연락"), " ", g.phone("label"))
    if r.random() < 0.4:
        d.line("운전면허: ", g.val("DRIVER_LICENSE", "label"), "  차량번호: ", g.val("VEHICLE_PLATE", "label"))
    d.line(prose.paragraph(r, 2))
    boss = g.person()
    d.add("평정자 의견: ", *g.with_particle(p, honor_ok=False), " 성실하며 ", r.choice(("팀장 ", "부장 ")), "평가에서 우수 등급을 받았다. ")
    d.line("평정자 ", g.ctx(boss, "label_평정자"), r.choice((" 팀장", " 부장", "")))
    return d


def court_ruling(g: Gen) -> Doc:
    r = g.r
    d = Doc("court_ruling")
    court = r.choice(prose.COURTS)
    criminal = r.random() < 0.5
    d.line(court)
    d.line("판 결")
    d.line(f"사 건  {prose.case_no(r)} " + (r.choice(("사기", "업무상횡령", "도로교통법위반(음주운전)")) if criminal
                                          else r.choice(("손해배상(기)", "대여금", "보험금", "임대차보증금반환"))))
    if criminal:
        dft = g.person(latin=r.random() < 0.1)
        d.line("피 고 인  ", g.ctx(dft, "label_피고인"), " (", g.val("FRN" if dft[0] == "PERSON_LATIN" else "RRN", "paren"), "), ",
               r.choice(("회사원", "무직", "자영업", "운전기사")))
        d.line(*g.addr_field("주거"))
        d.line(*g.addr_field("등록기준지"))
        d.line("검 사  ", g.ctx(g.person(), "label_검사"))
        d.line("변 호 인  변호사 ", g.ctx(g.person(), "label_변호인"))
        d.line(f"판결선고  {prose.cdate(r)}")
        d.line("주 문")
        d.line(prose.sentence(r))
        d.line("이 유")
        d.add("범죄사실 피고인 ", *g.with_particle(dft, honor_ok=False), " ", prose.cdate(r), " 21:30경 ")
        d.add(g.address("inline_at"), r.choice(("에 있는 ", " 앞 도로에서 ")))
        d.add(r.choice(("피해자 ", "")), g.ctx(g.person(), "label_피해자"), r.choice(("에게 ", "의 차량을 ")))
        d.line(g.para(1, 2))
        if r.random() < 0.6:
            d.line("피고인은 ", g.val("VEHICLE_PLATE", "inline"), " 승용차를 운전하였다.")
    else:
        pl, df = g.person(), g.person()
        d.line("원 고  ", g.ctx(pl, "label_원고"))
        d.line(*g.addr_field("주소"))
        d.line("소송대리인 변호사 ", *g.names_list(r.randint(1, 2), "lawyer"))
        d.line("피 고  ", g.ctx(df, "label_피고"))
        d.line(*g.addr_field("주소"))
        d.line(f"변론종결  {prose.cdate(r)}")
        d.line("주 문")
        d.line(prose.sentence(r) + " " + prose.sentence(r))
        d.line("이 유")
        d.add("원고 ", g.ctx(pl, "role_inline"), "과 피고 ", g.ctx(df, "role_inline"), " 사이에 ", prose.cdate(r), " ")
        d.line(g.para(1, 2))
        d.line("피고는 원고에게 ", *g.account("inline"), " 계좌로 금원을 송금하였다.")
    d.line(g.para(1, 2))
    d.line("판사 ", g.ctx(g.person(), "label_판사"))
    return d


def insurance_claim(g: Gen) -> Doc:
    r = g.r
    d = Doc("insurance_claim")
    d.line(r.choice(("보험금 청구서", "사고보험금 청구서", "자동차사고 접수 확인")))
    c = g.person()
    d.line("청구인(수익자) ", g.ctx(c, "label_청구인"), "(", g.val("RRN", "glued_bracket"), ")")
    d.line("증권번호 ", g.val("POLICY_NUMBER", "label"))
    d.line("연락처 ", g.phone("label"), " / ", g.phone("label"))
    d.line(f"사고일시: {prose.cdate(r)} {r.randint(0, 23):02d}:{r.randint(0, 59):02d}")
    d.line("사고장소: ", g.address("label_사고장소"))
    if r.random() < 0.7:
        d.line("사고차량: ", g.val("VEHICLE_PLATE", "label"), "  운전자: ", g.ctx(g.person(), "label_운전자"),
               "  면허번호: ", g.val("DRIVER_LICENSE", "label"))
    d.line(prose.sentence(r))
    if r.random() < 0.3:
        d.line("해외여행자보험 피보험자 여권번호: ", g.val("PASSPORT", "label"))
    if r.random() < 0.3:
        d.line("건강보험증번호 ", g.val("HEALTH_INSURANCE", "label"), ", 진료비 결제카드 ", g.val("CARD_NUMBER", "label"))
    d.line("보험금 수령계좌: ", *g.account("label"), "  예금주: ", g.ctx(c, "account_holder"))
    if r.random() < 0.5:
        d.line("접수 경로: 모바일 앱 (접속 IP ", g.val("IP_ADDRESS", "paren"), ")")
    agent = g.person()
    d.add(r.choice(("담당 상담원 ", "상담원 ")), g.ctx(agent, "title_name"), r.choice(("이 ", "은 ", "님이 ")))
    d.line("청구 서류를 안내하였다. ", g.para(1, 2))
    d.line("서류 제출: ", *g.email_parts("inline"))
    return d


def loan_application(g: Gen) -> Doc:
    r = g.r
    d = Doc("loan_application")
    d.line(r.choice(("개인사업자 대출 신청서", "주택담보대출 신청서", "신용대출 신청서")))
    foreign = r.random() < 0.25
    a = g.person(latin=foreign)
    d.line("신청인: ", g.ctx(a, "label_신청인"))
    if foreign:
        d.line("외국인등록번호: ", g.val("FRN", "label"), "  여권번호 ", g.val("PASSPORT", "label"))
    else:
        d.line("주민등록번호: ", g.val("RRN", "label"))
    d.line(*g.addr_field(r.choice(("자택 주소", "주소"))))
    d.line(*g.addr_field("직장 소재지"))
    d.line("휴대폰 ", g.val("PHONE_MOBILE", "label"), "  직장 전화 ", g.val("PHONE_LANDLINE", "label"))
    d.line("이메일: ", *g.email_parts("label"))
    if r.random() < 0.5:
        d.line("사업자등록번호 ", g.val("BRN", "label"), f"  상호 {r.choice(prose.COMPANIES)}")
    d.line(f"신청금액 {prose.amt(r)}, 대출기간 {r.randint(1, 30)}년, 금리 {prose.rate(r)}")
    d.line("상환계좌: ", *g.account("label"))
    if r.random() < 0.5:
        d.line("결제카드: ", g.val("CARD_NUMBER", "label"))
    if r.random() < 0.5:
        gu = g.person()
        d.line("연대보증인 ", g.ctx(gu, "label_보증인"), "(", g.val("RRN", "glued_bracket"), ") ", g.phone("label"))
    d.line(g.para(2, 3))
    d.line("전자서명 접속 IP ", g.val("IP_ADDRESS", "label"), f" / 일시 {prose.cdate(r)}")
    staff = g.person()
    d.line("접수 직원: ", g.ctx(staff, "label_직원"), r.choice((" 대리", " 계장", "")), ", 내선 ", g.val("PHONE_LANDLINE", "officer"))
    if r.random() < 0.3:
        d.line("법인 차주 법인등록번호 ", g.val("CRN", "label"))
    return d


KINDS = (application_form, complaint, lease_contract, employment_contract, insurance_contract, medical_record,
         hr_record, court_ruling, insurance_claim, loan_application)
