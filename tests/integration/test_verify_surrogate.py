"""`redaction.replace=surrogate` end to end through verify: realistic fakes, no `<TYPE_n>` tags anywhere
downstream, verify passes on the clean run (our surrogates are not leaks) and still fails, naming the file,
when an original value is planted in the dataset."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from test_verify_run import EMAIL, EN, KO, NAME, PHONE, RRN, _downstream, _reseal, _rewrite

from onprem_sft.config import compose
from onprem_sft.pipeline import run_pipeline
from onprem_sft.security import egress, hooks
from onprem_sft.security.verify import FAIL, PASS, VerifyOptions, run_checks

pytestmark = pytest.mark.slow
TAG = re.compile(r"<[A-Z][A-Z0-9_]*_\d+>")


@pytest.fixture(scope="module")
def surrogate_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("verify_sur")
    corpus = tmp / "corpus"
    corpus.mkdir()
    (corpus / "약관.md").write_text(KO, encoding="utf-8")
    (corpus / "loan.md").write_text(EN, encoding="utf-8")
    run_dir = tmp / "run"
    cfg = compose([f"corpus.path={corpus}", "stages=[ingest,redact]", f"run.dir={run_dir}", "run.progress=false",
                   "redaction.replace=surrogate"])
    egress.install([], log_path=run_dir / "security" / "egress.jsonl")
    try:
        hooks.on_start(cfg, run_dir)
        results = run_pipeline(cfg, run_dir)
        results.update(_downstream(run_dir)["stages"])
        verdict = hooks.on_finish(cfg, run_dir, results)
    finally:
        egress.uninstall()
    return run_dir, verdict


def test_surrogate_run_has_no_tags_and_passes_verify(surrogate_run):
    run_dir, verdict = surrogate_run
    for rel in ("redact/records.jsonl", "dataset/records.jsonl", "dataset/train.jsonl"):
        text = (run_dir / rel).read_text(encoding="utf-8")
        assert not TAG.search(text), rel
        for value in (NAME, RRN, EMAIL, PHONE, "John Carter", "john.carter@example.com", "212-555-0148"):
            assert value not in text, (rel, value)
    redacted = (run_dir / "redact" / "records.jsonl").read_text(encoding="utf-8")
    assert "@example.com" in redacted and re.search(r"\d{6}-\d{7}", redacted)   # fakes, not holes
    manifest = json.loads((run_dir / "redact" / "manifest.json").read_text(encoding="utf-8"))
    assert "replace" in json.dumps(manifest) and "english_ner" in json.dumps(manifest)
    results = run_checks(run_dir, VerifyOptions())
    assert {r.name: r.status for r in results}["outputs-pii"] == PASS, [(r.name, r.problems, r.warnings)
                                                                       for r in results]
    assert all(r.status == PASS for r in results), [(r.name, r.problems) for r in results]
    assert verdict is True


def test_planted_original_fails_naming_the_file(surrogate_run, tmp_path):
    dst = tmp_path / "run"
    shutil.copytree(surrogate_run[0], dst)
    _rewrite(dst / "dataset" / "records.jsonl", 1, lambda r: r.update(completion=f"주민등록번호는 {RRN}입니다."))
    _reseal(dst, "dataset")
    (res,) = run_checks(dst, VerifyOptions(), only=["outputs-pii"])
    assert res.status == FAIL
    joined = "\n".join(res.problems)
    assert "dataset/records.jsonl:1" in joined and "KR_RRN" in joined and RRN not in joined
