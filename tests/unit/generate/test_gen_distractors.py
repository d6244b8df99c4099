"""Distractor choice: hard (same document / most similar), never the source or an overlapping chunk."""

from __future__ import annotations

import random

import pytest

from onprem_sft.generate.distractors import (
    DistractorIndex,
    contains_answer,
    features,
    pick_unanswerable,
    strategy_for,
)
from onprem_sft.records import RedactedChunk


def rc(i: int, doc: str, text: str) -> RedactedChunk:
    return RedactedChunk(id=f"rc-{i}", parent_id=f"c-{i}", doc_id=doc, index=i, text=text)


def test_same_document_prefers_same_doc_then_similarity(chunks):
    idx = DistractorIndex(chunks)
    got = idx.candidates("How many days of hospitalization are needed for the benefit?", "rc-0", k=3)
    assert [c.chunk.id for c in got][:2] in (["rc-1", "rc-2"], ["rc-2", "rc-1"])
    assert all(c.same_document for c in got[:2]) and got[-1].chunk.id == "rc-3"
    assert "rc-0" not in [c.chunk.id for c in got]


def test_similar_strategy_ranks_by_similarity_across_documents(chunks):
    idx = DistractorIndex(chunks)
    got = idx.candidates("What is the interest rate per year?", "rc-0", strategy="similar", k=1)
    assert got[0].chunk.id == "rc-3" and got[0].similarity > 0


def test_other_document_puts_the_wrong_document_first(chunks):
    idx = DistractorIndex(chunks)
    got = idx.candidates("How many days of hospitalization are needed for the benefit?", "rc-0",
                         strategy="other_document", k=3)
    assert got[0].chunk.id == "rc-3" and not got[0].same_document
    assert {c.chunk.id for c in got[1:]} == {"rc-1", "rc-2"}          # then the same document, as a fallback


def test_mixed_alternates_near_miss_and_wrong_document(chunks):
    assert [strategy_for("mixed", i) for i in range(4)] == ["same_document", "other_document"] * 2
    assert strategy_for("similar", 1) == "similar"
    with pytest.raises(ValueError, match="per question"):
        DistractorIndex(chunks).candidates("q?", "rc-0", strategy="mixed")


def test_overlapping_neighbour_is_excluded():
    base = "The Company pays a hospitalization benefit of 30,000 won per day for accidents"
    cs = [rc(0, "d", base + " and illness."), rc(1, "d", base + " and disease."),
          rc(2, "d", "The loan interest is fixed for three years.")]
    got = DistractorIndex(cs, max_overlap=0.5).candidates("How much is the daily benefit?", "rc-0", k=3)
    assert [c.chunk.id for c in got] == ["rc-2"]


def test_random_strategy_is_seeded(chunks):
    idx = DistractorIndex(chunks)
    a = idx.candidates("q?", "rc-1", strategy="random", k=3, rng=random.Random(3))
    b = idx.candidates("q?", "rc-1", strategy="random", k=3, rng=random.Random(3))
    assert [c.chunk.id for c in a] == [c.chunk.id for c in b] and "rc-1" not in [c.chunk.id for c in a]
    with pytest.raises(ValueError, match="generate.distractor"):
        idx.candidates("q?", "rc-1", strategy="nearest")


def test_single_chunk_has_no_candidate():
    assert DistractorIndex([rc(0, "d", "only one chunk here")]).candidates("q?", "rc-0") == []


def test_korean_features_use_hangul_bigrams():
    f = features("보험금을 청구하려면")
    assert "보험" in f and "험금" in f


def test_pick_unanswerable_ratio():
    assert len(pick_unanswerable(10, 0.2, random.Random(0))) == 2
    assert pick_unanswerable(10, 0.2, random.Random(0)) == pick_unanswerable(10, 0.2, random.Random(0))
    assert pick_unanswerable(3, 0.0, random.Random(0)) == set()


def test_contains_answer_folds_case_and_punctuation_on_word_boundaries():
    assert contains_answer("The benefit is 30,000 won per day.", "30,000 Won per day")
    assert contains_answer("issued the Edict of Fontainebleau (1685), which", "1685")
    assert not contains_answer("issued in 16850 copies", "1685")             # a longer number is not the answer
    assert not contains_answer("the Congressional record", "Congress")
    assert contains_answer("보험금을 청구하려면 서류를 낸다", "보험금")             # Korean: particles attach
    assert not contains_answer("any text", "  ,. ")


def test_a_chunk_that_contains_the_answer_is_no_distractor(chunks):
    """Answer-first: the label is known, so the near miss that states it is skipped for the next chunk."""
    cs = [*chunks, rc(4, "d1", "Article 30 (Benefit) The daily hospitalization benefit is 30,000 won per day.")]
    idx = DistractorIndex(cs)
    q = "What daily hospitalization benefit does the Company pay?"
    assert idx.candidates(q, "rc-0", k=1)[0].chunk.id == "rc-4"             # the most similar one holds it
    got = idx.candidates(q, "rc-0", k=4, answer="30,000 won per day")
    assert "rc-4" not in [c.chunk.id for c in got] and got[0].same_document
