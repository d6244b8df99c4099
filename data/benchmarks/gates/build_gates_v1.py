"""Builds gates_v1.jsonl: the hand-labelled noise-gate set (written apart from the gate code).

Every row below is written by hand; this script only attaches the context texts, assigns ids and
shuffles with a fixed seed, so the file is reproducible. gates_v1.jsonl is FROZEN: never re-run this
to overwrite it; a changed set is a new file (gates_v2.jsonl) from a new script.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from _contexts import EN_CTX, KO_CTX, REFUSAL
from _rows_en import EN_ROWS
from _rows_ko import KO_ROWS

CLASSES = [
    "question_multiple", "question_debris", "question_copies_context", "question_loop", "question_length",
    "question_contains_answer", "question_placeholder", "answer_not_in_context", "answer_short_ungrounded",
    "answer_in_question", "answer_loop", "answer_yesno_mismatch", "refusal_wrong_string",
    "answer_wrong_language",
]


def build(rows: list[tuple], ctx: dict[str, str], lang: str) -> list[dict]:
    out = []
    for r in rows:
        label, key, q, a, style, *rest = r
        unans = bool(rest[0]) if rest else False
        note = rest[1] if len(rest) > 1 else ""
        if a is None:
            a = REFUSAL[lang]
        assert label == "clean" or label in CLASSES, label
        assert style in ("extractive", "short", "reasoning"), style
        assert key in ctx, key
        out.append({"lang": lang, "context": ctx[key], "context_key": key, "question": q, "answer": a,
                    "answer_style": style, "is_unanswerable": unans, "label": label,
                    "junk_class": None if label == "clean" else label, "note": note})
    return out


def main(out: Path) -> None:
    rows = build(EN_ROWS, EN_CTX, "en") + build(KO_ROWS, KO_CTX, "ko")
    random.Random(14).shuffle(rows)
    with out.open("w", encoding="utf-8") as f:
        for i, r in enumerate(rows, 1):
            f.write(json.dumps({"id": f"g1-{i:04d}", **r}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
