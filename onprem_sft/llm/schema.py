"""Config schema of the `llm` group (the local LLM that generates and judges)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from omegaconf import MISSING


class Backend(StrEnum):
    offline = "offline"
    server = "server"
    fleet = "fleet"


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
class FleetServerConfig:
    url: str = MISSING               # a running OpenAI-compatible vLLM server, e.g. http://127.0.0.1:8001/v1
    max_concurrency: int = 0         # requests in flight on this server; 0 = llm.fleet.max_concurrency


@dataclass
class FleetConfig:                   # llm=fleet (issue 16, onprem_sft/llm/fleet.py)
    servers: list[FleetServerConfig] = field(default_factory=list)  # running servers; [] = start autostart
    autostart: int = 2               # servers to start on loopback when servers is empty
    max_concurrency: int = 0         # default per-server limit; 0 = llm.max_num_seqs
    max_attempts: int = 3            # tries per request on healthy servers before the call fails
    health_interval_s: float = 5.0   # GET /health poll while requests are in flight
    health_tries: int = 3            # failed polls in a row (1 s apart) before a server is taken out
    health_timeout_s: float = 10.0   # one /health poll (a busy CPU server can take seconds to answer)
    timeout_s: float = 600.0         # one request
    startup_timeout_s: float = 600.0
    split_cores: bool = True         # CPU: give each started server its own cores
    api_key: str = "onprem-sft-local"
    served_model_name: str | None = None
    log_file: str = "llm_fleet_{i}.log"   # in the run dir, one per started server
    extra_args: list[str] = field(default_factory=list)


@dataclass
class LLMConfig:
    name: str = "embedded"
    model: str = MISSING             # local HF model dir; set by conf/llm/*.yaml or llm.model=/path
    backend: Backend = Backend.offline  # offline (in-process vllm.LLM) | server (OpenAI-compatible on loopback) | fleet
    dtype: str = "auto"              # float32 on CPU (bf16 is emulated there), bfloat16 on GPU
    max_model_len: int = 2048
    enforce_eager: bool = True
    enable_prefix_caching: bool = True
    kv_cache_gb: float = 1.0         # VLLM_CPU_KVCACHE_SPACE on CPU
    gpu_memory_utilization: float = 0.85
    tensor_parallel_size: int = 1
    data_parallel_size: int = 1      # vLLM --data-parallel-size for servers we start (llm=server|fleet)
    max_num_seqs: int = 32
    max_lora_rank: int = 16
    seed: int = 0
    top_p: float = 0.95              # generate's question sampling (per-step temperatures: generate.*)
    request_batch_size: int = 64     # requests handed to the engine at once
    server: ServerConfig = field(default_factory=ServerConfig)
    fleet: FleetConfig = field(default_factory=FleetConfig)
