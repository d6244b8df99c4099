"""The ``train`` stage: SFTExample rows -> a LoRA adapter (PEFT) trained by the HF Trainer, optionally
under DeepSpeed, launched in-process or across ranks (``train.launcher=deepspeed train.nproc=2``).

Everything that can be wrong is checked here, before any rank starts: the base model dir, the
tokenizer's pad token, an empty dataset, prompts that leave no room for the answer, batch arithmetic.
Outputs in the stage dir: ``adapter/``, ``train_log.jsonl``, ``train_result.json``, ``train_spec.json``,
``checkpoints/`` (resume), optional ``merged/``.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path
from typing import Any

from onprem_sft.artifacts import atomic_write_json, config_hash, sha256_file, sha256_tree
from onprem_sft.config import ConfigError
from onprem_sft.models.prepare import check_model_dir
from onprem_sft.pipeline import PipelineError, StageContext, StageResult
from onprem_sft.records import SFTExample
from onprem_sft.train import launch
from onprem_sft.train.data import Encoder, encode_rows, ensure_pad_token, pack
from onprem_sft.train.export import merge_adapter, model_checksum
from onprem_sft.train.plan import build_spec
from onprem_sft.train.spec import ADAPTER, CHECKPOINTS, LAUNCHER_LOG, LOG, MERGED, RESULT, SPEC

log = logging.getLogger("onprem_sft.train")

FINGERPRINT = "fingerprint.json"


class TrainDataError(PipelineError, ValueError):
    """The dataset cannot be trained on as configured; the message names the file and the fix."""


def _model_type(model_dir: Path) -> str:
    return str(json.loads((model_dir / "config.json").read_text(encoding="utf-8")).get("model_type", ""))


def preflight(cfg: Any, rows: list[SFTExample], dataset_path: Path) -> tuple[dict[str, Any], list[dict]]:
    """Check data against the tokenizer and max_length before launching. Returns (stats, rejects)."""
    from transformers import AutoTokenizer

    t = cfg.train
    train_rows = [r for r in rows if r.split == "train"]
    eval_rows = [r for r in rows if r.split == "eval"]
    other = sorted({r.split for r in rows} - {"train", "eval"})
    if other:
        raise TrainDataError(f"{dataset_path}: unknown split value(s) {other}; SFTExample.split is train|eval")
    if not train_rows:
        raise TrainDataError(f"{dataset_path} has no rows with split=train ({len(rows)} rows in all): "
                             f"nothing to train on; check the dataset/curate stages' counts")
    tok = AutoTokenizer.from_pretrained(str(cfg.model.path), trust_remote_code=bool(cfg.model.trust_remote_code))
    pad_from = ensure_pad_token(tok)
    if pad_from != "pad":
        log.info("tokenizer has no pad token: padding with its %s token (masked out of loss and attention)",
                 pad_from)
    enc = Encoder(tok, int(t.max_length))
    train, st = encode_rows(enc, train_rows)
    _, se = encode_rows(enc, eval_rows)
    too_long = st.prompt_too_long + se.prompt_too_long
    rejects = []
    if too_long:
        longest = max(st.longest_prompt, se.longest_prompt)
        if t.long_prompt != "skip":
            raise TrainDataError(
                f"{dataset_path}: {len(too_long)} row(s) have a prompt of >= train.max_length={t.max_length} "
                f"tokens (longest prompt {longest} tokens), leaving no room for the answer (first ids: "
                f"{too_long[:3]}). Raise train.max_length above {longest}, shorten corpus.chunk.max_chars, or "
                f"set train.long_prompt=skip to reject those rows (written to train/rejects.jsonl).")
        by_id = {r.id: r for r in rows}
        rejects = [{"id": i, "parent_id": by_id[i].parent_id, "split": by_id[i].split,
                    "reason": f"prompt_too_long: prompt >= train.max_length={t.max_length} tokens"}
                   for i in too_long]
        log.warning("%d row(s) rejected: prompt longer than train.max_length=%d (see rejects.jsonl)",
                    len(too_long), t.max_length)
    if not train:
        raise TrainDataError(f"{dataset_path}: every training row was rejected; raise train.max_length")
    if st.truncated:
        log.warning("%d of %d training row(s) truncated to train.max_length=%d (answer tail cut); "
                    "raise train.max_length to keep whole answers", st.truncated, st.rows, t.max_length)
    n_seq = len(pack(train, enc.max_length)) if t.packing else len(train)
    return {"train": st.to_dict(), "eval": se.to_dict(), "train_sequences": n_seq, "pad_from": pad_from}, rejects


def resume_point(out: Path, fingerprint: str, resume: bool) -> str | None:
    """The last checkpoint when it was written by this very plan; otherwise clear stale checkpoints.

    Decided here, once, before any rank starts, so all ranks agree on where to start.
    """
    from transformers.trainer_utils import get_last_checkpoint

    ck = out / CHECKPOINTS
    fp = ck / FINGERPRINT
    same = fp.exists() and json.loads(fp.read_text(encoding="utf-8")).get("fingerprint") == fingerprint
    last = get_last_checkpoint(str(ck)) if ck.is_dir() else None
    if resume and same and last:
        return last
    if ck.exists():
        shutil.rmtree(ck)
    ck.mkdir(parents=True)
    atomic_write_json(fp, {"fingerprint": fingerprint})
    return None


def run(ctx: StageContext) -> StageResult:
    cfg = ctx.cfg
    t0 = time.perf_counter()
    model_dir = check_model_dir(str(cfg.model.path), "model.path")
    ds_dir = ctx.input("dataset")
    rows = ds_dir.read(SFTExample)
    if not rows:
        raise TrainDataError(f"{ds_dir.records_path} is empty: the dataset stage produced no SFT examples; "
                             f"check the curate stage's rejects.jsonl")
    stats, rejects = preflight(cfg, rows, ds_dir.records_path)
    out = ctx.out.ensure()
    spec = build_spec(cfg, dataset_path=ds_dir.records_path, out_dir=out, model_type=_model_type(model_dir))
    if stats["train_sequences"] < spec["world_size"]:
        raise ConfigError(f"train: {stats['train_sequences']} training sequence(s) cannot feed world size "
                          f"{spec['world_size']}: lower train.nproc or add data")
    base_sum = model_checksum(model_dir)
    data_sum = sha256_file(ds_dir.records_path)
    spec["fingerprint"] = config_hash([{k: v for k, v in spec.items() if k not in ("out_dir", "progress")},
                                       base_sum, data_sum])
    spec["resume_from"] = resume_point(out, spec["fingerprint"], bool(cfg.train.resume))
    atomic_write_json(out / SPEC, spec)
    if rejects:
        ctx.out.write_rejects(rejects)
    else:
        ctx.out.rejects_path.unlink(missing_ok=True)
    for stale in (RESULT, LOG):
        (out / stale).unlink(missing_ok=True)
    for stale_dir in (ADAPTER, MERGED):      # a failed rerun must not leave an old model looking current
        shutil.rmtree(out / stale_dir, ignore_errors=True)
    launcher = spec["train"]["launcher"]
    log.info("train: %d rows (%d eval), %s, deepspeed=%s, world=%d, effective batch %d, %s",
             stats["train"]["rows"], stats["eval"]["rows"], launcher, spec["deepspeed_name"],
             spec["world_size"], spec["effective_batch_size"], spec["precision"])
    from onprem_sft.train import multinode  # issue 16: hostfile runs

    if launcher == "inprocess":
        launch.run_inprocess(spec)
    elif multinode.simulated(spec):   # a hostfile of loopback aliases: every node here, no-ssh runners
        multinode.run_simulated(out / SPEC, spec, launch.child_env(spec), out)
    else:
        env = launch.child_env(spec)
        if spec["train"].get("hostfile"):   # offline flags + egress guard reach the other nodes' ranks
            env = multinode.env_for_nodes(spec, env, out)
        launch.run_launcher(launch.command(out / SPEC, spec), env, out / LAUNCHER_LOG)
    if not (out / RESULT).exists():
        raise launch.LaunchError(f"training ended without {out / RESULT}; see {out / LAUNCHER_LOG}")
    res = json.loads((out / RESULT).read_text(encoding="utf-8"))
    if cfg.train.merge:
        merge_adapter(model_dir, out / ADAPTER, out / MERGED)
    adapter_sum = sha256_tree(out / ADAPTER)
    counts = {"train_rows": stats["train"]["rows"], "eval_rows": stats["eval"]["rows"],
              "train_sequences": stats["train_sequences"], "truncated": stats["train"]["truncated"],
              "truncated_eval": stats["eval"]["truncated"], "rejected": len(rejects),
              "steps": res["global_steps"], "tokens_seen": res["tokens_seen"]}
    extra = {"base_model_checksum": base_sum, "dataset_sha256": data_sum,
             "effective_batch_size": spec["effective_batch_size"], "world_size": spec["world_size"],
             "precision": spec["precision"], "deepspeed": spec["deepspeed_name"], "launcher": launcher,
             "packing": bool(cfg.train.packing), "tokens_seen": res["tokens_seen"],
             "tokens_per_s": res["tokens_per_s"], "train_loss": res["train_loss"], "eval_loss": res["eval_loss"],
             "train_seconds": res["train_seconds"], "stage_seconds": round(time.perf_counter() - t0, 3),
             "resumed_from": res["resumed_from"], "trainable_params": res["trainable_params"],
             "lora_target_modules": spec["lora"]["target_modules"], "adapter_sha256": adapter_sum,
             "pad_token_from": stats["pad_from"], "engine": res.get("engine", "")}
    model = {"path": str(model_dir), "checksum": base_sum, "adapter": str(out / ADAPTER),
             "adapter_checksum": adapter_sum}
    if cfg.train.merge:
        model["merged"] = str(out / MERGED)
    eval_txt = f", eval_loss {res['eval_loss']:.4f}" if res["eval_loss"] is not None else ""
    summary = (f"{res['global_steps']} steps on {stats['train']['rows']} rows, train_loss "
               f"{res['train_loss']:.4f}{eval_txt}, {res['tokens_seen']} tokens, "
               f"{res['tokens_per_s']} tok/s, {stats['train']['truncated']} truncated")
    return StageResult(counts=counts, model=model, extra=extra, summary=summary)
