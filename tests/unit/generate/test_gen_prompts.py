"""Prompt loading and rendering from the real conf/prompts files (en and ko)."""

from __future__ import annotations

import json

import pytest

from onprem_sft.generate.prompts import (
    GeneratePrompts,
    PromptConfigError,
    answer_schema,
    context_text,
    question_schema,
)
from onprem_sft.llm.chat import ChatRenderer
from onprem_sft.records import RedactedChunk


@pytest.mark.parametrize("lang,refusal", [("en", "The answer cannot be found."), ("ko", "답변을 찾을 수 없습니다.")])
def test_question_prompt_has_system_fewshot_and_chunk(lang, refusal, tiny_model_dir, compose):
    p = GeneratePrompts.from_config(compose(f"prompts={lang}").prompts)
    assert p.refusal == refusal
    msgs = p.question_messages("CHUNK-TEXT", ["factual", "procedural", "factual"])
    assert msgs[0]["role"] == "system" and msgs[-1]["role"] == "user"
    assert [m["role"] for m in msgs[1:-1]] == ["user", "assistant"] * ((len(msgs) - 2) // 2)
    assert "CHUNK-TEXT" in msgs[-1]["content"] and "3" in msgs[-1]["content"]
    fewshot = json.loads(msgs[2]["content"])            # assistant turns are valid structured output
    assert fewshot["questions"] and all(q["type"] in ("factual", "procedural", "reasoning")
                                        for q in fewshot["questions"])
    text = ChatRenderer.from_model_dir(tiny_model_dir).render(msgs)
    assert text.endswith("<|im_start|>assistant\n") and text.count("<|im_start|>user") == len(msgs) // 2


def test_shared_prefix_across_chunks_for_prefix_caching(tiny_model_dir, compose):
    p = GeneratePrompts.from_config(compose("prompts=en").prompts)
    r = ChatRenderer.from_model_dir(tiny_model_dir)
    a = r.render(p.question_messages("first chunk", ["factual"]))
    b = r.render(p.question_messages("second chunk", ["reasoning"]))
    common = len(__import__("os").path.commonprefix([a, b]))
    assert common > 0.8 * min(len(a), len(b)) - 200          # system + few-shot block is shared


def test_type_list_counts_and_unknown_type(compose):
    en = GeneratePrompts.from_config(compose("prompts=en").prompts)
    assert en.type_list(["factual", "factual", "reasoning"]).startswith("2 factual")
    ko = GeneratePrompts.from_config(compose("prompts=ko").prompts)
    assert "2개" in ko.type_list(["factual", "factual"])
    with pytest.raises(PromptConfigError, match="opinion"):
        en.type_list(["opinion"])


@pytest.mark.parametrize("style", ["extractive", "short", "reasoning"])
def test_answer_prompt_style_is_configurable(style, compose):
    p = GeneratePrompts.from_config(compose("prompts=en").prompts)
    msgs = p.answer_messages("CTX", "What?", style)
    assert msgs[0]["content"] == p.raw["answer"]["system"][style].strip()
    assert "CTX" in msgs[-1]["content"] and "What?" in msgs[-1]["content"]
    assert json.loads(msgs[2]["content"]).keys() == {"found", "answer"}


def test_missing_prompt_keys_name_the_key(compose):
    with pytest.raises(PromptConfigError, match="prompts.generate.verify"):
        GeneratePrompts.from_config({"refusal": "x", "generate": {
            "question": {"system": "s", "user": "u", "types": {"factual": "f"}},
            "answer": {"system": {"extractive": "e", "short": "s", "reasoning": "r"}, "user": "u"}}})
    cfg = compose("prompts=en").prompts
    bad = {**dict(cfg), "generate": {**dict(cfg.generate), "question": {**dict(cfg.generate.question),
                                                                        "user": "{context} {nope}"}}}
    with pytest.raises(PromptConfigError, match="nope"):
        GeneratePrompts.from_config(bad).question_messages("c", ["factual"])


def test_schemas_bound_every_string(compose):
    qs = question_schema(3, ["factual", "reasoning"], 200)
    arr = qs["properties"]["questions"]
    assert arr["maxItems"] == 3 and arr["items"]["properties"]["question"]["maxLength"] == 200
    assert arr["items"]["properties"]["type"]["enum"] == ["factual", "reasoning"]
    assert answer_schema(50)["properties"]["answer"]["maxLength"] == 50


def test_context_includes_clause_title_once(compose):
    c = RedactedChunk(id="a", parent_id="b", text="The Company pays.", clause="Article 5 (Payment)")
    assert context_text(c) == "Article 5 (Payment)\nThe Company pays."
    c2 = RedactedChunk(id="a", parent_id="b", text="Article 5 (Payment) The Company pays.", clause="Article 5 (Payment)")
    assert context_text(c2) == c2.text
