"""security.allow_hosts (issue 16): exact hosts and CIDRs pass the egress guard, everything else is still
refused and logged, too-broad or malformed entries fail at config time, and verify names the allow-list."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import pytest

from onprem_sft.config import ConfigError, compose, validate
from onprem_sft.security import egress
from onprem_sft.security.allowlist import check_allow_hosts, parse_allow_hosts
from onprem_sft.security.verify import PASS, VerifyOptions, run_checks

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "security"))
from runfactory import make_run


def _try(host: str) -> str:
    """'allowed' when the guard let the connect reach the wire (it then fails: TEST-NET is unrouted)."""
    s = socket.socket()
    s.settimeout(0.05)
    try:
        s.connect((host, 9))
    except egress.EgressBlocked:
        return "refused"
    except OSError:
        return "allowed"
    finally:
        s.close()
    return "allowed"


@pytest.fixture
def guard(tmp_path):
    log = tmp_path / "egress.jsonl"
    egress.install(["192.0.2.10", "198.51.100.0/28"], log_path=log)
    yield log
    egress.uninstall()


def test_exact_host_and_cidr_allowed_others_refused_and_logged(guard):
    assert _try("192.0.2.10") == "allowed"
    assert _try("198.51.100.7") == "allowed"                # inside the /28
    assert _try("198.51.100.16") == "refused"               # just outside it
    assert _try("192.0.2.11") == "refused"
    rows = [json.loads(line) for line in guard.read_text().splitlines()]
    assert [r["target"] for r in rows] == ["198.51.100.16:9", "192.0.2.11:9"]
    assert egress.host_allowed("127.0.0.1") and egress.host_allowed("::1")


def test_uninstall_forgets_the_allow_list(guard):
    egress.uninstall()
    assert not egress.host_allowed("192.0.2.10")
    egress.install([], log_path=guard)
    assert _try("192.0.2.10") == "refused"


@pytest.mark.parametrize("entry, why", [
    ("0.0.0.0/0", "broader than /8"), ("::/0", "broader than /32"), ("10.0.0.0/7", "broader"),
    ("http://10.0.0.5:8000", "not a host"), ("10.0.0.5:8000", "not a host"), ("*.corp", "not a host"),
    ("10.0.0.0/33", "not a CIDR"), ("", "empty")])
def test_bad_entries_named(entry, why):
    (msg,) = check_allow_hosts([entry])
    assert why in msg


def test_good_entries_parse():
    assert check_allow_hosts(["gpu-node-1", "10.0.0.5", "10.0.0.0/24", "fd00::/48", "::1"]) == []
    exact, nets = parse_allow_hosts(["10.0.0.5", "10.1.0.0/16", "fd00:0::5"], resolve=False)
    assert "10.0.0.5" in exact and "fd00::5" in exact and [str(n) for n in nets] == ["10.1.0.0/16"]


def test_config_refuses_too_broad_allow_list_at_compose_time():
    with pytest.raises(ConfigError, match=r"security.allow_hosts: '0.0.0.0/0' is broader"):
        validate(compose(["security.allow_hosts=[0.0.0.0/0]"]))
    validate(compose(["security.allow_hosts=[10.0.0.0/24,gpu-node-1]"]))


def test_verify_reports_the_allow_list(tmp_path):
    make_run(tmp_path)
    (r,) = run_checks(tmp_path, VerifyOptions(scan_pii=False), only=["egress"])
    assert r.status == PASS and "allow-list: loopback only" in r.summary
    with open(tmp_path / "security" / "guard.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps({"started": "later", "egress_guard": True, "installed": True,
                            "allow_hosts": ["10.0.0.0/24", "gpu-node-1"]}) + "\n")
    (r,) = run_checks(tmp_path, VerifyOptions(scan_pii=False), only=["egress"])
    assert r.status == PASS and "allow-list: loopback + 10.0.0.0/24, gpu-node-1" in r.summary
