"""Benchmark: how often the collected-question matcher retrieves a question's source paragraph.

    .venv/bin/python scripts/bench_retrieval.py --dataset korquad1-dev [--limit 2000]
    .venv/bin/python scripts/bench_retrieval.py --dataset squad2-dev
    .venv/bin/python scripts/bench_retrieval.py --file path/to/squad_format.json [--split dev|test|all]

A public extractive-QA set in SQuAD JSON (KorQuAD 1.0 dev for Korean, SQuAD 2.0 dev for English) is
fetched at benchmark time (never at run time). Every paragraph becomes one chunk; every answerable
question is a "collected question" whose gold chunk is its own paragraph. Reports top-1 and top-5
accuracy of ``onprem_sft.collected.retrieve.ChunkIndex`` (BM25 over Kiwi morphemes / stemmed English
words) and, in the same run, the baseline BM25 over whitespace tokens (what a plain ``split()`` gives).
Paragraph titles are not indexed (a customer question has no title to match).

``--split`` keeps the questions of even-indexed articles (``dev``: the only ones to look at when tuning the
matcher) or odd-indexed ones (``test``: report only); the corpus is always every paragraph of the file, so
the distractors and the corpus size stay the same in every split.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
import urllib.request
from pathlib import Path

URLS = {
    "korquad1-dev": "https://korquad.github.io/dataset/KorQuAD_v1.0_dev.json",
    "squad2-dev": "https://rajpurkar.github.io/SQuAD-explorer/dataset/dev-v2.0.json",
}


def load(args: argparse.Namespace) -> tuple[dict, str]:
    """The parsed file and its sha256 (printed, so a figure names the exact data it was measured on)."""
    if args.file:
        path = Path(args.file)
    else:
        path = Path(args.cache) / f"{args.dataset}.json"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with urllib.request.urlopen(URLS[args.dataset], timeout=120) as r:   # benchmark-time fetch only
                path.write_bytes(r.read())
    raw = path.read_bytes()
    return json.loads(raw.decode("utf-8")), hashlib.sha256(raw).hexdigest()


def items(data: dict, limit: int, split: str = "all") -> tuple[list[str], list[tuple[str, int]]]:
    """Every paragraph (the corpus) and the answerable questions of the split's articles with their gold."""
    paras: list[str] = []
    qs: list[tuple[str, int]] = []
    for a, art in enumerate(data["data"]):
        keep = split == "all" or (a % 2 == 0) == (split == "dev")
        for p in art["paragraphs"]:
            paras.append(p["context"])
            for qa in p["qas"] if keep else ():
                if not qa.get("is_impossible") and qa.get("answers"):
                    qs.append((qa["question"], len(paras) - 1))
    return paras, qs[:limit] if limit else qs


def evaluate(search, qs: list[tuple[str, int]]) -> dict[str, float]:
    top1 = top5 = 0
    t0 = time.perf_counter()
    for q, gold in qs:
        ranked = search(q)
        top1 += bool(ranked[:1] == [gold])
        top5 += gold in ranked[:5]
    secs = time.perf_counter() - t0
    n = max(1, len(qs))
    return {"top1": round(top1 / n, 4), "top5": round(top5 / n, 4), "queries_per_s": round(len(qs) / secs, 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", choices=sorted(URLS), default="korquad1-dev")
    ap.add_argument("--file", help="a local SQuAD-format JSON instead of --dataset")
    ap.add_argument("--cache", default="/tmp/onprem_sft_bench")
    ap.add_argument("--split", choices=["all", "dev", "test"], default="all",
                    help="questions of even (dev) / odd (test) articles only; the corpus stays every paragraph")
    ap.add_argument("--limit", type=int, default=0, help="first N answerable questions (0 = all)")
    args = ap.parse_args()

    import bm25s

    from onprem_sft.collected.retrieve import ChunkIndex
    from onprem_sft.records import RedactedChunk

    data, sha = load(args)
    paras, qs = items(data, args.limit, args.split)
    chunks = [RedactedChunk(id=f"p{i}", parent_id=None, doc_id=f"p{i}", text=t) for i, t in enumerate(paras)]
    t0 = time.perf_counter()
    idx = ChunkIndex(chunks)
    build = time.perf_counter() - t0
    ours = evaluate(lambda q: [int(h.chunk.id[1:]) for h in idx.search(q, 5)[0]], qs)

    base = bm25s.BM25()
    base.index([t.lower().split() or ["\x00"] for t in paras], show_progress=False)

    def base_search(q: str) -> list[int]:
        s = base.get_scores(q.lower().split())
        return sorted(range(len(paras)), key=lambda i: -s[i])[:5]

    baseline = evaluate(base_search, qs)
    print(json.dumps({"dataset": args.file or args.dataset, "sha256": sha, "split": args.split,
                      "articles": len(data["data"]), "paragraphs": len(paras), "questions": len(qs),
                      "index_build_s": round(build, 1), "ours_kiwi_bm25": ours,
                      "baseline_whitespace_bm25": baseline}, indent=2))


if __name__ == "__main__":
    main()
