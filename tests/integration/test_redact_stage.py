"""The redact stage on hand-built ingest output: per-document placeholders, audit chain, rejects, no PII."""

from __future__ import annotations

import json
import logging
import os
import stat

from onprem_sft import layout
from onprem_sft.artifacts import StageDir, sha256_text
from onprem_sft.config import compose
from onprem_sft.pipeline import run_pipeline
from onprem_sft.records import Chunk, RedactedChunk
from onprem_sft.redact.spec import HMAC_KEY, VAULT_FILE, VAULT_KEY
from redaction.audit import read_log, verify_chain

PII = ["홍길동", "900101-1234568", "010-1234-5678", "hong@example.co.kr", "김영희", "110-123-456789",
       "Margaret Thompson", "536-22-1234"]


def _ingest(run_dir):
    rows = [
        Chunk(id="c-a0", parent_id="doc-a", doc_id="doc-a", index=0, lang="ko", clause="제1조(피보험자 홍길동)",
              text="피보험자 홍길동(900101-1234568)의 연락처는 010-1234-5678, 이메일 hong@example.co.kr 입니다."),
        Chunk(id="c-a1", parent_id="doc-a", doc_id="doc-a", index=1, lang="ko", clause="제2조(보험금)",
              text="홍길동 고객님의 보험금은 신한은행 110-123-456789 계좌로 지급합니다. 본 요율표는 대외비입니다."),
        Chunk(id="c-b0", parent_id="doc-b", doc_id="doc-b", index=0, lang="ko", clause="",
              text="채무자 김영희는 9001011234568 번호로 본인 확인을 하였다."),
        Chunk(id="c-c0", parent_id="doc-c", doc_id="doc-c", index=0, lang="en", clause="Section 1",
              text="The insured, Margaret Thompson (SSN 536-22-1234), filed the claim."),
        Chunk(id="c-bad", parent_id="doc-c", doc_id="doc-c", index=1, lang="en", clause="",
              text=None),  # type: ignore[arg-type]  # a corrupt record: must be rejected, not crash the run
    ]
    sd = StageDir(run_dir, "ingest")
    sd.write_records(rows)
    sd.finalize(config_hash="test", input_hash="test", counts={"chunks": len(rows)})
    return rows


def test_redact_stage(tmp_path, caplog):
    run_dir = tmp_path / "run"
    rows = _ingest(run_dir)
    cfg = compose([f"run.dir={run_dir}", "stages=[redact]", "run.progress=false", "redaction.replace=placeholder"])
    caplog.set_level(logging.INFO, logger="onprem_sft")
    res = run_pipeline(cfg, run_dir)["redact"]
    assert res is not None and res.counts["chunks"] == 4 and res.counts["rejected"] == 1
    assert "redacted 4 chunk(s) of 3 document(s)" in caplog.text   # the stage's summary line

    sd = StageDir(run_dir, "redact")
    out = {r.parent_id: r for r in sd.read(RedactedChunk)}
    a0, a1, b0, c0 = out["c-a0"], out["c-a1"], out["c-b0"], out["c-c0"]
    # one numbering per document: the same person in two chunks (and the clause title) is <PERSON_1>
    assert a0.clause == "제1조(피보험자 <PERSON_1>)"
    assert a0.text.startswith("피보험자 <PERSON_1>(<KR_RRN_1>)의 연락처는 <PHONE_NUMBER_1>")
    assert a1.text.startswith("<PERSON_1> 고객님의") and "<KR_BANK_ACCOUNT_1>" in a1.text
    assert "대외비" not in a1.text
    assert b0.text == "채무자 <PERSON_1>는 <KR_RRN_1> 번호로 본인 확인을 하였다."   # new document, new numbering
    assert "<PERSON_1>" in c0.text and "<US_SSN_1>" in c0.text
    src = {r.id: r for r in rows}
    assert a0.raw_sha256 == sha256_text(src["c-a0"].text)
    assert a0.entity_counts["PERSON"] == 2 and a1.entity_counts["SENSITIVE_CLAUSE"] == 1

    # audit log: intact chain, each chunk's audit_hash is a record in it, no raw values anywhere
    log = sd.path / "audit.jsonl"
    assert verify_chain(log) == []
    hashes = {r["hash"] for r in read_log(log)}
    assert all(r.audit_hash in hashes for r in out.values())
    key = sd.path / HMAC_KEY                                     # the declared place: secret zone of redact/
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert not any(p.name.endswith(".key") for p in run_dir.rglob("*") if sd.path not in p.parents)
    assert layout.declared("redact", HMAC_KEY).zone is layout.Zone.SECRET
    rejects = [json.loads(x) for x in sd.rejects_path.read_text(encoding="utf-8").splitlines()]
    assert rejects[0]["id"] == "c-bad" and "TypeError" in rejects[0]["reason"]
    for p in sd.path.rglob("*"):
        out = layout.declared("redact", str(p.relative_to(sd.path)))
        if p.is_file() and (out is None or out.zone is not layout.Zone.SECRET):
            body = p.read_text(encoding="utf-8")
            for v in PII:
                assert v not in body, (p.name, v)

    from onprem_sft.cli import main as cli_main
    assert cli_main(["audit", "verify", str(log)]) == 0

    # a rerun (config change) appends to the same log and keeps the chain intact
    cfg2 = compose([f"run.dir={run_dir}", "stages=[redact]", "run.progress=false", "redaction.replace=placeholder",
                    "redaction.review_below=0.7"])
    assert run_pipeline(cfg2, run_dir)["redact"] is not None
    assert verify_chain(log) == [] and len(read_log(log)) > len(hashes)


