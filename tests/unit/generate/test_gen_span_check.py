"""Answer-first span check: does a question ask for its span, and the template question of its sentence."""

from __future__ import annotations

import pytest

from onprem_sft.generate.span_check import asks_for, noisy, sentences, template_question, wh_fits

CTX = ("The war began in 1754, after British colonists clashed with French troops in the Ohio valley. "
       "About 60,000 soldiers served in the colonial militias. The fighting ended with the Treaty of Paris.")


def at(span: str) -> int:
    return CTX.index(span)


def test_sentences_split_at_full_stops() -> None:
    assert [s.text.split()[0] for s in sentences(CTX)] == ["The", "About", "The"]


@pytest.mark.parametrize(("question", "kind", "fits"), [
    ("When did the war begin?", "date", True),
    ("In what year did the war begin?", "date", True),
    ("Who began the war?", "date", False),
    ("How many soldiers served in the militias?", "number", True),
    ("How many soldiers served in the militias?", "place", False),
    ("Where did the colonists clash with French troops?", "place", True),
    ("What ended the fighting?", "named_item", True),
    ("Did the war begin in 1754?", "date", False),          # yes/no: no span answers it
    ("What was the first practical engine?", "date", False),  # a figure or date needs its own wh-phrase
])
def test_wh_word_fits_span_kind(question: str, kind: str, fits: bool) -> None:
    assert wh_fits(question, kind) is fits


def test_question_must_be_anchored_in_the_spans_sentence() -> None:
    assert asks_for("When did the war begin after the colonists clashed?", "1754", "date", CTX, at("1754"))
    # right wh-word, but its words come from another sentence
    assert not asks_for("When did the soldiers serve in the colonial militias?", "1754", "date", CTX, at("1754"))
    # one shared word is not an anchor
    assert not asks_for("When was the beginning?", "1754", "date", CTX, at("1754"))


def test_template_replaces_the_span_with_a_wh_phrase_of_its_kind() -> None:
    assert template_question(CTX, "1754", "date", at("1754")) == \
        "The war began when?"
    assert template_question(CTX, "60,000", "number", at("60,000")) == \
        "About how many soldiers served in the colonial militias?"
    assert template_question(CTX, "Treaty of Paris", "named_item", at("Treaty of Paris")) == \
        "The fighting ended with the what?"


def test_template_drops_list_markers_and_dangling_words() -> None:
    ctx = ("The Company does not pay the benefit if: 4. an agent of the Company prevented the applicant from "
           "disclosing the facts of the illness to the insurer.")
    q = template_question(ctx, "an agent of the Company", "named_item", ctx.index("an agent"), right_words=6)
    assert q == "What prevented the applicant from disclosing?"      # not "4. what ... disclosing the?"
    q = template_question(ctx, "the insurer", "named_item", ctx.index("the insurer"))
    assert q is not None and not q.startswith("4") and q.endswith("to what?")


def test_noisy_template_drops_words_but_never_the_wh_phrase() -> None:
    q = "About how many soldiers served in the colonial militias of the northern provinces?"
    assert noisy(q, 0.0, "k") == q
    outs = {noisy(q, 0.3, f"k{i}") for i in range(40)}
    assert noisy(q, 0.3, "k7") == noisy(q, 0.3, "k7")                   # deterministic per key
    assert len(outs) > 10                                                # varies with the key
    for o in outs:
        assert "how many" in o.lower() and o.endswith("?") and o[0].isupper()
        assert len(o.split()) >= 3 and set(o.rstrip("?").lower().split()) <= set(q.rstrip("?").lower().split())
    dropped = [len(q.split()) - len(o.split()) for o in outs]
    assert max(dropped) >= 2 and min(dropped) >= 0


def test_template_stops_at_a_closing_bracket() -> None:
    ctx = "In 1628 they founded a congregation (the French church in New Amsterdam). It continues today."
    assert template_question(ctx, "New Amsterdam", "place", ctx.index("New Amsterdam")) == "The French church where?"


def test_template_has_one_wh_word() -> None:
    ctx = "The persecution peaked in the massacre of 1572, when 5,000 to 30,000 people were killed. It ended later."
    q = template_question(ctx, "5,000 to 30,000", "number", ctx.index("5,000"))
    assert q == "The persecution peaked in the massacre of 1572, how many people were killed?"


def test_template_needs_words_around_the_span() -> None:
    ctx = "Steam engines. They changed 1800."
    assert template_question(ctx, "Steam engines", "named_item", 0) is None


@pytest.mark.parametrize(("question", "fits"), [
    ("Which documents must the Beneficiary submit to claim the benefit?", False),   # a plain "which" asks for a thing
    ("Under what condition does the Company pay the benefit?", True),
    ("In what cases is the premium refunded?", True),
    ("When does the Company pay the benefit?", True),
])
def test_a_condition_clause_needs_its_own_wh_phrase(question: str, fits: bool) -> None:
    assert wh_fits(question, "condition") is fits
