"""Audit log: hash chain, tamper detection, fingerprints, CLI verify/report, no raw values."""

from __future__ import annotations

import json
import os
import stat

import pytest

from redaction.audit import AuditLog, fingerprint, load_or_create_key, read_log, record_entities, verify_chain
from redaction.cli import main as audit_main

TEXTS = ["피보험자 홍길동(900101-1234568) 연락처 010-1234-5678",
         "계약자 김철수, 이메일 kim.cs@example.com, 계좌 신한은행 110-123-456789",
         "The insured Margaret Thompson, SSN 536-22-1234."]
RAW_VALUES = ["홍길동", "900101-1234568", "9001011234568", "010-1234-5678", "김철수", "kim.cs@example.com",
              "110-123-456789", "Margaret Thompson", "536-22-1234"]


@pytest.fixture()
def log_path(tmp_path, redactor):
    key = load_or_create_key(tmp_path / "keys" / "hmac.key")
    path = tmp_path / "audit.jsonl"
    with AuditLog(path, key, "cfg123") as log:
        for i, t in enumerate(TEXTS):
            log.append(t, redactor.redact(t), doc_id=f"doc-{i % 2}", chunk_id=f"c-{i}")
        log.complete()
    return path


def test_key_created_0600(tmp_path):
    p = tmp_path / "k" / "hmac.key"
    k = load_or_create_key(p)
    assert len(k) == 32 and stat.S_IMODE(os.stat(p).st_mode) == 0o600
    assert load_or_create_key(p) == k


def test_chain_intact_and_records_complete(log_path):
    assert verify_chain(log_path) == []
    recs = read_log(log_path)
    assert [r["seq"] for r in recs] == [0, 1, 2, 3, 4]
    assert recs[1]["prev_hash"] == recs[0]["hash"]
    begin, docs, end = recs[0], recs[1:4], recs[4]
    assert begin["event"] == "begin" and end["event"] == "end" and end["n_records"] == 3
    for k in ("config_hash", "versions", "key_id", "review_below"):     # said once per attempt
        assert k in begin
    r0 = docs[0]["chunks"][0]
    for k in ("input_hmac", "output_sha256", "entities", "chunk_id"):
        assert k in r0
    assert "counts" in docs[0]
    e = r0["entities"][0]             # each distinct fingerprint once per document; entities point at it
    assert set(e) >= {"type", "spans", "recognizer", "score", "placeholder", "fp"}
    assert set(record_entities(docs[0])[0]) >= {"type", "start", "end", "score", "fingerprint"}


def test_log_never_holds_raw_values(log_path):
    raw = log_path.read_text(encoding="utf-8")
    for v in RAW_VALUES:
        assert v not in raw, v


def test_fingerprint_matches_value_in_any_format(tmp_path, log_path):
    key = (tmp_path / "keys" / "hmac.key").read_bytes()
    fps = {e["fingerprint"] for r in read_log(log_path) for e in record_entities(r)}
    assert fingerprint("9001011234568", key) in fps            # re-scan finds the unhyphenated form
    assert fingerprint("010 1234 5678", key) in fps
    assert fingerprint("900101-1234568", b"another key....................") not in fps


def _rewrite(path, lines):
    path.write_text("".join(lines), encoding="utf-8")


def test_detects_edit(log_path):
    lines = log_path.read_text(encoding="utf-8").splitlines(keepends=True)
    rec = json.loads(lines[1])
    rec["counts"]["PERSON"] = 0
    lines[1] = json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n"
    _rewrite(log_path, lines)
    problems = verify_chain(log_path)
    assert problems and problems[0].startswith("line 2:") and "edited" in problems[0]


def test_detects_removed_line(log_path):
    lines = log_path.read_text(encoding="utf-8").splitlines(keepends=True)
    _rewrite(log_path, [lines[0], lines[2]])
    assert any(p.startswith("line 2:") for p in verify_chain(log_path))


def test_detects_reorder(log_path):
    lines = log_path.read_text(encoding="utf-8").splitlines(keepends=True)
    _rewrite(log_path, [lines[1], lines[0], lines[2]])
    assert verify_chain(log_path)[0].startswith("line 1:")


def test_append_continues_chain_and_refuses_broken_log(tmp_path, log_path, redactor):
    key = (tmp_path / "keys" / "hmac.key").read_bytes()
    with AuditLog(log_path, key, "cfg123") as log:
        log.append("연락처 010-9999-8888", redactor.redact("연락처 010-9999-8888"))
    assert verify_chain(log_path) == [] and read_log(log_path)[-1]["seq"] == 6    # begin + record
    lines = log_path.read_text(encoding="utf-8").splitlines(keepends=True)
    _rewrite(log_path, lines[1:])
    with pytest.raises(ValueError, match="broken"):
        AuditLog(log_path, key, "cfg123")


def test_cli_verify(log_path, capsys):
    assert audit_main(["verify", str(log_path)]) == 0
    assert "OK, 5 record(s)" in capsys.readouterr().out
    lines = log_path.read_text(encoding="utf-8").splitlines(keepends=True)
    _rewrite(log_path, [lines[0], lines[2], lines[1], *lines[3:]])
    assert audit_main(["verify", str(log_path)]) == 3          # README: 3 = verification failed
    assert "line 2:" in capsys.readouterr().err


def test_cli_verify_through_onprem_sft_entry_point(log_path):
    from onprem_sft.cli import main as top
    assert top(["audit", "verify", str(log_path)]) == 0


def test_cli_report(log_path, tmp_path, capsys):
    out = tmp_path / "report.md"
    assert audit_main(["report", str(log_path), "--out", str(out), "--below", "0.95"]) == 0
    md = out.read_text(encoding="utf-8")
    assert "| PERSON |" in md and "| doc-0 |" in md and "Low-confidence detections to review" in md
    assert "| KR_RRN | 1 |" in md
    for v in RAW_VALUES:
        assert v not in md
    capsys.readouterr()
    assert audit_main(["report", str(log_path), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["records"] == 3 and rep["by_document"]["doc-0"]


def test_rescan_of_a_leaky_prompt_matches_logged_fingerprints(tmp_path, log_path, redactor):
    from redaction.audit import logged_fingerprints, scan_fingerprints
    key = (tmp_path / "keys" / "hmac.key").read_bytes()
    logged = logged_fingerprints(log_path)
    leaky = "질문: 9001011234568 번호의 보험금은? 문맥: <PERSON_1>의 전화 <PHONE_NUMBER_1>"
    hits = scan_fingerprints(leaky, key, redactor)
    assert [h["type"] for h in hits] == ["KR_RRN"] and hits[0]["fingerprint"] in logged
    assert scan_fingerprints("<PERSON_1>(<KR_RRN_1>) 연락처 <PHONE_NUMBER_1>", key, redactor) == []
