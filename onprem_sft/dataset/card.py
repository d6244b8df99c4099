"""Dataset card (card.md): what is in the SFT set and what curation removed to get there. No raw text:
counts, mixes and score bands only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from onprem_sft.curate.judge import band
from onprem_sft.dataset.split import Split
from onprem_sft.records import SFTExample


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:.1f}%" if d else "-"


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head),
            *["| " + " | ".join(str(c) for c in r) + " |" for r in rows], ""]


def render_card(examples: Sequence[SFTExample], split: Split, *, template: str, lang: str,
                curate_counts: dict[str, int], filters: Sequence[dict[str, Any]], hf_dir: str | None) -> str:
    n = len(examples)
    by_split = Counter(e.split for e in examples)
    docs = {s: len({e.doc_id for e in examples if e.split == s}) for s in ("train", "eval")}
    lines = ["# Dataset card", "",
             f"SFT rows built from curated QA pairs. Template: **{template}**; language: **{lang}**.", ""]
    lines += ["## Counts", ""] + _table(
        ["split", "rows", "documents", "unanswerable"],
        [[s, by_split[s], docs[s], _pct(sum(1 for e in examples if e.split == s and not e.answerable), by_split[s])]
         for s in ("train", "eval")] + [["total", n, len({e.doc_id for e in examples}),
                                         _pct(sum(not e.answerable for e in examples), n)]])
    lines += ["## Split", "", f"Unit: **{split.unit}** ({split.n_groups} groups, {len(split.eval_groups)} in eval)."]
    lines += [f"Note: {split.note}" if split.note else "No document appears in both splits.", ""]
    src = Counter((e.split, getattr(e, "source", "generated")) for e in examples)
    if src.get(("train", "collected")) or src.get(("eval", "collected")):
        lines += ["## Sources", ""] + _table(["split", "collected (customer questions)", "generated"],
                                             [[s, src[(s, "collected")], src[(s, "generated")]]
                                              for s in ("train", "eval")])
    qt = Counter(e.qtype for e in examples)
    lines += ["## Question types", ""] + _table(["qtype", "rows", "share"],
                                               [[k, v, _pct(v, n)] for k, v in sorted(qt.items())])
    scores = [e.judge_score for e in examples if e.judge_score is not None]
    lines += ["## Judge scores (overall, 1-5)", ""]
    if scores:
        bands = Counter(band(s) for s in scores)
        lines += _table(["band", "rows"], [[b, bands[b]] for b in sorted(bands)])
        lines += [f"Mean {sum(scores) / len(scores):.2f}, min {min(scores):.2f}, max {max(scores):.2f}.", ""]
    else:
        lines += ["Not judged (curate.judge.enabled=false).", ""]
    lines += ["## Curation filters", "",
              f"{curate_counts.get('input', '?')} generated pairs in, {curate_counts.get('kept', '?')} kept.", ""]
    rows = []
    for f in filters:
        reasons = ", ".join(f"{k} {v}" for k, v in f.get("reasons", {}).items()) or "-"
        rows.append([f["step"], "on" if f.get("enabled") else "off", f.get("in", "-"), f.get("dropped", 0), reasons])
    lines += _table(["step", "enabled", "in", "dropped", "reasons"], rows)
    lines += ["## Files", "", "- `records.jsonl`: every row (SFTExample, with `split`)",
              "- `train.jsonl`, `eval.jsonl`: the rows of each split"]
    if hf_dir:
        lines += [f"- `{hf_dir}/`: `datasets.load_from_disk(...)` -> DatasetDict(train, eval)"]
    return "\n".join(lines) + "\n"
