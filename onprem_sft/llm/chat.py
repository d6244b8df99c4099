"""Prompt rendering with the model's own chat template, shared by both engines so the offline and
server paths send byte-identical prompts (and ``calls.py`` can hash a prompt before generating it)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Any


class ChatTemplateError(ValueError):
    """The model dir's tokenizer has no chat template; chat requests cannot be rendered."""


class ChatRenderer:
    def __init__(self, tokenizer: Any):
        if not getattr(tokenizer, "chat_template", None):
            raise ChatTemplateError(
                f"tokenizer of {getattr(tokenizer, 'name_or_path', '?')} has no chat template; "
                "use an instruct model (with chat_template.jinja / tokenizer_config.json chat_template)")
        self.tokenizer = tokenizer

    @classmethod
    def from_model_dir(cls, model_dir: str | os.PathLike) -> ChatRenderer:
        return cls(_load_tokenizer(str(model_dir)))

    def count(self, prompt: str) -> int:
        return len(self.tokenizer(prompt, add_special_tokens=False)["input_ids"])

    def render(self, messages: Sequence[dict[str, str]]) -> str:
        return self.tokenizer.apply_chat_template(
            [dict(m) for m in messages], tokenize=False, add_generation_prompt=True)


@lru_cache(maxsize=4)
def _load_tokenizer(model_dir: str) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(model_dir)
