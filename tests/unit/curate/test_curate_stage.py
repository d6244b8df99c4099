"""The curate stage end to end on a small table, with a recorded-response judge (raises on a miss)."""

from __future__ import annotations

import json

import pytest
from curate_testkit import REF, make_ctx, with_engine

from onprem_sft.artifacts import iter_jsonl, read_records
from onprem_sft.curate import stage as curate_stage
from onprem_sft.records import Judgement, LLMCall, QAPair


def test_curate_steps_reasons_and_outputs(tmp_path, table, recorded_engine) -> None:
    pairs, responses = table
    engine = recorded_engine(responses)
    ctx = make_ctx(tmp_path, pairs)
    res = curate_stage.run(with_engine(ctx, lambda: engine))
    out = ctx.out.path

    kept = read_records(out / "records.jsonl", QAPair)
    assert [p.id for p in kept] == ["qa-1", "qa-6", "qa-7"]
    assert kept[0].answer == "The beneficiary."                        # standardised
    assert kept[1].answer == REF and not kept[1].answerable

    rejects = {r["id"]: r for r in iter_jsonl(out / "rejects.jsonl")}
    assert rejects["qa-4"]["reason"] == "standardise:question_too_short"
    assert rejects["qa-3"]["reason"] == "domain:lexical_below_min"
    assert rejects["qa-5"]["reason"] == "judge:below_threshold"
    assert rejects["qa-5"]["verdict"]["scores"]["groundedness"] == 1.0  # rejects keep the verdict
    assert rejects["qa-5"]["failed"] == ["groundedness<2"]
    assert rejects["qa-8"]["reason"] == "judge:judge_not_json" and rejects["qa-8"]["attempts"] == 2
    assert rejects["qa-2"]["reason"] == "dedup:exact_duplicate"
    assert rejects["qa-2"]["kept_id"] == "qa-1" and rejects["qa-2"]["cross_document"] is True
    assert set(rejects) | {p.id for p in kept} == {p.id for p in pairs}   # nothing lost

    judgements = read_records(out / "judgements.jsonl", Judgement)
    assert sorted(j.parent_id for j in judgements) == ["qa-1", "qa-2", "qa-5", "qa-6", "qa-7"]
    assert len(read_records(out / "judged_pairs.jsonl", QAPair)) == 5
    calls = read_records(out / "llm_calls.jsonl", LLMCall)
    assert len(calls) == 8 and {c.purpose for c in calls} == {"judge"}   # 6 + 2 retries
    assert all(c.stage == "curate" and c.source_ids and c.prompt_sha256 for c in calls)
    assert engine.closed

    assert res.counts == {"input": 8, "kept": 3, "judged": 5, "dropped_standardise": 1, "dropped_gates": 0,
                          "dropped_domain": 1, "dropped_roundtrip": 0, "dropped_judge": 2, "dropped_dedup": 1, "unanswerable_kept": 1,
                          "llm_requests": 8, "llm_cached": 0}
    steps = {f["step"]: f for f in res.extra["filters"]}
    assert steps["judge"]["reasons"] == {"below_threshold": 1, "judge_not_json": 1}
    assert "curate: 8 pairs in, 3 kept" in res.summary


def test_rejects_never_quote_the_text(tmp_path, table, recorded_engine) -> None:
    pairs, responses = table
    ctx = make_ctx(tmp_path, pairs)
    curate_stage.run(with_engine(ctx, lambda: recorded_engine(responses)))
    text = (ctx.out.path / "rejects.jsonl").read_text(encoding="utf-8")
    for p in pairs:
        assert p.question not in text and p.context not in text


def test_judge_off_lexical_only_never_builds_an_engine(tmp_path, table) -> None:
    pairs, _ = table

    def no_engine():
        raise AssertionError("engine must not be built")

    ctx = make_ctx(tmp_path, pairs, ["curate.judge.enabled=false"])
    res = curate_stage.run(with_engine(ctx, no_engine))
    # without scores dedup keeps the earlier of the two duplicates
    assert res.counts["kept"] == 5 and res.counts["judged"] == 0
    assert not (ctx.out.path / "llm_calls.jsonl").exists()


def test_domain_both_asks_the_llm_only_for_flagged(tmp_path, table, recorded_engine) -> None:
    pairs, responses = table
    responses = dict(responses)
    responses[("domain", "qa-3")] = json.dumps({"in_domain": False, "reason": "canteen menu"})
    engine = recorded_engine(responses)
    ctx = make_ctx(tmp_path, pairs, ["curate.domain.method=both"])
    curate_stage.run(with_engine(ctx, lambda: engine))
    assert [r.sources[0].id for r in engine.seen if r.purpose == "domain"] == ["qa-3"]
    rejects = {r["id"]: r for r in iter_jsonl(ctx.out.path / "rejects.jsonl")}
    assert rejects["qa-3"]["reason"] == "domain:llm_off_domain"
    assert rejects["qa-3"]["domain_rationale"] == "canteen menu"


def test_judge_miss_raises_not_defaults(tmp_path, table, recorded_engine) -> None:
    pairs, responses = table
    responses = {k: v for k, v in responses.items() if k != ("judge", "qa-6")}
    ctx = make_ctx(tmp_path, pairs)
    with pytest.raises(KeyError, match="qa-6"):
        curate_stage.run(with_engine(ctx, lambda: recorded_engine(responses)))


def test_rerun_reuses_logged_verdicts(tmp_path, table, recorded_engine) -> None:
    pairs, responses = table
    ctx = make_ctx(tmp_path, pairs)
    first = curate_stage.run(with_engine(ctx, lambda: recorded_engine(responses)))
    again = curate_stage.run(with_engine(ctx, lambda: recorded_engine({})))    # any model call would raise
    assert again.counts["llm_cached"] == again.counts["llm_requests"] == 8
    assert {k: v for k, v in again.counts.items() if not k.startswith("llm_")} == \
        {k: v for k, v in first.counts.items() if not k.startswith("llm_")}
    # judge switched off: the stale call log of the earlier run goes
    ctx2 = make_ctx(tmp_path, pairs, ["curate.judge.enabled=false"])
    curate_stage.run(with_engine(ctx2, lambda: recorded_engine({})))
    assert not (ctx2.out.path / "llm_calls.jsonl").exists()


def test_a_question_answered_in_one_pair_and_refused_in_another_is_no_duplicate(tmp_path) -> None:
    """Twin distractor pairs (generate.distractor_pairing=twin) share their question: dedup compares
    answerable pairs with answerable ones and refusals with refusals, so both twins stay."""
    from curate_testkit import C1, C2, qa

    q = "Within how many days may the policyholder cancel the contract?"
    pairs = [qa(1, q, "within 15 days", context=C2), qa(2, q, REF, context=C1, answerable=False),
             qa(3, q, "within 15 days", context=C2)]
    ctx = make_ctx(tmp_path, pairs, ["curate.judge.enabled=false", "curate.gates.enabled=false",
                                     "curate.domain.enabled=false", "curate.roundtrip.enabled=false"])
    res = curate_stage.run(ctx)
    assert res.counts["kept"] == 2 and res.counts["dropped_dedup"] == 1
    rejects = [json.loads(x) for x in (ctx.out.path / "rejects.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rejects] == ["qa-3"]
