"""The egress guard refuses non-loopback connections (naming the host), allows loopback, and logs."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading

import pytest

from onprem_sft.security import egress


@pytest.fixture
def guard(tmp_path):
    log = tmp_path / "egress.jsonl"
    egress.install([], log_path=log)
    yield log
    egress.uninstall()


def test_non_loopback_refused_and_logged(guard):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with pytest.raises(egress.EgressBlocked, match=r"93\.184\.216\.34:443"):
        s.connect(("93.184.216.34", 443))
    s.close()
    with pytest.raises(egress.EgressBlocked, match="10.1.2.3"):
        socket.create_connection(("10.1.2.3", 80), timeout=1)
    rows = [json.loads(line) for line in guard.read_text().splitlines()]
    assert [r["target"] for r in rows] == ["93.184.216.34:443", "10.1.2.3:80"]


def test_loopback_allowed(guard):
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    t = threading.Thread(target=lambda: srv.accept()[0].close())
    t.start()
    c = socket.create_connection(("127.0.0.1", port), timeout=5)
    c.close()
    t.join(5)
    srv.close()
    assert not guard.exists() or guard.read_text() == ""


def test_allow_list(tmp_path):
    egress.install(["192.0.2.10"], log_path=tmp_path / "e.jsonl")
    try:
        s = socket.socket()
        s.settimeout(0.2)
        try:
            s.connect(("192.0.2.10", 9))   # TEST-NET: allowed by the guard, unreachable on the wire
        except egress.EgressBlocked:
            pytest.fail("allow-listed host was refused")
        except OSError:
            pass
        finally:
            s.close()
    finally:
        egress.uninstall()


def test_child_python_processes_are_guarded(guard):
    code = ("import socket\n"
            "try:\n    socket.create_connection(('8.8.8.8', 53), timeout=1)\n"
            "except ConnectionRefusedError as e:\n    print('REFUSED', type(e).__name__)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)  # noqa: PLW1510
    assert "REFUSED EgressBlocked" in out.stdout, out.stderr[-2000:]
    assert "8.8.8.8:53" in guard.read_text()


def test_offline_env():
    egress.set_offline_env()
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"
    assert os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] == ""
