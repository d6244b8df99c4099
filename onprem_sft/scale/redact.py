"""The redact stage on Ray (``run.executor=ray``, issue 16): documents redacted in parallel, audited in order.

How the audit hash chain survives parallel shards: a shard (a batch of whole documents, so one
placeholder map numbers a document's placeholders as in the local executor) returns its redaction results
to the driver; only the driver writes ``audit.jsonl``, in the redact stage's own loop and in the local
executor's document order: this module only replaces ``redaction.parallel.redact_documents``. The chain is therefore the same single
chain, line for line, as a local run's: ``onprem-sft audit verify`` and ``verify``'s audit-chain check
need nothing new, a shard can neither reorder nor drop a line, and ``records.jsonl`` is byte-identical to
the local executor's (``tests/integration/test_redact_ray.py``). Raw text travels to the Ray workers of
*your* cluster (``run.ray.address``) and back in the object store; it never reaches a log or a manifest.
The HMAC key stays in the driver (fingerprints are computed where the audit line is written).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from onprem_sft.scale.executor import batched
from redaction.parallel import Unit, UnitResult, redact_document

log = logging.getLogger("onprem_sft.scale")

Doc = tuple[str, Sequence[Unit]]          # (doc_id, the texts of each chunk), as redaction.parallel takes them
_REDACTORS: dict[tuple[str, bytes], Any] = {}


def _redactor(cfg: dict[str, Any], surrogate_key: bytes = b"") -> Any:
    """One Redactor per worker process and config (building recognizers costs more than a document)."""
    from onprem_sft.artifacts import config_hash
    from redaction import Redactor

    key = (config_hash(cfg), surrogate_key)
    if key not in _REDACTORS:
        _REDACTORS[key] = Redactor.from_config(cfg, surrogate_key=surrogate_key)
    return _REDACTORS[key]


def redact_batch(cfg: dict[str, Any], docs: Sequence[Doc], surrogate_key: bytes = b"") -> list[list[UnitResult]]:
    """Whole documents, in order, exactly as the local executor redacts them (same calls, same mapping)."""
    red = _redactor(cfg, surrogate_key)
    return [redact_document(red, doc_id, units) for doc_id, units in docs]


def shards(docs: list[Any], workers: int, docs_per_task: int = 0) -> list[list[Any]]:
    """Consecutive batches of whole documents (~4 per worker unless ``docs_per_task`` is set)."""
    size = docs_per_task or max(1, -(-len(docs) // (max(workers, 1) * 4)))
    return [docs[i:i + size] for i in range(0, len(docs), size)]


class RayRedactPool:
    """``num_workers`` Ray actors, each holding one Redactor; shards go out in order and come back in order."""

    def __init__(self, cfg: dict[str, Any], ray_cfg: Any, surrogate_key: bytes = b""):
        from onprem_sft.scale.ray_env import _get, init_ray

        self.ray = init_ray(ray_cfg)
        workers = int(_get(ray_cfg, "num_workers", 2))

        @self.ray.remote(num_cpus=1)
        class Worker:
            def __init__(self, cfg: dict[str, Any], key: bytes):
                self.cfg, self.key = cfg, key
                _redactor(cfg, key)

            def redact(self, docs: Any) -> Any:
                return redact_batch(self.cfg, docs, self.key)

        self.actors = [Worker.remote(cfg, surrogate_key) for _ in range(workers)]
        self.workers = workers

    def map(self, batches: Iterable[Any], depth: int = 2) -> Iterator[list[list[UnitResult]]]:
        """Results in input order, with ``depth`` batches queued on every actor.

        Ray's ``ActorPool.map`` gives an actor new work only once *its* result is consumed in order, so an actor
        that finished early sat idle behind a slower one, and each hand-off cost a driver round trip; a queue
        per actor keeps both busy (bench_scale: 2 workers 1.59x -> see docs/benchmarks.md)."""
        pending = dict.fromkeys(range(len(self.actors)), 0)
        inflight: deque[tuple[int, Any]] = deque()
        for b in batches:
            k = min(pending, key=lambda i: (pending[i], i))      # the least loaded actor
            inflight.append((k, self.actors[k].redact.remote(b)))
            pending[k] += 1
            if len(inflight) >= depth * len(self.actors):
                yield self._next(inflight, pending)
        while inflight:
            yield self._next(inflight, pending)

    def _next(self, inflight: deque[tuple[int, Any]], pending: dict[int, int]) -> list[list[UnitResult]]:
        k, ref = inflight.popleft()
        pending[k] -= 1
        return self.ray.get(ref)

    def close(self) -> None:
        for a in self.actors:
            self.ray.kill(a)
        self.actors = []


def ray_documents(cfg: dict[str, Any], ray_cfg: Any, documents: Iterable[Doc], surrogate_key: bytes = b"",
                  stats: dict[str, Any] | None = None) -> Iterator[list[UnitResult]]:
    """Drop-in for ``redaction.parallel.redact_documents`` on Ray: per document, in input order, its results."""
    from onprem_sft.scale.ray_env import _get

    pool = RayRedactPool(cfg, ray_cfg, surrogate_key)
    n = 0
    try:
        size = int(_get(ray_cfg, "docs_per_task", 0) or 4)   # documents stream in: no total to spread evenly
        for out in pool.map(batched(documents, size)):
            n += 1
            yield from out
    finally:
        pool.close()
        if stats is not None:
            stats.update(kind="ray", workers=pool.workers, shards=n)
