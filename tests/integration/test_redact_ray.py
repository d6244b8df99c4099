"""run.executor=ray (issue 16): a local 2-worker Ray cluster redacts the sample corpus byte-identically to the
local executor, the audit log is the same single chain (same lines but the timestamps), verify's
audit-chain check passes on it, and a line swapped between shards is caught."""

from __future__ import annotations

import json
import shutil

import pytest

from onprem_sft.config import compose, validate
from onprem_sft.pipeline import run_pipeline
from onprem_sft.security.verify import PASS, VerifyOptions, run_checks
from redaction.audit import verify_chain

pytestmark = [pytest.mark.slow]


def _run(run_dir, corpus, *extra):
    cfg = compose([f"run.dir={run_dir}", "stages=[ingest,redact]", "run.progress=false",
                   "corpus=sample", *extra])
    validate(cfg)
    return run_pipeline(cfg, run_dir)


def _audit_wo_ts(path):
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        r.pop("ts"), r.pop("hash"), r.pop("prev_hash")
        rows.append(r)
    return rows


def test_ray_executor_matches_local_byte_for_byte(tmp_path, sample_corpus_dir):
    local, ray = tmp_path / "local", tmp_path / "ray"
    _run(local, sample_corpus_dir)
    # same ingest output and the same HMAC key, so audit fingerprints are comparable line by line
    shutil.copytree(local / "ingest", ray / "ingest")
    shutil.copytree(local / "keys", ray / "keys")
    res = _run(ray, sample_corpus_dir, "run.executor=ray", "run.ray.num_workers=2", "run.ray.docs_per_task=1",
               "force=[redact]")["redact"]
    assert res.extra["executor"]["kind"] == "ray" and res.extra["executor"]["shards"] > 2
    for name in ("records.jsonl", "rejects.jsonl"):
        a, b = local / "redact" / name, ray / "redact" / name
        assert a.exists() == b.exists()
        if a.exists():
            assert a.read_bytes() == b.read_bytes(), name
    assert (local / "redact" / "records.jsonl").stat().st_size > 1000
    audit = ray / "redact" / "audit.jsonl"
    assert _audit_wo_ts(audit) == _audit_wo_ts(local / "redact" / "audit.jsonl")
    assert verify_chain(audit) == []
    (chk,) = run_checks(ray, VerifyOptions(scan_pii=False), only=["audit-chain"])
    assert chk.status == PASS, chk.problems
    lines = audit.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1], lines[-1] = lines[-1], lines[1]            # two entries from different shards swapped
    audit.write_text("".join(lines), encoding="utf-8")
    assert any("prev_hash does not match" in p for p in verify_chain(audit))
