"""Config schema of the `evaluate` group."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class EvaluateConfig:
    max_examples: int = 0             # 0 = whole eval split
    max_tokens: int = 128             # answer length cap (greedy decoding)
    stop: list[str] = field(default_factory=list)   # extra stop strings for answers (EOS always stops)
    compare_base: bool = True         # also answer with the base model (no adapter): wins/losses
    judge: bool = True                # LLM judge 1-5 with the generation model (llm.*)
    judge_max_tokens: int = 384       # room for the JSON verdict (rationale <= 300 chars)
    judge_context_chars: int = 3000   # context shown to the judge is cut to this many characters
    external: str | None = None       # SQuAD v2 JSON file (KorQuAD-style), scored with the same metrics
    external_max: int = 200           # 0 = every question of the external file
    examples_in_report: int = 5       # wins and losses listed per set
