"""The resolved training plan: batch arithmetic, precision, DeepSpeed dict, launch commands, and the
clear errors the stage raises before any rank starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onprem_sft.artifacts import StageDir
from onprem_sft.config import ConfigError, compose
from onprem_sft.models.prepare import ModelPathError
from onprem_sft.pipeline import StageContext
from onprem_sft.train import launch, plan
from onprem_sft.train.stage import TrainDataError, run
from onprem_sft.train.synthetic import make_examples, write_dataset_stage


def _cfg(model_dir: Path | str, *overrides: str):
    return compose([f"model.path={model_dir}", f"llm.model={model_dir}", "run.progress=false", *overrides])


def test_effective_batch_and_global_batch_mismatch_names_the_fix(tiny_model_dir):
    cfg = _cfg(tiny_model_dir, "train.per_device_batch_size=2", "train.grad_accum=3", "train.nproc=2",
               "train.launcher=torchrun")
    assert plan.check_batch(cfg.train, 2) == 12
    cfg.train.global_batch_size = 16
    with pytest.raises(ConfigError, match=r"global_batch_size=16 .* = 12; set train.grad_accum=4"):
        plan.check_batch(cfg.train, 2)
    cfg.train.global_batch_size = 10
    with pytest.raises(ConfigError, match="multiple of per_device_batch_size"):
        plan.check_batch(cfg.train, 2)


def test_precision_auto_is_fp32_on_cpu_and_bf16_on_gpu():
    assert plan.resolve_precision("auto", on_gpu=False) == "fp32"
    assert plan.resolve_precision("auto", on_gpu=True) == "bf16"
    with pytest.raises(ConfigError, match="needs a GPU"):
        plan.resolve_precision("bf16", on_gpu=False)


@pytest.mark.parametrize("name", ["zero2", "zero3", "zero3_offload"])
def test_deepspeed_dict_is_plain_and_consistent(tiny_model_dir, name):
    cfg = _cfg(tiny_model_dir, f"deepspeed={name}", "+deepspeed.config.optimizer.type=AdamW")
    d = plan.deepspeed_dict(cfg.deepspeed, "fp32", on_gpu=False)
    assert type(d) is dict and json.loads(json.dumps(d)) == d
    assert "optimizer" not in d                             # DeepSpeed's Adam would JIT-compile
    assert d["bf16"]["enabled"] is False and d["fp16"]["enabled"] is False
    assert "offload_param" not in d["zero_optimization"]    # nothing to offload to on CPU
    g = plan.deepspeed_dict(cfg.deepspeed, "bf16", on_gpu=True)
    assert g["bf16"]["enabled"] is True
    if name == "zero3_offload":
        assert g["zero_optimization"]["offload_param"]["device"] == "cpu"
    assert plan.deepspeed_dict(_cfg(tiny_model_dir).deepspeed, "fp32", False) is None


def test_lora_targets_per_architecture(tiny_model_dir):
    cfg = _cfg(tiny_model_dir)
    cfg.lora.by_model_type = {"gpt2": ["c_attn"], "phi3": ["all-linear"]}
    assert plan.lora_targets(cfg.lora, "gpt2") == ["c_attn"]
    assert plan.lora_targets(cfg.lora, "phi3") == "all-linear"
    assert plan.lora_targets(cfg.lora, "llama") == list(cfg.lora.target_modules)


def test_hostfile_world_size_and_bad_lines(tmp_path, tiny_model_dir):
    hf = tmp_path / "hostfile"
    hf.write_text("# two nodes\nnode-a slots=2\nnode-b slots=2\n")
    cfg = _cfg(tiny_model_dir, "train.launcher=deepspeed", f"train.hostfile={hf}")
    assert plan.world_size(cfg.train) == 4
    hf.write_text("node-a 2\n")
    with pytest.raises(ConfigError, match="hostname slots=N"):
        plan.world_size(cfg.train)


def test_launch_commands_never_hand_local_rank_to_the_worker(tmp_path, tiny_model_dir):
    spec = {"train": {"launcher": "deepspeed", "nproc": 2, "hostfile": None}, "master_port": 29999}
    cmd = launch.command(tmp_path / "spec.json", spec)
    assert "--no_local_rank" in cmd and cmd[-3:] == ["--module", launch.WORKER, str(tmp_path / "spec.json")]
    spec["train"]["launcher"] = "torchrun"
    cmd = launch.command(tmp_path / "spec.json", spec)
    assert cmd[cmd.index("--nproc_per_node") + 1] == "2" and cmd[-3:-1] == ["-m", launch.WORKER]


def _ctx(cfg, run_dir: Path) -> StageContext:
    out = StageDir(run_dir, "train")
    out.ensure()
    return StageContext(cfg=cfg, run_dir=run_dir, out=out, inputs={"dataset": StageDir(run_dir, "dataset")})


def test_missing_base_model_is_named(tmp_path):
    write_dataset_stage(tmp_path, make_examples(4))
    with pytest.raises(ModelPathError, match=r"model\.path=.*does not exist"):
        run(_ctx(_cfg(tmp_path / "nope"), tmp_path))


def test_empty_dataset_and_no_train_rows_fail_before_work(tmp_path, tiny_model_dir):
    write_dataset_stage(tmp_path, [])
    with pytest.raises(TrainDataError, match="is empty"):
        run(_ctx(_cfg(tiny_model_dir), tmp_path))
    only_eval = [r.__class__(**{**r.__dict__, "split": "eval"}) for r in make_examples(3)]
    write_dataset_stage(tmp_path, only_eval)
    with pytest.raises(TrainDataError, match="no rows with split=train"):
        run(_ctx(_cfg(tiny_model_dir), tmp_path))


def test_prompt_longer_than_max_length_fails_or_is_rejected_with_reason(tmp_path, tiny_model_dir):
    rows = make_examples(6, eval_every=0, filler=6, seed=3)
    write_dataset_stage(tmp_path, rows)
    with pytest.raises(TrainDataError, match=r"train\.max_length=64 .*train\.long_prompt=skip"):
        run(_ctx(_cfg(tiny_model_dir, "train.max_length=64"), tmp_path))
    # skip: rejected rows land in rejects.jsonl with a reason, raw text stays out of it
    from onprem_sft.train.stage import preflight

    cfg = _cfg(tiny_model_dir, "train.max_length=120", "train.long_prompt=skip")
    stats, rejects = preflight(cfg, rows, tmp_path / "dataset" / "records.jsonl")
    assert rejects and all(r["reason"].startswith("prompt_too_long") for r in rejects)
    assert stats["train"]["rows"] + len(rejects) == 6
    assert not any(rows[0].context in json.dumps(r) for r in rejects)


def test_more_ranks_than_sequences_is_refused(tmp_path, tiny_model_dir):
    write_dataset_stage(tmp_path, make_examples(3, eval_every=0))
    cfg = _cfg(tiny_model_dir, "train.launcher=torchrun", "train.nproc=4")
    with pytest.raises(ConfigError, match="cannot feed world size 4"):
        run(_ctx(cfg, tmp_path))


def test_launcher_console_keeps_our_lines_and_errors_not_deepspeed_cpu_notes():
    lines = {
        "[2026-12-01 15:37:39,699] [WARNING] [real_accelerator.py:213:get_accelerator] Setting accelerator to CPU.": False,
        "[2026-12-01 15:37:39,958] [WARNING] [runner.py:214:fetch_hostfile] Unable to find hostfile, will proceed": False,
        "[2026-12-01 15:37:39,958] [INFO] [runner.py:618:main] cmd = python -m deepspeed.launcher.launch "
        "--module onprem_sft.train.worker spec.json": False,
        "2026-12-01 15:38:00,000 INFO onprem_sft.train.worker: step 10/20 loss 2.1": True,
        "[rank0]: RuntimeError: CUDA error": True,
        "Traceback (most recent call last):": True,
        "[2026-12-01 15:38:00,000] [WARNING] [engine.py:1] gradient overflow": True,
    }
    assert {k: launch._for_console(k) for k in lines} == lines
