"""Lineage: every artifact with its hash and parents; trace from a training row back to the document."""

from __future__ import annotations

import json

import pytest
from runfactory import AUDIT_HASH, make_run

from onprem_sft.security.lineage import (
    LINEAGE,
    SIGNATURE,
    LineageError,
    build_lineage,
    line_sha256,
    load_lineage,
    trace,
    verify_signature,
)


def test_lineage_lists_every_artifact_with_hash_and_parents(tmp_path):
    make_run(tmp_path)
    nodes = load_lineage(tmp_path)
    kinds = {n["kind"] for n in nodes}
    assert {"document", "chunk", "audit", "redacted_chunk", "llm_call", "question", "qa_pair", "judgement",
            "sft_example", "eval_result", "adapter", "file"} <= kinds
    by_ref = {n["ref"]: n for n in nodes}
    sft = by_ref["dataset/records.jsonl#sft-1"]
    line = (tmp_path / "dataset" / "records.jsonl").read_text(encoding="utf-8").splitlines()[0]
    assert sft["sha256"] == line_sha256(line)
    assert sft["parents"] == ["curate/records.jsonl#qa-1"]
    # the curated copy points at the generated QnA and its question and answer call
    assert by_ref["curate/records.jsonl#qa-1"]["parents"][0] == "generate/records.jsonl#qa-1"
    assert set(by_ref["generate/records.jsonl#qa-1"]["parents"]) == {
        "generate/questions.jsonl#q-1", "redact/records.jsonl#rc-1", "generate/llm_calls.jsonl#call-a1"}
    rc = by_ref["redact/records.jsonl#rc-1"]
    assert set(rc["parents"]) == {"ingest/records.jsonl#chunk-1", f"redact/audit.jsonl#{AUDIT_HASH}"}
    # raw text is never copied into lineage: only its hash
    text = (tmp_path / LINEAGE).read_text(encoding="utf-8")
    assert "홍길동" not in text and "900101" not in text
    assert by_ref["ingest/records.jsonl#chunk-1"]["extra"]["text_sha256"] == rc["extra"]["raw_sha256"]
    assert all(not p.startswith("?") for n in nodes for p in n["parents"])


def test_trace_from_sft_row_reaches_document_and_audit_record(tmp_path):
    make_run(tmp_path)
    chain = trace(tmp_path, "sft-1")
    ids = [n["id"] for n in chain]
    assert ids[0] == "sft-1" and "doc-1" in ids and "chunk-1" in ids and "rc-1" in ids
    assert f"audit:{AUDIT_HASH}" in ids
    assert ids.index("rc-1") < ids.index("chunk-1") < ids.index("doc-1")
    # the evaluation output traces through the eval call to the same document
    assert "doc-1" in [n["id"] for n in trace(tmp_path, "ev-1")]
    with pytest.raises(LineageError, match="nope"):
        trace(tmp_path, "nope")


def test_dangling_parent_is_marked(tmp_path):
    make_run(tmp_path)
    p = tmp_path / "generate" / "questions.jsonl"
    row = json.loads(p.read_text(encoding="utf-8"))
    row["parent_id"] = "rc-ghost"
    p.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    build_lineage(tmp_path)
    q = next(n for n in load_lineage(tmp_path) if n["id"] == "q-1")
    assert "?rc-ghost" in q["parents"]


def test_hmac_signature_detects_edit(tmp_path):
    make_run(tmp_path)
    key = tmp_path / "lineage.key"
    key.write_bytes(b"k" * 32)
    build_lineage(tmp_path, key_file=key)
    assert verify_signature(tmp_path, key) == (True, "signature ok (hmac-sha256)")
    other = tmp_path / "other.key"
    other.write_bytes(b"x" * 32)
    assert not verify_signature(tmp_path, other)[0]
    with open(tmp_path / LINEAGE, "a", encoding="utf-8") as f:
        f.write('{"ref": "forged"}\n')
    ok, msg = verify_signature(tmp_path, key)
    assert not ok and "edited after signing" in msg


def test_ed25519_signature_checked_with_pinned_public_key(tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        PublicFormat,
    )

    make_run(tmp_path)
    priv = Ed25519PrivateKey.generate()
    kf, pf = tmp_path / "sign.pem", tmp_path / "sign.pub.pem"
    kf.write_bytes(priv.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    pf.write_bytes(priv.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    build_lineage(tmp_path, key_file=kf)
    assert json.loads((tmp_path / SIGNATURE).read_text())["alg"] == "ed25519"
    assert verify_signature(tmp_path, pf)[0]
    # an attacker re-signing with their own key does not pass the pinned public key
    evil = Ed25519PrivateKey.generate()
    ef = tmp_path / "evil.pem"
    ef.write_bytes(evil.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    build_lineage(tmp_path, key_file=ef)
    assert not verify_signature(tmp_path, pf)[0]
