"""Config schema of the `generate` group (questions, grounded answers, unanswerable cases)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class GenerateConfig:
    questions_per_chunk: int = 3
    qtypes: list[str] = field(default_factory=lambda: ["factual", "procedural", "reasoning"])
    answer_style: str = "extractive"   # extractive | short | reasoning
    unanswerable_ratio: float = 0.2
    distractor: str = "same_document"  # same_document | similar | random
    verify_unanswerable: bool = True
    max_retries: int = 2
    max_chunks: int = 0                # 0 = all
    temperature: float = 0.7
    answer_temperature: float = 0.0
    max_question_tokens: int = 256
    max_answer_tokens: int = 192
