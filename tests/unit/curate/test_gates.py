"""Noise gates: each junk class is caught by its own gate, clean rows (en and ko) pass every gate."""

from __future__ import annotations

import pytest

from onprem_sft.config import ConfigError, compose, validate
from onprem_sft.curate import gates as gt
from onprem_sft.records import QAPair

REF = "The answer cannot be found."
REF_KO = "답변을 찾을 수 없습니다."
CTX = ("Article 12 (Cancellation) The policyholder may cancel the contract within 15 days of receiving the "
       "policy. The insurer refunds the premium paid within 3 business days. To claim a benefit, the "
       "beneficiary submits a claim form, an identity document and a medical certificate.")
CTX_KO = ("제12조(계약의 취소) 계약자는 보험증권을 받은 날부터 15일 이내에 계약을 취소할 수 있습니다. 회사는 "
          "취소 신청을 받은 날부터 3영업일 이내에 이미 납입한 보험료를 돌려드립니다.")


def pair(q: str, a: str, *, ctx: str = CTX, lang: str = "en", answerable: bool = True) -> QAPair:
    return QAPair(id="qa-1", parent_id="q-1", doc_id="d", chunk_id="c", context_chunk_id="c", question=q,
                  context=ctx, answer=a, lang=lang, answerable=answerable)


def rules(style: str = "extractive", refusal: str = REF, **kw) -> gt.GateRules:
    return gt.GateRules(answer_style=style, refusal=refusal, **kw)


CLEAN = [
    pair("Within how many days may the policyholder cancel the contract?", "Within 15 days of receiving the policy."),
    pair("Which documents must the beneficiary submit to claim a benefit?",
         "A claim form, an identity document and a medical certificate."),
    pair("When does the insurer refund the premium paid?", "Within 3 business days."),
    pair("May the policyholder cancel the contract after receiving the policy?", "Yes."),
    pair("What is the interest rate of the loan?", REF, answerable=False),
    pair("계약자는 언제까지 계약을 취소할 수 있습니까?", "보험증권을 받은 날부터 15일 이내.", ctx=CTX_KO, lang="ko"),
    pair("회사는 보험료를 언제 돌려줍니까?", "3영업일 이내.", ctx=CTX_KO, lang="ko"),
    pair("보험금 청구 시 필요한 서류는 무엇입니까?", REF_KO, ctx=CTX_KO, lang="ko", answerable=False),
]


@pytest.mark.parametrize("p", CLEAN, ids=[p.question[:30] for p in CLEAN])
def test_clean_rows_pass_every_gate(p) -> None:
    refusal = REF_KO if p.lang == "ko" else REF
    assert gt.check_pair(p, rules(refusal=refusal)) == []


JUNK = [
    ("q_debris", pair("How long is the cancellation period before it ends?},{?", "Within 15 days.")),
    ("q_debris", pair("Question: who refunds the premium paid?", "The insurer.")),
    ("q_debris", pair("[질문] 계약자는 언제까지 계약을 취소할 수 있습니까?", "15일 이내.", ctx=CTX_KO, lang="ko")),
    ("q_debris", pair("Within how many days may the policyholder cancel )?", "Within 15 days.")),
    ("q_not_one_question", pair("Who refunds the premium? When? Which documents are needed?", "The insurer.")),
    ("q_not_one_question", pair("Who refunds the premium paid? The insurer does it quickly.", "The insurer.")),
    ("q_placeholders", pair("Who is <PERSON_1>?", "The insurer.")),
    ("q_length", pair("Cancellation period?", "Within 15 days.")),
    ("q_loop", pair("What is the the the the premium refund period?", "Within 3 business days.")),
    ("q_copies_context", pair("The policyholder may cancel the contract within 15 days of receiving the policy?",
                              "Within 15 days.")),
    ("q_contains_answer", pair("Does the insurer refund the premium paid within 3 business days, which is the "
                               "refund period?", "Within 3 business days.")),
    ("a_refusal_label", pair("What is the interest rate of the loan?", "I don't know.", answerable=False)),
    ("a_refusal_label", pair("What is the interest rate of the loan?", "The answer cannot be found in the text.")),
    ("a_loop", pair("Which documents must the beneficiary submit?",
                    "A claim form, a claim form, a claim form, a claim form.")),
    ("a_repeats_question", pair("Which documents must the beneficiary submit to claim a benefit?",
                                "Which documents must the beneficiary submit to claim a benefit.")),
    ("a_yes_no", pair("Which documents must the beneficiary submit to claim a benefit?", "True.")),
    ("a_bare_number", pair("Which documents must the beneficiary submit to claim a benefit?", "3.")),
    ("a_not_in_context", pair("Who refunds the premium paid?", "The bank refunds it through a court order.")),
    ("a_lang", pair("계약자는 언제까지 계약을 취소할 수 있습니까?", "Within 15 days.", ctx=CTX_KO, lang="ko")),
]


