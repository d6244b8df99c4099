"""``security.allow_hosts``: the cluster and fleet addresses the egress guard lets through besides loopback.

Entries are exact hosts (IP or DNS name) or CIDR networks (``10.0.0.0/24``). Anything broader than a /8
(IPv4) or /32 (IPv6) is refused when the config is composed: ``0.0.0.0/0`` would switch the guard off.
A DNS name is allowed by name (URL checks) and by the addresses it resolves to when the guard is installed
(a socket connect sees an IP); resolution goes to the system resolver (``/etc/hosts`` in an air gap) and a
name that does not resolve simply allows nothing.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

MIN_PREFIX = {4: 8, 6: 32}
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")


def entry_problem(entry: str) -> str | None:
    """Why ``entry`` is not a valid allow-list entry (None when it is)."""
    e = str(entry).strip()
    if not e:
        return "empty entry"
    if "://" in e:
        return f"{e!r} is not a host, IP or CIDR (no scheme or port: e.g. gpu-node-1, 10.0.0.5, 10.0.0.0/24)"
    if "/" in e:
        try:
            net = ipaddress.ip_network(e, strict=False)
        except ValueError:
            return f"{e!r} is not a CIDR network like 10.0.0.0/24"
        if net.prefixlen < MIN_PREFIX[net.version]:
            return (f"{e!r} is broader than /{MIN_PREFIX[net.version]}: that would switch the egress guard "
                    "off; list the cluster's subnet or hosts")
        return None
    try:
        ipaddress.ip_address(e)
        return None
    except ValueError:
        pass
    if _HOSTNAME.match(e):
        return None
    return f"{e!r} is not a host, IP or CIDR (no scheme, port or wildcard: e.g. gpu-node-1, 10.0.0.5, 10.0.0.0/24)"


def check_allow_hosts(entries: Iterable[str]) -> list[str]:
    """Problems, one per bad entry (``config.validate`` reports them as ``security.allow_hosts``)."""
    return [p for p in (entry_problem(e) for e in entries) if p]


def _resolve(name: str) -> set[str]:
    try:
        return {str(info[4][0]) for info in socket.getaddrinfo(name, None)}
    except (OSError, UnicodeError):
        return set()


def parse_allow_hosts(entries: Sequence[str], resolve: bool = True) -> tuple[frozenset[str], tuple[Network, ...]]:
    """(exact hosts incl. the addresses DNS names resolve to, networks). Bad entries raise ValueError."""
    problems = check_allow_hosts(entries)
    if problems:
        raise ValueError("security.allow_hosts: " + "; ".join(problems))
    exact: set[str] = set()
    nets: list[Network] = []
    for raw in entries:
        e = str(raw).strip()
        if "/" in e:
            nets.append(ipaddress.ip_network(e, strict=False))
            continue
        exact.add(e)
        try:
            exact.add(str(ipaddress.ip_address(e)))        # canonical form (IPv6 spelling)
        except ValueError:
            if resolve:
                exact |= _resolve(e)
    return frozenset(exact), tuple(nets)


def in_networks(host: str, nets: Sequence[Network]) -> bool:
    if not nets:
        return False
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == n.version and ip in n for n in nets)
