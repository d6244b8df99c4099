"""Turn the Hydra sections (model, lora, deepspeed, train) into a plain training plan, checked up front.

Everything a worker process needs goes into one JSON-able dict (the "spec"), so ranks started by the
DeepSpeed launcher or torchrun never parse Hydra arguments (the launcher's ``--local_rank`` would break
Hydra) and all ranks train from the same, already-resolved numbers.
"""

from __future__ import annotations

import copy
import logging
import os
import re
from pathlib import Path
from typing import Any

from onprem_sft.config import ConfigError, to_container

log = logging.getLogger("onprem_sft.train")


def cuda_available() -> bool:
    try:
        import torch

        return torch.cuda.is_available()
    except ImportError:  # pragma: no cover - torch import failure is reported elsewhere
        return False


def resolve_precision(precision: str, on_gpu: bool) -> str:
    """auto -> bf16 on GPU, fp32 on CPU (bf16 on CPU is emulated and several times slower)."""
    if precision == "auto":
        return "bf16" if on_gpu else "fp32"
    if precision in ("bf16", "fp16") and not on_gpu:
        raise ConfigError(f"train.precision={precision} needs a GPU; on CPU use train.precision=fp32 (or auto)")
    return precision


def hostfile_slots(path: str | os.PathLike) -> dict[str, int]:
    """Parse a DeepSpeed hostfile (``host slots=N`` per line) into host -> slots."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"train.hostfile={p} does not exist; write one line `hostname slots=N` per node")
    hosts: dict[str, int] = {}
    for lineno, line in enumerate(p.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^(\S+)\s+slots=(\d+)\s*$", line)
        if not m:
            raise ConfigError(f"{p}:{lineno}: expected `hostname slots=N`, got {line!r}")
        hosts[m.group(1)] = int(m.group(2))
    if not hosts:
        raise ConfigError(f"train.hostfile={p} lists no hosts")
    return hosts


def world_size(t: Any) -> int:
    if t.hostfile:
        if t.launcher != "deepspeed":
            raise ConfigError("train.hostfile needs train.launcher=deepspeed (multi-node runs use its launcher)")
        slots = hostfile_slots(t.hostfile)
        return sum(slots.values())      # the launcher starts one rank per slot on every host
    return int(t.nproc)


def check_batch(t: Any, world: int) -> int:
    """Effective (global) batch = per_device * grad_accum * world; must match train.global_batch_size if set."""
    if t.per_device_batch_size < 1 or t.grad_accum < 1:
        raise ConfigError("train.per_device_batch_size and train.grad_accum must be >= 1")
    eff = t.per_device_batch_size * t.grad_accum * world
    if t.global_batch_size and t.global_batch_size != eff:
        per_step = t.per_device_batch_size * world
        hint = (f"set train.grad_accum={t.global_batch_size // per_step}" if t.global_batch_size % per_step == 0
                else f"choose a multiple of per_device_batch_size*world_size={per_step}")
        raise ConfigError(f"train.global_batch_size={t.global_batch_size} != per_device_batch_size"
                          f"({t.per_device_batch_size}) * grad_accum({t.grad_accum}) * world_size({world}) = "
                          f"{eff}; {hint}")
    return eff


def deepspeed_dict(ds: Any, precision: str, on_gpu: bool) -> dict[str, Any] | None:
    """The DeepSpeed config as a plain dict (never a DictConfig), made consistent with the run.

    * precision sections follow train.precision (DeepSpeed refuses a mismatch with the Trainer);
    * an optimizer/scheduler section is dropped: DeepSpeed's FusedAdam/CPUAdam JIT-compile for minutes on
      a fresh machine, while the Trainer's torch AdamW is all LoRA needs;
    * on CPU, offload sections are dropped (the parameters already live in host memory).
    """
    raw = to_container(ds.config) if ds.config is not None else None
    if not raw:
        return None
    cfg = copy.deepcopy(raw)
    for key in ("optimizer", "scheduler"):
        if key in cfg:
            log.warning("deepspeed.config.%s removed: the Trainer's torch optimizer/scheduler are used "
                        "(DeepSpeed's own would compile at run time)", key)
            cfg.pop(key)
    cfg["bf16"] = {**cfg.get("bf16", {}), "enabled": precision == "bf16"}
    cfg["fp16"] = {**cfg.get("fp16", {}), "enabled": precision == "fp16"}
    zero = cfg.setdefault("zero_optimization", {})
    if not on_gpu:
        for k in ("offload_param", "offload_optimizer"):
            if zero.pop(k, None) is not None:
                log.info("deepspeed: %s dropped on CPU (parameters already in host memory)", k)
    return cfg


def zero_stage(ds_cfg: dict[str, Any] | None) -> int:
    return int((ds_cfg or {}).get("zero_optimization", {}).get("stage", 0))


def lora_targets(lora: Any, model_type: str) -> list[str] | str:
    """Per-architecture LoRA targets: lora.by_model_type[model_type], else lora.target_modules.

    ``[all-linear]`` is passed to PEFT as the string "all-linear" (every linear layer but the head).
    """
    by = to_container(lora.get("by_model_type") or {}) if hasattr(lora, "get") else dict(lora.by_model_type or {})
    mods = list(by.get(model_type) or to_container(lora.target_modules))
    if mods == ["all-linear"]:
        return "all-linear"
    if not mods:
        raise ConfigError(f"lora.target_modules is empty and lora.by_model_type has no entry for {model_type!r}")
    return mods


def build_spec(cfg: Any, *, dataset_path: Path, out_dir: Path, model_type: str) -> dict[str, Any]:
    """The resolved plan every rank follows (plain JSON)."""
    t = cfg.train
    on_gpu = cuda_available()
    precision = resolve_precision(t.precision, on_gpu)
    world = world_size(t)
    eff = check_batch(t, world)
    ds = deepspeed_dict(cfg.deepspeed, precision, on_gpu)
    if t.gradient_checkpointing and ds and zero_stage(ds) == 3 and not on_gpu:
        log.info("gradient checkpointing under ZeRO-3 on CPU: works, but slow; it saves GPU memory only")
    if t.eval_steps < 0 or t.save_steps < 0:
        raise ConfigError("train.eval_steps and train.save_steps must be >= 0 (0 = at the end only)")
    if t.max_steps == 0 or (t.max_steps < 0 and t.epochs <= 0):
        raise ConfigError("train.max_steps=0 trains nothing: set train.max_steps > 0 or -1 with train.epochs > 0")
    return {
        "model_path": str(cfg.model.path),
        "model_type": model_type,
        "trust_remote_code": bool(cfg.model.trust_remote_code),
        "attn_implementation": cfg.model.get("attn_implementation"),
        "dataset_path": str(dataset_path),
        "out_dir": str(out_dir),
        "lora": {"r": int(cfg.lora.r), "alpha": int(cfg.lora.alpha), "dropout": float(cfg.lora.dropout),
                 "bias": str(cfg.lora.bias), "target_modules": lora_targets(cfg.lora, model_type)},
        "deepspeed": ds,
        "deepspeed_name": str(cfg.deepspeed.name),
        "train": to_container(t),
        "precision": precision,
        "on_gpu": on_gpu,
        "world_size": world,
        "effective_batch_size": eff,
        "progress": bool(cfg.run.progress),
    }
