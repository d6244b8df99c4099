"""One training rank: ``python -m onprem_sft.train.worker <spec.json>``.

Started in-process (launcher=inprocess) or once per rank by the DeepSpeed launcher (``--no_local_rank``)
or torchrun, which set RANK/LOCAL_RANK/WORLD_SIZE in the environment. It reads only the resolved spec
written by the stage (no Hydra here), so the launchers' extra arguments never reach a config parser.

Order matters under DeepSpeed (measured on CPU with torch 2.13 + deepspeed 0.19.8):
1. on CPU, mark the ``deepspeed_shm_comm`` op incompatible so nothing JIT-compiles at start-up;
2. ``deepspeed.init_distributed`` (gloo on CPU) before anything else touches torch.distributed;
3. TrainingArguments before the model, so ZeRO-3 partitions the weights while ``from_pretrained`` loads.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

from onprem_sft.artifacts import atomic_write_json, read_records, write_jsonl
from onprem_sft.records import SFTExample
from onprem_sft.train.data import Collator, Encoder, encode_rows, ensure_pad_token, pack
from onprem_sft.train.spec import ADAPTER, CHECKPOINTS, LOG, RESULT

log = logging.getLogger("onprem_sft.train.worker")



def _dist_env(spec: dict[str, Any]) -> tuple[int, int]:
    """(rank, world) from the launcher's env; a single in-process DeepSpeed rank gets a loopback rendezvous."""
    if "RANK" not in os.environ and spec["deepspeed"]:
        os.environ.update(RANK="0", LOCAL_RANK="0", WORLD_SIZE="1", MASTER_ADDR="127.0.0.1")
        os.environ.setdefault("MASTER_PORT", str(spec.get("master_port") or _free_port()))
    return int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1"))


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _quiet_progress(trainer: Any) -> None:
    """Keep the Trainer's progress bar but not its per-step log dicts on the console (they are in the stage's
    train log and run.log; ``-v`` prints them)."""
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    from onprem_sft.console import verbose

    if verbose():
        return
    trainer.remove_callback(PrinterCallback)      # used instead of the bar when progress is off: prints dicts
    if not any(isinstance(cb, ProgressCallback) for cb in trainer.callback_handler.callbacks):
        return

    class QuietProgress(ProgressCallback):
        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
            log.debug("trainer log: %s", logs)

    trainer.remove_callback(ProgressCallback)
    trainer.add_callback(QuietProgress)


def _init_deepspeed(on_gpu: bool) -> None:
    import deepspeed
    import deepspeed.ops

    from onprem_sft.console import tame_existing

    tame_existing()          # DeepSpeed's own stdout handler: its INFO goes to run.log, not the console

    if not on_gpu:
        # deepspeed.comm would JIT-compile this op (~2 min, needs g++ and Python headers) on CPU.
        deepspeed.ops.__compatible_ops__["deepspeed_shm_comm"] = False
    deepspeed.init_distributed(dist_backend="nccl" if on_gpu else "gloo")


def _split(spec: dict[str, Any], enc: Encoder) -> tuple[list, list, dict[str, Any]]:
    rows = read_records(spec["dataset_path"], SFTExample)
    train_rows = [r for r in rows if r.split == "train"]
    eval_rows = [r for r in rows if r.split == "eval"]
    train, st = encode_rows(enc, train_rows)
    evals, se = encode_rows(enc, eval_rows)
    stats = {"train": st.to_dict(), "eval": se.to_dict()}
    return train, evals, stats


def _make_trainer_class():
    import torch
    from transformers import Trainer

    class SFTTrainer(Trainer):
        """Counts real (non-pad) tokens from the collator's ``n_tokens``, even in packed rows where the
        pad id equals EOS and a pad-id count would miss the EOS targets."""

        _pending = None

        def training_step(self, model, inputs, num_items_in_batch=None):
            self._pending = inputs.pop("n_tokens", None)
            return super().training_step(model, inputs, num_items_in_batch)

        def prediction_step(self, model, inputs, prediction_loss_only, ignore_keys=None):
            inputs.pop("n_tokens", None)
            return super().prediction_step(model, inputs, prediction_loss_only, ignore_keys=ignore_keys)

        def _track_num_input_tokens(self, inputs):
            if self._pending is None:
                return
            n = torch.as_tensor(self._pending, device=self.args.device, dtype=torch.int64)
            self.state.num_input_tokens_seen += int(self.accelerator.gather(n).sum().item())
            self._pending = None

    return SFTTrainer


