"""Curate test kit: a recorded-response LLM engine (raises on a miss), small QA tables, a curated run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onprem_sft.artifacts import StageDir, write_jsonl
from onprem_sft.config import compose
from onprem_sft.llm.recorded import RecordedEngine, by_source
from onprem_sft.pipeline import StageContext
from onprem_sft.records import QAPair


def recorded(table: dict[tuple[str, str], str | list[str]]) -> RecordedEngine:
    """The one recorded engine, answering from a table keyed by (purpose, first source id); a list gives one
    response per call, in order (retries). Any request not in the table raises: no silent default verdicts."""
    return RecordedEngine(None, by_source(table), model_path="recorded", model_checksum="recorded-0")


def with_engine(ctx: StageContext, make) -> StageContext:
    """Route the stage's ``ctx.engine()`` to ``make()`` (what ``run_pipeline(engine_factory=...)`` does)."""
    ctx.engine_factory = lambda llm, adapters=(): make()
    return ctx


def qa(i: int | str, question: str, answer: str, *, doc: str = "d1", context: str = "",
       answerable: bool = True, qtype: str = "factual", lang: str = "en") -> QAPair:
    ctx = context or ("Article 3 (Payment of insurance benefits) The insurer pays the hospitalisation benefit "
                      "to the beneficiary when the insured is hospitalised for an accident within 30 days.")
    return QAPair(id=f"qa-{i}", parent_id=f"q-{i}", doc_id=doc, chunk_id=f"{doc}-c{i}",
                  context_chunk_id=f"{doc}-c{i}", question=question, context=ctx, answer=answer,
                  qtype=qtype, lang=lang, answerable=answerable)


@pytest.fixture
def recorded_engine():
    return recorded


@pytest.fixture
def make_pair():
    return qa


C1 = ("Article 3 (Payment of insurance benefits) The insurer pays the hospitalisation benefit to the "
      "beneficiary when the insured is hospitalised for an accident within the insurance period.")
C2 = ("Article 12 (Cancellation) The policyholder may cancel the contract within 15 days of receiving the "
      "policy, and the insurer refunds the premium paid.")
C3 = ("Article 5 (Premium payment) The policyholder pays the premium by the due date; an unpaid premium "
      "after a 30-day grace period lapses the contract.")
C4 = "Annex B. Staff canteen: kimchi stew with pork and tofu is served on Fridays."
REF = "The answer cannot be found."


def v(**scores) -> str:
    return json.dumps({**scores, "rationale": "checked against the context"})


GOOD = v(groundedness=5, relevance=5, correctness=5)


@pytest.fixture
def table():
    P = qa
    pairs = [
        P(1, "Who receives the hospitalisation benefit?", "Answer: the beneficiary", doc="d1", context=C1),
        P(2, "who receives the hospitalisation benefit", "The beneficiary of the policy.", doc="d2", context=C1),
        P(3, "How is the kimchi stew in the canteen made?", "With pork and tofu.", doc="d1", context=C4),
        P(4, "Who?", "The insurer.", doc="d1", context=C1),
        P(5, "Within how many days may the policyholder cancel the contract?", "Within 90 days.", doc="d2",
          context=C2),
        P(6, "How long is the grace period for an unpaid insurance premium?", REF, doc="d1", context=C2,
          answerable=False),
        P(7, "What happens when the insurance premium stays unpaid after the grace period?",
          "The contract lapses.", doc="d2", context=C3),
        P(8, "When must the policyholder pay the insurance premium?", "By the due date.", doc="d2",
          context=C3),
    ]
    responses = {
        ("judge", "qa-1"): GOOD,
        ("judge", "qa-2"): v(groundedness=4, relevance=4, correctness=4),
        ("judge", "qa-5"): v(groundedness=1, relevance=5, correctness=5),
        ("judge", "qa-6"): v(relevance=4, refusal=5),
        ("judge", "qa-7"): ['{"groundedness": 5, "relev', GOOD],      # truncated, then fine on retry
        ("judge", "qa-8"): ["not json", "still not json"],
    }
    return pairs, responses


# The steps added by issue 14 (gates, round trip, judge qualification) have their own tests; the judge,
# domain and dedup tests here keep their small hand-made table, so those steps are off unless asked for.
ISSUE14_OFF = ("curate.gates.enabled=false", "curate.roundtrip.enabled=false", "curate.judge.qualify.enabled=false")


def make_ctx(tmp_path: Path, pairs, overrides=()) -> StageContext:
    cfg = compose(["llm.model=/unused", "prompts=en", "run.progress=false", *ISSUE14_OFF, *overrides])
    gen = StageDir(tmp_path, "generate")
    gen.ensure()
    write_jsonl(gen.records_path, pairs)
    out = StageDir(tmp_path, "curate")
    out.ensure()
    return StageContext(cfg=cfg, run_dir=tmp_path, out=out, inputs={"generate": gen})


@pytest.fixture
def curated_run(tmp_path, table):
    """A run dir whose curate stage finished (manifest written) on ``table`` with the recorded judge."""
    from onprem_sft.curate import stage as curate_stage

    pairs, responses = table
    ctx = make_ctx(tmp_path, pairs)
    res = curate_stage.run(with_engine(ctx, lambda: recorded(responses)))
    ctx.out.finalize(config_hash="c", input_hash="i", counts=res.counts, extra=res.extra)
    return tmp_path