def test_redact_stage_vault(tmp_path):
    run_dir = tmp_path / "run"
    _ingest(run_dir)
    cfg = compose([f"run.dir={run_dir}", "stages=[redact]", "run.progress=false", "redaction.replace=placeholder",
                   "redaction.vault=true", "redaction.use_name_analyser=false"])
    run_pipeline(cfg, run_dir)
    vault_file = run_dir / "redact" / VAULT_FILE
    assert vault_file.exists() and "홍길동" not in vault_file.read_text(encoding="utf-8")
    from redaction.vault import Vault, load_key
    v = Vault(vault_file, load_key(str(run_dir / "redact" / VAULT_KEY)))
    a0 = next(r for r in StageDir(run_dir, "redact").read(RedactedChunk) if r.parent_id == "c-a0")
    assert "홍길동" in v.reveal("doc-a", a0.text) and "900101-1234568" in v.reveal("doc-a", a0.text)


def _stage_output(tmp_path, name: str, workers: int) -> tuple[bytes, bytes, dict]:
    run_dir = tmp_path / name
    _ingest(run_dir)
    cfg = compose([f"run.dir={run_dir}", "stages=[redact]", "run.progress=false", f"redaction.workers={workers}",
                   f"redaction.hmac_key_file={tmp_path / 'hmac.key'}"])   # default replace: surrogates
    res = run_pipeline(cfg, run_dir)["redact"]
    sd = StageDir(run_dir, "redact")
    assert not verify_chain(sd.path / "audit.jsonl")
    return (sd.path / "records.jsonl").read_bytes(), (sd.path / "audit.jsonl").read_bytes(), res.counts


def test_redact_stage_workers_give_identical_output(tmp_path, monkeypatch):
    """redaction.workers=2 (process pool, one document per task) writes the same bytes as workers=1: records,
    surrogates, rejects and the audit log with its hash chain (clock fixed: entries carry a timestamp)."""
    import datetime as dt

    import redaction.audit

    class FixedClock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=tz)

    monkeypatch.setattr(redaction.audit, "datetime", FixedClock)
    (tmp_path / "hmac.key").write_bytes(b"k" * 32)     # both runs share one HMAC key: fingerprints compare too
    rec1, audit1, counts1 = _stage_output(tmp_path, "w1", 1)
    rec2, audit2, counts2 = _stage_output(tmp_path, "w2", 2)
    assert rec1 == rec2 and b"<PERSON_" not in rec1 and b"<KR_RRN_" not in rec1      # surrogates, the default
    assert audit1 == audit2 and audit1.count(b"\n") >= 4
    assert counts1 == counts2 and counts1["rejected"] == 1
