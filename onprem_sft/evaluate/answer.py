"""Answering the eval questions with the base model and base + LoRA adapter, and judging the answers.

One vLLM engine serves both systems: the base weights (``model.path``) with LoRA enabled; tuned
requests name the PEFT adapter dir and vLLM applies it (no merged copy). Prompts are the SFT prompts
sent verbatim (``LLMRequest.raw``, honoured by every engine's ``render``), exactly the text the adapter was
trained on. The engine comes from ``StageContext.engine(model=model.path, adapters=[...])``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from onprem_sft.llm.engine import LLMRequest, LLMResponse, Sampling

log = logging.getLogger("onprem_sft.evaluate")


def same_model(cfg: DictConfig) -> bool:
    """Can the judge reuse the answering engine (the generation model is the base model)?"""
    try:
        return Path(str(cfg.llm.model)).resolve() == Path(str(cfg.model.path)).resolve()
    except OSError:
        return False


def answer_requests(items: Sequence[Any], *, adapter: str | None, tag: str, max_tokens: int, seed: int,
                    stop: Sequence[str] = ()) -> list[LLMRequest]:
    """Greedy answers (temperature 0: deterministic, comparable between base and tuned)."""
    s = Sampling(temperature=0.0, top_p=1.0, max_tokens=max_tokens, seed=seed, stop=tuple(stop))
    return [LLMRequest(id=f"{tag}:{it.id}", purpose="evaluate",
                       messages=({"role": "user", "content": it.example.prompt},), sources=(it.example,),
                       sampling=s, adapter=adapter, raw=True) for it in items]


def texts(responses: Sequence[LLMResponse]) -> list[str]:
    return [r.text.strip() for r in responses]
