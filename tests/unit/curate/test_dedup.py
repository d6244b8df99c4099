"""Dedup: exact + near-duplicate questions, across documents, best-judged kept, contrast pairs safe."""

from __future__ import annotations

from onprem_sft.curate.dedup import dedup, dedup_text, shingles

REF = "The answer cannot be found."


def test_dedup_text_ignores_case_space_punct_and_width() -> None:
    assert dedup_text("When is the  benefit PAID?") == dedup_text("when is the benefit paid")
    assert dedup_text("보험금은 언제 지급되나요？") == dedup_text("보험금은  언제 지급되나요")


def test_shingles_char_ngrams() -> None:
    assert shingles("가나다라", 3) == {"가나다", "나다라"}
    assert shingles("가나", 3) == {"가나"}
    assert shingles("", 3) == set()


def test_exact_duplicates_across_documents_keep_best_judged(make_pair) -> None:
    a = make_pair(1, "When is the hospitalisation benefit paid?", "Within 30 days.", doc="d1")
    b = make_pair(2, "when is the hospitalisation benefit paid", "Within 30 days of the claim.", doc="d2")
    c = make_pair(3, "Who can cancel the contract?", "The policyholder.", doc="d1")
    scores = {"qa-1": 3.0, "qa-2": 4.7, "qa-3": 4.0}
    kept, drops = dedup([a, b, c], score=lambda p: scores[p.id])
    assert [p.id for p in kept] == ["qa-2", "qa-3"]
    assert [(d.id, d.kept_id, d.reason, d.similarity) for d in drops] == [("qa-1", "qa-2", "exact_duplicate", 1.0)]


def test_near_duplicates_korean(make_pair) -> None:
    qs = ["입원보험금은 피보험자가 상해로 입원한 경우 언제 지급되나요?",
          "입원보험금은 피보험자가 상해로 입원한 경우에 언제 지급되나요?",   # one particle added
          "청약은 보험증권을 받은 날부터 며칠 이내에 철회할 수 있나요?"]
    pairs = [make_pair(i, q, "답.") for i, q in enumerate(qs)]
    kept, drops = dedup(pairs, score=lambda p: 0.0, threshold=0.7)
    assert [p.id for p in kept] == ["qa-0", "qa-2"]          # tie -> the earlier pair stays
    assert drops[0].id == "qa-1" and drops[0].reason == "near_duplicate" and drops[0].similarity >= 0.7


def test_different_questions_are_kept(make_pair) -> None:
    pairs = [make_pair(1, "What is the grace period for premiums?", "30 days."),
             make_pair(2, "Who receives the hospitalisation benefit?", "The beneficiary.")]
    kept, drops = dedup(pairs, score=lambda p: 0.0)
    assert len(kept) == 2 and drops == []


def test_answerable_and_unanswerable_contrast_is_not_a_duplicate(make_pair) -> None:
    q = "When is the hospitalisation benefit paid?"
    pairs = [make_pair(1, q, "Within 30 days."), make_pair(2, q, REF, answerable=False, doc="d2")]
    kept, drops = dedup(pairs, score=lambda p: 0.0)
    assert len(kept) == 2 and drops == []


def test_question_context_key_keeps_same_question_on_other_context(make_pair) -> None:
    q = "What is the grace period for premiums?"
    pairs = [make_pair(1, q, "30 days.", context="Premiums unpaid for 30 days lapse the policy."),
             make_pair(2, q, "60 days.", context="The loan grace period is 60 days after the due date.")]
    assert len(dedup(pairs, score=lambda p: 0.0, key="question")[0]) == 1
    assert len(dedup(pairs, score=lambda p: 0.0, key="question_context")[0]) == 2


def test_near_off_only_exact(make_pair) -> None:
    pairs = [make_pair(1, "입원보험금은 피보험자가 상해로 입원한 경우 언제 지급되나요?", "답."),
             make_pair(2, "입원보험금은 피보험자가 상해로 입원한 경우에 언제 지급되나요?", "답.")]
    assert len(dedup(pairs, score=lambda p: 0.0, near=False, threshold=0.7)[0]) == 2


def test_exact_copies_stay_out_of_the_lsh_index(make_pair, monkeypatch) -> None:
    """k copies of one question cost one index entry, not k^2/2 Jaccard checks; the clusters are unchanged."""
    import onprem_sft.curate.dedup as dd

    inserted: list[int] = []

    class CountingLSH(dd.MinHashLSH):
        def insert(self, key, minhash, *a, **kw):
            inserted.append(key)
            return super().insert(key, minhash, *a, **kw)

    monkeypatch.setattr(dd, "MinHashLSH", CountingLSH)
    pairs = [make_pair(i, "How many days may the policyholder take to cancel the contract?", "15 days")
             for i in range(200)]
    pairs += [make_pair(200, "How many days may a policyholder take to cancel the contract?", "15 days"),
              make_pair(201, "Which documents does a claim need?", "A claim form.")]
    kept, drops = dedup(pairs, score=lambda p: 1.0 if p.id == "qa-150" else 0.0, threshold=0.7)
    assert len(inserted) == 3                     # one per distinct text
    assert [p.id for p in kept] == ["qa-150", "qa-201"]
    reasons = {d.id: d.reason for d in drops}
    assert len(drops) == 200 and reasons["qa-200"] == "near_duplicate" and reasons["qa-0"] == "exact_duplicate"
