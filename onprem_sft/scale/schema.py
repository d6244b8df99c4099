"""Config schema of ``run.ray`` (used when ``run.executor=ray``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RayConfig:
    address: str | None = None    # None: start a local Ray on this machine; "auto" or "HOST:6379": join a cluster
    num_workers: int = 2             # parallel tasks (and the local cluster's CPUs); each holds one Redactor
    docs_per_task: int = 0           # documents per task; 0 = 4 (documents arrive as a stream)
    include_dashboard: bool = False  # the dashboard serves HTTP: off in an air gap
