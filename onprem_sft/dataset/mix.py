"""Collected vs generated rows: which source the eval split holds, and their share in train.

``dataset.eval_source=collected`` holds out real customer questions as the eval split: the latest ones
when every collected question has a date (``eval_split_by=time``), else whole documents (the document
of each question's best retrieved chunk); generated pairs of a held-out document are dropped so eval
stays on unseen documents. ``generated`` is the mirror image; ``all`` is the plain split by document; ``auto`` (default) is
``collected`` when curate kept at least two collected pairs, else ``all``.
``dataset.mix`` then downsamples the train side that is over its share. Every dropped pair is returned
with a reason (written to the stage's rejects.jsonl).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from typing import Any

from onprem_sft.dataset.split import Split, split_pairs
from onprem_sft.records import QAPair


def _by_time(col: Sequence[QAPair], eval_fraction: float) -> tuple[set[str], str]:
    order = sorted(col, key=lambda p: ((p.collected or {}).get("date", ""), p.id))
    k = min(len(order) - 1, max(1, round(eval_fraction * len(order))))
    ev = order[len(order) - k:]
    since = (ev[0].collected or {}).get("date", "")
    return {p.id for p in ev}, f"collected questions dated {since} or later"


def choose_split(pairs: Sequence[QAPair], dc: Any) -> tuple[Split, list[dict[str, Any]], str]:
    """(split over the kept pairs, dropped pairs with reasons, what eval holds: all | collected | generated)."""
    src = str(dc.get("eval_source", "auto"))
    if src == "auto":                  # customer questions, when there are any, are the better eval set
        src = "collected" if sum(p.source == "collected" for p in pairs) >= 2 else "all"
    base: dict[str, Any] = {"eval_fraction": float(dc.eval_fraction), "min_eval_docs": int(dc.min_eval_docs),
                            "seed": int(dc.seed), "fallback": str(dc.fallback)}
    if src == "all":
        return (*_mix(split_pairs(pairs, **base), pairs, dc), src)
    held = [p for p in pairs if (p.source == "collected") == (src == "collected")]
    held_ids = {p.id for p in held}
    other = [p for p in pairs if p.id not in held_ids]
    if len(held) < 2:
        raise ValueError(f"dataset.eval_source={src}: curate kept {len(held)} {src} pair(s); at least 2 are needed "
                         f"for a held-out split (add questions, relax curate, or use dataset.eval_source=all)")
    dated = src == "collected" and all((p.collected or {}).get("date") for p in held)
    how = str(dc.get("eval_split_by", "auto"))
    if how == "time" and not dated:
        raise ValueError("dataset.eval_split_by=time but not every collected question has a date "
                         "(questions.columns.date); use eval_split_by=document or auto")
    drops: list[dict[str, Any]] = []
    if src == "collected" and (how == "time" or (how == "auto" and dated)):
        ev, note = _by_time(held, float(dc.eval_fraction))
        assign = {p.id: "eval" if p.id in ev else "train" for p in held}
        assign.update({p.id: "train" for p in other})
        split = Split(assign, "time", len(held), [], note)
    else:
        inner = split_pairs(held, **base)
        assign = dict(inner.assign)
        ev_docs = set(inner.eval_groups) if inner.unit == "document" else set()
        for p in other:
            if p.doc_id in ev_docs:
                drops.append({"id": p.id, "parent_id": p.parent_id, "doc_id": p.doc_id, "reason": "mix:held_out_"
                              f"document (its document is in the {src} eval split; dataset.eval_source={src})"})
            else:
                assign[p.id] = "train"
        split = Split(assign, inner.unit, inner.n_groups, inner.eval_groups, inner.note)
    kept = [p for p in pairs if p.id in split.assign]
    split, mix_drops = _mix(split, kept, dc)
    note = f"eval = {src} pairs only, split by {split.unit}" + (f"; {split.note}" if split.note else "")
    return Split(split.assign, split.unit, split.n_groups, split.eval_groups, note), drops + mix_drops, src


def _mix(split: Split, pairs: Sequence[QAPair], dc: Any) -> tuple[Split, list[dict[str, Any]]]:
    if dc.get("mix") is None:
        return split, []
    m = float(dc.mix)
    train = [p for p in pairs if split.assign.get(p.id) == "train"]
    col = [p for p in train if p.source == "collected"]
    gen = [p for p in train if p.source != "collected"]
    if m >= 1.0:
        cut = gen
    elif m <= 0.0:
        cut = col
    elif len(col) > m / (1 - m) * len(gen):
        cut = _sample(col, len(col) - round(m / (1 - m) * len(gen)), int(dc.seed)) if gen else []
    else:
        cut = _sample(gen, len(gen) - round((1 - m) / m * len(col)), int(dc.seed)) if col else []
    gone = {p.id for p in cut}
    assign = {k: v for k, v in split.assign.items() if k not in gone}
    drops = [{"id": p.id, "parent_id": p.parent_id, "doc_id": p.doc_id,
              "reason": f"mix:downsampled (dataset.mix={m:g} share of collected rows in train)"} for p in cut]
    return Split(assign, split.unit, split.n_groups, split.eval_groups, split.note), drops


def _sample(rows: Sequence[QAPair], n: int, seed: int) -> list[QAPair]:
    order = sorted(rows, key=lambda p: p.id)
    random.Random(seed).shuffle(order)
    return order[:max(0, n)]


def source_counts(rows: Sequence[Any]) -> dict[str, int]:
    c = Counter((getattr(r, "split", "all"), r.source) for r in rows)
    return {f"{s}_{src}": n for (s, src), n in sorted(c.items())}

