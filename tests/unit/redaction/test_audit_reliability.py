"""Issue 17, items 6-7 for the audit log: a torn tail is repaired, `audit report` counts only the completed
attempt, `audit verify` checks the chain head against the manifest, and the log is grouped per document."""

from __future__ import annotations

import json

from redaction.audit import AuditLog, load_or_create_key, read_log, record_hash, verify_chain
from redaction.cli import build_report
from redaction.cli import main as audit_main

DOCS = {"doc-a": ["피보험자 홍길동(900101-1234568) 연락처 010-1234-5678", "홍길동 고객의 이메일은 hong@example.co.kr"],
        "doc-b": ["The insured Margaret Thompson, SSN 536-22-1234."]}


def _attempt(path, key, redactor, docs=DOCS, complete=True):
    with AuditLog(path, key, "cfg") as log:
        for doc_id, texts in docs.items():
            entries = [log.chunk_entry(f"{doc_id}-{i}", t, redactor.redact(t)) for i, t in enumerate(texts)]
            log.append_document(doc_id, entries, "ko")
        if complete:
            log.complete()
        return log.head


def test_one_record_per_document(tmp_path, redactor):
    key = load_or_create_key(tmp_path / "k")
    path = tmp_path / "audit.jsonl"
    _attempt(path, key, redactor)
    recs = [r for r in read_log(path) if "doc_id" in r]
    assert [r["doc_id"] for r in recs] == ["doc-a", "doc-b"]
    assert [c["chunk_id"] for c in recs[0]["chunks"]] == ["doc-a-0", "doc-a-1"]
    assert len(recs[0]["fingerprints"]) < sum(len(c["entities"]) for c in recs[0]["chunks"])   # 홍길동 once


def test_torn_tail_is_truncated_and_logged(tmp_path, redactor):
    key = load_or_create_key(tmp_path / "k")
    path = tmp_path / "audit.jsonl"
    _attempt(path, key, redactor, complete=False)         # killed mid-attempt ...
    data = path.read_bytes()
    path.write_bytes(data[:-40])                          # ... in the middle of writing a line
    assert any("cut off" in p for p in verify_chain(path))
    _attempt(path, key, redactor)                         # the rerun repairs it instead of refusing
    assert verify_chain(path) == []
    events = [r.get("event") for r in read_log(path)]
    assert "repaired" in events and events[-1] == "end"


def test_report_counts_only_the_completed_attempt(tmp_path, redactor):
    key = load_or_create_key(tmp_path / "k")
    path = tmp_path / "audit.jsonl"
    _attempt(path, key, redactor, complete=False)         # the killed attempt
    _attempt(path, key, redactor)                         # the resumed run
    rep = build_report(path)
    once = tmp_path / "once.jsonl"
    _attempt(once, key, redactor)
    assert rep["entities"] == build_report(once)["entities"] > 0
    assert rep["records"] == 2 and rep["attempts"]["complete"] == 1 and rep["attempts"]["incomplete"] == 1


def _manifest(path, head):
    (path.parent / "manifest.json").write_text(json.dumps({"extra": {"audit_head": head}}), encoding="utf-8")


def test_verify_rejects_an_appended_well_formed_record(tmp_path, redactor, capsys):
    key = load_or_create_key(tmp_path / "k")
    path = tmp_path / "redact" / "audit.jsonl"
    path.parent.mkdir()
    _manifest(path, _attempt(path, key, redactor))
    assert audit_main(["verify", str(path)]) == 0
    _attempt(path, key, redactor, docs={"doc-x": ["planted 010-9999-8888"]})   # chain stays valid
    assert verify_chain(path) == []
    assert audit_main(["verify", str(path)]) == 3
    assert "does not match the head" in capsys.readouterr().err


def test_verify_rejects_a_recomputed_chain(tmp_path, redactor, capsys):
    key = load_or_create_key(tmp_path / "k")
    path = tmp_path / "redact" / "audit.jsonl"
    path.parent.mkdir()
    _manifest(path, _attempt(path, key, redactor))
    recs = read_log(path)
    recs[1]["counts"] = {}                                # hide the entities of a document ...
    prev = recs[0]["hash"]
    for r in recs[1:]:                                    # ... and recompute every hash after it
        r["prev_hash"] = prev
        r["hash"] = record_hash(r)
        prev = r["hash"]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    assert verify_chain(path) == []                       # the chain alone cannot tell
    assert audit_main(["verify", str(path)]) == 3


def test_log_volume_is_a_fraction_of_the_input(tmp_path, redactor):
    """Issue 17: the log grew ~10x faster than the input (a 49 MiB file -> 486 MB of audit at half-way)."""
    key = load_or_create_key(tmp_path / "k")
    path = tmp_path / "audit.jsonl"
    para = ("Section {i} (Premiums). The policyholder pays the premium monthly by bank transfer; the insurer "
            "may change the rate after notice. Contact Margaret Thompson at 212-555-0148 for questions. ") * 3
    chunks = [para.format(i=i) for i in range(40)]          # overlapping chunks of one document, as ingest makes
    with AuditLog(path, key, "cfg") as log:
        entries = [log.chunk_entry(f"c-{i}", t, redactor.redact(t), clause=f"Section {i // 10}",
                                   clause_result=redactor.redact(f"Section {i // 10}")) for i, t in enumerate(chunks)]
        log.append_document("doc-0", entries, "en")
        log.complete()
    ratio = path.stat().st_size / sum(len(t.encode()) for t in chunks)
    assert ratio <= 1.0, ratio
