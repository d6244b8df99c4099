"""Second-opinion residue scan of the redacted zone: PII-shaped text the recognizers may have missed.

``verify``'s other PII checks re-scan with the same recognizers that redacted the run, so they cannot see
what those recognizers miss. This scan is deliberately different and high-recall: a few broad shapes, no
context scoring, no analyser, nothing shared with ``redaction.recognizers`` beyond the surname list:

- ``digits``   long digit groups (>= 9 digits, separators and ``*`` masks allowed: RRNs, phones, accounts,
  cards, licences), and letter+digit IDs (passports);
- ``road``     ``...로|길 <number>`` (road-name addresses) and ``...동|리 <number>`` lots;
- ``name``     a surname-initial 2-4 syllable word before an honorific (님, 씨) or after a form/role label;
- ``email``    e-mail-like strings, also with a Korean particle glued on (``hong@korea.kr로``).

Every finding names the file, line, record id, field and offset, with a MASKED preview (digits -> #,
Hangul -> ○, letters -> x; the road/honorific marker kept): the value itself never reaches a log or report.
It over-reports by design (amounts, case numbers, statute names can match), so the default is to warn and
list (``security.residue=warn``); ``security.residue=fail`` makes ``verify`` fail on any finding.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redaction.recognizers.data import KO_SURNAMES_1, KO_SURNAMES_2

# Files of the redacted zone (what a model or the dataset sees). audit.jsonl holds no text.
SKIP_KEY = re.compile(r"(?:^|_)(?:ids?|sha256|hash|hmac|path|kind|model|lang|checksum|fingerprint|key)$")
MAX_FILE_BYTES = 64 << 20
PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*_\d+>")

_SUR = "|".join(sorted(KO_SURNAMES_2)) + "|[" + "".join(sorted(KO_SURNAMES_1)) + "]"
LABELS = ("성명", "이름", "보험계약자", "환자 성명", "신청인", "담당자", "피고인", "환자명", "환자성명", "고객명", "원고", "피고", "피보험자",
          "계약자", "수익자", "채무자", "보증인", "예금주", "대표자", "민원인", "관련인", "보호자", "작성자", "판사",
          "검사", "변호사", "변호인", "담당의", "모집인", "근로자", "사업주", "임차인", "임대인", "피해자", "증인",
          "대표이사", "대표", "운전자", "소유자", "신청자", "참석자", "상담원", "설계사", "담당", "과장", "팀장", "부장",
          "대리", "직원", "사원", "의사", "주치의", "간호사", "고객", "가입자", "청약자", "상속인", "배우자", "연대보증인",
          "매수인", "매도인", "진정인", "청구인", "고소인", "참고인", "수령인", "중개사", "평정자", "관리자", "책임자")
NOT_NAME = frozenset(("고객", "부모", "선생", "사장", "회장", "원장", "교수", "여사", "손님", "환자", "당사", "본인",
                      "이상", "이하", "정부", "기사", "작가", "조합", "주주", "사원", "이사", "감사", "전원", "각자",
                      "상대", "공동", "동의", "소유", "신청", "제출", "확인", "서명", "날인", "기재", "없음", "미상",
                      "해당", "별도", "추후", "동일", "상동", "기타", "연락처", "주소", "명의", "번호", "전화", "휴대폰",
                      "이메일", "계좌", "직책", "소속", "부서", "가족", "성명", "이름", "명칭", "여부", "등록", "작성",
                      "일자", "연령", "나이", "성별", "국적", "직업", "전화번호", "주민등록번호", "생년월일", "서명란",
                      "여권", "명의의", "명시", "선임", "지정", "변경", "교체", "사망", "부재", "미정", "공란", "이하", "상기"))

NOT_NAME = NOT_NAME | frozenset(LABELS) | frozenset(("상담사", "설계사", "사무장", "주무관", "책임자", "관리자"))

_HON = r"(?:고객|환자|선생|여사|회원|선배|후배)?(?:님|씨)"

PATTERNS: dict[str, re.Pattern[str]] = {
    "digits": re.compile(r"(?<![0-9A-Za-z])\(?\d[\d*]*(?:\)?[ \-.]\(?[\d*]+|\)[\d*]+)*(?![0-9A-Za-z])"
                         r"|(?<![0-9A-Za-z])[A-Za-z]{1,2}\d{3}[A-Za-z]?\d{4,}(?![0-9A-Za-z])"),
    "road": re.compile(r"(?<![가-힣])[가-힣0-9·]{1,12}(?:로|길|동|리|\d가)[ \t]?(?:\d{1,4}(?:번|가)?길[ \t]?)?"
                       r"(?:산[ \t]?|지하[ \t]?)?\d{1,5}(?:-\d{1,5})?(?![\d조항호년월일개명회차원세%]|[.,]\d)"),
    "name_honorific": re.compile(rf"(?<![가-힣])((?:{_SUR})[가-힣]{{1,3}}?)[ \t]?{_HON}(?![가-힣])"
                                 rf"|(?<![가-힣])((?:{_SUR})[가-힣]{{1,3}}?)[ \t]?{_HON}"
                                 r"(?=께서|께|은|는|이|가|의|을|를|에게|과|와|도|만)"),
    "name_label": re.compile(r"(?<![가-힣])(?:" + "|".join(sorted(LABELS, key=len, reverse=True))
                             + r")(?:[ \t]*[:：|][ \t]*|[ \t]+)"
                             rf"((?:{_SUR})[가-힣]{{1,3}})(?![가-힣]{{2}})"),
    "email": re.compile(r"(?<![\w.+-])[\w.%+-]+\s?[@＠]\s?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?=[가-힣]|[^\w.-]|$)"),
}
_MIN_DIGITS = 9
_TAIL = ("은", "는", "이", "가", "의", "을", "를", "과", "와", "도", "만", "에게")


@dataclass(frozen=True)
class Residue:
    kind: str
    file: str
    line: int
    record_id: str
    field: str
    offset: int
    length: int
    preview: str

    def describe(self) -> str:
        return (f"{self.file}:{self.line} record {self.record_id or '?'} field {self.field} offset {self.offset}: "
                f"{self.kind} {self.preview!r}")


def mask(value: str, kind: str = "") -> str:
    """Shape only: digits -> #, Hangul -> ○, Latin letters -> x; separators and the road/honorific marker kept."""
    keep_last = value[-1] if kind == "road" and value and not value[-1].isdigit() else ""
    out = []
    for ch in value:
        if ch.isdigit():
            out.append("#")
        elif "가" <= ch <= "힣":
            out.append("○")
        elif ch.isalpha():
            out.append("x")
        else:
            out.append(ch)
    s = "".join(out)
    if kind == "road":
        m = re.search(r"(로|길|동|리)[ \t]?(?:\d|산)", value)
        if m:
            s = s[:m.start(1)] + m.group(1) + s[m.start(1) + 1:]
    return s + (keep_last if keep_last and not s.endswith(keep_last) else "")


