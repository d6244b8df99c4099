"""Person names: Korean (surname list + role/honorific context + Kiwi proper nouns) and English.

Korean has no capitalisation and names are 2-4 syllables glued to particles, so a bare surname pattern would
flag half the vocabulary. A candidate needs a role word before it (피보험자 홍길동), an honorific after it
(홍길동 님), or Kiwi's NNP tag; the context words lift the score of Kiwi-only hits.
"""

from __future__ import annotations

import logging
import re
import threading

from presidio_analyzer import EntityRecognizer, RecognizerResult

from redaction.recognizers.data import (
    EN_FIRST_NAMES,
    EN_NOT_NAME,
    EN_ROLES,
    EN_TITLES,
    KO_AFTER,
    KO_NNP_STOP,
    KO_ROLE_BEFORE,
    KO_SURNAMES_1,
    KO_SURNAMES_2,
)

log = logging.getLogger("redaction.names")

_S1 = "".join(sorted(KO_SURNAMES_1))
SURNAME = "(?:" + "|".join(sorted(KO_SURNAMES_2)) + f"|[{_S1}])"
KO_NAME = rf"{SURNAME}[가-힣]{{1,2}}"
_ROLES = "|".join(sorted(KO_ROLE_BEFORE, key=len, reverse=True))
_AFTER = "|".join(sorted(KO_AFTER, key=len, reverse=True))
_PART = r"(?:[^가-힣]|$|님|씨|은|는|이|가|의|에게|께서|과|와|을|를|로|이며|이고|이다|입니다|고객|으로|에)"
# 'role 홍길동' / 'role: 홍길동' / 'role(홍길동' ; the name is group 1.
RX_ROLE = re.compile(rf"(?:{_ROLES})\s*(?:[:：]\s*|\(\s*|인\s+)?({KO_NAME})(?={_PART})")
RX_AFTER = re.compile(rf"(?<![가-힣])({KO_NAME})\s?(?:{_AFTER})")
# Common words that look like surname + 1-2 syllables before an honorific-like word.
KO_COMMON = {"이상", "이하", "이내", "이후", "이전", "정보", "지급", "신청", "계약", "장기", "한도", "기간", "주소", "고객",
             "안내", "전화", "변경", "이자", "조건", "정도", "주의", "방법", "사고", "심사", "신규", "한편", "문의",
             "상기", "하기", "기타", "공제", "보장", "여부", "우리", "모든", "소정", "유의", "전액", "일부", "성명",
             "표시", "마감", "연체", "대출", "임대", "구분", "설명", "확인", "서명", "기준", "금리", "금액", "지점",
             "도달", "원금", "이용", "감액", "고지", "선택", "모집", "경우", "당사", "본인", "담당", "대리", "과장",
             "상해", "질병", "사망", "입원", "수술", "장해", "진단", "통원", "치료", "공시", "조정", "해지", "해약",
             "명의", "명의자", "명칭", "공동", "전원", "각자", "당해", "동의", "서면", "소유", "상대"}


def _ok_ko(name: str) -> bool:
    stem = name[:-1] if len(name) > 2 and name[-1] in "의은는이가을를와과로도에" else name
    return (2 <= len(name) <= 4 and name not in KO_COMMON and name not in KO_NNP_STOP
            and stem not in KO_COMMON and stem not in KO_NNP_STOP)


class KoreanNameRecognizer(EntityRecognizer):
    def __init__(self, use_analyser: bool = True):
        super().__init__(supported_entities=["PERSON"], name="KoNameRecognizer", supported_language="any")
        self.use_analyser = use_analyser
        self._kiwi = None
        self._lock = threading.Lock()

    def load(self) -> None:
        pass

    def kiwi(self):
        with self._lock:
            if self._kiwi is None:
                from kiwipiepy import Kiwi
                self._kiwi = Kiwi(num_workers=-1)
        return self._kiwi

    def analyze(self, text: str, entities: list[str] | None = None,
                nlp_artifacts: object = None) -> list[RecognizerResult]:
        if entities and "PERSON" not in entities:
            return []
        if not re.search("[가-힣]", text):
            return []
        out: list[RecognizerResult] = []

        def add(s: int, e: int, score: float, how: str) -> None:
            out.append(RecognizerResult("PERSON", s, e, score,
                                        recognition_metadata={"recognizer_name": f"{self.name}:{how}"}))

        for m in RX_ROLE.finditer(text):
            if _ok_ko(m.group(1)):
                add(m.start(1), m.end(1), 0.85, "role")
        for m in RX_AFTER.finditer(text):
            name = m.group(1)
            if _ok_ko(name) and (len(name) >= 3 or name[:2] in {"남궁", "황보", "제갈", "선우", "독고", "사공"}
                                 or text[m.end(1):m.end(1) + 1] in ("님", "씨")):
                add(m.start(1), m.end(1), 0.8, "honorific")
        if self.use_analyser:
            for tok in self.kiwi().tokenize(text):
                if tok.tag != "NNP":
                    continue
                form = text[tok.start:tok.start + tok.len]
                if (re.fullmatch(KO_NAME, form) and _ok_ko(form)
                        and not re.match("[가-힣]", text[tok.start - 1:tok.start] if tok.start else "")):
                    near = text[max(0, tok.start - 12):tok.start + tok.len + 6]
                    boost = 0.3 if any(w in near for w in KO_ROLE_BEFORE + KO_AFTER) else 0.0
                    add(tok.start, tok.start + tok.len, 0.5 + boost, "kiwi")
        return out


_CAP = r"[A-Z][a-z]+(?:['’-][A-Z]?[a-z]+)?"
_ROLE_RX = "|".join(re.escape(r) for r in sorted(EN_ROLES, key=len, reverse=True))
RX_TITLE = re.compile(rf"\b((?:{'|'.join(EN_TITLES)})\.?\s+(?:{_CAP}\s+)?(?:[A-Z]\.\s+)?{_CAP})")
RX_FIRST = re.compile(rf"\b({_CAP})\s+(?:([A-Z])\.\s+)?({_CAP})\b")
RX_ROLE_EN = re.compile(rf"(?i:\b(?:{_ROLE_RX}))[:,]?\s+(?:(?i:is|was|named|mr\.?|mrs\.?|ms\.?|dr\.?)\s+)?"
                        rf"({_CAP}(?:\s+[A-Z]\.)?(?:\s+{_CAP}){{1,2}})")


class EnglishNameRecognizer(EntityRecognizer):
    def __init__(self) -> None:
        super().__init__(supported_entities=["PERSON"], name="EnNameRecognizer", supported_language="any")

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str] | None = None,
                nlp_artifacts: object = None) -> list[RecognizerResult]:
        if entities and "PERSON" not in entities:
            return []
        out: list[RecognizerResult] = []

        def add(s: int, e: int, score: float, how: str, skip_first: bool = False) -> None:
            words = text[s:e].split()[1 if skip_first else 0:]
            if any(w.strip(".,") in EN_NOT_NAME for w in words):
                return
            out.append(RecognizerResult("PERSON", s, e, score,
                                        recognition_metadata={"recognizer_name": f"{self.name}:{how}"}))

        for m in RX_TITLE.finditer(text):
            add(m.start(1), m.end(1), 0.85, "title", skip_first=True)
        for m in RX_FIRST.finditer(text):
            if m.group(1).lower() in EN_FIRST_NAMES:
                add(m.start(1), m.end(3), 0.7, "first_name")
        for m in RX_ROLE_EN.finditer(text):
            add(m.start(1), m.end(1), 0.75, "role")
        return out
