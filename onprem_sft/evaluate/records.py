"""Typed rows of the evaluate stage: what is asked (``EvalItem``) and what came back (``EvalResult``).

``EvalResult`` rows are ``evaluate/records.jsonl``; the report stage reads them back with
``EvalResult.from_dict``. They hold only redacted-zone text (questions/contexts of the eval split) and
model answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from onprem_sft.records import Record, SFTExample

SYSTEMS = ("base", "tuned")


@dataclass(frozen=True)
class EvalItem:
    """One question to answer: an eval-split SFT row, or an external SQuAD v2 question wrapped as one."""

    example: SFTExample                       # the request source (redacted zone, or the user's MRC file)
    references: tuple[str, ...]               # gold answers (several for SQuAD); the refusal when unanswerable
    source: str = "eval"                      # eval | external

    @property
    def id(self) -> str:
        return self.example.id


@dataclass(frozen=True)
class EvalResult(Record):
    """Base vs tuned answers to one question with their scores. ``parent_id`` is the SFTExample id
    (or the external question id). ``base``/``tuned`` hold: answer, em, f1_token, f1_char, refused,
    refusal_correct, judge_score, judge_rationale, chars, request_id (None when the system was not run)."""

    source: str = "eval"
    doc_id: str = ""
    lang: str = ""
    qtype: str = "factual"
    answerable: bool = True
    question: str = ""
    references: list[str] = field(default_factory=list)
    base: dict[str, Any] | None = None
    tuned: dict[str, Any] | None = None
    outcome: str = ""                         # win | loss | tie (tuned vs base); "" without a base run
    delta: float | None = None                # tuned primary score - base primary score

    kind: ClassVar[str] = "eval_result"
