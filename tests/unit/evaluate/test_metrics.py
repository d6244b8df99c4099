"""Metric functions against hand-computed cases (English and Korean)."""

from __future__ import annotations

import pytest

from onprem_sft.evaluate import metrics
from onprem_sft.evaluate.normalize import content_tokens, normalize_text


def test_normalize_text_punctuation_case_width_and_thousands():
    assert normalize_text("  The  Insured, (Mr. X) pays １,０００ won! ") == "the insured mr x pays 1000 won"
    # punctuation becomes a space, so a bracket does not glue two words together
    assert normalize_text("제3조(보험금의 지급사유)에") == "제3조 보험금의 지급사유 에"


def test_korean_particles_and_endings_are_stripped():
    assert content_tokens("보험금은 90일 이내에 지급됩니다.") == ["보험금", "90일", "이내", "지급"]
    assert content_tokens("90일입니다") == ["90일"]
    # a syllable that only looks like a particle stays: 고양이 is not 고양 + 이
    assert content_tokens("고양이가 나이를") == ["고양이", "나이"]


def test_rule_fallback_without_kiwi():
    assert content_tokens("계약자의 동의를", use_kiwi=False) == ["계약자", "동의"]
    assert content_tokens("나이", use_kiwi=False) == ["나이"]      # stem would be 1 syllable: kept


def test_english_articles_dropped():
    assert content_tokens("The answer is a policy") == ["answer", "is", "policy"]


def test_exact_match_ignores_particles_spacing_and_punctuation():
    assert metrics.exact_match("90일입니다.", "90일") == 1.0
    assert metrics.exact_match("3 영업일 이내", "3영업일 이내") == 1.0   # 띄어쓰기 differs
    assert metrics.exact_match("The Policyholder!", "policyholder") == 1.0
    assert metrics.exact_match("91일", "90일") == 0.0
    assert metrics.exact_match("30 days", ["thirty days", "30 days"]) == 1.0   # best over references


def test_token_f1_hand_computed_english():
    # pred tokens: [premium, paid, monthly] ; gold: [premium, paid, yearly, by, insured]
    # overlap 2 -> P=2/3, R=2/5, F1 = 2PR/(P+R) = 0.5
    assert metrics.token_f1("the premium paid monthly", "premium paid yearly by the insured") == pytest.approx(0.5)
    assert metrics.token_f1("", "x") == 0.0
    assert metrics.token_f1("", "") == 1.0


def test_token_f1_hand_computed_korean():
    # pred "보험금은 90일 이내에 지급됩니다" -> [보험금, 90일, 이내, 지급]; gold "90일 이내" -> [90일, 이내]
    # overlap 2: P = 2/4, R = 2/2, F1 = 2*0.5*1/1.5 = 2/3
    assert metrics.token_f1("보험금은 90일 이내에 지급됩니다.", "90일 이내") == pytest.approx(2 / 3)
    # particles alone do not count as tokens: 계약자의 vs 계약자가 match fully
    assert metrics.token_f1("계약자의", "계약자가") == pytest.approx(1.0)


def test_char_f1_korquad_style():
    # chars of "90일 이내" without spaces: 9,0,일,이,내 ; pred "90일" -> 9,0,일 : overlap 3
    # P = 3/3, R = 3/5 -> F1 = 2*1*0.6/1.6 = 0.75
    assert metrics.char_f1("90일", "90일 이내") == pytest.approx(0.75)
    assert metrics.char_f1("abc", "xyz") == 0.0


@pytest.mark.parametrize("answer", [
    "답변을 찾을 수 없습니다.",
    "답변을 찾을 수 없습니다",
    "답변을  찾을수 없습니다!!",                    # spacing/punctuation
    "죄송하지만, 답변을 찾을 수 없습니다.",          # prefixed
    "답변을 찾을 수 업습니다.",                       # typo (fuzzy)
    "주어진 내용에서는 답을 찾을 수 없습니다.",      # known variant
])
def test_refusal_detected_korean(answer):
    assert metrics.is_refusal(answer, "답변을 찾을 수 없습니다.")


@pytest.mark.parametrize("answer", [
    "The answer cannot be found.", "the answer can not be found", "Sorry - the answer cannot be found!",
    "The answer is not found in the context.",
])
def test_refusal_detected_english(answer):
    assert metrics.is_refusal(answer, "The answer cannot be found.")


@pytest.mark.parametrize("answer", ["보험금은 90일 이내에 지급됩니다.", "", "답변", "The premium is paid monthly."])
def test_non_refusals(answer):
    assert not metrics.is_refusal(answer, "답변을 찾을 수 없습니다.")
    assert not metrics.is_refusal(answer, "The answer cannot be found.")


def test_refusal_precision_recall_hand_computed():
    gold = [True, True, True, False, False]       # 3 unanswerable, 2 answerable
    pred = [True, False, True, True, False]       # TP=2, FN=1, FP=1, TN=1
    s = metrics.refusal_scores(gold, pred)
    assert (s["tp"], s["fp"], s["fn"], s["tn"]) == (2, 1, 1, 1)
    assert s["precision"] == pytest.approx(2 / 3)
    assert s["recall"] == pytest.approx(2 / 3)
    assert s["accuracy"] == pytest.approx(3 / 5)
    assert s["false_refusal_rate"] == pytest.approx(1 / 2)
    none = metrics.refusal_scores([False], [False])
    assert none["precision"] is None and none["recall"] is None


def test_length_stats():
    s = metrics.length_stats(["가 나", "abc", "abcdef"])    # chars without spaces: 2, 3, 6
    assert s["n"] == 3 and s["chars_min"] == 2 and s["chars_max"] == 6
    assert s["chars_mean"] == pytest.approx(11 / 3, abs=0.01)
    assert s["chars_median"] == 3.0
    assert metrics.length_stats([]) == {"n": 0}
