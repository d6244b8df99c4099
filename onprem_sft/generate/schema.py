"""Config schema of the `generate` group (questions, grounded answers, unanswerable cases)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class AnswerStyle(StrEnum):
    extractive = "extractive"
    short = "short"
    reasoning = "reasoning"


class Distractor(StrEnum):
    same_document = "same_document"
    other_document = "other_document"
    mixed = "mixed"
    similar = "similar"
    random = "random"


class Unfound(StrEnum):
    reject = "reject"
    refusal = "refusal"


@dataclass
class GenerateConfig:
    questions_per_chunk: int = 3
    qtypes: list[str] = field(default_factory=lambda: ["factual", "procedural", "reasoning"])
    answer_style: AnswerStyle = AnswerStyle.extractive   # extractive | short | reasoning
    # answer_first: candidate spans from the context first, the model writes a question per span and the
    # label is the span (never ungrounded); question_first: questions, then the model answers them.
    # auto = answer_first for answer_style=extractive, else question_first.
    strategy: str = "auto"
    # answer-first, English: a model question that does not ask for its span (wh-word vs span kind, not
    # anchored in the span's sentence) is replaced by a template question of that sentence (template),
    # rejected (drop), or kept (off). See generate/span_check.py.
    span_check: str = "template"
    # the template question's form: fronted ("When did the war begin?", needs span_nlp's parser) or cloze
    # ("The war began when?"); a span the parse cannot front keeps the cloze form. See generate/wh_front.py.
    template_form: str = "fronted"
    # word dropout on template questions (0 = none): a question that is not a verbatim copy of its sentence,
    # so the trained model does not refuse people's paraphrases. See span_check.noisy.
    template_noise: float = 0.0
    # spaCy pipeline for English entity spans (dates, figures, places, groups); null = patterns only
    span_nlp: str | None = None
    unanswerable_ratio: float = 0.15
    distractor: Distractor = Distractor.mixed  # near miss and wrong document, alternating (distractors.py)
    # twin: a question paired with a distractor is also kept with its own chunk and answer (refusal and answer
    # rows share questions); split: it becomes only the unanswerable pair
    distractor_pairing: str = "twin"
    verify_unanswerable: bool = True
    max_retries: int = 2
    max_chunks: int = 0                # 0 = all
    temperature: float = 0.7
    answer_temperature: float = 0.0
    max_question_tokens: int = 256
    max_answer_tokens: int = 192
    retry_temperature: float = 0.7     # a greedy retry would repeat the same output
    min_chunk_chars: int = 40          # shorter redacted chunks are rejected (nothing to ask about)
    min_question_chars: int = 10
    max_question_chars: int = 200      # bounds in the JSON schema keep every output finite
    max_answer_chars: int = 600
    max_verify_tokens: int = 16
    distractor_tries: int = 2          # candidates verified per unanswerable question
    max_overlap: float = 0.5           # distractors overlapping the source chunk more are skipped
    unfound: Unfound = Unfound.reject  # answer step says "not in context": reject | refusal (keep as unanswerable)
