"""Korean person names from evidence, not from a surname pattern alone.

The previous recogniser matched ``role word + surname + 1-2 syllables`` with no separator and copied any Kiwi
``NNP`` token: on statutes that turns ``법정대리인의`` into ``법정대리<PERSON>`` (role ``대리`` + "name" ``인의``)
and ``상호`` (trade name, an NNP in Kiwi's lexicon) into a person everywhere. Here a candidate is a whole Hangul
word (never a cut inside one), split into a 2-4 syllable name and a particle/honorific tail, and it needs
evidence, graded:

- ``label``  form label with a colon or a table cell (``성명: 남궁서율``, ``환자명 | 최하린``), a name glued to a
  bracketed ID or sex/age (``최하린(880317-2******)``, ``남궁서율 (남, 51세)``), an honorific (``권태오님께서``,
  ``탁지유 씨는``): 0.9;
- ``role``   a role word then a separator (``피보험자 홍길동``), a job title after the name (``한유진 설계사가``),
  or a list item next to an accepted name (``홍길동, 김영희``): 0.85, but only when the word is not a common
  word (Kiwi's lexicon: a known noun/verb is not a name);
- ``lexicon`` no context, a 3-syllable (4 with a compound surname) word Kiwi does not know (OOV) or knows as a
  person-like proper noun: 0.5, redacted but never propagated to other mentions.

Only ``label`` and ``role`` evidence (>= 0.8) is spread to other mentions of the same name (engine).
Latin-script names inside Korean text (``TRAN VAN LONG``, ``Wang Xiaoming``) are taken after a Korean label or
role word, or before an honorific.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from presidio_analyzer import EntityRecognizer, RecognizerResult

from redaction.recognizers.data import KO_NNP_STOP, KO_SURNAMES_1, KO_SURNAMES_2

SURNAMES_2 = frozenset(KO_SURNAMES_2)
SURNAMES_1 = frozenset(KO_SURNAMES_1) | {"라"}     # 羅 is written 나 or 라

# Form labels: followed by a colon/table bar, or a space, then the name.
LABELS = ("성명", "성 명", "이름", "환자성명", "환자명", "환자 성명", "고객명", "고객성명", "가입자명", "계약자명",
          "피보험자명", "수익자명", "신청인명", "대표자명", "대표자 성명", "예금주명", "작성자", "담당자명", "보호자명",
          "성명(한글)", "성명(국문)", "이름(한글)", "근로자명", "직원명", "사원명", "민원인 성명", "신고인 성명", "의뢰인")
ROLES = ("피보험자", "보험계약자", "계약자", "수익자", "보험수익자", "청약자", "가입자", "피해자", "가해자", "원고", "피고",
         "피고인", "채무자", "채권자", "연대보증인", "보증인", "차주", "대출자", "신청인", "피신청인", "대표자", "대표이사",
         "담당자", "담당", "설계사", "모집인", "고객", "환자", "보호자", "상속인", "배우자", "법정대리인", "대리인",
         "진정인", "피진정인", "청구인", "피청구인", "임차인", "임대인", "매수인", "매도인", "운전자", "소유자", "예금주",
         "명의자", "지점장", "팀장", "과장", "부장", "차장", "변호사", "판사", "검사", "의사", "주치의", "증인",
         "참고인", "민원인", "고소인", "피고소인", "고발인", "신고인", "상담원", "근로자", "직원", "수령인", "수취인",
         "송금인", "작성자", "확인자", "승인자", "접수자", "발신인", "수신인", "위임인", "수임인", "사망자", "부상자",
         "원고 대리인", "소송대리인", "대표", "사원", "주임", "간호사", "교수", "원장", "세입자", "집주인", "전입자",
         "세대주", "가족", "부친", "모친", "아버지", "어머니", "남편", "아내", "자녀", "아들", "딸", "본인", "유족",
         "성명", "이름", "기자", "학생", "담임", "주무관", "사무관", "조사관", "심사관", "보험설계사", "손해사정사",
         "관련인", "비상연락처", "비상연락", "공인중개사", "개업공인중개사", "중개사", "중개보조원", "평정자", "피평정자",
         "담당의", "모집인", "사업주", "재판장", "검 사", "판 사", "변 호 인", "변호인", "처리 담당", "접수 직원",
         "상담자", "민원 담당", "감정인", "연대보증인", "대표 이사", "수탁자", "위탁자", "양도인", "양수인", "채용자",
         "피상속인", "상속인", "후견인", "피후견인", "참가인", "당사자", "의뢰인", "문의", "서명", "확인")
# Parties and officers whose next word is a name unless it is itself a common word (court, insurance, forms).
STRONG_ROLES = frozenset(("피보험자", "보험계약자", "계약자", "수익자", "보험수익자", "청약자", "피해자", "가해자", "원고",
                          "피고", "피고인", "채무자", "채권자", "연대보증인", "보증인", "신청인", "피신청인", "대표자",
                          "대표이사", "담당자", "환자", "보호자", "진정인", "피진정인", "청구인", "피청구인", "임차인",
                          "임대인", "매수인", "매도인", "예금주", "증인", "민원인", "고소인", "피고소인", "판사", "검사",
                          "변호사", "변호인", "재판장", "검 사", "판 사", "변 호 인", "관련인", "평정자", "담당의",
                          "모집인", "사업주", "공인중개사", "개업공인중개사", "근로자", "상속인", "피상속인", "후견인",
                          "소송대리인", "법정대리인", "설계사", "보험설계사", "상담원", "주치의", "세대주", "수령인",
                          "발신인", "수신인", "작성자", "비상연락처", "처리 담당", "접수 직원"))
TITLES_AFTER = ("FC", "설계사", "보험설계사", "상담원", "상담사", "과장", "대리", "팀장", "부장", "차장", "실장", "사원",
                "주임", "변호사", "법무사", "세무사", "노무사", "의사", "간호사", "교수", "대표", "대표이사", "이사",
                "원장", "기자", "판사", "검사", "주무관", "사무관", "계장", "지점장", "센터장", "매니저", "선생",
                "원고", "피고", "피고인", "고객", "환자", "손해사정사", "조사관", "심사역", "행원")
HONORIFIC = ("님", "씨", "선생님", "여사님", "여사", "고객님", "환자분", "군", "양")
PARTICLES = ("은", "는", "이", "가", "을", "를", "의", "에", "에게", "에게서", "께", "께서", "와", "과", "로", "으로",
             "도", "만", "이나", "나", "랑", "이랑", "하고", "에서", "부터", "까지", "보다", "처럼", "이며", "이고",
             "이다", "입니다", "이었다", "였다", "이라", "라", "라고", "이라고", "등", "외", "에게는", "께는", "께도",
             "로부터", "으로부터", "과의", "와의", "에의", "만이", "도록", "이요", "요", "이오", "이가", "")
_TAILS = frozenset({h + p for h in ("", *HONORIFIC) for p in PARTICLES})

# Common 2-4 syllable words with a surname first syllable that a role or title context could still pick up.
STOP = frozenset(KO_NNP_STOP) | frozenset(
    "이상 이하 이내 이후 이전 이외 정보 지급 신청 계약 장기 한도 기간 주소 고객 안내 전화 변경 이자 조건 정도 주의 방법 "  # noqa: SIM905
    "사고 심사 신규 한편 문의 상기 하기 기타 공제 보장 여부 우리 모든 소정 유의 전액 일부 성명 표시 마감 연체 대출 임대 구분 "
    "설명 확인 서명 기준 금리 금액 지점 도달 원금 이용 감액 고지 선택 모집 경우 당사 본인 담당 대리 과장 상해 질병 사망 입원 "
    "수술 장해 진단 통원 치료 공시 조정 해지 해약 명의 명의자 명칭 공동 전원 각자 당해 동의 서면 소유 상대 상호 이사 감사 "
    "주주 사원 당사자 전항 제척 가목 나목 다목 인도 하는 한다 하여 하고 위하여 인하여 하거나 사항 소송 수익자 이유 정관 "
    "주식 상법 민법 형법 회사 손해 장부 사채 신탁 선박 운송 해산 결의 양도 조합 정산 성질 정당 이사회 감사인 고객님 연락처 "
    "주민 등록 번호 전화번호 휴대폰 생년월일 주소지 소재지 직업 직장 근무지 성별 나이 연령 국적 주민등록번호 계좌 계좌번호 "
    "은행 예금 신청인 담당자 대표자 대표 이름 서명란 날인 인감 도장 주거 거주 현주소 본적 우편 우편번호 이메일 사건 "
    "판결 선고 원심 상고 항소 기각 인용 각하 주문 이유 결론 별지 목록 내용 사실 증거 진술 조서 작성 제출 송달 기일 "
    "부모 자녀 가족 배우자 형제 자매 아들 남편 아내 부친 모친 조부 조모 손자 본사 지사 한국 서울 부산 대구 인천 광주 "
    "대전 울산 세종 경기 강원 제주 전북 전남 경북 경남 충북 충남 남자 여자 남성 여성 남 여 만세 이며 이고 이다 입니다 "
    "국민 신한 하나 우리 기업 농협 수협 삼성 현대 한화 교보 동양 미래 흥국 롯데 신용 보험 보험금 보험료 보험사 상담 "
    "상담원 설계사 고객센터 우선 반드시 최근 최대 최소 최초 최종 전체 전부 정상 정기 정액 정률 주요 주간 주말 연간 "
    "연말 연초 공원 공단 공사 공장 국가 국세 지방 지역 시간 시행 시점 시작 시기 동안 동일 동시 동의서 방문 방식 "
    "안전 안정 편의 편리 용도 용어 유지 유효 유형 강제 강화 조치 조사 조항 조례 조회 차량 차이 차액 구조 구체 구매 "
    "구입 반환 반영 석방 선정 설정 설치 성립 성과 소득 소비 소멸 송금 수령 수입 수수료 수정 승인 시장 신고 신분 신속 "
    "심의 양식 어음 엄격 여기 여러 연결 연속 염려 예정 예외 예약 온라인 왕복 용이 우대 우편물 원칙 위반 위험 위원 위임 "
    "유사 육아 은행권 인정 인출 임시 임의 장소 장애 전달 전문 전세 전자 정리 제공 제한 제외 조건부 주택 지정 진행 "
    "채권 채무 천재 추가 추천 탁송 태도 판단 편입 평가 표준 피해 하자 한정 함께 허가 현재 현금 형사 형태 호출 홍보 "
    "화재 확정 황금 성실 성년 미성년 미성년자 이의 이행 이전 이체 인감증명 기명 기재 남용 노동 도중 독립 동산 마련 "
    "명령 명백 목적 문서 민사 반대 방해 배당 배상 백지 범위 범죄 변제 보관 보상 보전 보증 보호 복수 부담 부동산 부당 "
    "부분 부과 부여 부정 사무 사본 사용 사유 사전 사정 사항 사후 상당 상속 상실 상환 선의 성명란 소송대리 손실 여권 "
    "명의인 사본 원본 정본 등본".split())

_WORD = re.compile(r"[가-힣]+")
FUNCTION_TAGS = frozenset({"XSN", "XSV", "XSA", "VCP", "VCN", "VX", "ETM", "ETN", "EP", "EC", "EF"})
_LATIN = r"[A-Z][A-Za-z'’-]+(?:[ ]+[A-Z][A-Za-z'’-]+){1,3}"
_SEP_LABEL = r"\s*(?:[:：|]|\)\s*[:：]?)\s*"


def _alts(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


RX_LABEL = re.compile(rf"(?<![가-힣])(?:{_alts(LABELS)}){_SEP_LABEL}(?=[가-힣A-Z])")
RX_ROLE = re.compile(rf"({_alts(ROLES)})((?:은|는|이|가)?\s*[:：]\s*|(?:은|는|이|가)?\s+|\(\s*)(?=[가-힣A-Z])")
# Any short form label with a colon (``관련인: 유윤주``): the next word is a name unless Kiwi knows it as a word.
RX_ANY_LABEL = re.compile(r"(?<![가-힣])[가-힣]{1,8}(?: [가-힣]{1,6})?[ \t]*[:：][ \t]*(?=[가-힣])")
RX_DEPT = re.compile(r"(?:[가-힣]{1,8}(?:과|팀|부|실|센터|지점|본부|지사|사무소)|FC|[A-Z]{2,4})[ \t]+(?=[가-힣])")
RX_TITLE_AFTER = re.compile(rf"[ ]?(?:{_alts(TITLES_AFTER)})(?![가-힣])|[ ]?(?:{_alts(TITLES_AFTER)})"
                            rf"(?:{_alts(p for p in PARTICLES if p)})(?![가-힣])")
RX_HONORIFIC = re.compile(r"\s?(?:고객|환자|선생|여사|회원|대표|원장|사장|교수|변호사|의사|기사|과장|부장|팀장|"
                          r"대리|차장|실장|이사|주임|간호사|설계사|상담사)님|\s?(?:씨|님)(?![가-힣])|\s?(?:씨|님)(?:께서|께|은|는|이|가|의|을|를|에게|과|와|도|만|이며)"
                          r"(?![가-힣])|님께서|\s(?:씨|님)")
RX_BRACKET_ID = re.compile(r"\s?\(\s*(?:\d{2}[01]\d[0-3]\d|\d{6}\s?-|[남여]\s*[,/)]|[남여]성|만?\s?\d{1,3}\s?세|"
                           r"[남여]\s?,\s?\d{1,3}\s?세|\d{2,4}[.년-]\s?\d{1,2}|[A-Z]{1,2}\d{6,8})")
RX_LATIN_AFTER = re.compile(rf"\s*[:：]?\s*({_LATIN})")
RX_LATIN_HON = re.compile(rf"(?<![A-Za-z])({_LATIN})\s?(?:씨|님)")
RX_LIST_SEP = re.compile(r"\s*[,·ㆍ/]\s*|\s+(?:및|와|과|그리고)\s+")


# Syllables common in given names (the lexicon-only tier needs both given syllables from here) and syllables
# that end no name (so ``서면으로`` splits as 서면+으로, not 서면으+로).
GIVEN = frozenset(
    "가각간갑강건걸겸경계고곤공관광교구국군권규균근금기길나난남녀년노누늘다단달담당대덕도돈동두라란람랑래량려련렬"
    "령례로록롱루룡률륜르름리린림마만매명모목무문미민바박반발방배백범법벽변별병보복본봉부분비빈빛사산상새색샘생서"
    "석선설섬성세소솔송수숙순술숭슬승시식신실심아안애야양어억언엄여연열염영예오옥온완왕요용우욱운웅원월위유육윤율"
    "은을음의이익인일임자작잔장재전정제조종주준중지직진찬창채천철청초총추춘충치칠탁태택하학한해향허헌혁현형혜호혼홍"
    "화환활황회효후훈휘희힘")
NOT_LAST = frozenset("으되께에었였겠습니며고는을를게서의")   # 서 is in names (민서) but 3-syllable ...서 rarely is
NOT_LAST = NOT_LAST - {"서", "의", "고"}
# Last syllables of legal/financial terms Kiwi does not know (구상권, 감사록, 이자율, ...): no context-free name.
NOT_LAST_LEXICON = frozenset("권록율률범목료금액법세증부표항호조칙령")
# Legal terms of the kind Kiwi does not know that look like surname + given name (seen on statutes: dev data).
LEGAL_TERMS = frozenset("송하인 수하인 공증인 도선사 조세범 조정원 조정서 조교수 기산일 선하인 하수인".split())  # noqa: SIM905


def is_stop(name: str) -> bool:
    """A stop word, or a stop word + particle read as a 3-syllable name (명의+의, 이상+의)."""
    return name in STOP or (len(name) == 3 and name[:2] in STOP and name[2] in "의은는이가을를와과도만")


def split_name(word: str) -> str | None:
    """The name part of a Hangul word (``권태오님께서`` -> ``권태오``), or None when no split is plausible.

    A single surname gives a 2-3 syllable name, a compound one (남궁, 황보, ...) 3-4: the whole name is kept,
    never cut before its last syllable.
    """
    if len(word) < 2:
        return None
    compound = word[:2] in SURNAMES_2
    if not compound and word[0] not in SURNAMES_1:
        return None
    for n in ((4, 3) if compound else (3, 2)):
        if len(word) >= n and word[n:] in _TAILS and word[n - 1] not in NOT_LAST:
            if n == 2 and word[1] in "를을는은가의도와과로에":      # 이+를, 그+는: a particle, not a given name
                continue
            return word[:n]
    return None


class KoreanNameRecognizer(EntityRecognizer):
    """Korean (and Latin-script in Korean text) person names; see the module docstring for the evidence."""

    def __init__(self, use_analyser: bool = True, supported_language: str = "any"):
        super().__init__(supported_entities=["PERSON"], name="KoNameRecognizer",
                         supported_language=supported_language)
        self.use_analyser = use_analyser
        self._kiwi = None
        self._lock = threading.Lock()
        self._name_like = lru_cache(maxsize=200_000)(self._name_like_uncached)
        self._common = lru_cache(maxsize=200_000)(self._common_uncached)
        self._known_word = lru_cache(maxsize=200_000)(self._known_word_uncached)

    def load(self) -> None:
        pass

    def kiwi(self):
        with self._lock:
            if self._kiwi is None:
                import warnings

                from kiwipiepy import Kiwi
                with warnings.catch_warnings():        # 0 = single thread (fork-safe), its meaning changed in 0.21
                    warnings.simplefilter("ignore", DeprecationWarning)
                    self._kiwi = Kiwi(num_workers=0)
        return self._kiwi

    def __getstate__(self) -> dict:          # process pools pickle the recognizer: no Kiwi, no lock, no cache
        d = dict(self.__dict__)
        d["_kiwi"], d["_lock"], d["_name_like"], d["_common"], d["_known_word"] = None, None, None, None, None
        return d

    def __setstate__(self, d: dict) -> None:
        self.__dict__.update(d)
        self._lock = threading.Lock()
        self._name_like = lru_cache(maxsize=200_000)(self._name_like_uncached)
        self._common = lru_cache(maxsize=200_000)(self._common_uncached)
        self._known_word = lru_cache(maxsize=200_000)(self._known_word_uncached)

    # -- lexical test -------------------------------------------------------------------------------------
    def _name_like_uncached(self, word: str, n: int) -> bool:
        """The first ``n`` syllables of ``word`` are not a word Kiwi knows: OOV there, or a person-like NNP."""
        name = word[:n]
        if name in STOP:
            return False
        if not self.use_analyser:
            return True
        toks = self.kiwi().tokenize(word)
        if not toks or toks[0].start != 0:
            return False
        first = toks[0]
        if first.oov and first.len >= n:
            return True
        if n >= 3 and name[:2] in SURNAMES_2 and not self.known_word(name, word):   # 남궁|연수: rare as words
            return True
        if first.tag == "NNP":
            if first.len == 1 and len(toks) > 1 and toks[1].tag.startswith("NN"):   # 김 | 하은: surname split off
                return True
            if first.len == n and n >= 3:
                return True
        return False

    def _common_uncached(self, word: str, n: int, broad: bool = False) -> bool:
        """The first ``n`` syllables of ``word`` are (or are covered by) one word Kiwi knows, not a name."""
        name = word[:n]
        if name in STOP:
            return True
        if not self.use_analyser:
            return False
        toks = self.kiwi().tokenize(word)
        if not toks or toks[0].start != 0:
            return False
        first = toks[0]
        if first.oov or first.tag == "NNP":
            return False
        if first.tag == "NP" and first.form == "나":     # 나+정식의: 나 is a surname too
            return False
        if first.len >= n or first.tag in ("VV", "VA", "VX", "MAG", "MAJ", "IC", "NNB", "NP"):
            return True
        if first.tag == "MM" and first.form != "이":    # 전+항의; but 이+하늘 is a name (이 is a surname)
            return True
        # a known word + grammar (이상+의, 위반+하+ㄴ); ``broad``: + any other known words (지체+없이)
        rest = [t for t in toks[1:] if t.start < n]
        if broad:
            return first.len >= 2 and not any(t.oov or t.tag == "NNP" for t in rest)
        return first.len >= 2 and all(t.tag[0] in "JE" or t.tag in FUNCTION_TAGS for t in rest)

    def common(self, name: str, word: str, broad: bool = False) -> bool:
        return self._common(word, len(name), broad)

    def _known_word_uncached(self, word: str, n: int) -> bool:
        """Strict: the whole name is ONE word Kiwi knows (not OOV, not a proper noun)."""
        if word[:n] in STOP:
            return True
        if not self.use_analyser:
            return False
        toks = self.kiwi().tokenize(word)
        return bool(toks) and toks[0].start == 0 and not toks[0].oov and toks[0].tag != "NNP" and toks[0].len >= n

    def known_word(self, name: str, word: str) -> bool:
        return self._known_word(word, len(name))

    def _two_syllable_word(self, word: str) -> bool:
        """``이자의`` is 이자 + 의, not a name 이자의: the 2-syllable reading is a word Kiwi knows."""
        if len(word) < 3 or word[2:] not in _TAILS:
            return False
        return not self.name_like(word[:2], word[:2])

    def name_like(self, name: str, word: str | None = None) -> bool:
        return self._name_like(word or name, len(name))

    # -- analysis -------------------------------------------------------------------------------------------
    def analyze(self, text: str, entities: list[str] | None = None,
                nlp_artifacts: object = None) -> list[RecognizerResult]:
        if entities and "PERSON" not in entities:
            return []
        if not re.search("[가-힣]", text):
            return []
        found: dict[tuple[int, int], tuple[float, str]] = {}

        def add(s: int, e: int, score: float, how: str) -> None:
            if found.get((s, e), (0.0, ""))[0] < score:
                found[(s, e)] = (score, how)

        def word_at(pos: int) -> tuple[int, str] | None:
            m = _WORD.match(text, pos)
            if not m or (pos and "가" <= text[pos - 1] <= "힣"):
                return None
            return m.end(), m.group()

        def take(pos: int, score: float, how: str, check: str) -> bool:
            w = word_at(pos)
            if w is None:
                return False
            name = split_name(w[1])
            # after a party/label (strict), only the stop list itself: 연대보증인 이하은 is a name, not 이하+은
            if name is None or (name in STOP if check == "strict" else is_stop(name)):
                return False
            if check == "strict" and self.known_word(name, w[1]) or check == "common" and self.common(name, w[1]):
                return False
            add(pos, pos + len(name), score, how)
            return True

        def take_after_dept(pos: int, score: float, how: str, check: str) -> bool:
            if take(pos, score, how, check):
                return True
            d = RX_DEPT.match(text, pos)          # 처리 담당: 건축과 심율아 / 모집인: FC 강담아
            return bool(d) and take(d.end(), score, how, check)

        for m in RX_LABEL.finditer(text):
            if not take_after_dept(m.end(), 0.9, "label", "strict"):
                self._latin(text, m.end(), add, 0.9, "label")
        for m in RX_ROLE.finditer(text):
            sep = m.group(2)
            # 수익자는 X: after a subject particle anything may follow, so the word must not be a known word
            strong = (m.group(1) in STRONG_ROLES or ":" in sep or "：" in sep) and sep[:1] not in "은는이가"
            particle = sep[:1] in "은는이가" and sep[:1] != ""
            if particle:     # weaker evidence: redact, never propagate; a 2-syllable word there is rarely a name
                w = word_at(m.end())
                nm = split_name(w[1]) if w else None
                if nm and len(nm) >= 3 and not self.common(nm, w[1], broad=True):
                    take(m.end(), 0.75, "role", "common")
                continue
            if not take_after_dept(m.end(), 0.85, "role", "strict" if strong else "common"):
                self._latin(text, m.end(), add, 0.85, "role")
        for m in RX_ANY_LABEL.finditer(text):
            take_after_dept(m.end(), 0.85, "label", "common")
        for m in RX_LATIN_HON.finditer(text):
            add(m.start(1), m.end(1), 0.85, "honorific")
        # word-level: honorific, job title, bracketed ID or sex/age right after the word; lexicon-only names
        for m in _WORD.finditer(text):
            s, word = m.start(), m.group()
            if s and "가" <= text[s - 1] <= "힣":
                continue
            name = split_name(word)
            if name is None or is_stop(name):
                continue
            e = s + len(name)
            tail = word[len(name):]
            if tail.startswith(("님", "씨")) and len(name) >= 2:
                if not self.known_word(name, word):
                    add(s, e, 0.9, "honorific")
                continue
            if not tail or tail in PARTICLES:
                after = text[m.end():m.end() + 14]
                if not tail and RX_HONORIFIC.match(after) and not self.known_word(name, word):
                    add(s, e, 0.9, "honorific")
                    continue
                if not tail and RX_BRACKET_ID.match(after) and not self.known_word(name, word):
                    add(s, e, 0.9, "bracket")
                    continue
                if (not tail and RX_TITLE_AFTER.match(after) and not self.common(name, word)
                        and not self._two_syllable_word(word)):
                    add(s, e, 0.85, "title")
                    continue
            if (self.use_analyser and len(name) >= (4 if name[:2] in SURNAMES_2 else 3)
                    and all(c in GIVEN for c in name[-2:]) and name[-1] not in NOT_LAST_LEXICON
                    and name not in LEGAL_TERMS and not (s and text[s - 1].isdigit())
                    and not self._two_syllable_word(word) and self.name_like(name, word)):
                add(s, e, 0.5, "lexicon")
        self._lists(text, found, add)
        return [RecognizerResult("PERSON", s, e, sc, recognition_metadata={"recognizer_name": f"{self.name}:{how}"})
                for (s, e), (sc, how) in sorted(found.items())]

    @staticmethod
    def _latin(text: str, pos: int, add, score: float, how: str) -> None:
        m = RX_LATIN_AFTER.match(text, pos)
        if m:
            add(m.start(1), m.end(1), score, how)

    def _lists(self, text: str, found: dict, add) -> None:
        """``홍길동, 김영희, 박철수`` / ``홍길동·김영희``: neighbours of an accepted name in a list are names too."""
        strong = sorted((s, e) for (s, e), (sc, _) in found.items() if sc >= 0.8)
        seen = {k for k, (sc, _) in found.items() if sc >= 0.8}
        queue = list(strong)
        while queue:
            s, e = queue.pop()
            # forward: the name's own tail (particle) must be empty for a list to continue
            m = RX_LIST_SEP.match(text, e)
            if m:
                w = re.match(r"[가-힣]+", text[m.end():])
                if w:
                    name = split_name(w.group())
                    span = (m.end(), m.end() + len(name)) if name else None
                    if span and span not in seen and name not in STOP and not self.common(name, w.group()):
                        add(*span, 0.8, "list")
                        seen.add(span)
                        queue.append(span)
            # backward
            before = text[max(0, s - 12):s]
            b = re.search(r"([가-힣]{2,4})(?:\s*[,·ㆍ/]\s*|\s+(?:및|와|과)\s+)$", before)
            if b and (s - len(before) + b.start(1) == 0 or not "가" <= text[s - len(before) + b.start(1) - 1] <= "힣"):
                name = b.group(1)
                bs = s - len(before) + b.start(1)
                span = (bs, bs + len(name))
                if (split_name(name) == name and span not in seen and name not in STOP
                        and not self.common(name, name)):
                    add(*span, 0.8, "list")
                    seen.add(span)
                    queue.append(span)
