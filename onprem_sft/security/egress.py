"""Air gap: offline env flags and an egress guard that refuses any non-loopback connection.

The guard patches ``socket.socket.connect``/``connect_ex`` (every Python client, urllib, requests, httpx,
huggingface_hub, goes through them). Child processes (vLLM workers, the DeepSpeed launcher) get it through
``sitehook/sitecustomize.py`` put first on PYTHONPATH with ``ONPREM_SFT_EGRESS_GUARD=1``. Each refused
attempt is appended to the file named by ``ONPREM_SFT_EGRESS_LOG`` so ``verify`` can report it.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import time
from pathlib import Path
from urllib.parse import urlparse

from onprem_sft.errors import EnvironmentProblem

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "VLLM_NO_USAGE_STATS": "1",
    "VLLM_DO_NOT_TRACK": "1",
    "WANDB_DISABLED": "true",
    "WANDB_MODE": "disabled",
    "DISABLE_MLFLOW_INTEGRATION": "TRUE",
    "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",   # presidio's email recognizer would fetch the suffix list
    "TOKENIZERS_PARALLELISM": "false",
    # vLLM finds "its" IP by a UDP connect to 8.8.8.8 (no packet, but the guard refuses and logs it)
    "VLLM_HOST_IP": "127.0.0.1",
}

SITEHOOK_DIR = str(Path(__file__).with_name("sitehook"))


class EgressBlocked(ConnectionRefusedError, EnvironmentProblem):
    """Raised instead of opening a connection to a host outside loopback and the allow-list (exit 4)."""


_state: dict[str, object] = {"installed": False, "allow": frozenset(), "nets": (), "orig": None, "orig_ex": None}


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")


def set_offline_env() -> None:
    for k, v in OFFLINE_ENV.items():
        os.environ[k] = v
    no_proxy()


def no_proxy() -> None:
    """Loopback never goes through a proxy (``NO_PROXY``/``no_proxy``, read by urllib, requests, httpx)."""
    for var in ("NO_PROXY", "no_proxy"):
        have = [h.strip() for h in os.environ.get(var, "").split(",") if h.strip()]
        os.environ[var] = ",".join(have + [h for h in LOOPBACK_NAMES if h not in have])


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def host_allowed(host: str) -> bool:
    """Loopback, or an exact host / an address inside a CIDR of ``security.allow_hosts`` (issue 16)."""
    if is_loopback(host) or host in _state["allow"]:  # type: ignore[operator]
        return True
    from onprem_sft.security.allowlist import in_networks

    return in_networks(host, _state["nets"])  # type: ignore[arg-type]


def _allowed(address: object) -> tuple[bool, str]:
    if isinstance(address, (str, bytes)):          # AF_UNIX path
        return True, str(address)
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if host_allowed(host):
            return True, host
        return False, f"{host}:{address[1]}" if len(address) > 1 else host
    return True, repr(address)


def _record(target: str, where: str = "") -> None:
    path = os.environ.get("ONPREM_SFT_EGRESS_LOG")
    if not path:
        return
    row = {"time": time.time(), "pid": os.getpid(), "target": target, "action": "refused"}
    if where:
        row["setting"] = where
    try:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(row) + "\n")
    except OSError:
        pass


def _refuse(target: str) -> EgressBlocked:
    _record(target)
    return EgressBlocked(
        f"egress guard: refused connection to {target} (only loopback is allowed in an air-gapped run). "
        f"If this host is a server of yours on the local network, add it to security.allow_hosts.")


def allowed_host(host: str) -> bool:
    """Loopback, or a host the user listed in security.allow_hosts (as installed in this process)."""
    return host_allowed(host)


def check_url(url: str, setting: str, allow_hosts: list[str] | tuple[str, ...] = ()) -> None:
    """Refuse (and log to security/egress.jsonl) a configured URL whose host is off loopback and not allowed.

    Called at start-up for URLs from the config, so the refusal is one line before any work.
    """
    host = urlparse(url).hostname or ""
    if not host or is_loopback(host) or host in allow_hosts or allowed_host(host):
        return
    _record(f"{host}:{urlparse(url).port or ''}".rstrip(":"), setting)
    raise EgressBlocked(f"egress refused: {setting}={url} points at {host}, which is not on loopback and not in "
                        f"security.allow_hosts={list(allow_hosts)}; run the server on 127.0.0.1 or add "
                        f"security.allow_hosts=[{host}]")


def install(allow_hosts: list[str] | tuple[str, ...] = (), log_path: str | os.PathLike | None = None,
            children: bool = True) -> None:
    """Install the guard in this process and (via env) in Python child processes. Idempotent.

    ``allow_hosts``: exact hosts/IPs or CIDRs (``10.0.0.0/24``); hostnames are also allowed by the
    addresses they resolve to now (a connect sees an IP, not the name)."""
    from onprem_sft.security.allowlist import parse_allow_hosts

    exact, nets = parse_allow_hosts(allow_hosts)
    _state["allow"], _state["nets"] = exact, nets
    if log_path is not None:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        os.environ["ONPREM_SFT_EGRESS_LOG"] = str(log_path)
    if children:
        os.environ["ONPREM_SFT_EGRESS_GUARD"] = "1"
        os.environ["ONPREM_SFT_ALLOW_HOSTS"] = ",".join(allow_hosts)
        pp = os.environ.get("PYTHONPATH", "")
        if SITEHOOK_DIR not in pp.split(os.pathsep):
            os.environ["PYTHONPATH"] = os.pathsep.join([SITEHOOK_DIR] + ([pp] if pp else []))
    if _state["installed"]:
        return
    orig, orig_ex = socket.socket.connect, socket.socket.connect_ex

    def connect(self: socket.socket, address: object) -> None:  # type: ignore[override]
        ok, target = _allowed(address)
        if not ok:
            raise _refuse(target)
        return orig(self, address)  # type: ignore[arg-type]

    def connect_ex(self: socket.socket, address: object) -> int:  # type: ignore[override]
        ok, target = _allowed(address)
        if not ok:
            raise _refuse(target)
        return orig_ex(self, address)  # type: ignore[arg-type]

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    _state.update(installed=True, orig=orig, orig_ex=orig_ex)


def uninstall() -> None:
    """Restore the socket methods (tests)."""
    if _state["installed"]:
        socket.socket.connect = _state["orig"]  # type: ignore[method-assign,assignment]
        socket.socket.connect_ex = _state["orig_ex"]  # type: ignore[method-assign,assignment]
        _state.update(installed=False)
    _state.update(allow=frozenset(), nets=())
    for k in ("ONPREM_SFT_EGRESS_GUARD", "ONPREM_SFT_ALLOW_HOSTS", "ONPREM_SFT_EGRESS_LOG"):
        os.environ.pop(k, None)
    pp = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != SITEHOOK_DIR]
    if pp:
        os.environ["PYTHONPATH"] = os.pathsep.join(pp)
    else:
        os.environ.pop("PYTHONPATH", None)


def installed() -> bool:
    return bool(_state["installed"])
