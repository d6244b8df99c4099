"""Config schema of the `curate` group (standardise, dedup, domain filter, judge, eye-check).

Field order follows the steps: standardise -> domain -> judge -> dedup (dedup runs after the judge so
that, within a duplicate cluster, the best-judged pair is the one kept).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class DomainMethod(StrEnum):
    lexical = "lexical"
    llm = "llm"
    both = "both"


class DedupKey(StrEnum):
    question = "question"
    question_context = "question_context"


class AnswerEnding(StrEnum):
    period = "period"
    keep = "keep"

# Leading/trailing chatter small instruct models put around an answer or question. Regexes, matched
# case-insensitively against the start of the text and removed (repeatedly, so "Answer: Sure, ..." goes).
DEFAULT_BOILERPLATE = [
    r"^(question|q|answer|a|질문|답변|답|문|\[질문\]|\[답변\])\s*[:：]\s*",
    r"^\[(question|answer|질문|답변)\]\s*",
    r"^(sure|certainly|of course)[!,.]?\s+(here is|here's)[^:\n]*:\s*",
    r"^(here is|here's) (the|an?) (answer|question)[^:\n]*:\s*",
    r"^(according to|based on) the (provided |given )?(context|text|document)\s*,\s*",
    r"^(제공된|주어진) (내용|문서|본문)에 (따르면|의하면)\s*,?\s*",
]


@dataclass
class JudgeConfig:
    enabled: bool = True
    threshold: float = 3.0            # overall score (1-5) needed to keep a pair
    max_tokens: int = 256
    temperature: float = 0.0
    # Each criterion must also reach its floor (a fluent answer that is not grounded must not pass on
    # the strength of its other scores). Missing criteria have no floor.
    min_scores: dict[str, float] = field(default_factory=lambda: {"groundedness": 2.0, "refusal": 3.0})
    # Weights of the overall score (mean over the criteria the rubric asks for; unknown ones ignored).
    weights: dict[str, float] = field(default_factory=dict)
    rationale_max_chars: int = 300    # enforced in the JSON schema (maxLength) and again when parsing
    max_retries: int = 1              # re-ask pairs whose verdict did not parse (new seed)
    # Verbosity-bias control: warn when judge score and answer length correlate more than this
    # (Spearman rho over the judged pairs, written to the manifest either way).
    verbosity_warn_rho: float = 0.5


@dataclass
class DomainConfig:
    enabled: bool = True
    description: str = "insurance policy terms, loans and financial contracts"
    method: DomainMethod = DomainMethod.lexical   # lexical | llm | both (lexical flags, the LLM decides the flagged)
    keywords: list[str] = field(default_factory=list)
    min_score: float = 0.1            # cosine to the corpus centroid (char n-gram TF-IDF)
    # ... and at least this fraction of the median pair's score (most pairs are on-domain, so the median
    # calibrates for language, text length and corpus size; 0 = absolute min_score only).
    min_relative: float = 0.5
    ngram: int = 3                    # char n-grams: no tokenizer needed, works for Korean
    trim_fraction: float = 0.2        # corpus texts least like the first centroid, left out of the second
    max_tokens: int = 96


@dataclass
class DedupConfig:
    enabled: bool = True
    exact: bool = True                # normalised-hash duplicates
    near: bool = True                 # MinHash/LSH near duplicates (threshold: curate.near_dup_threshold)
    key: DedupKey = DedupKey.question  # question | question_context (same question, other context = kept)
    ngram: int = 3                    # char n-grams for MinHash shingles (Korean-friendly)
    num_perm: int = 128
    seed: int = 1


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
    boilerplate_patterns: list[str] = field(default_factory=lambda: list(DEFAULT_BOILERPLATE))
    answer_ending: AnswerEnding = AnswerEnding.period  # period (add "." when an answer ends without punctuation) | keep
    question_ending: str = "?"        # appended when a question ends without punctuation; "" = keep
    dedup: DedupConfig = field(default_factory=DedupConfig)
