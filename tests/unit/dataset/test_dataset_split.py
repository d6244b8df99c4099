"""Split by document: no document in both splits (property over many random tables), fallbacks."""

from __future__ import annotations

import random

import pytest

from onprem_sft.dataset.split import split_pairs
from onprem_sft.records import QAPair


def pairs_for(doc_sizes: dict[str, int], chunks_per_doc: int = 3) -> list[QAPair]:
    out = []
    for d, n in doc_sizes.items():
        for i in range(n):
            out.append(QAPair(id=f"{d}-p{i}", parent_id=None, doc_id=d, chunk_id=f"{d}-c{i % chunks_per_doc}"))
    return out


@pytest.mark.parametrize("trial", range(40))
def test_no_document_in_both_splits(trial: int) -> None:
    rng = random.Random(trial)
    docs = {f"doc{i}": rng.randint(1, 12) for i in range(rng.randint(2, 15))}
    frac = rng.choice([0.1, 0.2, 0.3, 0.5])
    pairs = pairs_for(docs)
    s = split_pairs(pairs, eval_fraction=frac, min_eval_docs=1, seed=trial)
    train_docs = {p.doc_id for p in pairs if s.assign[p.id] == "train"}
    eval_docs = {p.doc_id for p in pairs if s.assign[p.id] == "eval"}
    assert s.unit == "document" and s.note == ""
    assert train_docs and eval_docs and not (train_docs & eval_docs)
    assert train_docs | eval_docs == set(docs)
    assert len(eval_docs) == min(len(docs) - 1, max(1, round(frac * len(docs))))
    assert set(s.assign) == {p.id for p in pairs}


def test_deterministic_for_a_seed_and_order_independent() -> None:
    pairs = pairs_for({f"d{i}": 3 for i in range(10)})
    a = split_pairs(pairs, eval_fraction=0.3, seed=5)
    b = split_pairs(list(reversed(pairs)), eval_fraction=0.3, seed=5)
    assert a.assign == b.assign and a.eval_groups == b.eval_groups


def test_min_eval_docs() -> None:
    s = split_pairs(pairs_for({f"d{i}": 2 for i in range(10)}), eval_fraction=0.1, min_eval_docs=3)
    assert len(s.eval_groups) == 3


def test_one_document_falls_back_to_chunks_and_says_so() -> None:
    pairs = pairs_for({"only": 9}, chunks_per_doc=3)
    s = split_pairs(pairs, eval_fraction=0.34, seed=0)
    assert s.unit == "chunk" and "NOT on unseen documents" in s.note and "only 1 document" in s.note
    train_chunks = {p.chunk_id for p in pairs if s.assign[p.id] == "train"}
    eval_chunks = {p.chunk_id for p in pairs if s.assign[p.id] == "eval"}
    assert eval_chunks and train_chunks and not (train_chunks & eval_chunks)


def test_one_chunk_falls_back_to_examples_and_one_example_is_all_train() -> None:
    s = split_pairs(pairs_for({"only": 4}, chunks_per_doc=1), eval_fraction=0.25)
    assert s.unit == "example" and sum(v == "eval" for v in s.assign.values()) == 1
    s = split_pairs(pairs_for({"only": 1}), eval_fraction=0.25)
    assert s.unit == "none" and set(s.assign.values()) == {"train"} and "eval is empty" in s.note


def test_fallback_error_is_clear() -> None:
    with pytest.raises(ValueError, match="dataset.fallback=chunk"):
        split_pairs(pairs_for({"only": 5}), eval_fraction=0.2, fallback="error")


def test_uneven_documents_keep_the_bulk_in_train() -> None:
    s = split_pairs(pairs_for({"big": 27, "small": 17}), eval_fraction=0.2, seed=0)
    assert s.eval_groups == ["small"]
