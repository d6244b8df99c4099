"""Config schema of the `evaluate` group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass
class EvaluateConfig:
    max_examples: int = 0             # 0 = whole eval split
    max_tokens: int = 128
    compare_base: bool = True
    judge: bool = True
    external: Optional[str] = None    # SQuAD v2 JSON file
    external_max: int = 200
    examples_in_report: int = 5
