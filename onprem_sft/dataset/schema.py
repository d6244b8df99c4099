"""Config schema of the `dataset` group (template, split)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


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
    # collected questions (questions.path): share of collected rows in the train split (null = keep all
    # rows; 0.3 = downsample whichever side is over so 30% of train rows are collected ones)
    mix: float | None = None
    eval_source: str = "auto"         # auto (collected if any, else all) | all | collected | generated
    eval_split_by: str = "auto"       # collected eval: auto (time when every question has a date) | time | document


def validate_mix(d: Any, have_questions: bool, problems: list[str]) -> None:
    if d.mix is not None and not 0.0 <= float(d.mix) <= 1.0:
        problems.append("dataset.mix: must be in [0, 1] (the share of collected rows in train) or null")
    if d.eval_source not in ("auto", "all", "collected", "generated"):
        problems.append("dataset.eval_source: must be auto | all | collected | generated")
    if d.eval_split_by not in ("auto", "time", "document"):
        problems.append("dataset.eval_split_by: must be auto | time | document")
    if d.eval_source == "collected" and not have_questions:
        problems.append("dataset.eval_source=collected needs collected questions: set questions.path")
