#!/usr/bin/env python
"""Scale-out benchmark (issue 16), one run, baseline measured beside it:

1. Redaction throughput (chars/s) of the local executor vs Ray with 1 and 2 workers, on synthetic Korean +
   English documents from the ``heldout`` templates of ``redaction/synth.py`` (phrasings the recognizers were
   not tuned on), whole documents per shard as ``run.executor=ray`` does; outputs checked identical.
2. Generation tokens/s of ``llm=fleet`` with 1 server (all cores) vs 2 servers (cores split), same greedy
   requests, responses checked identical.

    PYTHONPATH=$PWD .venv/bin/python scripts/bench_scale.py --docs 400 --requests 32 --out /tmp/bench_scale.json
    (--skip-generation / --skip-redaction to run one half)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def corpus(n: int, seed: int) -> list[tuple[str, list[list[tuple[str, str]]]]]:
    """n documents as (doc_id, chunks), each chunk the (text, language) list the redact stage hands over;
    a document of 3-6 sentences split into 2 chunks."""
    from redaction.synth import Generator, build_docs

    docs = build_docs(Generator(seed), "heldout", n)
    out = []
    for i, d in enumerate(docs):
        text = d["text"]
        cut = text.find(". ", len(text) // 2)
        parts = [text] if cut < 0 else [text[:cut + 1], text[cut + 2:]]
        out.append((f"doc-{i:05d}", [[(p, d["lang"])] for p in parts]))
    return out


def bench_redaction(args: argparse.Namespace) -> dict:
    from onprem_sft.config import compose, to_container
    from onprem_sft.scale.ray_env import init_ray, shutdown_ray
    from onprem_sft.scale.redact import RayRedactPool, redact_batch, shards

    cfg = to_container(compose([f"redaction={args.redaction}"]).redaction)
    docs = corpus(args.docs, args.seed)
    chars = sum(len(t) for _, cs in docs for c in cs for t, _ in c)
    res: dict = {"docs": len(docs), "chunks": sum(len(cs) for _, cs in docs), "chars": chars,
                 "redaction_config": args.redaction, "runs": {}}

    def texts(results) -> list[str]:
        return [u if isinstance(u, str) else u[-1].text for batch in results for doc in batch for u in doc]

    # local executor (one process) and Ray pools of each size, all warm, timed interleaved --repeats times
    # (the machine is shared: load moves between runs, so each variant keeps its fastest run)
    batches = shards(docs, 2)
    redact_batch(cfg, batches[0])                           # build the Redactor outside the timing
    t0 = time.perf_counter()
    init_ray({"num_workers": sum(args.workers)})            # logical CPUs for all pools; one pool works at a time
    res["ray_start_s"] = round(time.perf_counter() - t0, 1)
    pools = {}
    for w in args.workers:
        t0 = time.perf_counter()
        pools[w] = RayRedactPool(cfg, {"num_workers": w})
        list(pools[w].map(shards(docs[:w], w, 1)))          # actors built and warm before the timing
        res.setdefault("actor_start_s", {})[w] = round(time.perf_counter() - t0, 1)
    times: dict[str, list[float]] = {"local": []}
    same: dict[int, bool] = {}
    ref_texts: list[str] = []
    for rep in range(args.repeats):
        t0 = time.perf_counter()
        ref = [redact_batch(cfg, b) for b in batches]
        times["local"].append(time.perf_counter() - t0)
        ref_texts = texts(ref)
        for w in args.workers:
            b = shards(docs, w)
            t0 = time.perf_counter()
            got = list(pools[w].map(b))
            times.setdefault(f"ray_{w}", []).append(time.perf_counter() - t0)
            same[w] = same.get(w, True) and texts(got) == ref_texts
        print(f"repeat {rep}: " + ", ".join(f"{k} {v[-1]:.1f}s" for k, v in times.items()), flush=True)
    for p in pools.values():
        p.close()
    best_local = min(times["local"])
    res["runs"]["local"] = {"seconds_best": round(best_local, 2), "seconds_all": [round(x, 2) for x in times["local"]],
                            "chars_per_s": round(chars / best_local)}
    print(f"local      : {chars / best_local:10,.0f} chars/s (best of {args.repeats}: {best_local:.1f}s)", flush=True)
    for w in args.workers:
        t = min(times[f"ray_{w}"])
        res["runs"][f"ray_{w}"] = {"seconds_best": round(t, 2), "seconds_all": [round(x, 2) for x in times[f"ray_{w}"]],
                                   "chars_per_s": round(chars / t), "speedup_vs_local": round(best_local / t, 2),
                                   "shards": len(shards(docs, w)), "identical_to_local": same[w]}
        print(f"ray x{w}     : {chars / t:10,.0f} chars/s (best {t:.1f}s, {best_local / t:.2f}x local, "
              f"identical={same[w]})", flush=True)
    shutdown_ray()
    return res


def bench_generation(args: argparse.Namespace) -> dict:
    from onprem_sft.llm.engine import LLMRequest, Sampling
    from onprem_sft.llm.factory import build_engine
    from onprem_sft.records import RedactedChunk
    from redaction.synth import Generator, build_docs

    docs = build_docs(Generator(args.seed + 1), "heldout", args.requests)
    reqs = []
    for i, d in enumerate(docs):
        rc = RedactedChunk(id=f"rc-{i}", parent_id=f"c-{i}", doc_id=f"d-{i}", text=d["text"][:600])
        reqs.append(LLMRequest(id=f"q{i}", purpose="question", sources=(rc,),
                               sampling=Sampling(temperature=0.0, max_tokens=args.max_tokens, seed=0),
                               messages=({"role": "user", "content": f"Write one question about: {rc.text}"},)))
    res: dict = {"model": args.model, "requests": len(reqs), "max_tokens": args.max_tokens, "runs": {}}
    outs = {}
    for n in (1, 2):
        run = Path(args.workdir) / f"gen{n}"
        run.mkdir(parents=True, exist_ok=True)
        llm = {"backend": "fleet", "model": args.model, "dtype": "float32", "max_model_len": 2048, "kv_cache_gb": 1,
               "enforce_eager": True, "max_num_seqs": args.concurrency, "seed": 0,
               "fleet": {"autostart": n, "max_concurrency": args.concurrency}}
        t0 = time.perf_counter()
        eng = build_engine(llm, run, progress=False)
        start = time.perf_counter() - t0
        try:
            eng.generate(reqs[:2])                                   # warm-up
            t0 = time.perf_counter()
            out = eng.generate(reqs)
            secs = time.perf_counter() - t0
        finally:
            eng.close()
        toks = sum(o.completion_tokens for o in out)
        outs[n] = [o.text for o in out]
        res["runs"][f"servers_{n}"] = {"seconds": round(secs, 2), "completion_tokens": toks,
                                       "tokens_per_s": round(toks / secs, 1), "start_s": round(start, 1),
                                       "served": dict(eng.stats.served)}
        print(f"{n} server(s): {toks / secs:8.1f} tok/s ({toks} tokens, {secs:.1f}s; start {start:.0f}s)", flush=True)
    res["identical_1_vs_2"] = outs[1] == outs[2]
    res["differing_responses"] = sum(a != b for a, b in zip(outs[1], outs[2]))
    print(f"1 vs 2 servers: identical responses={res['identical_1_vs_2']} "
          f"({res['differing_responses']} of {len(reqs)} differ)")
    return res


def bench_dedup(args: argparse.Namespace) -> dict:
    """Near-dup search cost vs corpus size: MinHash per question is linear; LSH candidates grow with the
    duplicates actually present, not with n^2. Questions: synthetic sentences, 10% near-duplicated."""
    import random

    from onprem_sft.curate import dedup as dd
    from onprem_sft.records import QAPair
    from redaction.synth import Generator, build_docs

    rng = random.Random(args.seed)
    sents = [s for d in build_docs(Generator(args.seed + 2), "heldout", max(args.dedup_sizes) // 3 + 10)
             for s in d["text"].split(". ") if len(s) > 30]
    out: dict = {"runs": []}
    for n in args.dedup_sizes:
        qs = []
        for i in range(n):
            if qs and rng.random() < 0.1:
                base = rng.choice(qs)
                qs.append(base[:-3] + "요?")                 # a near-duplicate of an earlier question
            else:
                qs.append(sents[i % len(sents)] + f" ({i})?")
        pairs = [QAPair(id=f"p{i}", parent_id=f"q{i}", question=q, context="", answer="a") for i, q in enumerate(qs)]
        calls = {"n": 0}
        orig = dd.MinHash.jaccard

        def counting(self, other, _orig=orig, _calls=calls):
            _calls["n"] += 1
            return _orig(self, other)
        dd.MinHash.jaccard = counting
        t0 = time.perf_counter()
        _kept, drops = dd.dedup(pairs, score=lambda p: 0.0)
        secs = time.perf_counter() - t0
        dd.MinHash.jaccard = orig
        row = {"n": n, "seconds": round(secs, 2), "ms_per_item": round(1000 * secs / n, 2),
               "candidate_checks": calls["n"], "dropped": len(drops)}
        out["runs"].append(row)
        print(f"dedup n={n:6d}: {secs:6.1f}s ({1000 * secs / n:.2f} ms/item), {calls['n']} candidate checks, "
              f"{len(drops)} dropped", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=400)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--redaction", default="default")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--requests", type=int, default=32)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--model", default=str(ROOT / "models" / "smollm2-135m-instruct"))
    ap.add_argument("--workdir", default="/tmp/bench_scale")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--skip-redaction", action="store_true")
    ap.add_argument("--skip-generation", action="store_true")
    ap.add_argument("--dedup-sizes", type=int, nargs="*", default=[1000, 2000, 4000])
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    from onprem_sft.security.egress import install, set_offline_env

    set_offline_env()
    install([], log_path=Path(args.workdir) / "egress.jsonl")     # the benchmark stays on loopback too
    report = {"cpus": os.cpu_count(), "affinity": len(os.sched_getaffinity(0)), "load_avg_start": os.getloadavg()}
    if not args.skip_redaction:
        report["redaction"] = bench_redaction(args)
    if args.dedup_sizes:
        report["dedup"] = bench_dedup(args)
    if not args.skip_generation:
        report["generation"] = bench_generation(args)
    report["load_avg_end"] = os.getloadavg()
    print(json.dumps(report, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
