#!/usr/bin/env python
"""Over-redaction on text that holds no personal data (statutes, terms): redactions per 10,000 characters.

Runs the redact stage's path (ingest chunking, one PlaceholderMap per document so name propagation applies)
over every ``.md``/``.txt`` file under the given folder and prints the rate per type plus examples of what was
redacted (these texts carry no personal data, so every span is a false positive and may be shown).

    .venv/bin/python scripts/bench_overredaction.py ../shared/corpus/ko-statutes [--examples 30]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--examples", type=int, default=30)
    ap.add_argument("--no-name-analyser", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)

    from onprem_sft.ingest.chunking import chunk_text
    from redaction import PlaceholderMap, Redactor
    from redaction.config import RedactionConfig

    red = Redactor(RedactionConfig(use_name_analyser=not args.no_name_analyser))
    files = sorted(p for p in args.folder.rglob("*") if p.suffix in (".md", ".txt"))
    if not files:
        print(f"no .md/.txt files under {args.folder}", file=sys.stderr)
        return 2
    by_type: Counter[str] = Counter()
    by_value: Counter[tuple[str, str]] = Counter()
    examples: list[str] = []
    chars = 0
    per_file = {}
    t0 = time.perf_counter()
    for f in files:
        text = f.read_text(encoding="utf-8")
        mapping = PlaceholderMap(f.stem)
        n_file = 0
        for sp in chunk_text(text):
            chunk = text[sp.start:sp.end]
            res = red.redact(chunk, "ko", mapping=mapping)
            chars += len(chunk)
            for s in res.spans:
                if s.entity_type == "SENSITIVE_CLAUSE":
                    continue
                n_file += 1
                by_type[s.entity_type] += 1
                by_value[(s.entity_type, chunk[s.start:s.end])] += 1
                if len(examples) < args.examples or by_value[(s.entity_type, chunk[s.start:s.end])] == 1:
                    ctx = chunk[max(0, s.start - 15):s.start] + "[" + chunk[s.start:s.end] + "]" + chunk[s.end:s.end + 10]
                    examples.append(f"{f.stem[:12]} {s.entity_type} {s.recognizer}: {ctx!r}")
        per_file[f.name] = n_file
    secs = time.perf_counter() - t0
    total = sum(by_type.values())
    rate = total / max(chars, 1) * 10000
    print(f"{len(files)} files, {chars:,} chars, {total} redactions = {rate:.2f} per 10,000 chars "
          f"({secs:.1f}s, {chars / secs:,.0f} chars/s)")
    print("by type:", dict(by_type.most_common()))
    print("per file:", per_file)
    print("commonest values:")
    for (t, v), n in by_value.most_common(25):
        print(f"  {n:5}  {t:18} {v!r}")
    print("examples:")
    for e in examples[:args.examples]:
        print("  " + e.replace("\n", " "))
    if args.json:
        args.json.write_text(json.dumps({"chars": chars, "redactions": total, "per_10k": round(rate, 3),
                                         "by_type": dict(by_type)}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
