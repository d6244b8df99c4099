"""Config schema of the `dataset` group (template, split)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Template(StrEnum):
    seed = "seed"
    chat = "chat"


class Fallback(StrEnum):
    chunk = "chunk"
    error = "error"


@dataclass
class DatasetConfig:
    template: Template = Template.seed  # seed (prompts.sft_template) | chat (tokenizer chat template)
    eval_fraction: float = 0.2        # by document
    min_eval_docs: int = 1
    seed: int = 0
    write_hf: bool = True
    # chat only: a system message (""= the tokenizer template's default, if it has one)
    system_prompt: str = ""
    # fewer than 2 documents: split by source chunk instead (and say so) | error
    fallback: Fallback = Fallback.chunk
