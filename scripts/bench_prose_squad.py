"""Over-redaction on encyclopaedic prose: what the redactor finds in the paragraphs of a SQuAD 2.0 file.

Why: issue 14's quality benchmark runs the pipeline on SQuAD articles, where an address or phone surrogate in
place of ordinary words ("100,000 people" -> "100,588 Fictional Lane") damages the text a model learns from.
Wikipedia prose names real people, so PERSON counts are expected; ADDRESS and PHONE_NUMBER hits are listed
(public text) so each can be judged by eye. Rules only (no spaCy model), so it takes seconds.

    PYTHONPATH=$PWD .venv/bin/python scripts/bench_prose_squad.py --squad dev-v2.0.json [--src OTHER_CHECKOUT]

``--src``: import ``redaction`` from another checkout (e.g. a ``git worktree`` of the baseline commit).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

LISTED = ("ADDRESS", "PHONE_NUMBER")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--squad", required=True, type=Path, help="a local SQuAD 2.0 JSON file (never vendored)")
    ap.add_argument("--src", type=Path, default=Path(__file__).resolve().parents[1])
    a = ap.parse_args()
    if not a.squad.is_file():
        raise SystemExit(f"bench_prose_squad: --squad {a.squad}: no such file; pass a local SQuAD 2.0 JSON file")
    sys.path.insert(0, str(a.src))
    from redaction import Redactor
    from redaction.config import RedactionConfig

    cfg = RedactionConfig(use_name_analyser=True)
    cfg.nlp.en = None
    red = Redactor(cfg)
    paras = [p["context"] for art in json.loads(a.squad.read_text(encoding="utf-8"))["data"] for p in art["paragraphs"]]
    counts: Counter[str] = Counter()
    listed: list[str] = []
    for text in paras:
        for s in red.redact(text, "en").spans:
            counts[s.entity_type] += 1
            if s.entity_type in LISTED:
                listed.append(f"{s.entity_type}: {text[s.start:s.end]!r}")
    print(f"{a.src}: {len(paras)} paragraphs, {sum(map(len, paras)):,} chars; {dict(counts)}")
    print("\n".join(listed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
