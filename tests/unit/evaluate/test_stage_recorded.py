"""The evaluate stage end to end on a recorded-response engine (raises on any unrecorded request).

Covers what the vLLM integration test cannot check cheaply: hand-computed metrics from known answers,
the judge running on a *different* model (answering engine closed, judge engine started, one call log),
raw SFT prompts vs chat-templated judge prompts, and the too-long-prompt reject.
"""

from __future__ import annotations

import json
import shutil

import pytest

from onprem_sft.artifacts import StageDir, iter_jsonl, write_jsonl
from onprem_sft.llm.recorded import RecordedEngine
from onprem_sft.records import SFTExample

REFUSAL = "The answer cannot be found."


ROWS = [  # id, question, reference, answerable, base answer, tuned answer, base judge, tuned judge
    ("a1", "How long is the grace period?", "30 days", True, "It is 60 days.", "30 days.", 1, 5),
    ("a2", "Who may cancel?", "the policyholder", True, REFUSAL, "The policyholder may cancel.", 1, 4),
    ("u1", "What is the student discount?", REFUSAL, False, "10 percent.", "The answer cannot be found!", 1, 5),
]


@pytest.fixture()
def run_dir(tmp_path, tiny_model_dir):
    run = tmp_path / "run"
    rows = [SFTExample(id=i, parent_id=f"qa-{i}", split="eval", question=q, context="ctx", completion=ref,
                       answerable=ok, prompt=f"[Q] {q} [A]", lang="en") for i, q, ref, ok, *_ in ROWS]
    rows.append(SFTExample(id="long", parent_id="qa-long", split="eval", question="long?", completion="x",
                           prompt="word " * 2000))
    write_jsonl(run / "dataset" / "records.jsonl", rows)
    StageDir(run, "dataset").finalize(config_hash="c", input_hash="i", counts={})
    (run / "train" / "adapter").mkdir(parents=True)
    (run / "train" / "adapter" / "adapter_config.json").write_text('{"r": 8}', encoding="utf-8")
    StageDir(run, "train").finalize(config_hash="c", input_hash="i", counts={})
    return run


def test_stage_scores_switches_to_judge_engine_and_logs(run_dir, tiny_model_dir):
    from onprem_sft.config import compose
    from onprem_sft.pipeline import run_pipeline

    responses = {}
    for i, _q, _ref, _ok, base, tuned, jb, jt in ROWS:
        responses[f"base:{i}"], responses[f"tuned:{i}"] = base, tuned
        responses[f"judge-base:{i}"] = json.dumps({"rationale": "r", "score": jb})
        responses[f"judge-tuned:{i}"] = json.dumps({"rationale": "r", "score": jt})
    built: list[RecordedEngine] = []

    def engine(llm, adapters=()):           # what StageContext.engine() hands the typed llm config to
        built.append(RecordedEngine(llm.model, responses, model_checksum=f"sha-{llm.model}", adapters=adapters))
        return built[-1]
    judge_dir = run_dir.parent / "judge-72b"           # stands for a big judge model: tokenizer only
    shutil.copytree(tiny_model_dir.with_name("tiny-llama-tok"), judge_dir)
    cfg = compose([f"model.path={tiny_model_dir}", f"llm.model={judge_dir}", "prompts=en",
                   "llm.max_model_len=512", "evaluate.max_tokens=32", "evaluate.judge_max_tokens=64", "stages=[evaluate]", "run.progress=false"])
    run_pipeline(cfg, run_dir, engine_factory=engine)

    answer_engine, judge_engine = built
    assert answer_engine.model_path == str(tiny_model_dir) and answer_engine.adapters == [str(run_dir / "train" / "adapter")]
    assert judge_engine.model_path == str(judge_dir)
    assert answer_engine.closed and judge_engine.closed
    assert all(r.id.startswith(("base:", "tuned:")) for r in answer_engine.seen)
    assert all(r.id.startswith("judge-") for r in judge_engine.seen)

    ev = run_dir / "evaluate"
    m = json.loads((ev / "metrics.json").read_text(encoding="utf-8"))["eval"]
    assert m["n"] == 3
    # tuned: "30 days." exact; "The policyholder may cancel." vs "the policyholder": EM 0, F1 P=1/3 R=1 -> 0.5
    assert m["tuned"]["answerable"]["em"] == 0.5 and m["base"]["answerable"]["em"] == 0.0
    assert m["tuned"]["answerable"]["f1_token"] == pytest.approx(0.75)
    # base: "It is 60 days." vs "30 days" -> stems [it, is, 60, days] vs [30, days]: P=1/4 R=1/2 F1=1/3
    assert m["base"]["answerable"]["f1_token"] == pytest.approx((1 / 3 + 0.0) / 2, abs=1e-3)
    # tuned refuses only u1 (TP); base refuses only a2 (FP) and answers u1 (FN)
    assert (m["tuned"]["refusal"]["precision"], m["tuned"]["refusal"]["recall"]) == (1.0, 1.0)
    assert (m["base"]["refusal"]["precision"], m["base"]["refusal"]["recall"]) == (0.0, 0.0)
    assert m["tuned"]["judge"]["mean"] == pytest.approx(14 / 3, abs=1e-3) and m["base"]["judge"]["mean"] == 1.0
    assert m["comparison"] == {"wins": 3, "losses": 0, "ties": 0, "win_rate": 1.0}

    rejects = list(iter_jsonl(ev / "rejects.jsonl"))
    assert [r["id"] for r in rejects] == ["long"] and "llm.max_model_len" in rejects[0]["reason"]

    calls = list(iter_jsonl(ev / "llm_calls.jsonl"))
    assert len(calls) == 12
    by_id = {c["id"]: c for c in calls}
    assert by_id["tuned:a1"]["prompt"] == "[Q] How long is the grace period? [A]"       # verbatim SFT prompt
    assert by_id["tuned:a1"]["adapter"] == str(run_dir / "train" / "adapter") and by_id["base:a1"]["adapter"] is None
    assert by_id["judge-tuned:a1"]["prompt"].startswith("<|im_start|>") and by_id["judge-tuned:a1"]["model"] == str(judge_dir)
    manifest = json.loads((ev / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"] == {"eval": 3, "external": 0, "rejects": 1, "wins": 3, "losses": 0}
    assert manifest["model"]["judge"]["path"] == str(judge_dir)


def test_stage_without_adapter_fails_with_fix(run_dir, tiny_model_dir):
    from onprem_sft.config import compose
    from onprem_sft.evaluate.stage import EvaluateError, run
    from onprem_sft.pipeline import StageContext

    shutil.rmtree(run_dir / "train" / "adapter")
    cfg = compose([f"model.path={tiny_model_dir}", "prompts=en"])
    ctx = StageContext(cfg=cfg, run_dir=run_dir, out=StageDir(run_dir, "evaluate"),
                       inputs={s: StageDir(run_dir, s) for s in ("dataset", "train")})
    with pytest.raises(EvaluateError, match="run the train stage first"):
        run(ctx)
