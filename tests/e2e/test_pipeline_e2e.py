"""The whole job end to end: real CLI, real vLLM (CPU), real PEFT training, then `onprem-sft verify`.

Runs on a reduced English sample with the tiny random Llama (plumbing, not quality): judge and domain
thresholds are relaxed so its noisy output still flows through every stage.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.vllm, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, timeout: int = 1500) -> subprocess.CompletedProcess:
    env = dict(os.environ, ONPREM_SFT_HOME=str(ROOT))
    return subprocess.run([sys.executable, "-m", "onprem_sft.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


# A random tiny model writes no question a gate, round trip or qualified judge would keep: this test checks
# the plumbing, so the issue-14 data-quality steps are off (they have their own tests).
PLUMBING = ("generate.strategy=question_first", "curate.gates.enabled=false", "curate.roundtrip.enabled=false",
            "curate.judge.qualify.enabled=false")


def _pii_strings() -> list[str]:
    m = json.loads((ROOT / "data" / "sample" / "pii_manifest.json").read_text(encoding="utf-8"))
    return [p["text"] for f, v in m["files"].items() if f.startswith("en/") for p in v["pii"]]


@pytest.fixture(scope="module")
def e2e_run(tmp_path_factory, tiny_vllm_model_dir) -> tuple[Path, subprocess.CompletedProcess]:
    run_dir = tmp_path_factory.mktemp("e2e") / "run"
    res = _cli(
        "experiment=demo_en", f"run.dir={run_dir}", f"llm.model={tiny_vllm_model_dir}", f"model.path={tiny_vllm_model_dir}",
        "run.progress=false", "generate.max_chunks=6", "generate.questions_per_chunk=2",
        "generate.unanswerable_ratio=0.3", "generate.unfound=refusal",
        "curate.judge.threshold=1.0", "curate.domain.enabled=false", *PLUMBING,
        "train.max_steps=2", "train.per_device_batch_size=2", "train.max_length=512",
        "evaluate.max_examples=4", "evaluate.max_tokens=16",
    )
    return run_dir, res


def test_every_stage_completes(e2e_run):
    run_dir, res = e2e_run
    assert res.returncode == 0, res.stderr[-4000:]
    for stage in ("ingest", "redact", "generate", "curate", "dataset", "train", "evaluate", "report"):
        assert (run_dir / stage / "manifest.json").exists(), f"{stage} incomplete:\n{res.stderr[-3000:]}"
    assert (run_dir / "train" / "adapter" / "adapter_config.json").exists()
    assert (run_dir / "report" / "report.html").exists()
    assert "report" in res.stdout and "verify" in res.stdout   # closing summary table


def test_verify_passes_and_no_pii_leaves_the_raw_zone(e2e_run):
    run_dir, res = e2e_run
    assert res.returncode == 0, res.stderr[-4000:]
    v = _cli("verify", str(run_dir), timeout=600)
    assert v.returncode == 0, v.stdout[-4000:] + v.stderr[-2000:]
    assert "PASS" in v.stdout
    pii = _pii_strings()
    assert pii
    for rel in ("redact/records.jsonl", "generate/llm_calls.jsonl", "dataset/records.jsonl",
                "evaluate/records.jsonl", "report/report.html", "report/report.md", "run.log"):
        text = (run_dir / rel).read_text(encoding="utf-8")
        leaked = [p for p in pii if p in text]
        assert not leaked, f"{rel} holds raw PII of types seeded in the sample"


def test_rerun_resumes_every_stage(e2e_run, tiny_vllm_model_dir):
    run_dir, res = e2e_run
    assert res.returncode == 0, res.stderr[-4000:]
    again = _cli("experiment=demo_en", f"run.dir={run_dir}", f"llm.model={tiny_vllm_model_dir}",
                 f"model.path={tiny_vllm_model_dir}", "run.progress=false", "generate.max_chunks=6",
                 "generate.questions_per_chunk=2", "generate.unanswerable_ratio=0.3", "generate.unfound=refusal",
                 "curate.judge.threshold=1.0", "curate.domain.enabled=false", *PLUMBING,
                 "train.max_steps=2", "train.per_device_batch_size=2", "train.max_length=512",
                 "evaluate.max_examples=4", "evaluate.max_tokens=16", "security.verify_after_run=false",
                 timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "pipeline: 0 stage(s) run []" in again.stderr, again.stderr[-3000:]
