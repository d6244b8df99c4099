"""DeepSpeed multi-node launch, simulated on one machine (issue 16): a hostfile of two loopback aliases runs
two node runners (no-ssh mode, node_rank 0 and 1) that rendezvous at 127.0.0.1 and train one LoRA with
world size 2; every node got the offline flags and the egress guard through the runner's env file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from onprem_sft.train.synthetic import make_examples, write_dataset_stage

pytestmark = [pytest.mark.deepspeed, pytest.mark.slow]

COMMON = ["stages=[train]", "run.progress=false", "train.learning_rate=2e-2", "train.warmup_ratio=0",
          "train.per_device_batch_size=2", "train.max_length=256", "train.max_steps=3"]


def test_two_node_hostfile_rendezvous_on_loopback(tiny_model_dir, tmp_path):
    write_dataset_stage(tmp_path, make_examples(12, filler=2))
    hostfile = tmp_path / "hostfile"
    hostfile.write_text("localhost slots=1\n127.0.0.1 slots=1\n")
    exe = Path(sys.executable).with_name("onprem-sft")
    cmd = [str(exe), *COMMON, "deepspeed=zero2", "train.launcher=deepspeed", f"train.hostfile={hostfile}",
           f"model.path={tiny_model_dir}", f"llm.model={tiny_model_dir}", f"run.dir={tmp_path}"]
    p = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=900, env=dict(os.environ))
    assert p.returncode == 0, p.stderr[-4000:]
    train = tmp_path / "train"
    m = json.loads((train / "manifest.json").read_text())
    assert m["extra"]["world_size"] == 2 and m["counts"]["steps"] == 3
    logs = [(train / f"launcher.node{r}.log").read_text() for r in (0, 1)]
    for r, text in enumerate(logs):
        assert f"node_rank={r}" in text and "nnodes=2" in text        # the launcher saw two nodes
    env_file = (train / "deepspeed_env").read_text().splitlines()
    assert "ONPREM_SFT_EGRESS_GUARD=1" in env_file and "HF_HUB_OFFLINE=1" in env_file
    egress = tmp_path / "security" / "egress.jsonl"
    assert not egress.exists() or not egress.read_text().strip()      # ranks stayed on loopback
