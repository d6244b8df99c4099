"""CallLog: every call logged as an LLMCall, cached responses reused on resume, keyed precisely."""

from __future__ import annotations

import json

import pytest

from onprem_sft.artifacts import read_records, sha256_text
from onprem_sft.llm.calls import CACHE, CALLS, CallLog
from onprem_sft.llm.engine import LLMRequest, Sampling
from onprem_sft.llm.recorded import RecordedEngine, RecordingMiss
from onprem_sft.records import LLMCall, RedactedChunk

RC = RedactedChunk(id="rc-1", parent_id="c-1", text="The insured <PERSON_1> may cancel within 30 days.")
SCHEMA = {"type": "object", "properties": {"a": {"type": "string"}}}


def req(i: int, content: str = "Q", **kw) -> LLMRequest:
    return LLMRequest(id=f"r{i}", purpose="question", sources=(RC,),
                      messages=({"role": "user", "content": f"{content} {i}"},), **kw)


def test_calls_are_logged_with_lineage(tmp_path, tiny_model_dir):
    eng = RecordedEngine(tiny_model_dir, {"r0": '{"a":"x"}', "r1": "y"}, model_checksum="abc")
    with CallLog(tmp_path, "generate", eng) as log:
        out = log.generate([req(0, json_schema=SCHEMA, sampling=Sampling(temperature=0.5, seed=7)), req(1)])
    assert [o.text for o in out] == ['{"a":"x"}', "y"]
    calls = read_records(tmp_path / CALLS, LLMCall)
    assert [c.id for c in calls] == ["r0", "r1"]
    c0 = calls[0]
    assert c0.prompt == out[0].prompt and c0.prompt_sha256 == sha256_text(out[0].prompt)
    assert "<|im_start|>user" in c0.prompt          # the chat template was applied
    assert c0.parent_id == "rc-1" and c0.source_ids == ["rc-1"] and c0.stage == "generate"
    assert c0.model_checksum == "abc" and c0.sampling["seed"] == 7 and c0.sampling["json_schema"] == SCHEMA
    assert c0.completion_tokens > 0 and log.stats.requests == 2 and log.stats.cached == 0
    assert not (tmp_path / CACHE).exists()


def test_resume_reuses_finished_calls_and_only_runs_the_rest(tmp_path, tiny_model_dir):
    first = RecordedEngine(tiny_model_dir, {"r0": "zero"})
    log = CallLog(tmp_path, "generate", first)
    log.generate([req(0)])
    log.close(success=False)                        # a crash after one finished request
    # The resumed run has only r1 recorded: r0 must come from the log, or RecordingMiss is raised.
    second = RecordedEngine(tiny_model_dir, {"r1": "one"})
    with CallLog(tmp_path, "generate", second) as log2:
        out = log2.generate([req(0), req(1)])
    assert [(o.text, o.cached) for o in out] == [("zero", True), ("one", False)]
    assert [r.id for r in second.seen] == ["r1"]
    assert log2.stats.cached == 1
    assert [c.id for c in read_records(tmp_path / CALLS, LLMCall)] == ["r0", "r1"]


@pytest.mark.parametrize("change", ["sampling", "adapter_model", "schema", "prompt"])
def test_cache_key_distinguishes_sampling_schema_model_and_prompt(tmp_path, tiny_model_dir, change):
    eng = RecordedEngine(tiny_model_dir, {"r0": "old"}, model_checksum="m1")
    with CallLog(tmp_path, "s", eng) as log:
        log.generate([req(0)])
    kw: dict = {}
    checksum = "m1"
    content = "Q"
    if change == "sampling":
        kw["sampling"] = Sampling(seed=1)
    elif change == "schema":
        kw["json_schema"] = SCHEMA
    elif change == "adapter_model":
        checksum = "m2"
    else:
        content = "Other"
    eng2 = RecordedEngine(tiny_model_dir, {"r0": "new"}, model_checksum=checksum)
    with CallLog(tmp_path, "s", eng2) as log2:
        out = log2.generate([req(0, content=content, **kw)])
    assert out[0].text == "new" and not out[0].cached


def test_miss_in_recorded_engine_raises(tmp_path, tiny_model_dir):
    with CallLog(tmp_path, "s", RecordedEngine(tiny_model_dir, {})) as log, pytest.raises(RecordingMiss):
        log.generate([req(0)])


def test_duplicate_request_ids_are_refused(tmp_path, tiny_model_dir):
    with CallLog(tmp_path, "s", RecordedEngine(tiny_model_dir, {"r0": "a"})) as log, \
            pytest.raises(ValueError, match="duplicate"):
        log.generate([req(0), req(0)])


def test_torn_last_line_after_crash_is_tolerated(tmp_path, tiny_model_dir):
    eng = RecordedEngine(tiny_model_dir, {"r0": "zero", "r1": "one"})
    log = CallLog(tmp_path, "s", eng)
    log.generate([req(0)])
    log.close(success=False)
    with open(tmp_path / CALLS, "a") as f:
        f.write('{"kind": "llm_call", "id": "r1", "prom')       # killed mid-write
    with CallLog(tmp_path, "s", eng) as log2:
        out = log2.generate([req(0), req(1)])
    assert [o.cached for o in out] == [True, False]
    lines = (tmp_path / CALLS).read_text().splitlines()
    assert [json.loads(x)["id"] for x in lines] == ["r0", "r1"]
