"""Domain filter, lexical centroid: in-domain questions score above off-domain ones (en and ko)."""

from __future__ import annotations

import pytest

from onprem_sft.curate.domain import LexicalDomain, char_ngrams, corpus_texts, pair_text

EN_CORPUS = [
    ("Article 3 (Payment of insurance benefits) The insurer pays the insurance benefit to the beneficiary when "
     "the insured is hospitalised for treatment of an accident during the insurance period."),
    ("Article 5 (Premium payment) The policyholder shall pay the premium by the due date. If the premium is "
     "unpaid for 30 days the contract may lapse after notice."),
    ("Article 12 (Cancellation) The policyholder may cancel the contract within 15 days of receiving the "
     "policy and the premium is refunded."),
]
EN_IN = ["When does the insurer pay the insurance benefit?\nWhen the insured is hospitalised for an accident.",
         "How many days does the policyholder have to cancel the contract?\n15 days."]
EN_OFF = ["What is the best neighbourhood to buy an apartment in Seoul for rental yield?\nGangnam.",
          "What is the recipe for kimchi stew?\nBoil kimchi with pork and tofu."]
KO_CORPUS = [
    "제3조(보험금의 지급사유) 회사는 피보험자가 보험기간 중 상해의 직접결과로 입원한 경우 보험수익자에게 입원보험금을 지급합니다.",
    "제5조(보험료의 납입) 계약자는 보험료를 납입기일까지 납입하여야 하며, 납입하지 않은 경우 30일의 납입최고기간을 둡니다.",
    "제12조(청약의 철회) 계약자는 보험증권을 받은 날부터 15일 이내에 청약을 철회할 수 있으며 회사는 보험료를 돌려드립니다.",
]
KO_IN = ["입원보험금은 언제 지급되나요?\n피보험자가 상해로 입원한 경우 지급됩니다.",
         "청약은 언제까지 철회할 수 있나요?\n보험증권을 받은 날부터 15일 이내입니다."]
KO_OFF = ["강남 아파트 전세 시세는 얼마인가요?\n약 10억 원입니다.",
          "김치찌개는 어떻게 끓이나요?\n김치와 돼지고기를 넣고 끓입니다."]


@pytest.mark.parametrize("corpus, desc, inside, outside", [
    (EN_CORPUS, "insurance policy terms, loans and financial contracts", EN_IN, EN_OFF),
    (KO_CORPUS, "보험 약관, 보험금 지급, 계약, 대출 약관", KO_IN, KO_OFF),
])
def test_in_domain_scores_above_off_domain_and_default_threshold_separates(corpus, desc, inside, outside):
    d = LexicalDomain(corpus, items=inside + outside, description=desc)
    ins = [d.score(t) for t in inside]
    outs = [d.score(t) for t in outside]
    assert min(ins) > max(outs)
    assert min(ins) >= 0.1 > max(outs)          # the shipped curate.domain.min_score


def test_placeholders_carry_no_domain_signal() -> None:
    assert char_ngrams("<PERSON_1> <KR_RRN_2>", 3) == char_ngrams("", 3)


def test_description_alone_builds_a_centroid() -> None:
    d = LexicalDomain([], description="insurance premium policy")
    assert d.score("What is the insurance premium?") > d.score("Who won the football match?")


def test_no_text_at_all_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="curate.domain.description"):
        LexicalDomain([], description="")


def test_corpus_texts_dedups_contexts_and_pair_text_skips_refusal(make_pair) -> None:
    a = make_pair(1, "Q one?", "A.", context="ctx A")
    b = make_pair(2, "Q two?", "The answer cannot be found.", context="ctx A", answerable=False)
    b = b.__class__(**{**b.__dict__, "context_chunk_id": a.context_chunk_id})
    assert corpus_texts([a, b]) == ["ctx A"]
    assert pair_text(b, "The answer cannot be found.") == "Q two?"
    assert pair_text(a, "The answer cannot be found.") == "Q one?\nA."
