"""run.executor=ray (issue 16): a local 2-worker Ray cluster redacts the sample corpus byte-identically to the
local executor (records, rejects and the audit log itself, clock fixed), the audit log is one chain, verify's
audit-chain check passes on it, and a line swapped between shards is caught."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

import redaction.audit
from onprem_sft.config import compose, validate
from onprem_sft.pipeline import run_pipeline
from onprem_sft.security.verify import PASS, VerifyOptions, run_checks
from redaction.audit import verify_chain

pytestmark = [pytest.mark.slow]


def _run(run_dir, *extra):
    cfg = compose([f"run.dir={run_dir}", "stages=[ingest,redact]", "run.progress=false",
                   "corpus=sample", *extra])
    validate(cfg)
    return run_pipeline(cfg, run_dir)


class _FrozenClock(datetime):
    """Audit lines carry a timestamp, and RedactedChunk.audit_hash hashes the line, so two runs a second
    apart differ even with one executor; with the clock fixed, the executor is the only difference."""

    @classmethod
    def now(cls, tz=None):
        return datetime(2026, 1, 1, tzinfo=tz)


def test_ray_executor_matches_local_byte_for_byte(tmp_path, monkeypatch):
    monkeypatch.setattr(redaction.audit, "datetime", _FrozenClock)
    local, ray = tmp_path / "local", tmp_path / "ray"
    _run(local)
    # same ingest output and the same HMAC key, so audit fingerprints are comparable line by line
    shutil.copytree(local / "ingest", ray / "ingest")
    shutil.copytree(local / "redact" / "keys", ray / "redact" / "keys")
    # the Ray processes inherit the egress guard; Ray must not reach for the network (e.g. its usage module's
    # cloud-metadata probe of 169.254.169.254, which onprem_sft/scale/ray_env.py heads off)
    from onprem_sft.security import egress

    egress_log = tmp_path / "egress.jsonl"
    egress.install([], log_path=egress_log)
    try:
        res = _run(ray, "run.executor=ray", "run.ray.num_workers=2", "run.ray.docs_per_task=1",
                   "force=[redact]")["redact"]
    finally:
        egress.uninstall()
    assert not egress_log.exists() or not egress_log.read_text().strip(), egress_log.read_text()
    assert res.extra["executor"]["kind"] == "ray" and res.extra["executor"]["shards"] > 2
    for name in ("records.jsonl", "rejects.jsonl", "audit.jsonl"):
        a, b = local / "redact" / name, ray / "redact" / name
        assert a.exists() == b.exists()
        if a.exists():
            assert a.read_bytes() == b.read_bytes(), name
    assert (local / "redact" / "records.jsonl").stat().st_size > 1000
    audit = ray / "redact" / "audit.jsonl"
    assert len(audit.read_text().splitlines()) >= 5 and verify_chain(audit) == []     # begin, one per document, end
    (chk,) = run_checks(ray, VerifyOptions(scan_pii=False), only=["audit-chain"])
    assert chk.status == PASS, chk.problems
    lines = audit.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1], lines[-2] = lines[-2], lines[1]            # two documents from different shards swapped
    audit.write_text("".join(lines), encoding="utf-8")
    assert any("prev_hash does not match" in p for p in verify_chain(audit))
