"""The one small engine interface every LLM-using stage codes against.

Two real implementations live beside it (in-process ``vllm.LLM`` and an OpenAI-compatible server on
loopback); ``build_engine`` picks one from ``cfg.llm``. Only redacted text may reach a model: a request
carries the records its prompt was built from, and the engine refuses any source that is not a
redacted-zone record (``RedactedChunk`` or a record derived from one).
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, Self

from onprem_sft.records import (
    Chunk,
    Document,
    QAPair,
    Question,
    Record,
    RedactedChunk,
    RedactedQuestion,
    SFTExample,
)

# Records whose text is allowed in a prompt: the redacted chunk and what was generated from it, and
# collected customer questions after redaction.
REDACTED_ZONE: tuple[type[Record], ...] = (RedactedChunk, Question, QAPair, SFTExample, RedactedQuestion)


class UnredactedInputError(TypeError):
    """A prompt was about to be built from a raw-zone record (Document/Chunk). Never sent."""


class PromptTooLongError(ValueError):
    """A rendered prompt + max_tokens exceeds the engine's max_model_len (checked before sending)."""


@dataclass(frozen=True)
class Sampling:
    temperature: float = 0.0
    top_p: float = 1.0
    max_tokens: int = 256
    seed: int | None = 0
    stop: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"temperature": self.temperature, "top_p": self.top_p, "max_tokens": self.max_tokens,
                "seed": self.seed, "stop": list(self.stop)}


@dataclass(frozen=True)
class LLMRequest:
    """One prompt. ``messages`` is a chat (system/user/assistant dicts); the engine applies the model's
    chat template. ``json_schema`` asks for structured output (vLLM guided decoding)."""

    id: str
    purpose: str                              # question | answer | verify_unanswerable | judge | evaluate ...
    messages: tuple[dict[str, str], ...]
    sources: tuple[Record, ...]               # records whose text is in the prompt (redacted zone only)
    sampling: Sampling = field(default_factory=Sampling)
    json_schema: dict[str, Any] | None = None
    adapter: str | None = None                # PEFT adapter dir (LoRA served by vLLM)
    # True: the last message's content is sent verbatim, no chat template (an SFT prompt already in the
    # exact format the adapter was trained on, e.g. the seed template); see evaluate stage.
    raw: bool = False

    def __post_init__(self) -> None:
        check_redacted(self.sources, self.id)


@dataclass(frozen=True)
class LLMResponse:
    request_id: str
    text: str
    prompt: str                               # the exact rendered prompt the model saw
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = ""
    cached: bool = False                      # served from llm_calls.jsonl (resume), not the model


def check_redacted(sources: Sequence[Record], request_id: str = "") -> None:
    for s in sources:
        if isinstance(s, (Document, Chunk)) or not isinstance(s, REDACTED_ZONE):
            raise UnredactedInputError(
                f"request {request_id!r}: source {type(s).__name__} id={s.id!r} is not a redacted record; "
                f"only {', '.join(c.__name__ for c in REDACTED_ZONE)} may reach an LLM (run the redact stage)")


class Renderer(Protocol):
    """Turns chat messages into the prompt text a model sees, and counts its tokens."""

    def render(self, messages: Sequence[dict[str, str]]) -> str: ...

    def count(self, prompt: str) -> int: ...


class LLMEngine(abc.ABC):
    """Batch generation. Implementations keep request order and are deterministic for a fixed seed.

    The base class owns what every engine must agree on: the exact prompt text (chat template, or the
    last message verbatim for ``LLMRequest.raw``) and token counting, both from the model's tokenizer,
    so the offline and server engines send byte-identical prompts and ``calls.py`` can hash a prompt
    before generating it. Implementations only ``generate`` (and ``close``)."""

    request_batch_size: int = 64              # requests per engine call (resume granularity of calls.py)
    max_model_len: int = 0                    # 0 = unknown (no length check)

    def __init__(self, model_path: str, model_checksum: str, *, max_model_len: int = 0,
                 request_batch_size: int = 64, renderer: Renderer | None = None):
        from onprem_sft.llm.chat import ChatRenderer

        self.model_path = str(model_path)
        self.model_checksum = model_checksum
        self.max_model_len = max_model_len
        self.request_batch_size = request_batch_size
        self.renderer: Renderer = renderer if renderer is not None else ChatRenderer.from_model_dir(self.model_path)

    def render(self, request: LLMRequest) -> str:
        """The exact prompt text the model will see for ``request``: the model's chat template over the
        messages, or, for a ``raw`` request, the last message's content as it is (an SFT prompt already
        in the format the adapter was trained on)."""
        if request.raw:
            return request.messages[-1]["content"]
        return self.renderer.render(request.messages)

    def count_tokens(self, text: str) -> int:
        """Tokens of an already rendered prompt (the model's tokenizer, no special tokens added)."""
        return self.renderer.count(text)

    def fits(self, request: LLMRequest) -> bool:
        """Whether prompt + max_tokens fit in max_model_len; filter with it to reject, not crash."""
        if not self.max_model_len:
            return True
        return self.count_tokens(self.render(request)) + request.sampling.max_tokens <= self.max_model_len

    def check_fits(self, requests: Sequence[LLMRequest]) -> None:
        for r in requests:
            if not self.fits(r):
                raise PromptTooLongError(
                    f"request {r.id!r}: prompt + max_tokens={r.sampling.max_tokens} exceeds max_model_len="
                    f"{self.max_model_len}; raise llm.max_model_len or use smaller chunks "
                    "(corpus.chunk.max_chars)")

    @abc.abstractmethod
    def generate(self, requests: Sequence[LLMRequest], *, desc: str = "generate") -> list[LLMResponse]:
        """Run all requests (batched by the engine); show progress with tokens/s; same order out."""

    def close(self) -> None:
        """Free the engine (stop a server we started, release memory)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
