"""Config schema of the `llm` group (the local LLM that generates and judges)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from omegaconf import MISSING


class Backend(StrEnum):
    offline = "offline"
    server = "server"


@dataclass
class ServerConfig:
    autostart: bool = True           # start/stop a vLLM OpenAI server on loopback ourselves
    url: str | None = None        # an already running server (loopback), e.g. http://127.0.0.1:8000/v1
    host: str = "127.0.0.1"
    port: int = 0                    # 0 = pick a free port
    startup_timeout_s: float = 600.0
    api_key: str = "onprem-sft-local"
    served_model_name: str | None = None  # name on a running server; None = its only base model
    max_concurrency: int = 0         # requests in flight; 0 = llm.max_num_seqs
    log_file: str = "llm_server.log"  # in the run dir
    extra_args: list[str] = field(default_factory=list)


@dataclass
class LLMConfig:
    name: str = "embedded"
    model: str = MISSING             # local HF model dir; set by conf/llm/*.yaml or llm.model=/path
    backend: Backend = Backend.offline  # offline (in-process vllm.LLM) | server (OpenAI-compatible on loopback)
    dtype: str = "auto"              # float32 on CPU (bf16 is emulated there), bfloat16 on GPU
    max_model_len: int = 2048
    enforce_eager: bool = True
    enable_prefix_caching: bool = True
    kv_cache_gb: float = 1.0         # VLLM_CPU_KVCACHE_SPACE on CPU
    gpu_memory_utilization: float = 0.85
    tensor_parallel_size: int = 1
    max_num_seqs: int = 32
    max_lora_rank: int = 16
    seed: int = 0
    top_p: float = 0.95              # generate's question sampling (per-step temperatures: generate.*)
    request_batch_size: int = 64     # requests handed to the engine at once
    server: ServerConfig = field(default_factory=ServerConfig)