@pytest.mark.parametrize(("gate", "p"), JUNK, ids=[f"{g}-{i}" for i, (g, _) in enumerate(JUNK)])
def test_each_junk_class_caught_by_its_gate(gate, p) -> None:
    refusal = REF_KO if p.lang == "ko" else REF
    assert gate in gt.check_pair(p, rules(refusal=refusal))


def test_short_style_needs_context_words_and_skip_switches_a_gate_off() -> None:
    p = pair("Who refunds the premium paid?", "The bank.")
    assert "a_not_from_context" in gt.check_pair(p, rules("short"))
    assert gt.check_pair(pair("Who refunds the premium paid?", "The insurer."), rules("short")) == []
    assert gt.check_pair(p, rules("short", skip=("a_not_from_context",))) == []
    # reasoning answers are not checked for grounding here (the judge does)
    assert gt.check_pair(p, rules("reasoning")) == []


def test_fuzzy_extractive_match_tolerates_punctuation_and_small_slips() -> None:
    ctx = gt.squash(CTX)
    assert gt.coverage(gt.squash("within 15 days, of receiving the policy"), ctx) == 1.0
    assert gt.coverage(gt.squash("within 15 days of recieving the policy"), ctx) >= 0.9
    assert gt.coverage(gt.squash("within 90 days of a court order"), ctx) < 0.9


def test_yes_no_question_detection() -> None:
    assert gt.is_yes_no_question("Is the benefit paid after 3 days?", "en")
    assert not gt.is_yes_no_question("How is the benefit paid?", "en")
    assert gt.is_yes_no_question("보험금이 지급됩니까?", "ko")
    assert not gt.is_yes_no_question("보험금은 얼마입니까?", "ko")


def test_gate_thresholds_validated_at_compose_time() -> None:
    for bad in ("curate.gates.copy_threshold=1.5", "curate.gates.loop_repeats=1", "curate.gates.skip=[q_nope]",
                "curate.roundtrip.min_f1=2", "generate.strategy=sideways"):
        with pytest.raises(ConfigError) as e:
            validate(compose(["llm.model=/m", "model.path=/m", "corpus.path=/c", bad]))
        assert bad.split("=")[0].rsplit(".", 1)[0] in str(e.value)


@pytest.mark.parametrize(("gate", "q", "a"), [
    ("q_not_one_question", "What is the refund period, and how is the premium refunded?", "Within 3 business days."),
    ("q_contains_answer", "How many days is the 15-day cancellation period?", "Within 15 days."),
    ("q_contains_answer", "The answer is 15 days. When may the policyholder cancel the contract?", "Within 15 days."),
])
def test_two_asks_and_stated_answers(gate, q, a) -> None:
    assert gate in gt.check_pair(pair(q, a), rules())


def test_yes_no_words_only_count_standing_alone() -> None:
    assert gt.is_yes_no_answer("No.") and gt.is_yes_no_answer("Yes, within 15 days.")
    assert not gt.is_yes_no_answer("No cost.") and not gt.is_yes_no_answer("Notice in writing.")
    assert gt.is_yes_no_question("If the contract is cancelled after 10 days, is the premium refunded?", "en")
    # an inflected word of the context counts for a short answer ("refunded" ~ "refunds")
    assert gt.check_pair(pair("What happens to the premium paid?", "It is refunded."), rules("short")) == []


@pytest.mark.parametrize(("q", "a", "bad"), [
    ("Which documents must the beneficiary submit to claim a benefit?", "Within 3 business days.", True),
    ("Who may cancel the contract within 15 days?", "More than one month.", True),
    ("How much premium does the insurer refund?", "The premium paid.", True),
    ("How much premium does the insurer refund?", "All of the premium paid.", False),
    ("Within how many days may the policyholder cancel the contract?", "Within 15 days.", False),
    ("Who refunds the premium paid?", "The insurer.", False),
    ("By whom is the premium refunded?", "Within 3 business days.", True),
])
def test_answer_type_matches_the_question(q, a, bad) -> None:
    assert gt.type_mismatch(q, a) is bad
