"""Starting or joining Ray without leaving the air gap.

Ray is an optional extra (``pip install .[scale]``): nothing imports it unless ``run.executor=ray``.
A local Ray (``run.ray.address`` unset) binds 127.0.0.1, has no dashboard and no usage stats, and its
worker processes inherit the egress guard like every Python child (``sitecustomize`` on PYTHONPATH).
Joining a cluster (``address: auto`` or ``HOST:6379``) needs its hosts in ``security.allow_hosts``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger("onprem_sft.scale")

RAY_ENV = {
    "RAY_USAGE_STATS_ENABLED": "0",          # no usage report to the internet
    "RAY_DISABLE_IMPORT_WARNING": "1",
    "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0",
    "RAY_DEDUP_LOGS": "0",
    # Ray kills its own workers when the *machine* is above 95% memory, whoever uses it; on a shared node
    # that killed redaction workers mid-run (measured here). The kernel's OOM killer still applies.
    "RAY_memory_monitor_refresh_ms": "0",
}


class RayMissing(RuntimeError):
    """run.executor=ray without Ray installed."""


def _get(cfg: Any, key: str, default: Any = None) -> Any:
    v = cfg.get(key, default) if isinstance(cfg, dict) or hasattr(cfg, "get") else getattr(cfg, key, default)
    return default if v is None and default is not None else v


def init_ray(ray_cfg: Any) -> Any:
    """``ray`` initialised per ``run.ray`` (once per process; a second call reuses the running one)."""
    try:
        import ray
    except ImportError:
        raise RayMissing("run.executor=ray needs Ray: pip install 'onprem-sft[scale]' (or run.executor=local)") \
            from None
    for k, v in RAY_ENV.items():
        os.environ.setdefault(k, v)
    if ray.is_initialized():
        return ray
    address = _get(ray_cfg, "address", None)
    kw: dict[str, Any] = {"include_dashboard": bool(_get(ray_cfg, "include_dashboard", False)),
                          "log_to_driver": False, "configure_logging": False, "logging_level": logging.WARNING}
    if address:
        log.info("joining the Ray cluster at %s", address)
        ray.init(address=address, **kw)
    else:
        n = int(_get(ray_cfg, "num_workers", 2))
        log.info("starting a local Ray (%d CPU, 127.0.0.1 only)", n)
        with _no_cloud_probe():
            ray.init(num_cpus=n, _node_ip_address="127.0.0.1", object_store_memory=256 * 1024 ** 2, **kw)
    return ray


@contextlib.contextmanager
def _no_cloud_probe() -> Iterator[None]:
    """Ray's API server always loads its usage-stats module, which (even with usage stats off) asks the
    cloud metadata service (169.254.169.254) which cloud it runs on unless ``~/ray_bootstrap_config.yaml``
    names the provider; the egress guard refuses and logs that, and ``verify`` then fails the run. The Ray
    processes we start get a private HOME holding a bootstrap config that says ``provider: local``."""
    home = Path(tempfile.mkdtemp(prefix="onprem_sft_ray_home_"))
    (home / "ray_bootstrap_config.yaml").write_text("provider:\n  type: local\n", encoding="utf-8")
    saved = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = saved


def shutdown_ray() -> None:
    try:
        import ray
    except ImportError:
        return
    if ray.is_initialized():
        ray.shutdown()
