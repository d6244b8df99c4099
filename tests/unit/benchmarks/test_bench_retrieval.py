"""scripts/bench_retrieval.py: the dev/test article split partitions the questions, never the corpus."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))

import bench_retrieval as bench


def _set() -> dict:
    def para(ctx: str, *qs: str, impossible: bool = False) -> dict:
        return {"context": ctx, "qas": [{"question": q, "answers": [] if impossible else [{"text": "x"}],
                                         "is_impossible": impossible} for q in qs]}
    return {"data": [
        {"paragraphs": [para("a0", "q0a", "q0b"), para("a1", "q1")]},          # article 0: dev
        {"paragraphs": [para("b0", "q2"), para("b1", "q3", impossible=True)]},  # article 1: test
        {"paragraphs": [para("c0", "q4")]},                                     # article 2: dev
    ]}


def test_split_keeps_every_paragraph_and_partitions_answerable_questions():
    paras, every = bench.items(_set(), 0, "all")
    _, dev = bench.items(_set(), 0, "dev")
    _, test = bench.items(_set(), 0, "test")
    assert paras == ["a0", "a1", "b0", "b1", "c0"]
    assert dev == [("q0a", 0), ("q0b", 0), ("q1", 1), ("q4", 4)]
    assert test == [("q2", 2)]                                  # the unanswerable q3 is never a query
    assert sorted(dev + test) == sorted(every)
    assert bench.items(_set(), 2, "dev")[1] == dev[:2]
