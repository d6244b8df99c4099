"""Standardise QA pairs: one Unicode form, one punctuation style, no chatter, consistent endings.

Why: the label style shapes the trained model. Mixed full-width/half-width punctuation, "Answer: ..."
prefixes, or a refusal spelled five ways would all be learnt. Texts here are redacted (placeholders such
as ``<PERSON_1>`` are kept intact: ``<``/``>``/``_`` are never touched).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from onprem_sft.records import QAPair

# Same-length map: full-width ASCII punctuation and typographic quotes -> ASCII. Hangul, CJK ideographs
# and the middle dot are left alone. (NFKC would also fold compatibility jamo and change lengths.)
_PUNCT = {
    "？": "?", "！": "!", "，": ",", "．": ".", "：": ":", "；": ";", "（": "(", "）": ")",
    "［": "[", "］": "]", "％": "%", "～": "~", "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'",
    "＂": '"', "＇": "'", "\u00a0": " ", "\u3000": " ", "\u200b": "", "\ufeff": "",
}
_PUNCT_TABLE = str.maketrans({**_PUNCT, **{chr(0xFF10 + i): str(i) for i in range(10)}})
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANKS = re.compile(r"\n\s*\n+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([?!.,:;)])")
_TERMINAL = tuple(".?!。…\"')]")


@dataclass(frozen=True)
class StandardiseRules:
    boilerplate: tuple[re.Pattern[str], ...]
    answer_ending: str = "period"     # period | keep
    question_ending: str = "?"        # "" = keep
    min_question_chars: int = 8
    max_question_chars: int = 300
    min_answer_chars: int = 1
    max_answer_chars: int = 1500
    refusal: str = ""

    @classmethod
    def from_config(cls, c, refusal: str) -> StandardiseRules:
        pats = []
        for p in c.boilerplate_patterns:
            try:
                pats.append(re.compile(p, re.IGNORECASE))
            except re.error as e:
                raise ValueError(f"curate.boilerplate_patterns: {p!r} is not a valid regex ({e})") from None
        if c.answer_ending not in ("period", "keep"):
            raise ValueError(f"curate.answer_ending={c.answer_ending!r}: must be period | keep")
        return cls(boilerplate=tuple(pats), answer_ending=c.answer_ending, question_ending=c.question_ending,
                   min_question_chars=c.min_question_chars, max_question_chars=c.max_question_chars,
                   min_answer_chars=c.min_answer_chars, max_answer_chars=c.max_answer_chars,
                   refusal=normalise_text(refusal))


def normalise_text(text: str) -> str:
    """NFC, ASCII punctuation, single spaces, at most one blank line, no space before punctuation."""
    t = unicodedata.normalize("NFC", text).translate(_PUNCT_TABLE)
    t = "\n".join(_SPACES.sub(" ", line).strip() for line in t.split("\n"))
    t = _BLANKS.sub("\n", t).strip()
    return _SPACE_BEFORE_PUNCT.sub(r"\1", t)


def strip_boilerplate(text: str, patterns: Sequence[re.Pattern[str]]) -> str:
    """Remove leading chatter, repeatedly (``Answer: Sure, here is the answer: ...``), and outer quotes."""
    changed, original = True, text
    while changed and text:
        changed = False
        for p in patterns:
            new = p.sub("", text, count=1).lstrip()
            if new != text:
                text, changed = new, True
    if len(text) >= 2 and text[0] == text[-1] == '"' and text.count('"') == 2:
        text = text[1:-1].strip()
    if text != original and text[:1].isascii() and text[:1].islower():
        text = text[0].upper() + text[1:]          # "According to the context, the ..." -> "The ..."
    return text


def _loose(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def is_refusal(answer: str, refusal: str) -> bool:
    """The refusal string give or take punctuation/case ("답변을 찾을 수 없습니다" without the period)."""
    return bool(refusal) and _loose(answer) == _loose(refusal)


def end_with(text: str, ending: str) -> str:
    if not ending or not text or text.endswith(_TERMINAL) or text.endswith(">"):
        return text
    return text + ending


def standardise_pair(p: QAPair, rules: StandardiseRules) -> tuple[QAPair | None, str, dict]:
    """Return (standardised pair, "", {}) or (None, reason, detail). Reasons are codes, never text."""
    q = strip_boilerplate(normalise_text(p.question), rules.boilerplate)
    a = strip_boilerplate(normalise_text(p.answer), rules.boilerplate)
    ctx = normalise_text(p.context)
    if is_refusal(a, rules.refusal):
        a = rules.refusal
    elif not p.answerable:
        return None, "unanswerable_without_refusal", {}
    if p.answerable and a == rules.refusal:
        return None, "answerable_but_refused", {}
    if a != rules.refusal and rules.answer_ending == "period":
        a = end_with(a, ".")
    q = end_with(q, rules.question_ending)
    if not ctx:
        return None, "empty_context", {}
    if len(q) < rules.min_question_chars:
        return None, "question_too_short", {"chars": len(q), "min": rules.min_question_chars}
    if len(q) > rules.max_question_chars:
        return None, "question_too_long", {"chars": len(q), "max": rules.max_question_chars}
    if a != rules.refusal:
        if len(a) < rules.min_answer_chars:
            return None, "answer_too_short", {"chars": len(a), "min": rules.min_answer_chars}
        if len(a) > rules.max_answer_chars:
            return None, "answer_too_long", {"chars": len(a), "max": rules.max_answer_chars}
    return dataclasses.replace(p, question=q, answer=a, context=ctx), "", {}
