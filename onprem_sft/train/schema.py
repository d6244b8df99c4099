"""Config schemas of the `model`, `lora`, `deepspeed` and `train` groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass
class ModelConfig:
    name: str = "embedded"
    path: str = "${llm.model}"        # base model to fine-tune (local HF dir)
    trust_remote_code: bool = False


@dataclass
class LoraConfig:
    name: str = "default"
    r: int = 8
    alpha: int = 16
    dropout: float = 0.05
    target_modules: list[str] = field(default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"])
    bias: str = "none"


@dataclass
class DeepSpeedConfig:
    name: str = "none"                # none | zero2 | zero3 | zero3_offload
    config: Optional[dict[str, Any]] = None   # the DeepSpeed JSON; null = no DeepSpeed


@dataclass
class TrainConfig:
    launcher: str = "inprocess"       # inprocess | deepspeed | torchrun
    nproc: int = 1
    hostfile: Optional[str] = None    # multi-node (deepspeed launcher)
    max_steps: int = -1
    epochs: float = 1.0
    learning_rate: float = 2e-4
    per_device_batch_size: int = 4
    grad_accum: int = 1
    global_batch_size: int = 0        # 0 = derived; else must equal per_device * grad_accum * world
    max_length: int = 1024
    packing: bool = False
    gradient_checkpointing: bool = False
    precision: str = "auto"           # auto (bf16 on GPU, fp32 on CPU) | fp32 | bf16 | fp16
    warmup_ratio: float = 0.03
    weight_decay: float = 0.0
    logging_steps: int = 1
    eval_steps: int = 0               # 0 = at end only
    save_steps: int = 0               # 0 = at end only
    merge: bool = False
    resume: bool = True
    seed: int = 0
