"""Generate-free run with the embedded model: collected questions -> redact -> retrieve -> label -> curate ->
dataset (questions.only=true), on the English sample corpus and data/sample/questions_en.csv."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onprem_sft.artifacts import read_records
from onprem_sft.config import compose, validate
from onprem_sft.pipeline import run_pipeline
from onprem_sft.records import LLMCall, QAPair, SFTExample

pytestmark = [pytest.mark.vllm, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
RAW_VALUES = ("Daniel Whitmore", "Emily Carter", "(555) 010-4471", "greg.holloway@example.com", "078-05-1120",
              "Sarah Lindqvist")


@pytest.fixture(scope="module")
def run(tmp_path_factory, embedded_model_dir):
    run_dir = tmp_path_factory.mktemp("collected_only") / "run"
    cfg = compose(["experiment=demo_en", f"corpus.path={ROOT / 'data/sample/en'}", f"llm.model={embedded_model_dir}",
                   f"model.path={embedded_model_dir}", f"questions.path={ROOT / 'data/sample/questions_en.csv'}",
                   "questions.only=true", "dataset.eval_source=collected", "curate.judge.enabled=false",
                   "stages=[ingest,redact,generate,curate,dataset]", f"run.dir={run_dir}", "run.progress=false"])
    validate(cfg)
    run_pipeline(cfg, run_dir)
    return run_dir


def test_collected_pairs_labelled_curated_and_held_out(run):
    pairs = read_records(run / "generate" / "records.jsonl", QAPair)
    assert pairs and {p.source for p in pairs} == {"collected"}          # generate-free: no generated pairs
    assert {p.collected["answer_from"] for p in pairs} == {"model", "given"}
    assert all(p.context and p.collected["retrieval"] and p.chunk_id == p.collected["retrieval"][0]["chunk_id"]
               for p in pairs)                                          # labelled on the retrieved context
    calls = read_records(run / "generate" / "llm_calls.jsonl", LLMCall)
    assert calls and all(any(s.startswith("rq-") for s in c.source_ids) for c in calls)
    rows = read_records(run / "dataset" / "records.jsonl", SFTExample)
    ev = [r for r in rows if r.split == "eval"]
    assert ev and {r.source for r in ev} == {"collected"}
    m = json.loads((run / "dataset" / "manifest.json").read_text())
    assert m["extra"]["split_unit"] == "time" and m["counts"]["eval_collected"] == len(ev)


def test_no_raw_value_reaches_a_prompt_or_an_output(run):
    for rel in ("generate/llm_calls.jsonl", "generate/records.jsonl", "curate/records.jsonl", "dataset/records.jsonl",
                "redact/redacted_questions.jsonl"):
        text = (run / rel).read_text(encoding="utf-8")
        for value in RAW_VALUES:
            assert value not in text, (rel, "raw value found")
