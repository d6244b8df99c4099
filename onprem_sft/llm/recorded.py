"""Recorded-response engine: replays responses by request id or prompt sha256 and raises on a miss.

For unit tests of stage logic (retry, reject, distractor verification) and for re-deriving a stage
from a previous run's ``llm_calls.jsonl`` without a model. Never invents output."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from onprem_sft.artifacts import iter_jsonl, sha256_text
from onprem_sft.llm.chat import ChatRenderer
from onprem_sft.llm.engine import LLMEngine, LLMRequest, LLMResponse


class RecordingMiss(KeyError):
    """No recorded response for a request (its id and prompt hash are both unknown)."""


class RecordedEngine(LLMEngine):
    def __init__(self, tokenizer_dir: str | os.PathLike, responses: Mapping[str, str], *,
                 model_checksum: str = "recorded", max_model_len: int = 0):
        self.model_path = str(tokenizer_dir)
        self.model_checksum = model_checksum
        self.max_model_len = max_model_len
        self.responses = dict(responses)
        self.seen: list[LLMRequest] = []
        self._renderer = ChatRenderer.from_model_dir(tokenizer_dir)

    @classmethod
    def from_calls(cls, tokenizer_dir: str | os.PathLike, calls_path: str | os.PathLike) -> RecordedEngine:
        rows = list(iter_jsonl(calls_path))
        ck = {r.get("model_checksum", "") for r in rows} or {"recorded"}
        return cls(tokenizer_dir, {r["prompt_sha256"]: r["response"] for r in rows},
                   model_checksum=sorted(ck)[0])

    def render(self, request: LLMRequest) -> str:
        return self._renderer.render(request.messages)

    def count_tokens(self, text: str) -> int:
        return self._renderer.count(text)

    def generate(self, requests: Sequence[LLMRequest], *, desc: str = "generate") -> list[LLMResponse]:
        self.check_fits(requests)
        out = []
        for r in requests:
            prompt = self.render(r)
            sha = sha256_text(prompt)
            text = self.responses.get(r.id, self.responses.get(sha))
            if text is None:
                raise RecordingMiss(f"no recorded response for request {r.id!r} (prompt sha256 {sha[:12]})")
            self.seen.append(r)
            out.append(LLMResponse(request_id=r.id, text=text, prompt=prompt,
                                   prompt_tokens=self.count_tokens(prompt), completion_tokens=self.count_tokens(text),
                                   finish_reason="stop"))
        return out
