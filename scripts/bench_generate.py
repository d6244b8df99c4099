"""Benchmark: tokens/s of the generate stage vs raw ``vllm.LLM.generate`` on the same prompts, in the
same process and engine, and the gain from prefix caching.

1. The generate stage (questions -> answers -> verified unanswerables) runs on N synthetic redacted
   insurance clauses through ``generate_with_engine`` (CallLog, parsing, retries, files included).
2. Raw baseline: the exact prompts + sampling params the stage logged (llm_calls.jsonl), replayed with
   ``llm.generate`` in the same step order and batches. Prefix cache reset before each measured run.
3. Prefix caching: the raw replay again with ``skip_reading_prefix_cache=True`` on every request.

    .venv/bin/python scripts/bench_generate.py --chunks 16 --questions 2
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CLAUSES = [
    ("Hospitalization Benefit", "The Company pays a hospitalization benefit of {a},000 won per day when the "
     "Insured is hospitalized for {d} days or more due to an accident, for up to 120 days per stay."),
    ("Claim Procedure", "To claim a benefit, the Beneficiary submits a claim form, an identity document and a "
     "medical certificate. The Company pays within {d} business days after receiving all documents."),
    ("Cancellation", "The Policyholder may cancel the contract within {d} days after receiving the policy; the "
     "Company refunds the premium paid within {a} days of the request."),
    ("Loan Interest", "The loan interest rate is {a}.5 percent per year, fixed for the first {d} years; late "
     "payments carry an extra 3 percent per year."),
    ("Premium Grace Period", "If a premium is unpaid, a grace period of {d} days applies. The contract lapses "
     "when the premium is still unpaid {a} days after the grace period ends."),
    ("Exclusions", "The Company does not pay benefits for injuries caused intentionally by the Insured or during "
     "war. Dental treatment is covered only up to {a},000 won per year, after a {d}-day waiting period."),
    ("Early Repayment", "The Borrower may repay the loan early. An early repayment fee of {d} percent applies in "
     "the first {a} years and no fee applies afterwards."),
    ("Notification Duty", "The Policyholder must notify the Company within {d} days when the Insured changes "
     "job. The Company may reduce benefits by {a} percent if the notice is not given."),
]


def chunks(n: int):
    from onprem_sft.records import RedactedChunk

    out = []
    for i in range(n):
        title, text = CLAUSES[i % len(CLAUSES)]
        out.append(RedactedChunk(id=f"rc-{i:03d}", parent_id=f"c-{i:03d}", doc_id=f"doc-{i // 4}", index=i,
                                 clause=f"Article {i + 1} ({title})", lang="en",
                                 text=text.format(a=10 + 3 * i, d=3 + i % 7)))
    return out


def compose(model: str, questions: int, ratio: float):
    from hydra import compose as hcompose
    from hydra import initialize_config_dir

    from onprem_sft.config import register_configs

    register_configs()
    with initialize_config_dir(config_dir=str(ROOT / "conf"), version_base="1.3"):
        return hcompose(config_name="config", overrides=[
            f"llm.model={model}", "prompts=en", f"generate.questions_per_chunk={questions}",
            f"generate.unanswerable_ratio={ratio}", "run.progress=false", "llm.max_num_seqs=32"])


def raw_replay(llm, calls: list[dict], *, skip_prefix: bool) -> tuple[float, int]:
    """Replay logged calls with plain llm.generate, grouped like the stage's engine calls."""
    from vllm import SamplingParams
    from vllm.sampling_params import StructuredOutputsParams

    groups: list[list[dict]] = []
    for c in calls:            # consecutive calls of the same purpose+attempt were one engine call
        key = (c["purpose"], c["id"].rsplit("-a", 1)[-1])
        if groups and groups[-1][0]["_key"] == key:
            groups[-1].append({**c, "_key": key})
        else:
            groups.append([{**c, "_key": key}])
    llm.reset_prefix_cache()
    toks, t0 = 0, time.perf_counter()
    for g in groups:
        params = []
        for c in g:
            s = c["sampling"]
            so = (StructuredOutputsParams(json=s["json_schema"], disable_any_whitespace=True)
                  if s.get("json_schema") else None)
            params.append(SamplingParams(temperature=s["temperature"], top_p=s["top_p"], max_tokens=s["max_tokens"],
                                         seed=s["seed"], stop=s["stop"] or None, structured_outputs=so,
                                         skip_reading_prefix_cache=skip_prefix or None))
        outs = llm.generate([c["prompt"] for c in g], params, use_tqdm=False)
        toks += sum(len(o.outputs[0].token_ids) for o in outs)
    return time.perf_counter() - t0, toks


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(ROOT / "models" / "smollm2-135m-instruct"))
    ap.add_argument("--chunks", type=int, default=16)
    ap.add_argument("--questions", type=int, default=2)
    ap.add_argument("--unanswerable-ratio", type=float, default=0.2)
    ap.add_argument("--repeats", type=int, default=2)
    a = ap.parse_args()

    os.environ.setdefault("ONPREM_SFT_HOME", str(ROOT))
    from onprem_sft.security.egress import set_offline_env

    set_offline_env()
    from onprem_sft.artifacts import StageDir, iter_jsonl, write_jsonl
    from onprem_sft.generate.stage import generate_with_engine
    from onprem_sft.llm.calls import CALLS
    from onprem_sft.llm.factory import build_engine
    from onprem_sft.pipeline import StageContext

    cfg = compose(a.model, a.questions, a.unanswerable_ratio)
    rows = chunks(a.chunks)
    results = []
    with tempfile.TemporaryDirectory() as tmp, build_engine(cfg.llm, tmp, progress=False) as eng:
        llm = eng.llm
        llm.generate(["warm up"], use_tqdm=False)
        for rep in range(a.repeats):
            run = Path(tmp) / f"run{rep}"
            write_jsonl(run / "redact" / "records.jsonl", rows)
            StageDir(run, "redact").finalize(config_hash="c", input_hash="i", counts={})
            ctx = StageContext(cfg=cfg, run_dir=run, out=StageDir(run, "generate"),
                               inputs={"redact": StageDir(run, "redact")})
            llm.reset_prefix_cache()
            t0 = time.perf_counter()
            res = generate_with_engine(ctx, eng)
            stage_s = time.perf_counter() - t0
            calls = list(iter_jsonl(run / "generate" / CALLS))
            stage_toks = sum(c["completion_tokens"] for c in calls)
            raw_s, raw_toks = raw_replay(llm, calls, skip_prefix=False)
            nopc_s, nopc_toks = raw_replay(llm, calls, skip_prefix=True)
            r = {"rep": rep, "requests": len(calls), "prompt_tokens": sum(c["prompt_tokens"] for c in calls),
                 "stage_s": round(stage_s, 2), "stage_tok_s": round(stage_toks / stage_s, 1),
                 "raw_s": round(raw_s, 2), "raw_tok_s": round(raw_toks / raw_s, 1),
                 "ratio": round((stage_toks / stage_s) / (raw_toks / raw_s), 3),
                 "no_prefix_cache_s": round(nopc_s, 2), "no_prefix_cache_tok_s": round(nopc_toks / nopc_s, 1),
                 "prefix_cache_speedup": round(nopc_s / raw_s, 3),
                 "same_tokens": stage_toks == raw_toks, "counts": res.counts}
            results.append(r)
            print(json.dumps(r), flush=True)
    best = max(results, key=lambda r: r["ratio"])
    last = results[-1]
    print(f"SUMMARY model={Path(a.model).name} chunks={a.chunks} q/chunk={a.questions} requests={last['requests']} "
          f"stage={last['stage_tok_s']} tok/s raw={last['raw_tok_s']} tok/s ratio={last['ratio']} "
          f"(best {best['ratio']}); prefix cache: {last['no_prefix_cache_tok_s']} -> {last['raw_tok_s']} tok/s "
          f"({last['prefix_cache_speedup']}x)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
