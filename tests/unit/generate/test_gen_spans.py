"""Answer-first candidate spans: figures, dates, terms, lists (en) and Korean units / noun phrases."""

from __future__ import annotations

from onprem_sft.generate.spans import candidate_spans, pick_spans

EN = ('Article 12 (Claim Procedure) To claim a benefit, the Beneficiary submits a claim form, a copy of an '
      'identity document and a medical certificate. The Company pays within 3 business days, and at most '
      '$5,000 per claim. These terms apply from March 1, 2024. "Policyholder" means the person who pays the premiums. '
      'If the Company refuses, the Policyholder named as <PERSON_1> may complain.')
KO = "제5조(입원급여금) 회사는 피보험자가 4일 이상 입원한 경우 1일당 30,000원의 입원급여금을 120일 이내로 지급합니다."


def test_english_span_kinds_and_no_placeholders() -> None:
    spans = {(s.kind, s.text) for s in candidate_spans(EN, "en", clause="Article 12 (Claim Procedure)")}
    assert ("amount", "$5,000 per claim") in spans
    assert ("period", "within 3 business days") in spans
    assert ("date", "March 1, 2024") in spans
    assert ("defined_term", "the person who pays the premiums") in spans
    assert not any(t.startswith("If ") for _, t in spans)
    assert ("list", "a claim form, a copy of an identity document and a medical certificate") in spans
    assert not any("<PERSON_1>" in t for _, t in spans)
    assert not any(k == "named_item" and t == "Claim Procedure" for k, t in spans)   # an article title


def test_korean_units_and_noun_phrases_and_spread_over_kinds() -> None:
    spans = candidate_spans(KO, "ko")
    texts = {s.text for s in spans}
    assert "1일당 30,000원" in texts and "120일 이내" in texts
    assert "입원급여금" in texts                              # Kiwi noun phrase
    # figures first, round robin over kinds; noun phrases only fill what is left
    assert [s.kind for s in pick_spans(spans, 3)] == ["amount", "period", "period"]
    assert [s.kind for s in pick_spans(spans, 4)][-1] == "noun_phrase"
    for s in spans:
        assert s.text in KO


def test_condition_clause_span() -> None:
    text = "The Lender may demand immediate repayment if the Borrower misses two consecutive payments."
    assert ("condition", "if the Borrower misses two consecutive payments") in {
        (s.kind, s.text) for s in candidate_spans(text, "en")}


def test_english_entity_spans_from_the_spacy_pipeline() -> None:
    """With the redaction's spaCy pipeline, general English text gets reading-comprehension answer spans:
    years, figures, places; an adjectival group ("French troops") and ordinals are no answers."""
    from onprem_sft.generate.spans import load_span_nlp

    nlp = load_span_nlp("en_core_web_sm")
    assert nlp is not None and "parser" not in nlp.pipe_names
    text = ("The war began in 1754 when French troops built forts in the Ohio Valley. About 60,000 "
            "soldiers served in the colonial militias during the first campaign.")
    spans = {(s.kind, s.text) for s in candidate_spans(text, "en", nlp=nlp)}
    assert ("date", "1754") in spans
    assert ("number", "About 60,000") in spans or ("number", "60,000") in spans
    assert any(k == "place" and "Ohio" in t for k, t in spans)
    assert not any(t == "French" for _, t in spans) and not any(t == "first" for _, t in spans)
    monthly = {s.text for s in candidate_spans("The Borrower repays the loan in equal monthly instalments of "
                                               "principal and interest.", "en", nlp=nlp)}
    assert "monthly" not in monthly                            # an adjective before its noun
    assert candidate_spans(text, "en") and not any(k == "place" for k, _ in
                                                   ((s.kind, s.text) for s in candidate_spans(text, "en")))


def test_span_nlp_unset_or_missing_means_patterns_only() -> None:
    from onprem_sft.generate.spans import load_span_nlp

    assert load_span_nlp(None) is None and load_span_nlp("") is None
    assert load_span_nlp("/nonexistent/spacy_pipeline") is None
