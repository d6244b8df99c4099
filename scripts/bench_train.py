"""Training throughput: LoRA under DeepSpeed vs plain PEFT + HF Trainer, with and without packing.

Same tiny model, same synthetic SFT rows, same effective batch, one run. Throughput is real (non-pad)
tokens per second of optimizer-step time (start-up, checkpoint saving and eval excluded), as the train
stage reports it in ``manifest.json`` (extra.tokens_per_s).

    .venv/bin/python scripts/bench_train.py [--model models/tiny-llama] [--steps 20] [--out runs/bench_train]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

VARIANTS = [  # name, overrides
    ("plain PEFT+Trainer (no DeepSpeed), 1 proc", ["deepspeed=none", "train.launcher=inprocess", "train.nproc=1",
                                                  "train.per_device_batch_size=4"]),
    ("DeepSpeed ZeRO-2, 1 rank", ["deepspeed=zero2", "train.launcher=deepspeed", "train.nproc=1",
                                  "train.per_device_batch_size=4"]),
    ("DeepSpeed ZeRO-2, 2 ranks (gloo)", ["deepspeed=zero2", "train.launcher=deepspeed", "train.nproc=2",
                                          "train.per_device_batch_size=2"]),
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(ROOT / "models" / "tiny-llama"))
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--rows", type=int, default=96)
    ap.add_argument("--max-length", type=int, default=512)
    ap.add_argument("--out", default=str(ROOT / "runs" / "bench_train"))
    ap.add_argument("--only", default="", help="comma-separated variant indexes, e.g. 0,1")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    from onprem_sft.config import compose, validate
    from onprem_sft.pipeline import run_pipeline
    from onprem_sft.security.egress import set_offline_env
    from onprem_sft.train.synthetic import make_examples, write_dataset_stage

    set_offline_env()
    rows = make_examples(a.rows, filler=6, seed=1)
    pick = [int(i) for i in a.only.split(",") if i] or list(range(len(VARIANTS)))
    results = []
    for vi in pick:
        name, over = VARIANTS[vi]
        for packing in (False, True):
            run_dir = Path(a.out) / f"v{vi}-{'packed' if packing else 'padded'}"
            shutil.rmtree(run_dir, ignore_errors=True)
            write_dataset_stage(run_dir, rows)
            cfg = compose([f"model.path={a.model}", f"llm.model={a.model}", f"run.dir={run_dir}", "stages=[train]",
                           "run.progress=false", f"train.max_steps={a.steps}", f"train.max_length={a.max_length}",
                           f"train.packing={str(packing).lower()}", "train.grad_accum=1", *over])
            validate(cfg)
            t0 = time.perf_counter()
            res = run_pipeline(cfg, run_dir)["train"]
            r = {"variant": name, "packing": packing, "steps": res.counts["steps"],
                 "sequences": res.counts["train_sequences"], "tokens_seen": res.counts["tokens_seen"],
                 "tokens_per_s": res.extra["tokens_per_s"], "train_loss": round(res.extra["train_loss"], 4),
                 "wall_s": round(time.perf_counter() - t0, 1)}
            results.append(r)
            print(json.dumps(r), flush=True)
    base = {r["packing"]: r["tokens_per_s"] for r in results if r["variant"] == VARIANTS[0][0]}
    print(f"\nmachine: {platform.machine()} {os.cpu_count()} cores, torch threads per rank = cores/ranks")
    print("| variant | packing | rows/seqs | steps | tokens seen | tokens/s | vs plain (same packing) | wall s |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        rel = f"{r['tokens_per_s'] / base[r['packing']]:.2f}x" if base.get(r["packing"]) else "-"
        print(f"| {r['variant']} | {'on' if r['packing'] else 'off'} | {a.rows}/{r['sequences']} | {r['steps']} | "
              f"{r['tokens_seen']} | {r['tokens_per_s']} | {rel} | {r['wall_s']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
