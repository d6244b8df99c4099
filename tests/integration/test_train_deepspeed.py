"""Real DeepSpeed on CPU (gloo, 2 ranks): ZeRO-2 through the ``onprem-sft`` CLI and the DeepSpeed
launcher, ZeRO-3 through torchrun; a GPU test of the zero2 bf16 config that skips without CUDA."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from onprem_sft.config import compose, validate
from onprem_sft.pipeline import run_pipeline
from onprem_sft.train.export import answer_loss, load_adapter_model
from onprem_sft.train.synthetic import make_examples, write_dataset_stage

pytestmark = [pytest.mark.deepspeed, pytest.mark.slow]

COMMON = ["stages=[train]", "run.progress=false", "train.learning_rate=2e-2", "train.warmup_ratio=0",
          "train.per_device_batch_size=2", "train.max_length=256", "train.max_steps=6"]


def _learned(model_dir: Path, run_dir: Path, rows) -> tuple[float, float]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    train_rows = [r for r in rows if r.split == "train"]
    base = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32)
    before = answer_loss(base, tok, train_rows)
    after = answer_loss(load_adapter_model(model_dir, run_dir / "train" / "adapter"), tok, train_rows)
    return before, after


def test_zero2_two_ranks_via_cli_and_deepspeed_launcher(tiny_model_dir, tmp_path):
    rows = make_examples(20, filler=2)
    write_dataset_stage(tmp_path, rows)
    exe = Path(sys.executable).with_name("onprem-sft")
    cmd = [str(exe), *COMMON, "deepspeed=zero2", "train.launcher=deepspeed", "train.nproc=2",
           f"model.path={tiny_model_dir}", f"llm.model={tiny_model_dir}", f"run.dir={tmp_path}"]
    p = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=900, env=dict(os.environ))
    assert p.returncode == 0, p.stderr[-4000:]
    assert "--local_rank" not in (tmp_path / "train" / "launcher.log").read_text().split("--no_local_rank")[-1]
    m = json.loads((tmp_path / "train" / "manifest.json").read_text())
    assert m["extra"]["world_size"] == 2 and m["extra"]["deepspeed"] == "zero2"
    assert m["extra"]["effective_batch_size"] == 4 and m["counts"]["steps"] == 6
    assert not (tmp_path / "security" / "egress.jsonl").exists() or not (
        tmp_path / "security" / "egress.jsonl").read_text().strip()     # ranks stayed on loopback
    before, after = _learned(tiny_model_dir, tmp_path, rows)
    assert after < before - 0.03, (before, after)


def test_zero3_two_ranks_via_torchrun(tiny_model_dir, tmp_path):
    rows = make_examples(20, filler=2)
    write_dataset_stage(tmp_path, rows)
    cfg = compose([*COMMON, "deepspeed=zero3", "train.launcher=torchrun", "train.nproc=2", "train.merge=true",
                   f"model.path={tiny_model_dir}", f"llm.model={tiny_model_dir}", f"run.dir={tmp_path}"])
    validate(cfg)
    res = run_pipeline(cfg, tmp_path)["train"]
    assert res.extra["world_size"] == 2 and res.counts["steps"] == 6
    before, after = _learned(tiny_model_dir, tmp_path, rows)   # the adapter was gathered whole from ZeRO-3
    assert after < before - 0.03, (before, after)
    assert (tmp_path / "train" / "merged" / "model.safetensors").exists()


@pytest.mark.gpu
def test_zero2_bf16_on_gpu(tiny_model_dir, tmp_path):
    rows = make_examples(40, filler=2)
    write_dataset_stage(tmp_path, rows)
    cfg = compose([*COMMON, "deepspeed=zero2", "train.launcher=deepspeed", "train.nproc=1",
                   "train.precision=auto", "train.max_steps=20",
                   f"model.path={tiny_model_dir}", f"llm.model={tiny_model_dir}", f"run.dir={tmp_path}"])
    validate(cfg)
    res = run_pipeline(cfg, tmp_path)["train"]
    assert res.extra["precision"] == "bf16"
    spec = json.loads((tmp_path / "train" / "train_spec.json").read_text())
    assert spec["deepspeed"]["bf16"]["enabled"] is True
    print(f"GPU zero2 bf16: {res.extra['tokens_per_s']} tokens/s")
    before, after = _learned(tiny_model_dir, tmp_path, rows)
    assert after < before, (before, after)
