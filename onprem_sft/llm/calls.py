"""LLM call log + resume cache, shared by every LLM-using stage (generate, curate judge, evaluate).

Every request/response is written as an ``LLMCall`` record to ``<stage dir>/llm_calls.jsonl`` (one line,
flushed, per response) so the lineage can prove what the model saw. Responses already in that file
(from a crashed or interrupted run of the same stage) are reused when the key
``(prompt_sha256, sampling + json schema, adapter, model checksum)`` matches, so a resumed stage redoes
only unfinished requests. Usage::

    with build_engine(cfg.llm, run_dir) as engine, CallLog(ctx.out, "curate", engine) as calls:
        responses = calls.generate(requests, desc="judge")     # same order as requests
    calls.stats  # requests, cached, prompt/completion tokens, seconds

After a successful stage ``llm_calls.jsonl`` holds exactly the calls this run used (reused ones
rewritten); unused old entries stay in a dot-file (not hashed into the manifest) until ``close()``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from onprem_sft.artifacts import JsonlAppender, StageDir, canonical_json, iter_jsonl, sha256_text, write_jsonl
from onprem_sft.llm.engine import LLMEngine, LLMRequest, LLMResponse
from onprem_sft.records import LLMCall, RecordError

log = logging.getLogger("onprem_sft.llm")

CALLS = "llm_calls.jsonl"
CACHE = ".llm_calls.cache.jsonl"


def call_sampling(request: LLMRequest) -> dict[str, Any]:
    """What is logged as ``LLMCall.sampling``: sampling params plus the structured-output schema."""
    d = request.sampling.to_dict()
    d["json_schema"] = request.json_schema
    if request.json_schema:
        d["structured_output"] = "json_schema, no free whitespace"   # how both engines constrain it
    return d


def call_key(prompt_sha256: str, sampling: dict[str, Any], adapter: str | None, model_checksum: str) -> str:
    """Cache key of one call: same prompt, sampling (+schema), adapter and weights -> same response."""
    return sha256_text(canonical_json([prompt_sha256, sampling, adapter, model_checksum]))


@dataclass
class CallStats:
    requests: int = 0
    cached: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0          # generation time (cached responses cost none)

    @property
    def tokens_per_s(self) -> float:
        return self.completion_tokens / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"requests": self.requests, "cached": self.cached, "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens, "seconds": round(self.seconds, 3),
                "completion_tokens_per_s": round(self.tokens_per_s, 2)}


class CallLog:
    """Logs and caches the calls of one stage. Not thread-safe; one per stage run."""

    def __init__(self, stage_dir: StageDir | str | Path, stage: str, engine: LLMEngine, *,
                 resume: bool = True, batch_size: int | None = None):
        self.dir = Path(stage_dir.path if isinstance(stage_dir, StageDir) else stage_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.stage = stage
        self.engine = engine
        self.batch_size = batch_size or int(getattr(engine, "request_batch_size", 64) or 64)
        self.stats = CallStats()
        self._cache: dict[str, LLMCall] = {}
        calls, cache = self.dir / CALLS, self.dir / CACHE
        if resume:
            for p in (cache, calls):
                if p.exists():
                    self._cache.update(self._load(p))
        if self._cache:
            write_jsonl(cache, self._cache.values())
            log.info("%s: %d logged LLM call(s) from an earlier run available for reuse", stage, len(self._cache))
        calls.unlink(missing_ok=True)
        self._out = JsonlAppender(calls)
        self._used: set[str] = set()

    @staticmethod
    def _load(path: Path) -> dict[str, LLMCall]:
        out: dict[str, LLMCall] = {}
        try:
            for d in iter_jsonl(path):
                c = LLMCall.from_dict(d)
                out[call_key(c.prompt_sha256, c.sampling, c.adapter, c.model_checksum)] = c
        except RecordError as e:   # a torn last line after a crash: keep what parsed
            log.warning("ignoring the rest of %s: %s", path.name, e)
        return out

    def _record(self, req: LLMRequest, resp: LLMResponse, prompt_sha: str) -> LLMCall:
        return LLMCall(
            id=req.id, parent_id=req.sources[0].id if req.sources else None, stage=self.stage,
            purpose=req.purpose, source_ids=[s.id for s in req.sources], prompt=resp.prompt,
            prompt_sha256=prompt_sha, response=resp.text, model=self.engine.model_path,
            model_checksum=self.engine.model_checksum, adapter=req.adapter, sampling=call_sampling(req),
            prompt_tokens=resp.prompt_tokens, completion_tokens=resp.completion_tokens,
            finish_reason=resp.finish_reason)

    def generate(self, requests: Sequence[LLMRequest], *, desc: str = "generate") -> list[LLMResponse]:
        """Responses in request order; cached ones have ``cached=True``. Each new response is logged
        as soon as its batch finishes (``request_batch_size``), so a crash loses at most one batch."""
        ids = [r.id for r in requests]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{self.stage}: duplicate request ids in one generate() call")
        out: list[LLMResponse | None] = [None] * len(requests)
        todo: list[tuple[int, LLMRequest, str, str]] = []
        for i, r in enumerate(requests):
            prompt = self.engine.render(r)
            psha = sha256_text(prompt)
            key = call_key(psha, call_sampling(r), r.adapter, self.engine.model_checksum)
            hit = self._cache.get(key)
            if hit is not None and hit.prompt == prompt:
                out[i] = LLMResponse(request_id=r.id, text=hit.response, prompt=prompt,
                                     prompt_tokens=hit.prompt_tokens, completion_tokens=hit.completion_tokens,
                                     finish_reason=hit.finish_reason, cached=True)
                self._write(self._record(r, out[i], psha))
                self.stats.cached += 1
            else:
                todo.append((i, r, psha, key))
        self.stats.requests += len(requests)
        nb = (len(todo) + self.batch_size - 1) // self.batch_size
        for b in range(nb):
            part = todo[b * self.batch_size:(b + 1) * self.batch_size]
            t0 = time.perf_counter()
            label = desc if nb == 1 else f"{desc} [{b + 1}/{nb}]"
            resps = self.engine.generate([r for _, r, _, _ in part], desc=label)
            self.stats.seconds += time.perf_counter() - t0
            for (i, r, psha, key), resp in zip(part, resps):
                rec = self._record(r, resp, psha)
                self._cache[key] = rec
                self._write(rec)
                self.stats.prompt_tokens += resp.prompt_tokens
                self.stats.completion_tokens += resp.completion_tokens
                out[i] = resp
        return [o for o in out if o is not None]

    def _write(self, rec: LLMCall) -> None:
        if rec.id in self._used:
            raise ValueError(f"{self.stage}: request id {rec.id!r} used twice in one stage run")
        self._used.add(rec.id)
        self._out.write(rec)

    def close(self, success: bool = True) -> None:
        """Close the log; on success drop the reuse cache (this run's calls are all in llm_calls.jsonl)."""
        if not self._out._f.closed:
            self._out.close()
        if success:
            (self.dir / CACHE).unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.close(success=exc_type is None)
