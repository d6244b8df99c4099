"""Standardise: normalisation, boilerplate, refusal canonicalisation, endings, length bounds."""

from __future__ import annotations

import unicodedata

import pytest

from onprem_sft.curate.schema import CurateConfig
from onprem_sft.curate.standardise import (
    StandardiseRules,
    is_refusal,
    normalise_text,
    standardise_pair,
    strip_boilerplate,
)

KO_REFUSAL = "답변을 찾을 수 없습니다."


def rules(refusal: str = KO_REFUSAL, **over) -> StandardiseRules:
    c = CurateConfig(**over)
    return StandardiseRules.from_config(c, refusal)


@pytest.mark.parametrize("raw, want", [
    ("보험금은  언제\t지급되나요？", "보험금은 언제 지급되나요?"),
    ("  Line one  \n\n\n  line two ", "Line one\nline two"),
    ("“quoted”, ‘single’ ！", "\"quoted\", 'single'!"),
    ("３０일 이내 ：", "30일 이내:"),
    ("<PERSON_1> 님의 계약", "<PERSON_1> 님의 계약"),          # placeholders untouched
    ("zero\u200bwidth\u00a0nbsp", "zerowidth nbsp"),
])
def test_normalise_text(raw: str, want: str) -> None:
    assert normalise_text(raw) == want


def test_normalise_makes_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "보험금")
    assert decomposed != "보험금"
    assert normalise_text(decomposed) == "보험금"


@pytest.mark.parametrize("raw, want", [
    ("Answer: Sure, here is the answer: 30 days.", "30 days."),
    ("답변: 30일 이내입니다.", "30일 이내입니다."),
    ("[답변] 30일 이내입니다.", "30일 이내입니다."),
    ("According to the context, the insurer pays.", "The insurer pays."),
    ("제공된 내용에 따르면, 회사는 지급합니다.", "회사는 지급합니다."),
    ('"30 days."', "30 days."),
    ("A question about Q: stays", "A question about Q: stays"),   # only leading chatter goes
])
def test_strip_boilerplate(raw: str, want: str) -> None:
    r = rules()
    assert strip_boilerplate(normalise_text(raw), r.boilerplate) == want


def test_refusal_variants_are_canonicalised(make_pair) -> None:
    assert is_refusal("답변을 찾을 수 없습니다", KO_REFUSAL)
    assert is_refusal("The answer cannot be found", "The answer cannot be found.")
    assert not is_refusal("답변을 찾을 수 있습니다.", KO_REFUSAL)
    p = make_pair(1, "보험료 납입 기한은 언제인가요?", "답변: 답변을 찾을 수 없습니다", answerable=False)
    out, reason, _ = standardise_pair(p, rules())
    assert reason == "" and out.answer == KO_REFUSAL


def test_consistent_endings(make_pair) -> None:
    p = make_pair(1, "보험금은 언제 지급되나요", "입원한 경우 지급됩니다")
    out, _, _ = standardise_pair(p, rules())
    assert out.question.endswith("?") and out.answer == "입원한 경우 지급됩니다."
    out, _, _ = standardise_pair(p, rules(answer_ending="keep", question_ending=""))
    assert out.question == "보험금은 언제 지급되나요" and out.answer == "입원한 경우 지급됩니다"


@pytest.mark.parametrize("question, answer, answerable, reason", [
    ("짧아?", "네.", True, "question_too_short"),
    ("보험금은 언제 지급되나요?" * 40, "입원 시.", True, "question_too_long"),
    ("보험금은 언제 지급되나요?", "", True, "answer_too_short"),
    ("보험금은 언제 지급되나요?", "가" * 2000, True, "answer_too_long"),
    ("보험금은 언제 지급되나요?", "입원한 경우입니다.", False, "unanswerable_without_refusal"),
    ("보험금은 언제 지급되나요?", "답변을 찾을 수 없습니다.", True, "answerable_but_refused"),
])
def test_rejections(make_pair, question, answer, answerable, reason) -> None:
    out, got, _ = standardise_pair(make_pair(1, question, answer, answerable=answerable), rules())
    assert out is None and got == reason


def test_refusal_is_exempt_from_min_answer_length(make_pair) -> None:
    p = make_pair(1, "보험료 납입 기한은 언제인가요?", KO_REFUSAL, answerable=False)
    out, reason, _ = standardise_pair(p, rules(min_answer_chars=100))
    assert reason == "" and out.answer == KO_REFUSAL


def test_bad_boilerplate_regex_names_the_key() -> None:
    with pytest.raises(ValueError, match="curate.boilerplate_patterns"):
        rules(boilerplate_patterns=["(unclosed"])
