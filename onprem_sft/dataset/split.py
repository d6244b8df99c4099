"""Train/eval split BY DOCUMENT: no document contributes to both, so eval measures transfer to unseen
documents rather than recall of a clause the model was trained on.

With fewer than two documents a document split is impossible: the fallback groups by source chunk
(no chunk in both splits), then by example, and the returned note says which was used.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from onprem_sft.records import QAPair


@dataclass(frozen=True)
class Split:
    assign: dict[str, str]          # pair id -> train | eval
    unit: str                       # document | chunk | example | none
    n_groups: int
    eval_groups: list[str]
    note: str = ""


def _pick(sizes: dict[str, int], eval_fraction: float, min_eval: int, seed: int) -> list[str]:
    """``eval_fraction`` of the groups (at least ``min_eval``, at most all but one), drawn by seed; if the
    draw would put more than half of the examples in eval (few, uneven documents), the smallest groups
    are taken instead so training keeps the bulk of the data."""
    n = len(sizes)
    k = min(n - 1, max(min_eval, round(eval_fraction * n)))
    order = sorted(sizes)
    random.Random(seed).shuffle(order)
    chosen = order[:k]
    if sum(sizes[g] for g in chosen) > 0.5 * sum(sizes.values()):
        chosen = sorted(order, key=lambda g: (sizes[g], order.index(g)))[:k]
    return sorted(chosen)


def split_pairs(pairs: Sequence[QAPair], *, eval_fraction: float, min_eval_docs: int = 1, seed: int = 0,
                fallback: str = "chunk") -> Split:
    units = [("document", lambda p: p.doc_id), ("chunk", lambda p: p.chunk_id or p.id), ("example", lambda p: p.id)]
    if fallback == "error":
        units = units[:1]
    elif fallback != "chunk":
        raise ValueError(f"dataset.fallback={fallback!r}: must be chunk | error")
    notes = []
    for unit, key in units:
        sizes = Counter(key(p) for p in pairs)
        groups = sorted(sizes)
        if len(groups) >= 2:
            ev = set(_pick(sizes, eval_fraction, min_eval_docs if unit == "document" else 1, seed))
            assign = {p.id: "eval" if key(p) in ev else "train" for p in pairs}
            if unit != "document":
                notes.append(f"split by {unit}: no {unit} is in both splits, but eval is NOT on unseen documents")
            return Split(assign, unit, len(groups), sorted(ev), "; ".join(notes))
        notes.append(f"only {len(groups)} {unit}(s)")
        if fallback == "error":
            raise ValueError(f"dataset: the curated pairs come from {len(groups)} document(s); a split by "
                             f"document needs at least 2 (add documents, or set dataset.fallback=chunk)")
    return Split({p.id: "train" for p in pairs}, "none", len(pairs), [],
                 "; ".join(notes + ["a single example: everything is train, eval is empty"]))
