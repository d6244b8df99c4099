#!/usr/bin/env python
"""Redaction throughput, this tree vs a baseline tree (e.g. ``git archive main``), side by side in one run.

Each implementation runs in its own subprocess (so the two ``redaction`` packages never mix) on the same
documents (``scripts/bench_redaction.py``'s synthetic dev + heldout set, built by THIS tree's generator and
handed over as JSON); rounds alternate baseline/ours and the fastest round of each is kept (the CPU is shared).
Also times ``redaction.workers`` process pools through the redact stage's batch function when ``--workers``.

    git archive main | tar -x -C /tmp/base
    .venv/bin/python scripts/bench_redaction_speed.py --baseline /tmp/base --rounds 3 --workers 1 2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, os, sys, time
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
docs = json.load(open(sys.argv[1], encoding="utf-8"))
from redaction import Redactor
from redaction.config import RedactionConfig
import dataclasses
kw = {"use_name_analyser": True}
if os.environ.get("BENCH_NLP_EN") == "none" and "nlp" in {f.name for f in dataclasses.fields(RedactionConfig)}:
    from redaction.config import NlpConfig
    kw["nlp"] = NlpConfig(en=None)          # --no-english-ner: the trees compared without spaCy NER
r = Redactor(RedactionConfig(**kw))
r.redact("피보험자 홍길동", "ko")
best = float("inf")
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    for d in docs:
        r.redact(d["text"], d["lang"])
    best = min(best, time.perf_counter() - t)
print(json.dumps({"seconds": best}))
"""


def run_child(tree: Path, docs_file: str, repeats: int) -> float:
    env = dict(os.environ, PYTHONPATH=str(tree), TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS="")
    out = subprocess.run([sys.executable, "-c", CHILD, docs_file, str(repeats)], env=env, cwd=str(tree),
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


_RED = None


def pool_seconds(docs: list[dict], workers: int) -> float:
    """The redact stage's batch function (one document per task), Redactor built and warm; fork included."""
    global _RED
    sys.path.insert(0, str(ROOT))
    from redaction import Redactor
    from redaction.config import RedactionConfig
    from redaction.parallel import redact_documents

    cfg = RedactionConfig(use_name_analyser=True)
    if _RED is None:
        _RED = Redactor(cfg)
        _RED.warm_up()
    work = [(f"doc-{i}", [[(d["text"], d["lang"])]]) for i, d in enumerate(docs)]
    t = time.perf_counter()
    n = sum(1 for _ in redact_documents(cfg, work, workers=workers, redactor=_RED))
    assert n == len(docs)
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--baseline", type=Path, help="a tree with the old code (git archive main | tar -x -C DIR)")
    ap.add_argument("--docs", type=int, default=300, help="documents per template set (as bench_redaction.py)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=2, help="timed passes per round inside each subprocess")
    ap.add_argument("--workers", type=int, nargs="*", default=[], help="also time the process pool (redact stage)")
    ap.add_argument("--pool-scale", type=int, default=5, help="the doc set repeated this many times for --workers")
    ap.add_argument("--no-english-ner", action="store_true",
                    help="time this tree with redaction.nlp.en=null (no spaCy NER on English texts)")
    ap.add_argument("--lang", choices=("all", "ko", "en"), default="all",
                    help="time only the documents of this language (the set is ~66%% Korean by characters)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    if args.no_english_ner:
        os.environ["BENCH_NLP_EN"] = "none"     # read by the child of this tree (the baseline has no NER)

    sys.path.insert(0, str(ROOT))
    from redaction.synth import Generator, build_docs

    gen = Generator(13)
    docs = [d for name in ("dev", "heldout") for d in build_docs(gen, name, args.docs)
            if args.lang == "all" or d["lang"] == args.lang]
    chars = sum(len(d["text"]) for d in docs)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump([{"text": d["text"], "lang": d["lang"]} for d in docs], f, ensure_ascii=False)
        docs_file = f.name
    res: dict = {"docs": len(docs), "chars": chars, "lang": args.lang, "cpus": os.cpu_count()}
    best = {"baseline": float("inf"), "ours": float("inf")}
    for _ in range(args.rounds):
        if args.baseline:
            best["baseline"] = min(best["baseline"], run_child(args.baseline, docs_file, args.repeats))
        best["ours"] = min(best["ours"], run_child(ROOT, docs_file, args.repeats))
    for k, t in best.items():
        if t < float("inf"):
            res[k] = {"seconds": round(t, 3), "chars_per_s": round(chars / t)}
            print(f"{k:9} single process: {t:.2f}s  {chars / t:,.0f} chars/s")
    if args.baseline:
        res["speedup"] = round(best["baseline"] / best["ours"], 2)
        print(f"speed-up ours vs baseline: {res['speedup']}x")
    if args.workers:
        docs = docs * args.pool_scale          # a pool needs more work than one pass of the set to show
        chars = sum(len(d["text"]) for d in docs)
        print(f"pool: {len(docs)} docs, {chars:,} chars (the set x{args.pool_scale})")
        res["pool"] = {}
        for w in args.workers:
            t = min(pool_seconds(docs, w) for _ in range(args.rounds))
            res["pool"][w] = {"seconds": round(t, 3), "chars_per_s": round(chars / t)}
            print(f"pool workers={w}: {t:.2f}s  {chars / t:,.0f} chars/s (incl. pool start-up)")
        if 1 in res["pool"]:
            for w, v in res["pool"].items():
                print(f"  scaling workers={w} vs 1: {res['pool'][1]['seconds'] / v['seconds']:.2f}x")
    os.unlink(docs_file)
    if args.json:
        args.json.write_text(json.dumps(res, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
