"""verify checks 4 (integrity), 5 (egress), 6 (raw zone) and the zone part of 1, on a hand-built run."""

from __future__ import annotations

import json

from runfactory import RAW_SENTENCE, make_run

from onprem_sft.security.cli import main as verify_main
from onprem_sft.security.lineage import build_lineage
from onprem_sft.security.rawzone import is_scrubbed, scrub_raw
from onprem_sft.security.verify import FAIL, PASS, VerifyOptions, run_checks

NO_SCAN = VerifyOptions(scan_pii=False)


def _one(run_dir, name, opts=NO_SCAN):
    (res,) = run_checks(run_dir, opts, only=[name])
    return res


def _edit_line(path, lineno, fn):
    lines = path.read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[lineno - 1])
    fn(row)
    lines[lineno - 1] = json.dumps(row, ensure_ascii=False, sort_keys=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_clean_run_passes_structural_checks(tmp_path):
    make_run(tmp_path)
    for name in ("integrity", "egress", "raw-zone", "llm-inputs"):
        r = _one(tmp_path, name)
        assert r.status == PASS, (name, r.problems, r.warnings)


def test_edited_jsonl_line_is_named(tmp_path):
    make_run(tmp_path)
    _edit_line(tmp_path / "dataset" / "records.jsonl", 1, lambda r: r.update(completion="다른 답"))
    r = _one(tmp_path, "integrity")
    assert r.status == FAIL
    joined = "\n".join(r.problems)
    assert "dataset/records.jsonl: sha256 differs from dataset/manifest.json" in joined
    assert "dataset/records.jsonl:1 sft_example sft-1: sha256 differs from lineage.jsonl" in joined


def test_removed_and_added_files_are_named(tmp_path):
    make_run(tmp_path)
    (tmp_path / "report" / "report.html").unlink()
    (tmp_path / "dataset" / "extra.jsonl").write_text("{}\n", encoding="utf-8")
    joined = "\n".join(_one(tmp_path, "integrity").problems)
    assert "report/report.html: listed in report/manifest.json but missing on disk" in joined
    assert "dataset/extra.jsonl: not listed in dataset/manifest.json" in joined


def test_adapter_tamper_detected(tmp_path):
    make_run(tmp_path)
    (tmp_path / "train" / "adapter" / "adapter_model.safetensors").write_bytes(b"\x01" * 64)
    joined = "\n".join(_one(tmp_path, "integrity").problems)
    assert "train/adapter/adapter_model.safetensors: sha256 differs" in joined
    assert "train/adapter: adapter sha256 differs from lineage.jsonl" in joined


def test_sft_row_without_path_to_document_fails(tmp_path):
    make_run(tmp_path)
    _edit_line(tmp_path / "curate" / "records.jsonl", 1, lambda r: r.update(id="qa-orphan"))
    _edit_line(tmp_path / "dataset" / "records.jsonl", 1, lambda r: r.update(parent_id="qa-missing"))
    build_lineage(tmp_path)   # even a freshly rebuilt lineage shows the broken chain
    joined = "\n".join(_one(tmp_path, "integrity").problems)
    assert "sft_example sft-1 cites qa-missing, which is not in the run" in joined
    assert "SFT row sft-1 does not trace to a document" in joined


def test_egress_attempt_and_missing_guard(tmp_path):
    make_run(tmp_path)
    (tmp_path / "security" / "egress.jsonl").write_text(
        json.dumps({"time": 1.0, "pid": 42, "target": "93.184.216.34:443", "action": "refused"}) + "\n")
    r = _one(tmp_path, "egress")
    assert r.status == FAIL
    assert r.problems == ["security/egress.jsonl:1: pid 42 tried to reach 93.184.216.34:443 (refused)"]

    other = tmp_path / "unguarded"
    make_run(other, guard=False)
    r = _one(other, "egress")
    assert r.status == FAIL and "security/guard.jsonl missing" in r.problems[0]
    with open(tmp_path / "security" / "guard.jsonl", "a") as f:
        f.write(json.dumps({"started": "later", "egress_guard": False, "installed": False}) + "\n")
    assert any("guard.jsonl:2: run started later with the egress guard OFF" in p
               for p in _one(tmp_path, "egress").problems)


def test_raw_sentence_copied_downstream_is_found(tmp_path):
    make_run(tmp_path)
    (tmp_path / "report" / "notes.txt").write_text(f"메모\n{RAW_SENTENCE}\n", encoding="utf-8")
    r = _one(tmp_path, "raw-zone")
    assert r.status == FAIL
    assert r.problems == ["report/notes.txt: contains raw (unredacted) text of chunk chunk-1"]
    # ... and never quotes it
    assert "홍길동" not in "\n".join(r.problems)


def test_llm_call_from_raw_record_fails(tmp_path):
    make_run(tmp_path)
    _edit_line(tmp_path / "generate" / "llm_calls.jsonl", 1, lambda r: r.update(source_ids=["chunk-1"]))
    r = _one(tmp_path, "llm-inputs")
    assert r.status == FAIL
    assert "generate/llm_calls.jsonl:1 call call-q1: source chunk-1 is a RAW-zone record" in r.problems[0]


def test_llm_prompt_with_raw_text_or_bad_hash_fails(tmp_path):
    make_run(tmp_path)
    _edit_line(tmp_path / "generate" / "llm_calls.jsonl", 2,
               lambda r: r.update(prompt=r["prompt"] + "\n" + RAW_SENTENCE))
    joined = "\n".join(_one(tmp_path, "llm-inputs").problems)
    assert "generate/llm_calls.jsonl:2 call call-a1: prompt_sha256 does not match" in joined
    assert "generate/llm_calls.jsonl:2 call call-a1: prompt contains raw (unredacted) text of chunk chunk-1" in joined


def test_keep_raw_false_scrub_keeps_run_verifiable(tmp_path):
    make_run(tmp_path)
    rec = scrub_raw(tmp_path)
    assert is_scrubbed(tmp_path)
    ingest = (tmp_path / "ingest" / "records.jsonl").read_text(encoding="utf-8")
    docs = (tmp_path / "ingest" / "documents.jsonl").read_text(encoding="utf-8")
    assert "홍길동" not in ingest + docs
    assert json.loads(ingest)["text"] == "" and json.loads(docs)["sha256"]
    assert set(rec["files"]) == {"ingest/records.jsonl", "ingest/documents.jsonl"}
    # the redact stage calls scrub_raw before its manifest: simulate by refinalising redact
    from onprem_sft.artifacts import StageDir
    StageDir(tmp_path, "redact").finalize(config_hash="c", input_hash="i", counts={})
    build_lineage(tmp_path)
    chunk = next(n for n in json.loads("[" + ",".join(
        (tmp_path / "lineage.jsonl").read_text(encoding="utf-8").splitlines()) + "]")
        if n.get("id") == "chunk-1")
    rc_raw_sha = json.loads((tmp_path / "redact" / "records.jsonl").read_text(encoding="utf-8"))["raw_sha256"]
    assert chunk["extra"]["text_sha256"] == rc_raw_sha       # still provable by hash
    for name in ("integrity", "raw-zone"):
        r = _one(tmp_path, name)
        assert r.status == PASS, (name, r.problems)
    # an unrecorded edit of a scrubbed file is still tamper
    _edit_line(tmp_path / "ingest" / "records.jsonl", 1, lambda r: r.update(text="되살린 원문"))
    r = _one(tmp_path, "integrity")
    assert any(p.startswith("ingest/records.jsonl: sha256 differs") for p in r.problems)
    assert _one(tmp_path, "raw-zone").problems[0].startswith("ingest/records.jsonl:1 id=chunk-1: raw text still")


def test_cli_exit_codes_and_table(tmp_path, capsys):
    make_run(tmp_path)
    args = [str(tmp_path), "--no-pii-scan", "--only", "integrity", "--only", "egress"]
    assert verify_main(args) == 0
    out = capsys.readouterr().out
    assert "integrity" in out and "verify: PASS" in out
    (tmp_path / "security" / "egress.jsonl").write_text('{"pid": 1, "target": "10.0.0.9:80"}\n')
    out_json = tmp_path / "v.json"
    assert verify_main(args + ["--json", str(out_json)]) == 3          # README: 3 = verify failed
    out = capsys.readouterr().out
    assert "verify: FAIL" in out and "10.0.0.9:80" in out
    assert {r["name"]: r["status"] for r in json.loads(out_json.read_text())} == {"integrity": PASS, "egress": FAIL}
    assert verify_main([str(tmp_path), "--trace", "sft-1"]) == 0
    assert "document" in capsys.readouterr().out
    assert verify_main([str(tmp_path / "nope")]) == 2


def test_eyecheck_agreement_added_later_is_a_warning_not_tamper(tmp_path):
    make_run(tmp_path)
    (tmp_path / "curate" / "eyecheck_agreement.json").write_text('{"kappa": 0.8}\n', encoding="utf-8")
    build_lineage(tmp_path)
    r = _one(tmp_path, "integrity")
    assert r.status == "WARN" and not r.problems
    assert "curate/eyecheck_agreement.json: added after the stage" in r.warnings[0]


def test_on_finish_builds_lineage_and_verifies_only_complete_runs(tmp_path, caplog):
    import logging

    from onprem_sft.config import compose
    from onprem_sft.security import hooks

    make_run(tmp_path)
    (tmp_path / "lineage.jsonl").unlink()
    cfg = compose([f"run.dir={tmp_path}"])
    (tmp_path / "report" / "manifest.json").rename(tmp_path / "report.manifest.bak")
    assert hooks.on_finish(cfg, tmp_path, {"ingest": object()}) is None      # incomplete, no report: no verify
    assert (tmp_path / "lineage.jsonl").exists() and not (tmp_path / "security" / "verify.json").exists()
    (tmp_path / "report.manifest.bak").rename(tmp_path / "report" / "manifest.json")
    caplog.set_level(logging.INFO, logger="onprem_sft.security")
    # the hand-made audit log has no real hash chain: the automatic verify must say FAIL
    assert hooks.on_finish(cfg, tmp_path, {"report": object()}) is False
    assert "verify: FAIL" in caplog.text and "audit-chain=FAIL" in caplog.text
    assert (tmp_path / "security" / "verify.json").exists()