def _step_timer():
    from transformers import TrainerCallback

    class StepTimer(TrainerCallback):
        """Seconds spent inside optimizer steps only (no checkpoint saving, eval or start-up): tokens/s."""

        def __init__(self) -> None:
            self.seconds = 0.0
            self._t: float | None = None

        def on_step_begin(self, args, state, control, **kw):
            if self._t is None:
                self._t = time.perf_counter()

        def on_step_end(self, args, state, control, **kw):
            if self._t is not None:
                self.seconds += time.perf_counter() - self._t
                self._t = None

    return StepTimer()


def _training_args(spec: dict[str, Any], has_eval: bool):
    from transformers import TrainingArguments

    t, on_gpu, prec = spec["train"], spec["on_gpu"], spec["precision"]
    big = 10**9   # "at the end only": the Trainer also saves/evaluates when training stops
    optim = t["optim"] if t["optim"] != "auto" else ("adamw_torch_fused" if on_gpu else "adamw_torch")
    kw: dict[str, Any] = {
        "output_dir": str(Path(spec["out_dir"]) / CHECKPOINTS),
        "max_steps": int(t["max_steps"]), "num_train_epochs": float(t["epochs"]),
        "learning_rate": float(t["learning_rate"]), "lr_scheduler_type": t["lr_scheduler"],
        "warmup_steps": float(t["warmup_ratio"]), "weight_decay": float(t["weight_decay"]),
        "max_grad_norm": float(t["max_grad_norm"]), "optim": optim, "seed": int(t["seed"]), "data_seed": int(t["seed"]),
        "per_device_train_batch_size": int(t["per_device_batch_size"]),
        "per_device_eval_batch_size": int(t["eval_batch_size"] or t["per_device_batch_size"]),
        "gradient_accumulation_steps": int(t["grad_accum"]),
        "logging_steps": int(t["logging_steps"]), "logging_first_step": True,
        "eval_strategy": "steps" if has_eval else "no", "eval_steps": int(t["eval_steps"] or big),
        "save_strategy": "steps", "save_steps": int(t["save_steps"] or big),
        "save_total_limit": int(t["save_total_limit"]) or None,
        "bf16": prec == "bf16", "fp16": prec == "fp16",
        "gradient_checkpointing": bool(t["gradient_checkpointing"]),
        "gradient_checkpointing_kwargs": {"use_reentrant": False},
        "deepspeed": spec["deepspeed"], "use_cpu": not on_gpu,
        "report_to": [], "disable_tqdm": not spec["progress"], "remove_unused_columns": False,
        "include_num_input_tokens_seen": "non_padding", "dataloader_num_workers": 0,
        "ddp_find_unused_parameters": False,
    }
    if not on_gpu and (spec["deepspeed"] or int(os.environ.get("WORLD_SIZE", "1")) > 1):
        kw["ddp_backend"] = "gloo"       # a single plain-CPU process needs no process group at all
    return TrainingArguments(**kw)


def _load_model(spec: dict[str, Any]):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(spec["precision"], torch.float32)
    kw: dict[str, Any] = {"dtype": dtype, "trust_remote_code": spec["trust_remote_code"]}
    if spec.get("attn_implementation"):
        kw["attn_implementation"] = spec["attn_implementation"]
    model = AutoModelForCausalLM.from_pretrained(spec["model_path"], **kw)
    model.config.use_cache = False
    lo = spec["lora"]
    peft_cfg = LoraConfig(r=lo["r"], lora_alpha=lo["alpha"], lora_dropout=lo["dropout"], bias=lo["bias"],
                          target_modules=lo["target_modules"], task_type="CAUSAL_LM")
    return get_peft_model(model, peft_cfg)


def engine_name(spec: dict[str, Any], deepspeed_on: bool, world: int) -> str:
    """What actually trained, for the manifest and the closing summary (not what was asked for)."""
    import torch.distributed as dist

    backend = dist.get_backend() if dist.is_available() and dist.is_initialized() else "no process group"
    if deepspeed_on:
        import deepspeed

        zero = ((spec.get("deepspeed") or {}).get("zero_optimization") or {}).get("stage", 0)
        return f"DeepSpeed {deepspeed.__version__} ZeRO-{zero}, {world} rank(s), {backend}"
    return f"PyTorch (HF Trainer, no DeepSpeed), {world} rank(s), {backend}"