def scan_text(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every residue-shaped stretch of ``text`` outside placeholders."""
    if not text:
        return []
    # placeholders become same-length filler so offsets stay true and nothing matches inside them
    t = PLACEHOLDER.sub(lambda m: "\x00" * len(m.group()), text)
    out: list[tuple[str, int, int]] = []
    for kind, rx in PATTERNS.items():
        for m in rx.finditer(t):
            s, e = m.span()
            if kind == "digits":
                v = m.group()
                nd = sum(c.isdigit() or c == "*" for c in v)
                if nd < _MIN_DIGITS and not re.search(r"[A-Za-z]", v):
                    continue
                if re.fullmatch(r"[\d.]+", v) and v.count(".") == 1:      # a decimal amount
                    continue
                if re.match(r"(?:19|20)\d{2}[-./]\d{1,2}[-./]\d{1,2}(?!\d)", v):   # a date (and time)
                    continue
            elif kind == "road":
                word = m.group().split()[0] if " " in m.group() else m.group()
                if re.match(r"\d", word) or word.endswith(("으로", "므로", "도로", "경로", "통로")):
                    continue
            elif kind.startswith("name"):
                g = next(i for i in (1, 2) if (m.re.groups >= i and m.group(i)))
                name = m.group(g)
                for tail in _TAIL:                  # 홍길동은 -> 홍길동
                    if len(name) > 3 and name.endswith(tail):
                        name = name[:-len(tail)]
                if name in NOT_NAME or len(name) < 2 or (name[:-1] in NOT_NAME and name[-1] in "의은는이가을를과와도"):
                    continue
                s, e = m.start(g), m.start(g) + len(name)
                kind = "name"
            out.append((kind, s, e))
    out.sort(key=lambda x: (x[1], -x[2]))
    merged: list[tuple[str, int, int]] = []
    for k, s, e in out:
        if merged and s < merged[-1][2]:
            continue
        merged.append((k, s, e))
    return merged


def _strings(obj: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(obj, str):
        yield path or "$", obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            if not SKIP_KEY.search(str(k)):
                yield from _strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _strings(v, f"{path}[{i}]")


def zone_files(run_dir: Path) -> list[Path]:
    """Every JSONL file in the folder of a stage that writes redacted-zone text, except the files the stage
    declares in another zone (the audit log, raw chunks): undeclared files are scanned too."""
    from onprem_sft import layout

    files: list[Path] = []
    for s in layout.specs():
        if not any(o.zone == layout.Zone.REDACTED for o in s.outputs):
            continue
        d = run_dir / s.name
        other = {d / o.path for o in s.outputs if o.zone != layout.Zone.REDACTED and not o.is_dir}
        if d.is_dir():
            files += sorted(f for f in d.rglob("*.jsonl") if f.is_file() and f not in other)
    return files


def scan_run(run_dir: str | Path, limit: int | None = None,
             ignore: Callable[[str, str], bool] | None = None) -> tuple[list[Residue], int, int]:
    """Scan every redacted-zone JSONL file; returns (findings up to ``limit``, total findings, texts scanned)."""
    import json

    run_dir = Path(run_dir)
    found: list[Residue] = []
    total = scanned = 0
    for f in zone_files(run_dir):
        if f.stat().st_size > MAX_FILE_BYTES:
            continue
        rel = str(f.relative_to(run_dir))
        with open(f, encoding="utf-8", errors="replace") as fh:   # a torn multi-byte tail is integrity's job
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                rid = str(obj.get("id", "")) if isinstance(obj, dict) else ""
                for field, text in _strings(obj):
                    scanned += 1
                    for kind, s, e in scan_text(text):
                        if ignore is not None and ignore(kind, text[s:e]):
                            continue
                        total += 1
                        if limit is None or len(found) < limit:
                            found.append(Residue(kind, rel, lineno, rid, field, s, e - s, mask(text[s:e], kind)))
    return found, total, scanned


def _our_surrogates(view: Any) -> Callable[[str, str], bool] | None:
    """With ``redaction.replace=surrogate`` the redacted zone is full of realistic fakes by design: a finding
    that is one of this run's surrogates (reserved range or keyed tag, ``redaction.surrogates``) is not residue."""
    if view.resolved.get("redaction", {}).get("replace") != "surrogate":
        return None
    from onprem_sft.security import pii

    types = {"digits": ("KR_RRN", "PHONE_NUMBER", "CREDIT_CARD", "KR_BANK_ACCOUNT"), "road": ("ADDRESS",),
             "name": ("PERSON",), "email": ("EMAIL_ADDRESS",)}
    return lambda kind, value: any(pii.is_our_surrogate(view, t, value)
                                   for t in types.get(kind, ("PERSON", "ADDRESS", "EMAIL_ADDRESS", "KR_RRN")))


def check_residue(view: Any) -> Any:
    """``verify`` check ``residue``: list suspected residue; fail only under ``security.residue=fail``."""
    from onprem_sft.security.checks import MAX_LISTED, SKIP, CheckResult

    mode = getattr(view.options, "residue", None) or view.resolved.get("security", {}).get("residue", "warn")
    res = CheckResult("residue", "second-opinion scan of the redacted zone for PII-shaped residue")
    if mode == "off":
        res.status, res.summary = SKIP, "security.residue=off"
        return res
    found, total, scanned = scan_run(view.run_dir, limit=MAX_LISTED, ignore=_our_surrogates(view))
    for r in found:
        (res.fail if mode == "fail" else res.warn)(r.describe())
    if mode == "fail":
        res.n_problems = total
    kinds: dict[str, int] = {}
    for r in found:
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
    summary = (f"{total} suspected residue(s) in {scanned} redacted-zone text(s)"
               + (f" (first {len(found)}: {', '.join(f'{k}={n}' for k, n in sorted(kinds.items()))})" if total else "")
               + f"; mode {mode}")
    return res.finish(summary)
