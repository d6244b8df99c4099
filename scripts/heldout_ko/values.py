"""Fake personal values for the held-out Korean redaction set, each in several real-world layouts.

Every value is made up: names from our own syllable pools, IDs with a deliberately wrong check digit where the
format has one (RRN, FRN, BRN, CRN), cards either Luhn-valid on well-known *test* BINs or partly masked, IPs in
documentation/private ranges, e-mail on ``example.*`` domains. Each generator returns ``(value, fmt)`` where
``fmt`` names the layout, so the scorer can report recall per layout.
"""

from __future__ import annotations

import random


def _words(s: str) -> tuple[str, ...]:
    return tuple(s.split())


SURNAMES = _words("김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 류 전 홍 고 문 양 손 배 백 허 유 남 심 노 하 곽 "
            "성 차 주 우 구 민 진 나 지 엄 채 원 천 방 공 현 함 변 염 여 추 도 소 석 선 설 마 길 연 위 표 명 기 "
            "반 왕 금 옥 육 인 맹 제 모 탁 국 어 은 편 용 예 경 봉 사 부 가 복 태 목 형 피 두 감 음 빈 동 온 "
            "호 범 좌 라 권 탁")
COMPOUND_SURNAMES = ("남궁", "황보", "선우", "제갈", "독고", "사공", "서문", "동방")
GIVEN = _words("서 율 하 린 지 유 태 오 민 준 연 도 윤 시 우 예 은 수 아 현 주 진 혁 영 호 성 훈 경 희 정 숙 미 "
         "옥 순 철 석 동 욱 재 원 상 용 기 범 근 규 빈 채 나 다 소 혜 인 찬 건 결 온 솔 별 담 겸 람 설 "
         "환 택 섭 균 식 복 남 녀 란 향 애 림 보 봉 필 선 완 탁 휘 륜 평")
LATIN_FAMILY = ("TRAN", "NGUYEN", "LE", "PHAM", "WANG", "LI", "ZHANG", "CHEN", "SANTOS", "REYES", "KARIMOV",
                "RAHMAN", "SMITH", "GARCIA", "IVANOV", "TANAKA", "BATBAYAR", "SHARMA", "HOANG", "DELA CRUZ")
LATIN_GIVEN = ("VAN LONG", "THI HOA", "MINH TUAN", "Xiaoming", "Wei", "Jing", "Maria", "Jose Miguel", "Aziz",
               "Rustam", "Anwar", "John", "Olga", "Yuki", "Enkhjin", "Priya", "Duc Anh", "Mei Ling", "Bakhodir")

# (full name, short forms, districts/cities)
PROVINCES = (
    ("서울특별시", ("서울시", "서울"), ("종로구", "마포구", "강남구", "송파구", "노원구", "은평구", "관악구", "성동구")),
    ("부산광역시", ("부산시", "부산"), ("해운대구", "부산진구", "동래구", "사하구", "수영구")),
    ("대구광역시", ("대구시", "대구"), ("수성구", "달서구", "북구")),
    ("인천광역시", ("인천시", "인천"), ("연수구", "남동구", "부평구")),
    ("광주광역시", ("광주시", "광주"), ("북구", "서구", "광산구")),
    ("대전광역시", ("대전시", "대전"), ("유성구", "서구", "대덕구")),
    ("울산광역시", ("울산시", "울산"), ("남구", "울주군")),
    ("경기도", ("경기",), ("수원시 영통구", "성남시 분당구", "안성시", "고양시 일산동구", "화성시", "용인시 수지구",
                         "파주시")),
    ("강원특별자치도", ("강원도", "강원"), ("춘천시", "원주시", "강릉시")),
    ("충청북도", ("충북",), ("청주시 흥덕구", "충주시")),
    ("충청남도", ("충남",), ("천안시 동남구", "아산시", "공주시")),
    ("전북특별자치도", ("전라북도", "전북"), ("전주시 완산구", "군산시")),
    ("전라남도", ("전남",), ("목포시", "여수시", "순천시", "나주시")),
    ("경상북도", ("경북",), ("포항시 북구", "경주시", "안동시")),
    ("경상남도", ("경남",), ("창원시 의창구", "김해시", "진주시")),
    ("제주특별자치도", ("제주도", "제주"), ("제주시", "서귀포시")),
)
ROAD_STEMS = ("새솔", "보람", "가람", "한빛", "누리", "다솜", "푸른", "들꽃", "솔내", "미리내", "한울", "햇살", "나래",
              "별빛", "온누리", "청솔", "갈매", "여울", "모래내", "버들", "금빛", "구름", "샘말", "느티", "달맞이")