def _write_log(history: list[dict[str, Any]], path: Path) -> int:
    """Loss-curve rows for the report: step, loss, eval_loss, lr (+ tokens seen, epoch)."""
    rows = []
    for h in history:
        if not any(k in h for k in ("loss", "eval_loss")):
            continue
        rows.append({"step": h.get("step"), "epoch": h.get("epoch"), "loss": h.get("loss"),
                     "eval_loss": h.get("eval_loss"), "lr": h.get("learning_rate"),
                     "grad_norm": h.get("grad_norm"), "tokens_seen": h.get("num_input_tokens_seen")})
    return write_jsonl(path, rows)


def run_worker(spec: dict[str, Any]) -> dict[str, Any] | None:
    """Train one rank; rank 0 saves the adapter, the log and a result summary. Returns it on rank 0."""
    t0 = time.perf_counter()
    t = spec["train"]
    out = Path(spec["out_dir"])
    if not spec["on_gpu"]:
        threads = int(t.get("threads_per_proc") or 0) or max(1, (os.cpu_count() or 1) // spec["world_size"])
        import torch

        torch.set_num_threads(threads)
    rank, world = _dist_env(spec)
    if spec["deepspeed"]:
        _init_deepspeed(spec["on_gpu"])
    from transformers import AutoTokenizer, set_seed

    set_seed(int(t["seed"]))
    tok = AutoTokenizer.from_pretrained(spec["model_path"], trust_remote_code=spec["trust_remote_code"])
    pad_from = ensure_pad_token(tok)
    enc = Encoder(tok, int(t["max_length"]))
    train, evals, stats = _split(spec, enc)
    train_rows: list[Any] = pack(train, enc.max_length) if t["packing"] else train
    args = _training_args(spec, has_eval=bool(evals))   # before the model: ZeRO-3 partitions at load
    model = _load_model(spec)
    trainer = _make_trainer_class()(
        model=model, args=args, train_dataset=train_rows, eval_dataset=evals or None,
        data_collator=Collator(tok.pad_token_id, int(t["pad_to_multiple_of"])), processing_class=tok)
    timer = _step_timer()
    trainer.add_callback(timer)
    _quiet_progress(trainer)
    resume = spec.get("resume_from")    # decided once by the stage, so every rank agrees
    if resume and rank == 0:
        log.info("resuming from %s", resume)
    t_train = time.perf_counter()
    res = trainer.train(resume_from_checkpoint=resume)
    train_s = time.perf_counter() - t_train
    evals_logged = [h for h in trainer.state.log_history if "eval_loss" in h]
    final_eval = evals_logged[-1] if evals_logged else (trainer.evaluate() if evals else {})
    trainer.save_model(str(out / ADAPTER))          # PEFT adapter only (gathered whole under ZeRO-3)
    if rank != 0:
        return None
    tok.save_pretrained(str(out / ADAPTER))
    _write_log(trainer.state.log_history, out / LOG)
    tokens = int(trainer.state.num_input_tokens_seen)
    session_tokens = tokens - int(getattr(trainer, "_initial_num_input_tokens_seen", 0) or 0)
    result = {
        "global_steps": int(trainer.state.global_step), "train_loss": float(res.training_loss),
        "eval_loss": final_eval.get("eval_loss"), "tokens_seen": tokens,
        "train_seconds": round(train_s, 3), "worker_seconds": round(time.perf_counter() - t0, 3),
        "step_seconds": round(timer.seconds, 3),
        "tokens_per_s": round(session_tokens / timer.seconds, 2) if timer.seconds > 0 else None,
        "resumed_from": Path(resume).name if resume else None, "pad_token_from": pad_from,
        "train_sequences": len(train_rows), "world_size": world, "encode": stats,
        "engine": engine_name(spec, bool(getattr(trainer, "is_deepspeed_enabled", False)), world),
        "trainable_params": int(sum(getattr(p, "ds_numel", p.numel())
                                    for p in model.parameters() if p.requires_grad)),
    }
    atomic_write_json(out / RESULT, result)
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m onprem_sft.train.worker <spec.json>", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("DeepSpeed", "deepspeed"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    run_worker(spec)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
