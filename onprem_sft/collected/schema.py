"""Config schema of the `questions` group: collected customer questions / QnA logs as a second input.

Empty ``path`` (the default) = no collected questions; the pipeline generates questions only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class QuestionColumns:
    """Column (CSV/XLSX header) or key (JSONL) names; "" = the file has no such column."""

    question: str = "question"
    answer: str = "answer"           # a given answer (FAQ, answered ticket): kept, checked for grounding
    hint: str = "hint"               # document / article hint, e.g. "제3조" or "Article 4"
    id: str = "id"
    date: str = "date"               # ISO date/time; enables dataset.eval_split_by=time


@dataclass
class RetrievalConfig:
    top_k: int = 2                   # redacted chunks retrieved (BM25) and shown as the labelling context
    min_score: float = 0.0           # below (or no shared term): the question is rejected as unmatched
    max_context_chars: int = 2400    # the joined top-k context is cut to this


@dataclass
class QuestionsConfig:
    path: str | None = None          # file or folder of .csv/.tsv/.xlsx/.jsonl; null = none
    include: list[str] = field(default_factory=lambda: ["**/*.csv", "**/*.tsv", "**/*.xlsx", "**/*.jsonl"])
    columns: QuestionColumns = field(default_factory=QuestionColumns)
    sheet: str = ""                  # XLSX: only this sheet ("" = every sheet)
    lang: str = "auto"               # auto | ko | en
    max_questions: int = 0           # 0 = all
    max_chars: int = 1000            # longer questions are rejected (pasted documents, not questions)
    only: bool = False               # true: generate labels collected questions only (no generated ones)
    given_answers: str = "keep"      # keep (curate checks them) | relabel (the model labels every question)
    near_dup_threshold: float = 0.85  # near-duplicate collected questions are merged before labelling
    retrieval: RetrievalConfig = field(default_factory=RetrievalConfig)


def validate_questions(q: Any, problems: list[str]) -> None:
    """Cross-field checks, run by ``onprem_sft.config.validate`` before any work."""
    def bad(key: str, msg: str) -> None:
        problems.append(f"questions.{key}: {msg}")

    if q.path:
        p = Path(str(q.path)).expanduser()
        if not p.exists():
            bad("path", f"{p} does not exist; point it at a .csv/.xlsx/.jsonl file or a folder of them")
    if not str(q.columns.question).strip():
        bad("columns.question", "must name the question column")
    if q.lang not in ("auto", "ko", "en"):
        bad("lang", "must be auto | ko | en")
    if q.given_answers not in ("keep", "relabel"):
        bad("given_answers", "must be keep | relabel")
    if q.max_questions < 0:
        bad("max_questions", "must be >= 0")
    if q.max_chars < 1:
        bad("max_chars", "must be >= 1")
    if not 0.0 < q.near_dup_threshold <= 1.0:
        bad("near_dup_threshold", "must be in (0, 1]")
    if q.retrieval.top_k < 1:
        bad("retrieval.top_k", "must be >= 1")
    if q.retrieval.max_context_chars < 100:
        bad("retrieval.max_context_chars", "must be >= 100")
    if q.only and not q.path:
        bad("only", "questions.only=true needs questions.path")