DONGS = ("오룡동", "신정동", "매곡동", "송림동", "봉선동", "중앙동", "대흥동", "연향동", "상리동", "두암동", "월계동")
EUPMYEON = ("공도읍", "봉황면", "조치원읍", "남면", "일로읍", "금남면", "서탄면")
RI = ("만정리", "철천리", "내동리", "용수리", "상촌리", "하가리", "신기리", "도곡리")
BUILDINGS = ("한빛빌딩", "누리스퀘어", "한울종합청사", "다솜타워", "청솔프라자", "미리내오피스텔", "보람아파트",
             "햇살마을", "솔내빌라")
BANKS = (("국민은행", (6, 2, 6)), ("KB국민은행", (6, 2, 6)), ("신한은행", (3, 3, 6)), ("우리은행", (4, 3, 6)),
         ("하나은행", (3, 6, 5)), ("농협", (3, 4, 4, 2)), ("NH농협은행", (3, 4, 4, 2)), ("IBK기업은행", (3, 6, 2, 3)),
         ("카카오뱅크", (4, 2, 7)), ("새마을금고", (4, 2, 6, 1)), ("우체국", (6, 2, 6)))
PLATE_HANGUL = "가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주허하호배"
LICENCE_REGIONS = (("서울", 11), ("부산", 12), ("경기", 13), ("강원", 14), ("충북", 15), ("충남", 16), ("전북", 17),
                   ("전남", 18), ("경북", 19), ("경남", 20), ("제주", 21), ("대구", 22), ("인천", 23), ("광주", 24),
                   ("대전", 25), ("울산", 26))
ROMAN = ("kim", "lee", "park", "choi", "jung", "kang", "cho", "yoon", "jang", "lim", "han", "oh", "seo", "shin",
         "hong", "ahn", "song", "ryu", "hwang", "namgung")
EMAIL_DOMAINS = ("example.com", "example.co.kr", "example.kr", "example.net", "mail.example.org", "example.or.kr")
TEST_BINS = ("424242", "400000", "555555", "510510", "378282", "601111", "353011")


