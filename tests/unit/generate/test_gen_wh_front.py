"""Wh-fronted template questions read off the dependency parse (en_core_web_sm, installed by make setup)."""

from __future__ import annotations

import pytest

from onprem_sft.generate.span_check import fronted_template
from onprem_sft.generate.wh_front import front_question


@pytest.fixture(scope="module")
def nlp():
    from onprem_sft.generate.spans import load_span_nlp

    nlp = load_span_nlp("en_core_web_sm", parse=True)
    assert nlp is not None and {"parser", "lemmatizer"} <= set(nlp.pipe_names)
    return nlp


def ask(nlp, sentence: str, span: str, wh: str) -> str | None:
    a = sentence.index(span)
    return front_question(nlp, sentence, a, a + len(span), wh)


@pytest.mark.parametrize(("sentence", "span", "wh", "question"), [
    # do-support with the verb's lemma, a coordinated second clause left out
    ("The French and Indian War began in 1754 and ended in 1763.", "1754", "when",
     "When did the French and Indian War begin?"),
    # subject: the wh-word takes its place, the rest of the clause stays, less a modifying clause
    ("Steam engines remained the dominant source of power until the early 20th century.", "Steam engines",
     "what", "What remained the dominant source of power?"),
    ("By 1883, engines that could provide 10,000 hp had become feasible.", "1883", "when",
     "By when had engines become feasible?"),
    # a preposition that does not fold into the wh-word stays in front of it
    ("Steam engines remained the dominant source of power until the early 20th century.",
     "the early 20th century", "when", "Until when did steam engines remain the dominant source of power?"),
    # passive: auxiliary inversion, "by whom"
    ("The Huguenots were attacked by the Catholic League in 1572.", "the Catholic League", "who",
     "By whom were the Huguenots attacked in 1572?"),
    # a figure before its noun asks "how many <noun>"
    ("Newcomen built ten engines for the mines of Cornwall.", "ten", "how many",
     "How many engines did Newcomen build for the mines of Cornwall?"),
    # a modal stays the inverted auxiliary; the span's own preposition goes with it
    ("The Borrower must repay the loan within 30 days of the notice.", "within 30 days", "how long",
     "How long must the Borrower repay the loan?"),
    # an apposition in the subject is dropped; "The" is lower-cased, names are not
    ("Hero of Alexandria, a Greek mathematician, described the aeolipile.", "the aeolipile", "what",
     "What did Hero of Alexandria describe?"),
    ("The Scottish Parliament first met in Edinburgh.", "Edinburgh", "where",
     "Where did the Scottish Parliament first meet?"),
])
def test_fronted_questions(nlp, sentence: str, span: str, wh: str, question: str) -> None:
    assert ask(nlp, sentence, span, wh) == question


@pytest.mark.parametrize(("sentence", "span", "wh"), [
    ("The innate response is triggered when microbes are identified by receptors.", "microbes", "what"),
    ("It was an improvement over Savery's steam pump.", "Savery", "who"),          # inside a noun phrase
])
def test_spans_off_the_main_verb_are_not_fronted(nlp, sentence: str, span: str, wh: str) -> None:
    assert ask(nlp, sentence, span, wh) is None


def test_a_place_or_date_as_object_is_asked_with_what(nlp) -> None:
    ctx = "The colonists sailed for months. They reached Boston in the spring of 1630. Boston became the capital."
    assert fronted_template(nlp, ctx, "Boston", "place", ctx.index("Boston")) == \
        "What did they reach in the spring of 1630?"
    assert fronted_template(nlp, ctx, "the spring of 1630", "date", ctx.index("the spring")) == \
        "When did they reach Boston?"


def test_a_list_items_marker_is_not_part_of_the_question(nlp) -> None:
    ctx = "Article 15 (Reinstatement)\n(1) A policy that lapsed may be reinstated within three years after the lapse."
    q = fronted_template(nlp, ctx, "within three years", "period", ctx.index("within"))
    assert q is not None and q.startswith("How long may a policy") and "(1)" not in q


def test_no_parser_no_fronting(nlp) -> None:
    from onprem_sft.generate.spans import load_span_nlp

    assert front_question(load_span_nlp("en_core_web_sm"), "The war began in 1754.", 17, 21, "when") is None
    assert front_question(None, "The war began in 1754.", 17, 21, "when") is None


def test_placeholders_parse_as_names_and_come_back_unchanged(nlp) -> None:
    s = "<PERSON_30> formed the League of Augsburg as a coalition against <ORG_2>."
    assert ask(nlp, s, "the League of Augsburg", "what") == "What did <PERSON_30> form as a coalition against <ORG_2>?"
    s = "<PERSON_11>'s seven lectures were published in 1934."
    assert ask(nlp, s, "1934", "when") == "When were <PERSON_11>'s seven lectures published?"
    s = "\"Business day\" means a day on which banks are open."
    assert ask(nlp, s, "Business day", "what").startswith("What means")           # no quote left over


def test_a_phrase_on_the_verbs_object_is_fronted_and_its_preposition_stranded(nlp) -> None:
    s = "He became pastor of the first Huguenot church in North America."
    assert ask(nlp, s, "North America", "where") == "Where did he become pastor of the first Huguenot church?"
    s = "He was a critic of the Indian National Congress."
    assert ask(nlp, s, "the Indian National Congress", "what") == "What was he a critic of?"
