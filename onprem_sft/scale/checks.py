"""Compose-time checks of the scale-out settings; ``config.validate`` adds their problems to its list."""

from __future__ import annotations

from typing import Any

EXECUTORS = ("local", "ray")


def scale_problems(c: Any) -> list[str]:
    from onprem_sft.security.allowlist import check_allow_hosts

    p: list[str] = []
    run = c.run
    if run.executor not in EXECUTORS:
        p.append(f"run.executor: must be {' | '.join(EXECUTORS)} (got {run.executor!r})")
    if run.ray.num_workers < 1:
        p.append("run.ray.num_workers: must be >= 1")
    if run.ray.docs_per_task < 0:
        p.append("run.ray.docs_per_task: must be >= 0 (0 = automatic)")
    addr = run.ray.address
    if addr and addr != "auto" and not (addr.startswith("ray://") or ":" in addr):
        p.append(f"run.ray.address: {addr!r} is not auto, HOST:PORT or ray://HOST:PORT")
    if run.executor == "ray" and c.redaction.get("vault"):
        p.append("run.executor=ray: redaction.vault=true writes one vault file from every worker; "
                 "use run.executor=local with the vault")
    for msg in check_allow_hosts(c.security.allow_hosts):
        p.append(f"security.allow_hosts: {msg}")
    llm = c.llm
    if llm.tensor_parallel_size < 1 or llm.data_parallel_size < 1:
        p.append("llm.tensor_parallel_size/llm.data_parallel_size: must be >= 1")
    f = llm.fleet
    if llm.backend == "fleet":
        if not f.servers and f.autostart < 1:
            p.append("llm.fleet: no servers: set llm.fleet.servers=[{url:...}] or llm.fleet.autostart >= 1")
        if f.max_concurrency < 0 or any(s.max_concurrency < 0 for s in f.servers):
            p.append("llm.fleet.max_concurrency: must be >= 0 (0 = llm.max_num_seqs)")
        if f.max_attempts < 1:
            p.append("llm.fleet.max_attempts: must be >= 1")
        if f.health_tries < 1:
            p.append("llm.fleet.health_tries: must be >= 1")
        if f.health_interval_s <= 0 or f.health_timeout_s <= 0:
            p.append("llm.fleet.health_interval_s/health_timeout_s: must be > 0")
        for s in f.servers:
            host = _host(s.url)
            if host is None:
                p.append(f"llm.fleet.servers: {s.url!r} is not an http(s) URL like http://127.0.0.1:8000/v1")
            elif not _listed(host, list(c.security.allow_hosts)):
                p.append(f"llm.fleet.servers: {s.url!r} is not on loopback and {host} is not in "
                         "security.allow_hosts; add the host or its subnet there")
    return p


def _host(url: str) -> str | None:
    from urllib.parse import urlparse

    u = urlparse(str(url))
    return u.hostname if u.scheme in ("http", "https") and u.hostname else None


def _listed(host: str, allow: list[str]) -> bool:
    """Whether ``host`` is loopback or matched by the (config-time) allow-list, without DNS."""
    import ipaddress

    from onprem_sft.security.allowlist import check_allow_hosts, in_networks
    from onprem_sft.security.egress import is_loopback

    if is_loopback(host) or host in allow:
        return True
    if check_allow_hosts(allow):
        return False
    nets = [ipaddress.ip_network(a, strict=False) for a in allow if "/" in a]
    return in_networks(host, nets)