class Values:
    """All value generators share one seeded RNG so the whole set is reproducible."""

    def __init__(self, rng: random.Random):
        self.r = rng

    def digits(self, n: int) -> str:
        return "".join(self.r.choice("0123456789") for _ in range(n))

    def pick(self, seq):
        return self.r.choice(seq)

    # ---- names -------------------------------------------------------------------------------------------
    def person_ko(self) -> tuple[str, str]:
        r = self.r
        compound = r.random() < 0.12
        sur = r.choice(COMPOUND_SURNAMES) if compound else r.choice(SURNAMES)
        given = r.choice(GIVEN) + r.choice(GIVEN)
        return sur + given, "compound" if compound else "plain"

    def person_latin(self) -> tuple[str, str]:
        fam, giv = self.pick(LATIN_FAMILY), self.pick(LATIN_GIVEN)
        if self.r.random() < 0.5:
            return f"{fam} {giv.upper()}", "latin_upper"
        return f"{giv.title()} {fam.title()}" if self.r.random() < 0.5 else f"{fam.title()} {giv.title()}", "latin_mixed"

    # ---- addresses ---------------------------------------------------------------------------------------
    def _province(self) -> tuple[str, str]:
        full, shorts, districts = self.pick(PROVINCES)
        u = self.r.random()
        if u < 0.65:
            head, form = full, "full"
        elif u < 0.9:
            head, form = self.pick(shorts), "short"
        else:
            head, form = "", "no_province"
        district = self.pick(districts)
        return (f"{head} {district}".strip(), form)

    def _road(self) -> tuple[str, str]:
        r, stem = self.r, self.pick(ROAD_STEMS)
        u = r.random()
        if u < 0.3:
            return f"{stem}{self.pick(('로', '대로', '길'))} {r.randint(1, 250)}", "road"
        if u < 0.5:
            return f"{stem}{r.randint(1, 12)}로 {r.randint(1, 99)}", "numbered_road"
        if u < 0.75:
            return f"{stem}로 {r.randint(2, 60)}길 {r.randint(1, 40)}-{r.randint(1, 20)}", "spaced_gil"
        if u < 0.88:
            return f"{stem}로{r.randint(2, 60)}길 {r.randint(1, 80)}", "glued_gil"
        return f"{stem}대로{r.randint(1, 9) * 10 + r.randint(1, 9)}번길 {r.randint(1, 60)}", "beongil"

    def _detail(self) -> tuple[str, str]:
        r = self.r
        u = r.random()
        if u < 0.2:
            return "", ""
        if u < 0.35:
            return f", {r.randint(1, 19)}{r.randint(0, 1)}{r.randint(1, 9)}호", "+ho"
        if u < 0.5:
            return f", {r.randint(101, 120)}동 {r.randint(1, 25)}0{r.randint(1, 4)}호", "+dong_ho"
        if u < 0.58:
            return f", B{r.randint(1, 3)}층", "+basement"
        if u < 0.66:
            return f", {r.randint(2, 15)}층 {r.randint(2, 15)}0{r.randint(1, 9)}호", "+floor_ho"
        if u < 0.74:
            return f" {self.pick(BUILDINGS)} {r.randint(1, 9)}동", "+building_block"
        if u < 0.84:
            return f", {self.pick(BUILDINGS)} {self.pick('ABC')}동 {r.randint(2, 12)}0{r.randint(1, 9)}호", "+named_unit"
        return f", 지하 {r.randint(1, 2)}층", "+jiha"

    def _ref(self) -> tuple[str, str]:
        u = self.r.random()
        if u < 0.65:
            return "", ""
        if u < 0.85:
            return f" ({self.pick(DONGS)})", "+ref"
        return f" ({self.pick(DONGS)}, {self.pick(BUILDINGS)})", "+ref_building"

    def address_road(self) -> tuple[str, str]:
        head, pform = self._province()
        road, rform = self._road()
        det, dform = self._detail()
        ref, fform = self._ref()
        em = f" {self.pick(EUPMYEON)}" if self.r.random() < 0.1 and head[-1] in "시군" else ""
        return f"{head}{em} {road}{det}{ref}", "|".join(x for x in (pform, rform, dform, fform) if x)

    def address_jibun(self) -> tuple[str, str]:
        r = self.r
        head, pform = self._province()
        if r.random() < 0.6 and head[-1] in "시군":
            area = f"{self.pick(EUPMYEON)} {self.pick(RI)}"
        else:
            area = self.pick(DONGS)
        u = r.random()
        if u < 0.35:
            lot, lform = f"{r.randint(1, 999)}-{r.randint(1, 30)}번지", "beonji"
        elif u < 0.55:
            lot, lform = f"산 {r.randint(1, 99)}-{r.randint(1, 9)}", "san"
        elif u < 0.8:
            lot, lform = f"{r.randint(1, 999)}", "lot_plain"
        else:
            lot, lform = f"{r.randint(1, 999)}-{r.randint(1, 30)}", "lot_dash"
        det, dform = "", ""
        if r.random() < 0.25:
            det, dform = self._detail()
        return f"{head} {area} {lot}{det}", "|".join(x for x in ("jibun", pform, lform, dform) if x)

    def postal(self) -> tuple[str, str]:
        if self.r.random() < 0.85:
            return f"{self.r.randint(1, 63):02d}{self.digits(3)}", "5digit"
        return f"{self.r.randint(100, 799)}-{self.r.randint(10, 999):03d}", "old_6digit"

    # ---- phones ------------------------------------------------------------------------------------------
    def phone_mobile(self) -> tuple[str, str]:
        a, b = self.digits(4), self.digits(4)
        return self.pick(((f"010-{a}-{b}", "dash"), (f"010-{a}-{b}", "dash"), (f"010 {a} {b}", "space"),
                          (f"010{a}{b}", "plain"), (f"010.{a}.{b}", "dot"), (f"+82 10-{a}-{b}", "intl"),
                          (f"+82-10-{a}-{b}", "intl"), (f"(010) {a}-{b}", "paren")))

    def phone_landline(self) -> tuple[str, str]:
        r = self.r
        area = self.pick(("02", "031", "032", "033", "041", "042", "043", "051", "052", "053", "054", "055",
                          "061", "062", "063", "064", "070"))
        mid = self.digits(3 if area != "070" and r.random() < 0.4 else 4)
        mid = str(r.randint(2, 9)) + mid[1:]
        end = self.digits(4)
        return self.pick(((f"{area}-{mid}-{end}", "dash"), (f"{area}-{mid}-{end}", "dash"),
                          (f"({area}){mid}-{end}", "paren_glued"), (f"({area}) {mid}-{end}", "paren_space"),
                          (f"{area}.{mid}.{end}", "dot"), (f"{area} {mid} {end}", "space"),
                          (f"+82-{area[1:]}-{mid}-{end}", "intl"), (f"{area}){mid}-{end}", "half_paren")))

    # ---- national IDs ------------------------------------------------------------------------------------
    def _birth6(self, young: bool = False) -> tuple[str, int]:
        r = self.r
        year = r.randint(1945, 2015) if not young else r.randint(1960, 2004)
        return f"{year % 100:02d}{r.randint(1, 12):02d}{r.randint(1, 28):02d}", year

    @staticmethod
    def _rrn_check(d12: str) -> int:
        w = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
        return (11 - sum(int(c) * k for c, k in zip(d12, w)) % 11) % 10

    def _bad_check(self, d12: str) -> str:
        good = self._rrn_check(d12)
        return str((good + self.r.randint(1, 9)) % 10)

    def rrn(self, sep_choice: str | None = None) -> tuple[str, str]:
        b6, year = self._birth6()
        g = self.r.choice((1, 2)) if year < 2000 else self.r.choice((3, 4))
        body = f"{g}{self.digits(5)}"
        last = self._bad_check(b6 + body)
        full = body + last
        u = self.r.random() if sep_choice is None else {"masked": 0.0, "space": 0.4, "newline": 0.52}[sep_choice]
        if u < 0.25:
            mask = self.pick(("******", "******", "●●●●●●", "xxxxxx"))
            return f"{b6}-{g}{mask}", "masked"
        if u < 0.4:
            return f"{b6}-{full}", "dash"
        if u < 0.5:
            return f"{b6} {full}", "space_split"
        if u < 0.55:
            return f"{b6}-\n{full}", "newline_split"
        if u < 0.62:
            return f"{b6}{full}", "plain13"
        return f"{b6}-{full}", "dash"

    def frn(self) -> tuple[str, str]:
        b6, year = self._birth6(young=True)
        g = self.r.choice((5, 6)) if year < 2000 else self.r.choice((7, 8))
        body = f"{g}{self.digits(5)}"
        v = f"{b6}-{body}{self._bad_check(b6 + body)}"
        if self.r.random() < 0.2:
            return f"{b6}-{g}******", "masked"
        return v, "dash"

    def brn(self) -> tuple[str, str]:
        d = self.digits(9)
        w = (1, 3, 7, 1, 3, 7, 1, 3, 5)
        s = sum(int(c) * k for c, k in zip(d, w)) + (int(d[8]) * 5) // 10
        bad = str(((10 - s % 10) % 10 + self.r.randint(1, 9)) % 10)
        v = d + bad
        return (f"{v[:3]}-{v[3:5]}-{v[5:]}", "dash") if self.r.random() < 0.85 else (v, "plain10")

    def crn(self) -> tuple[str, str]:
        d = f"{self.pick(('1101', '1344', '1201', '1601', '2301'))}{self.pick(('11', '12', '31'))}{self.digits(6)}"
        s = sum(int(c) * (1 if i % 2 == 0 else 2) for i, c in enumerate(d))
        bad = str(((10 - s % 10) % 10 + self.r.randint(1, 9)) % 10)
        v = d + bad
        return (f"{v[:6]}-{v[6:]}", "dash") if self.r.random() < 0.85 else (v, "plain13")

    def passport(self) -> tuple[str, str]:
        r = self.r
        u = r.random()
        if u < 0.3:
            return f"{r.randint(1, 9)}{self.digits(8)}", "old_9digit"
        if u < 0.65:
            return f"{self.pick('MSRGD')}{self.digits(8)}", "letter_8digit"
        return f"{self.pick('MSRG')}{self.digits(3)}{self.pick('ABCDEFGHJK')}{self.digits(4)}", "new_2021"

    def driver_licence(self) -> tuple[str, str]:
        region, code = self.pick(LICENCE_REGIONS)
        yy, serial, chk = f"{self.r.randint(80, 99) if self.r.random() < 0.5 else self.r.randint(0, 24):02d}", \
            self.digits(6), self.digits(2)
        return self.pick(((f"{region} {yy}-{serial}-{chk}", "region_name"), (f"{region}{yy}-{serial}-{chk}", "region_glued"),
                          (f"{code}-{yy}-{serial}-{chk}", "numeric_dash"), (f"{code}{yy}{serial}{chk}", "numeric_plain"),
                          (f"{code}-{yy}-{serial}-{chk}", "numeric_dash"), (f"{code} {yy} {serial} {chk}", "numeric_space")))

    # ---- finance -----------------------------------------------------------------------------------------
    def bank_account(self) -> tuple[str, str, str]:
        bank, layout = self.pick(BANKS)
        groups = [self.digits(n) for n in layout]
        if self.r.random() < 0.85:
            return bank, "-".join(groups), "dash"
        return bank, "".join(groups), "plain"

    def card(self) -> tuple[str, str]:
        r = self.r
        if r.random() < 0.35:
            first = self.pick(("9410", "5412", "4518", "3560", "6253", "9490"))
            return self.pick(((f"{first}-{self.digits(2)}**-****-{self.digits(4)}", "masked"),
                              (f"{first}-{self.digits(4)}-****-{self.digits(4)}", "masked"),
                              (f"{first}-****-****-{self.digits(4)}", "masked")))
        bin6 = self.pick(TEST_BINS)
        body = bin6 + self.digits(9)
        total = 0
        for i, c in enumerate(reversed(body)):
            d = int(c)
            if i % 2 == 0:
                d = d * 2 - 9 if d * 2 > 9 else d * 2
            total += d
        num = body + str((10 - total % 10) % 10)
        sep = self.pick(("-", "-", " ", ""))
        return sep.join(num[i:i + 4] for i in range(0, 16, 4)), {"-": "dash", " ": "space", "": "plain"}[sep]

    # ---- online ------------------------------------------------------------------------------------------
    def email(self) -> tuple[str, str]:
        r = self.r
        local = self.pick(ROMAN) + self.pick(("", ".", "_", "")) + self.pick(ROMAN[:8] + ("js", "hy", "mk", "sw"))
        if r.random() < 0.6:
            local += str(r.randint(1, 99))
        return f"{local}@{self.pick(EMAIL_DOMAINS)}", "plain"

    def ip(self) -> tuple[str, str]:
        r = self.r
        u = r.random()
        if u < 0.45:
            return f"{self.pick(('192.0.2', '198.51.100', '203.0.113'))}.{r.randint(1, 254)}", "v4_doc"
        if u < 0.85:
            return self.pick((f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                              f"192.168.{r.randint(0, 255)}.{r.randint(1, 254)}",
                              f"172.{r.randint(16, 31)}.{r.randint(0, 255)}.{r.randint(1, 254)}")), "v4_private"
        return f"2001:db8:{r.randint(1, 0xffff):x}::{r.randint(1, 0xffff):x}", "v6_doc"

    # ---- other -------------------------------------------------------------------------------------------
    def dob(self) -> tuple[str, str]:
        r = self.r
        y, m, d = r.randint(1940, 2010), r.randint(1, 12), r.randint(1, 28)
        return self.pick(((f"{y}. {m}. {d}.", "dot_space"), (f"{y}.{m:02d}.{d:02d}", "dot"),
                          (f"{y}년 {m}월 {d}일", "hangul"), (f"{y}-{m:02d}-{d:02d}", "iso"),
                          (f"{y % 100:02d}.{m:02d}.{d:02d}", "short_dot"), (f"{y}{m:02d}{d:02d}", "plain8")))

    def plate(self) -> tuple[str, str]:
        r = self.r
        h = self.pick(PLATE_HANGUL)
        u = r.random()
        if u < 0.35:
            return f"{r.randint(10, 99)}{h} {r.randint(1000, 9999)}", "2digit_space"
        if u < 0.65:
            return f"{r.randint(100, 399)}{h} {r.randint(1000, 9999)}", "3digit_space"
        if u < 0.85:
            return f"{r.randint(100, 399)}{h}{r.randint(1000, 9999)}", "3digit_glued"
        reg = self.pick(("서울", "경기", "부산", "인천", "대구"))
        return f"{reg}{r.randint(10, 99)}{h}{r.randint(1000, 9999)}", "regional"

    def health_insurance(self) -> tuple[str, str]:
        d = self.digits(10)
        if self.r.random() < 0.6:
            return f"{self.r.randint(1, 9)}-{d}", "dash"
        return f"{self.r.randint(1, 9)}{d}", "plain11"

    def policy_number(self) -> tuple[str, str]:
        r = self.r
        y = r.randint(2015, 2025)
        return self.pick(((f"{y}-{self.digits(6)}", "year_dash"), (f"L{y}{self.digits(6)}", "letter_year"),
                          (f"P-{y}{r.randint(1, 12):02d}{r.randint(1, 28):02d}-{self.digits(4)}", "p_date"),
                          (f"{r.randint(1, 9)}-{y}-{self.digits(7)}", "three_part")))
