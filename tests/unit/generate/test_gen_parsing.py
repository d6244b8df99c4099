"""Parsing of structured output: valid, invalid, empty, parroted, duplicate; reasons carry no text."""

from __future__ import annotations

import pytest

from onprem_sft.generate.parsing import (
    ParseFailure,
    answer_in_context,
    parse_answer,
    parse_questions,
    parse_verify,
)

A = ["factual", "procedural"]


def test_valid_questions_with_types():
    out = parse_questions('{"questions":[{"type":"procedural","question":"How do I file a claim?"},'
                          '{"type":"bogus","question":"What is the daily benefit amount?"}]}', "stop",
                          assigned=A, min_chars=10)
    assert [(q.qtype, q.text) for q in out] == [("procedural", "How do I file a claim?"),
                                                ("procedural", "What is the daily benefit amount?")]


def test_bare_list_of_strings_is_accepted():
    out = parse_questions('["What is the premium refund period?"]', "stop", assigned=A, min_chars=10)
    assert out[0].text == "What is the premium refund period?" and out[0].qtype == "factual"


@pytest.mark.parametrize("text,finish,reason", [
    ('{"questions":[{"type":"fac', "length", "truncated"),
    ("not json", "stop", "invalid JSON"),
    ('{"answer":"x"}', "stop", "no 'questions' list"),
    ('{"questions":[]}', "stop", "empty question list"),
    ('{"questions":[{"type":"factual","question":"Why?"}]}', "stop", "too short"),
    ('{"questions":[{"type":"factual","question":"<PERSON_1> <PERSON_2> 12?"}]}', "stop", "no words"),
])
def test_invalid_question_output(text, finish, reason):
    with pytest.raises(ParseFailure) as e:
        parse_questions(text, finish, assigned=A, min_chars=10)
    assert reason in e.value.reason


def test_fewshot_copies_and_duplicates_are_dropped():
    ex = {"how much hospitalization benefit is paid per day?"}
    text = ('{"questions":[{"type":"factual","question":"How much hospitalization benefit is paid per day?"},'
            '{"type":"factual","question":"Who can cancel the contract?"},'
            '{"type":"factual","question":"who can  cancel the contract?"}]}')
    out = parse_questions(text, "stop", assigned=A, min_chars=10, examples=ex)
    assert [q.text for q in out] == ["Who can cancel the contract?"]
    with pytest.raises(ParseFailure, match="copied from the few-shot examples: 1"):
        parse_questions(text.split(",{")[0] + "]}", "stop", assigned=A, min_chars=10, examples=ex)


def test_reason_never_quotes_generated_text():
    with pytest.raises(ParseFailure) as e:
        parse_questions('{"questions":[{"type":"factual","question":"Kim?"}]}', "stop", assigned=A, min_chars=10)
    assert "Kim" not in e.value.reason


def test_answers():
    assert parse_answer('{"found":true,"answer":" 30,000 won "}', "stop") == (True, "30,000 won")
    assert parse_answer('{"found":false,"answer":"junk"}', "stop") == (False, "")
    with pytest.raises(ParseFailure, match="empty"):
        parse_answer('{"found":true,"answer":""}', "stop")
    with pytest.raises(ParseFailure, match="found"):
        parse_answer('{"answer":"x"}', "stop")


def test_verify_and_extractive_check():
    assert parse_verify('{"contains_answer":false}', "stop") is False
    with pytest.raises(ParseFailure):
        parse_verify('{"contains_answer":"no"}', "stop")
    assert answer_in_context("30,000 Won.", "pays 30,000 won per day")
    assert not answer_in_context("40,000 won", "pays 30,000 won per day")
