"""Only redacted-zone records may reach an LLM; over-long prompts are refused before sending."""

from __future__ import annotations

import pytest

from onprem_sft.llm.engine import LLMRequest, PromptTooLongError, Sampling, UnredactedInputError
from onprem_sft.llm.recorded import RecordedEngine
from onprem_sft.records import Chunk, Document, Question, RedactedChunk

MSG = ({"role": "user", "content": "hi"},)


@pytest.mark.parametrize("raw", [
    Chunk(id="c-1", parent_id="d-1", text="Kim Minsu 900101-1234568"),
    Document(id="d-1", parent_id=None, text="raw document"),
])
def test_raw_zone_sources_are_refused(raw):
    with pytest.raises(UnredactedInputError, match="not a redacted record") as e:
        LLMRequest(id="r1", purpose="question", messages=MSG, sources=(raw,))
    assert "900101" not in str(e.value) and "Kim" not in str(e.value)   # error names ids, never text


def test_redacted_sources_are_accepted():
    rc = RedactedChunk(id="rc-1", parent_id="c-1", text="<PERSON_1> may cancel.")
    q = Question(id="q-1", parent_id="rc-1", question="Who may cancel?")
    r = LLMRequest(id="r1", purpose="answer", messages=MSG, sources=(rc, q))
    assert [s.id for s in r.sources] == ["rc-1", "q-1"]


def test_prompt_too_long_is_refused_before_generation(tiny_model_dir):
    eng = RecordedEngine(tiny_model_dir, {"r1": "x"}, max_model_len=64)
    short = LLMRequest(id="r1", purpose="q", messages=MSG, sources=(), sampling=Sampling(max_tokens=8))
    long = LLMRequest(id="r2", purpose="q", messages=({"role": "user", "content": "word " * 200},), sources=(),
                      sampling=Sampling(max_tokens=8))
    assert eng.fits(short) and not eng.fits(long)
    with pytest.raises(PromptTooLongError, match="max_model_len=64"):
        eng.generate([short, long])
    assert eng.seen == []      # nothing was "sent"
