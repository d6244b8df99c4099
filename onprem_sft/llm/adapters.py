"""LoRA adapters served by vLLM: stable names/ids from the adapter path and an early rank check."""

from __future__ import annotations

import json
from pathlib import Path

from onprem_sft.artifacts import sha256_text


class AdapterError(ValueError):
    """An adapter dir that vLLM cannot serve (missing, not PEFT, rank above llm.max_lora_rank)."""


def adapter_name(path: str) -> str:
    p = Path(path).resolve()
    return f"{p.name or 'adapter'}-{sha256_text(str(p))[:8]}"


def adapter_int_id(path: str) -> int:
    """vLLM wants a positive int id, unique per adapter: derived from the resolved path."""
    return int(sha256_text(str(Path(path).resolve()))[:7], 16) + 1


def check_adapter(path: str, max_lora_rank: int) -> Path:
    p = Path(path)
    cfg = p / "adapter_config.json"
    if not cfg.exists():
        raise AdapterError(f"adapter {p} has no adapter_config.json: not a PEFT LoRA adapter dir")
    r = int(json.loads(cfg.read_text(encoding="utf-8")).get("r", 0))
    if r > max_lora_rank:
        raise AdapterError(f"adapter {p} has rank r={r} > llm.max_lora_rank={max_lora_rank}; "
                           f"set llm.max_lora_rank={r}")
    return p
