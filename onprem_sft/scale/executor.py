"""``run.executor``: where the per-record CPU steps run (issue 16): here, or as Ray tasks, in input order.

The stages keep their own loops, and with them every write, reject, audit line and log message; what moves
to Ray is only a pure per-record function (parse one file, gate one pair, sign one text, format one row).
Records go out in batches (``run.ray.docs_per_task``, default 32 here) and come back in input order, so the
outputs are byte-identical to ``run.executor=local`` (tests/integration/test_executor_ray.py). The function
and its arguments must be picklable (module-level functions and ``functools.partial``); records travel to the
workers of your Ray cluster (``run.ray.address``) and back through the object store, never through a log.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
Mapper = Callable[[Callable[[Any], Any], Iterable[Any]], Iterator[Any]]


def _apply(fn: Callable[[Any], Any], batch: list[Any]) -> list[Any]:
    return [fn(x) for x in batch]


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last may be shorter), lazily: inputs may be streams."""
    batch: list[T] = []
    for x in items:
        batch.append(x)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def local_map(fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
    """The local executor: the plain loop, lazily."""
    return map(fn, items)


def ray_map(ray_cfg: Any, batch_size: int = 32) -> Mapper:
    """A ``map`` over Ray tasks with ``run.ray.num_workers`` x 2 batches in flight, results in input order."""
    from onprem_sft.scale.ray_env import _get, init_ray

    ray = init_ray(ray_cfg)
    size = int(_get(ray_cfg, "docs_per_task", 0) or batch_size)
    depth = 2 * max(1, int(_get(ray_cfg, "num_workers", 2)))
    remote = ray.remote(num_cpus=1)(_apply)

    def mapper(fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        fn_ref = ray.put(fn)             # shipped once, not with every batch
        inflight: deque[Any] = deque()
        for batch in batched(items, size):
            inflight.append(remote.remote(fn_ref, batch))
            if len(inflight) >= depth:
                yield from ray.get(inflight.popleft())
        while inflight:
            yield from ray.get(inflight.popleft())

    return mapper


def executor_name(run_cfg: Any) -> str:
    """``run.executor`` (``local`` | ``ray``), recorded in the manifests of the stages that use it."""
    from onprem_sft.scale.ray_env import _get

    return str(_get(run_cfg, "executor", "local") or "local")


def mapper_for(run_cfg: Any) -> Mapper:
    """``local_map`` or a Ray mapper, per ``run.executor`` (validated when the config is composed)."""
    from onprem_sft.scale.ray_env import _get

    if executor_name(run_cfg) == "ray":
        return ray_map(_get(run_cfg, "ray", {}) or {})
    return local_map
