"""Air-gapped install: build the wheelhouse, then install it into a fresh venv with no index and the
network closed (proxies on a dead loopback port, PIP_NO_INDEX), and import the stack from it.

Minutes and gigabytes: run with `make test-airgap` (deselected from `make test`)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.airgap, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def test_wheelhouse_installs_offline(tmp_path):
    wh = tmp_path / "wheelhouse"
    env = dict(os.environ, PYTHON=os.environ.get("PYTHON", "python3.11"))
    b = subprocess.run(["bash", str(ROOT / "scripts" / "build_wheelhouse.sh"), str(wh), "cpu"], cwd=ROOT, env=env,  # noqa: PLW1510
                       capture_output=True, text=True, timeout=3000)
    assert b.returncode == 0, b.stderr[-3000:]
    assert any(p.name.startswith("onprem_sft-") for p in (wh / "wheels").iterdir())
    assert not list((wh / "wheels").glob("*.tar.gz")), "every sdist must be rebuilt as a wheel"
    work = tmp_path / "server"
    work.mkdir()
    off = dict(env, PIP_CONFIG_FILE="/dev/null", PIP_NO_INDEX="1", PIP_INDEX_URL="http://127.0.0.1:9/simple")
    i = subprocess.run(["bash", str(wh / "install_airgapped.sh"), str(wh), str(work / ".venv"), "cpu"], cwd=work,  # noqa: PLW1510
                       env=off, capture_output=True, text=True, timeout=3000)
    assert i.returncode == 0, i.stdout[-2000:] + i.stderr[-3000:]
    assert "onprem-sft installed offline" in i.stdout
    c = subprocess.run([str(work / ".venv" / "bin" / "onprem-sft"), "--cfg", "job", "llm.model=/m", "model.path=/m",  # noqa: PLW1510
                        "corpus.path=/c"], cwd=work, env=off, capture_output=True, text=True, timeout=600)
    assert c.returncode == 0, c.stderr[-2000:]
    assert "sft_template" in c.stdout
