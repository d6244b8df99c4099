"""Synthetic SFT rows for tests and benchmarks (no personal data; plainly fake policy facts).

Rows follow the dataset stage's contract: ``prompt`` is the seed template rendered without the answer,
``completion`` is the answer. ``write_dataset_stage`` writes them as a finished ``dataset`` stage so the
``train`` stage can run alone on them.
"""

from __future__ import annotations

import random
from pathlib import Path

from onprem_sft.artifacts import StageDir
from onprem_sft.records import SFTExample, stable_id

TEMPLATE = ("Answer the [Question] using the [Content]. If the question cannot be answered, reply "
            "\"The answer cannot be found.\"\n[Question]\n{question}\n[Content]\n{context}\n[Answer]\n")

_ITEMS = ["waiting period", "grace period", "deductible", "coverage limit", "claim deadline", "refund window"]
_UNITS = ["days", "months", "percent", "thousand won"]


def make_examples(n: int, *, eval_every: int = 5, seed: int = 0, filler: int = 0) -> list[SFTExample]:
    """``n`` rows; every ``eval_every``-th is split=eval. ``filler`` pads contexts with that many extra
    sentences, so lengths vary (what packing exploits)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        item, unit = rng.choice(_ITEMS), rng.choice(_UNITS)
        plan = f"Plan {chr(65 + i % 26)}{i}"
        value = rng.randint(2, 90)
        extra = " ".join(f"Clause {i}.{k} applies to riders of {plan}." for k in range(rng.randint(0, filler)))
        context = f"Article {i % 9 + 1}. The {item} of {plan} is {value} {unit}. {extra}".strip()
        question = f"What is the {item} of {plan}?"
        answer = f"The {item} of {plan} is {value} {unit}."
        qa_id = stable_id("qa", seed, i)
        out.append(SFTExample(
            id=stable_id("sft", seed, i), parent_id=qa_id, doc_id=f"doc-{i % 7}",
            split="eval" if eval_every and i % eval_every == eval_every - 1 else "train",
            prompt=TEMPLATE.format(question=question, context=context), completion=answer,
            question=question, context=context, lang="en"))
    return out


def write_dataset_stage(run_dir: str | Path, rows: list[SFTExample]) -> StageDir:
    """A complete ``dataset`` stage (records + manifest) holding ``rows``."""
    sd = StageDir(run_dir, "dataset")
    sd.write_records(rows)
    sd.finalize(config_hash="synthetic", input_hash="synthetic", counts={"examples": len(rows)})
    return sd
