"""Config schema of the `curate` group (normalise, dedup, domain filter, judge, eye-check)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class JudgeConfig:
    enabled: bool = True
    threshold: float = 3.0            # overall score (1-5) needed to keep a pair
    max_tokens: int = 256
    temperature: float = 0.0


@dataclass
class DomainConfig:
    enabled: bool = True
    description: str = "insurance policy terms, loans and financial contracts"
    method: str = "lexical"           # lexical | llm | both
    keywords: list[str] = field(default_factory=list)
    min_score: float = 0.05


@dataclass
class CurateConfig:
    min_question_chars: int = 8
    max_question_chars: int = 300
    min_answer_chars: int = 1
    max_answer_chars: int = 1500
    near_dup_threshold: float = 0.85  # MinHash Jaccard
    domain: DomainConfig = field(default_factory=DomainConfig)
    judge: JudgeConfig = field(default_factory=JudgeConfig)
    eyecheck_sample: int = 30
