"""Send curate's LLM requests through the engine and log every call as an ``LLMCall`` record.

Every call is appended as soon as the batch returns, so ``verify`` can prove what the judge saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from onprem_sft.artifacts import JsonlAppender, sha256_text
from onprem_sft.llm.engine import LLMEngine, LLMRequest, LLMResponse
from onprem_sft.records import LLMCall, stable_id

STAGE = "curate"


def call_record(engine: LLMEngine, req: LLMRequest, resp: LLMResponse) -> LLMCall:
    return LLMCall(
        id=stable_id("call", STAGE, req.id, resp.prompt), parent_id=req.sources[0].id if req.sources else None,
        stage=STAGE, purpose=req.purpose, source_ids=[s.id for s in req.sources], prompt=resp.prompt,
        prompt_sha256=sha256_text(resp.prompt), response=resp.text, model=engine.model_path,
        model_checksum=getattr(engine, "model_checksum", ""), adapter=req.adapter,
        sampling=dict(req.sampling.to_dict(), json_schema=bool(req.json_schema)),
        prompt_tokens=resp.prompt_tokens, completion_tokens=resp.completion_tokens,
        finish_reason=resp.finish_reason)


def generate_logged(engine: LLMEngine, requests: Sequence[LLMRequest], log_path: Path, *,
                    desc: str) -> list[LLMResponse]:
    """Responses in request order; every call appended to ``log_path`` before returning."""
    if not requests:
        return []
    responses = engine.generate(list(requests), desc=desc)
    if len(responses) != len(requests):
        raise RuntimeError(f"LLM engine returned {len(responses)} responses for {len(requests)} requests")
    with JsonlAppender(log_path) as log:
        for req, resp in zip(requests, responses):
            if resp.request_id != req.id:
                raise RuntimeError(f"LLM engine answered {resp.request_id!r} in place of {req.id!r}")
            log.write(call_record(engine, req, resp))
    return responses
