"""Config schema of the `curate` group (standardise, dedup, domain filter, judge, eye-check).

Field order follows the steps: standardise -> gates -> domain -> roundtrip -> judge -> dedup (dedup runs after the judge so
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
class QualifyConfig:
    """The judge must agree with human labels before its verdicts drop pairs (onprem_sft/curate/qualify.py)."""

    enabled: bool = True
    file: str | None = None        # human-labelled CSV (eye-check format); None = bundled set
    min_kappa: float = 0.4            # Cohen's kappa judge-pass vs human-pass needed to gate; else advisory
    min_items: int = 20               # fewer labelled items of the corpus language -> error (too few to tell)
    same_lang: bool = True            # only items whose lang is the prompts' language


@dataclass
class JudgeConfig:
    enabled: bool = True
    qualify: QualifyConfig = field(default_factory=QualifyConfig)
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
class GatesConfig:
    """Deterministic form gates (onprem_sft/curate/gates.py); each drop has its own reason code."""

    enabled: bool = True
    min_question_words: int = 3
    min_question_words_ko: int = 2      # Korean words (어절) carry particles: fewer per question
    max_question_words: int = 60
    max_placeholder_share: float = 0.5  # share of a question's words that are <TYPE_N> placeholders
    copy_threshold: float = 0.8         # similarity (difflib ratio) to one context sentence = a copied sentence
    loop_ngram: int = 3                 # an n-gram seen loop_repeats times (or a run repeated back to back)
    loop_repeats: int = 3
    min_answer_in_question_chars: int = 4   # answers shorter than this may occur in their question
    repeat_threshold: float = 0.85      # answer/question similarity (difflib ratio) counted as a repeat
    extractive_min_coverage: float = 0.9    # answer_style=extractive: share of answer chars found in context
    short_min_context_share: float = 0.75   # answer_style=short: share of content words from the context
    lang_min_share: float = 0.5         # share of letters in the corpus language's script (Hangul for ko)
    skip: list[str] = field(default_factory=list)   # gate codes to switch off (see gates.GATES)


@dataclass
class RoundTripConfig:
    """Round-trip consistency (Alberti et al. 2019): the local model answers each question from its
    context without the label; the pair is kept when both agree (onprem_sft/curate/roundtrip.py)."""

    enabled: bool = True
    min_f1: float = 0.5                 # token F1 (content stems) model answer vs label
    max_tokens: int = 96
    unanswerable: bool = True           # distractor pairs must be refused by the model too
    # The answering model must first reproduce the human answers of the qualification set's good answerable
    # items (share with token F1 >= min_f1); below this share the round trip only advises (0 = always gate).
    min_qualify: float = 0.5


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
    gates: GatesConfig = field(default_factory=GatesConfig)
    domain: DomainConfig = field(default_factory=DomainConfig)
    roundtrip: RoundTripConfig = field(default_factory=RoundTripConfig)
    judge: JudgeConfig = field(default_factory=JudgeConfig)
    eyecheck_sample: int = 30
    boilerplate_patterns: list[str] = field(default_factory=lambda: list(DEFAULT_BOILERPLATE))
    answer_ending: AnswerEnding = AnswerEnding.period  # period (add "." when an answer ends without punctuation) | keep
    question_ending: str = "?"        # appended when a question ends without punctuation; "" = keep
    dedup: DedupConfig = field(default_factory=DedupConfig)
