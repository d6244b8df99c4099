"""Config schemas of the `model`, `lora`, `deepspeed` and `train` groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from omegaconf import MISSING


class Launcher(StrEnum):
    inprocess = "inprocess"
    deepspeed = "deepspeed"
    torchrun = "torchrun"


class Precision(StrEnum):
    auto = "auto"
    fp32 = "fp32"
    bf16 = "bf16"
    fp16 = "fp16"


class LongPrompt(StrEnum):
    error = "error"
    skip = "skip"


@dataclass
class ModelConfig:
    name: str = "embedded"
    path: str = MISSING               # base model to fine-tune (local HF dir); conf/model/*.yaml
    trust_remote_code: bool = False
    attn_implementation: str | None = None   # None = transformers' default (sdpa); packing needs sdpa/eager/flash


@dataclass
class LoraConfig:
    name: str = "default"
    r: int = 8
    alpha: int = 16
    dropout: float = 0.05
    target_modules: list[str] = field(default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"])
    bias: str = "none"
    # per architecture (config.json model_type -> modules); falls back to target_modules. [all-linear] = PEFT's
    by_model_type: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class DeepSpeedConfig:
    name: str = "none"                # none | zero2 | zero3 | zero3_offload
    config: dict[str, Any] | None = None   # the DeepSpeed JSON; null = no DeepSpeed


@dataclass
class TrainConfig:
    launcher: Launcher = Launcher.inprocess  # inprocess | deepspeed | torchrun
    nproc: int = 1
    hostfile: str | None = None    # multi-node (deepspeed launcher)
    max_steps: int = -1
    epochs: float = 1.0
    learning_rate: float = 2e-4
    per_device_batch_size: int = 4
    grad_accum: int = 1
    global_batch_size: int = 0        # 0 = derived; else must equal per_device * grad_accum * world
    max_length: int = 1024
    packing: bool = False
    gradient_checkpointing: bool = False
    precision: Precision = Precision.auto  # auto (bf16 on GPU, fp32 on CPU) | fp32 | bf16 | fp16
    warmup_ratio: float = 0.03
    weight_decay: float = 0.0
    logging_steps: int = 1
    eval_steps: int = 0               # 0 = at end only
    save_steps: int = 0               # 0 = at end only
    merge: bool = False
    resume: bool = True
    seed: int = 0
    long_prompt: LongPrompt = LongPrompt.error  # a prompt with no room for the answer in max_length: error | skip (rejects.jsonl)
    save_total_limit: int = 2         # checkpoints kept in <stage>/checkpoints
    lr_scheduler: str = "linear"
    optim: str = "auto"               # auto = adamw_torch (CPU) / adamw_torch_fused (GPU); never DeepSpeed's JIT Adam
    max_grad_norm: float = 1.0
    eval_batch_size: int = 0          # 0 = per_device_batch_size
    pad_to_multiple_of: int = 0       # 0 = none; 8 helps tensor cores on GPU
    threads_per_proc: int = 0         # CPU only: torch threads per rank; 0 = cores / ranks
    master_port: int = 0              # 0 = a free port
