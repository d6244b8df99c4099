"""Generate (and freeze) the held-out Korean redaction set.

    PYTHONPATH=$PWD .venv/bin/python -m scripts.heldout_ko.build --out scripts/heldout_ko/data/heldout_ko_v1.jsonl.gz

Deterministic: one ``random.Random(seed)`` per document (seeded from the set seed and the document index), no
Faker, no clock, gzip written with mtime 0, so the same seed gives byte-identical output. The frozen v1 file is
the benchmark; this code only documents how it was made (changing it must not change v1: make a v2 instead).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

from .docs import KINDS, Gen

SEED = 20261201
N_DOCS = 800
VERSION = "heldout_ko_v1"


def validate(rec: dict) -> list[str]:
    """Invariant violations of one record (empty list = fine)."""
    text, spans, errs = rec["text"], rec["spans"], []
    prev_end = -1
    for s in sorted(spans, key=lambda s: s["start"]):
        if not (0 <= s["start"] < s["end"] <= len(text)):
            errs.append(f"span out of range {s}")
            continue
        v = text[s["start"]:s["end"]]
        if v != s["value"] or v != v.strip():
            errs.append(f"span value mismatch {s}")
        if s["start"] < prev_end:
            errs.append(f"overlapping span {s}")
        prev_end = max(prev_end, s["end"])
    return errs


def _stray_values(text: str, spans: list[dict]) -> bool:
    """True when a gold value also occurs outside every gold span (propagation would make it ambiguous)."""
    covered = [False] * len(text)
    for s in spans:
        for i in range(s["start"], s["end"]):
            covered[i] = True
    for val in {s["value"] for s in spans}:
        for m in re.finditer(re.escape(val), text):
            if not all(covered[m.start():m.end()]):
                return True
    return False


def make_doc(seed: int, idx: int) -> dict:
    """Document ``idx``: kind by round robin, redrawn (same seed chain) until no gold value occurs stray."""
    for attempt in range(50):
        rng = random.Random(f"{seed}:{idx}:{attempt}")
        kind = KINDS[idx % len(KINDS)]
        doc = kind(Gen(rng))
        text = doc.text
        spans = [dict(s, value=text[s["start"]:s["end"]]) for s in doc.spans]
        if not _stray_values(text, spans):
            rec = {"id": f"{VERSION}-{idx:04d}", "kind": doc.kind, "text": text, "spans": spans}
            errs = validate(rec)
            if errs:
                raise AssertionError(f"{rec['id']}: {errs[:3]}")
            return rec
    raise AssertionError(f"document {idx}: no draw without stray values")


def generate(n_docs: int = N_DOCS, seed: int = SEED) -> list[dict]:
    return [make_doc(seed, i) for i in range(n_docs)]


def dumps(records: list[dict]) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as gz:
        for rec in records:
            gz.write((json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
    return buf.getvalue()


def load(path: str | Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def stats(records: list[dict]) -> dict:
    types = Counter(s["type"] for r in records for s in r["spans"])
    return {"documents": len(records), "spans": sum(types.values()), "types": len(types),
            "chars": sum(len(r["text"]) for r in records), "by_type": dict(sorted(types.items())),
            "by_kind": dict(sorted(Counter(r["kind"] for r in records).items()))}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--docs", type=int, default=N_DOCS)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    recs = generate(args.docs, args.seed)
    data = dumps(recs)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_bytes(data)
    print(json.dumps(stats(recs), ensure_ascii=False, indent=1))
    print(f"sha256 {hashlib.sha256(data).hexdigest()}  {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
