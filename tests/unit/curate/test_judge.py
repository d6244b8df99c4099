"""Judge: prompt checks, schema, strict parsing, overall score, thresholds and floors."""

from __future__ import annotations

import json

import pytest

from onprem_sft.config import compose
from onprem_sft.curate import judge as jg


@pytest.fixture(scope="module")
def prompts_en():
    return compose(["llm.model=/unused", "prompts=en"]).prompts


@pytest.fixture(scope="module")
def prompts_ko():
    return compose(["llm.model=/unused", "prompts=ko"]).prompts


def test_shipped_prompts_load_in_both_languages(prompts_en, prompts_ko) -> None:
    for p in (prompts_en, prompts_ko):
        jp = jg.JudgePrompts.from_config(p)
        assert "{context}" in jp.answerable and "{refusal}" in jp.unanswerable


def test_missing_placeholder_is_named() -> None:
    bad = {"lang": "en", "judge": {"system": "s", "answerable": "{question} {context}", "unanswerable": ""}}
    with pytest.raises(ValueError) as e:
        jg.JudgePrompts.from_config(bad)
    assert "prompts.judge.answerable lacks {answer}" in str(e.value)
    assert "prompts.judge.unanswerable is missing" in str(e.value)


def test_render_is_literal_with_braces() -> None:
    assert jg.render("Q: {question} C: {context}", question="a {b}", context="{question}") == \
        "Q: a {b} C: {question}"


def test_build_request_answerable_and_unanswerable(prompts_ko, make_pair) -> None:
    jp = jg.JudgePrompts.from_config(prompts_ko)
    a = make_pair(1, "입원보험금은 언제 지급되나요?", "입원한 경우 지급됩니다.", lang="ko")
    r = jg.build_request(a, jp, refusal="답변을 찾을 수 없습니다.", max_tokens=200, temperature=0.0,
                         rationale_max_chars=120, seed=7)
    assert r.purpose == "judge" and r.sources == (a,) and r.sampling.seed == 7
    assert a.question in r.messages[1]["content"] and a.answer in r.messages[1]["content"]
    assert r.json_schema["required"] == ["groundedness", "relevance", "correctness", "rationale"]
    assert r.json_schema["properties"]["rationale"]["maxLength"] == 120
    u = make_pair(2, "보험료 납입 기한은 언제인가요?", "답변을 찾을 수 없습니다.", answerable=False)
    ru = jg.build_request(u, jp, refusal="답변을 찾을 수 없습니다.", max_tokens=200, temperature=0.0,
                          rationale_max_chars=120, attempt=1)
    assert ru.json_schema["required"] == ["relevance", "refusal", "rationale"]
    assert ru.id != jg.build_request(u, jp, refusal="x", max_tokens=1, temperature=0,
                                     rationale_max_chars=1).id          # retries get a new id
    assert ru.sampling.seed == 1


def test_parse_verdict_ok_and_rationale_trimmed() -> None:
    text = json.dumps({"groundedness": 5, "relevance": 4, "correctness": 3, "rationale": "  fine\n  " + "x" * 50})
    scores, rationale = jg.parse_verdict(text, jg.ANSWERABLE_CRITERIA, rationale_max_chars=10)
    assert scores == {"groundedness": 5.0, "relevance": 4.0, "correctness": 3.0}
    assert rationale == "fine xxxxx"


@pytest.mark.parametrize("text, code", [
    ('{"groundedness": 5, "relevance": 4, "correctness": ', "judge_not_json"),    # truncated
    ("[5, 4, 3]", "judge_not_object"),
    ('{"groundedness": 6, "relevance": 4, "correctness": 3, "rationale": ""}', "judge_bad_score"),
    ('{"groundedness": 4.5, "relevance": 4, "correctness": 3, "rationale": ""}', "judge_bad_score"),
    ('{"groundedness": true, "relevance": 4, "correctness": 3, "rationale": ""}', "judge_bad_score"),
    ('{"relevance": 4, "correctness": 3, "rationale": ""}', "judge_bad_score"),
    ('{"groundedness": 4, "relevance": 4, "correctness": 3, "rationale": 7}', "judge_bad_rationale"),
])
def test_parse_verdict_rejects(text: str, code: str) -> None:
    with pytest.raises(jg.JudgeParseError) as e:
        jg.parse_verdict(text, jg.ANSWERABLE_CRITERIA)
    assert e.value.code == code


def test_overall_is_weighted_mean() -> None:
    s = {"groundedness": 5.0, "relevance": 2.0, "correctness": 2.0}
    assert jg.overall_score(s) == 3.0
    assert jg.overall_score(s, {"groundedness": 2.0}) == 3.5          # (10+2+2)/4
    with pytest.raises(ValueError, match="weights"):
        jg.overall_score(s, {"groundedness": 0, "relevance": 0, "correctness": 0})


@pytest.mark.parametrize("scores, passed, failed", [
    ({"groundedness": 4, "relevance": 3, "correctness": 2}, True, []),             # overall 3.0 == threshold
    ({"groundedness": 3, "relevance": 3, "correctness": 2}, False, ["overall<3"]),
    ({"groundedness": 1, "relevance": 5, "correctness": 5}, False, ["groundedness<2"]),  # fluent, ungrounded
    ({"relevance": 5, "refusal": 2}, False, ["refusal<3"]),                        # wrong refusal
    ({"relevance": 4, "refusal": 3}, True, []),
])
def test_decide_threshold_and_floors(scores, passed, failed) -> None:
    _, ok, why = jg.decide({k: float(v) for k, v in scores.items()}, threshold=3.0,
                                 min_scores={"groundedness": 2.0, "refusal": 3.0})
    assert (ok, why) == (passed, failed)


def test_judgement_record(make_pair) -> None:
    p = make_pair(1, "Who pays?", "The insurer.")
    j, failed = jg.judgement(p, {"groundedness": 5.0, "relevance": 5.0, "correctness": 4.0}, "ok",
                             request_id="r1", threshold=3.0, min_scores={})
    assert j.parent_id == p.id and j.overall == 4.667 and j.passed and failed == []
