"""Recorded-response engine: the one test double for ``LLMEngine``. It answers through a function and
raises on a miss, so it never invents output.

``respond(request, prompt)`` returns the recorded text, or None for "not recorded" (``RecordingMiss``).
A mapping works too: it is looked up by request id, then by prompt sha256 (``from_calls`` replays a
previous run's ``llm_calls.jsonl`` that way). Helpers build the usual keys: ``by_source`` (purpose and
first source id, with a list of texts for successive retries).

Rendering and token counting are the base class's (the model's tokenizer); without a tokenizer dir a
plain renderer (role-tagged lines, whitespace tokens) stands in, for logic tests that need no model.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence

from onprem_sft.artifacts import iter_jsonl, sha256_text
from onprem_sft.llm.engine import LLMEngine, LLMRequest, LLMResponse

Respond = Callable[[LLMRequest, str], "str | None"]


class RecordingMiss(KeyError):
    """No recorded response for a request (its id and prompt hash are both unknown)."""


class PlainRenderer:
    """Role-tagged lines and whitespace tokens: a tokenizer-free stand-in for logic tests."""

    def render(self, messages: Sequence[dict[str, str]]) -> str:
        return "\n".join(f"<{m['role']}>{m['content']}" for m in messages)

    def count(self, prompt: str) -> int:
        return len(prompt.split())


def by_key(responses: Mapping[str, str]) -> Respond:
    """Look a request up by its id, then by the sha256 of its rendered prompt."""
    table = dict(responses)
    return lambda r, prompt: table.get(r.id, table.get(sha256_text(prompt)))


def by_source(table: Mapping[tuple[str, str], str | list[str]]) -> Respond:
    """Look a request up by (purpose, first source id); a list gives one text per call, the last repeating."""
    queues = {k: list(v) if isinstance(v, list) else [v] for k, v in table.items()}

    def respond(r: LLMRequest, prompt: str) -> str | None:
        q = queues.get((r.purpose, r.sources[0].id if r.sources else ""))
        if not q:
            return None
        return q.pop(0) if len(q) > 1 else q[0]
    return respond


class RecordedEngine(LLMEngine):
    def __init__(self, tokenizer_dir: str | os.PathLike | None, responses: Respond | Mapping[str, str], *,
                 model_path: str | None = None, model_checksum: str = "recorded", max_model_len: int = 0,
                 adapters: Sequence[str] = ()):
        from onprem_sft.llm.chat import ChatRenderer

        renderer = PlainRenderer() if tokenizer_dir is None else ChatRenderer.from_model_dir(tokenizer_dir)
        super().__init__(model_path or str(tokenizer_dir or "recorded"), model_checksum,
                         max_model_len=max_model_len, renderer=renderer)
        self.respond: Respond = responses if callable(responses) else by_key(responses)
        self.adapters = list(adapters)
        self.seen: list[LLMRequest] = []
        self.closed = False

    @classmethod
    def from_calls(cls, tokenizer_dir: str | os.PathLike, calls_path: str | os.PathLike) -> RecordedEngine:
        rows = list(iter_jsonl(calls_path))
        ck = {r.get("model_checksum", "") for r in rows} or {"recorded"}
        return cls(tokenizer_dir, {r["prompt_sha256"]: r["response"] for r in rows}, model_checksum=min(ck))

    def generate(self, requests: Sequence[LLMRequest], *, desc: str = "generate") -> list[LLMResponse]:
        if self.closed:
            raise RuntimeError("generate on a closed engine")
        self.check_fits(requests)
        out = []
        for r in requests:
            if r.adapter is not None and r.adapter not in self.adapters:
                raise ValueError(f"request {r.id!r} names adapter {r.adapter} the engine was not built with")
            prompt = self.render(r)
            text = self.respond(r, prompt)
            if text is None:
                first = r.sources[0].id if r.sources else "-"
                raise RecordingMiss(f"no recorded response for request {r.id!r} (purpose {r.purpose}, first "
                                    f"source {first}, prompt sha256 {sha256_text(prompt)[:12]})")
            self.seen.append(r)
            out.append(LLMResponse(request_id=r.id, text=text, prompt=prompt,
                                   prompt_tokens=self.count_tokens(prompt), completion_tokens=self.count_tokens(text),
                                   finish_reason="stop"))
        return out

    def close(self) -> None:
        self.closed = True
