"""`onprem-sft verify` on a run whose ingest + redact stages really ran (Presidio, audit log, HMAC key).

The downstream stages are written by hand with the typed records (no LLM needed), then each check must
pass on the clean run and fail, naming the culprit, on a deliberately corrupted copy.
"""

from __future__ import annotations

import json
import shutil
import socket

import pytest

from onprem_sft.artifacts import StageDir, sha256_text, write_jsonl
from onprem_sft.config import compose
from onprem_sft.pipeline import run_pipeline
from onprem_sft.records import Judgement, LLMCall, QAPair, Question, RedactedChunk, SFTExample
from onprem_sft.security import egress, hooks
from onprem_sft.security.cli import main as verify_main
from onprem_sft.security.lineage import build_lineage, trace
from onprem_sft.security.verify import FAIL, PASS, VerifyOptions, run_checks

pytestmark = pytest.mark.slow

NAME, RRN, EMAIL, PHONE = "김민준", "900101-1234568", "minjun.kim@example.co.kr", "010-2345-6789"
KO = (f"# 한빛생명 건강보험 약관\n\n제1조(계약자) 계약자 {NAME}(주민등록번호 {RRN})은 이 약관에 동의합니다.\n"
      f"연락처는 {PHONE}, 이메일은 {EMAIL}입니다.\n\n"
      "제2조(보험금의 지급사유) 회사는 피보험자가 보험기간 중 상해로 입원한 경우 입원급여금을 지급합니다.\n"
      "제3조(보험금 청구) 보험금을 청구할 때에는 청구서와 사고증명서를 회사에 제출하여야 합니다.\n")
EN = ("# Brightline Personal Loan Terms\n\nSection 1. The borrower, John Carter, may be reached at "
      "john.carter@example.com or 212-555-0148.\n\nSection 2. Interest accrues daily on the unpaid principal "
      "balance at the rate stated in the loan schedule.\n")


def _llm(cid, stage, purpose, sources, prompt, response):
    return LLMCall(id=cid, parent_id=sources[0], stage=stage, purpose=purpose, source_ids=sources, prompt=prompt,
                   prompt_sha256=sha256_text(prompt), response=response, model="hand-written", model_checksum="-")


def _downstream(run_dir):
    """generate → report from the real redacted chunks, as the later stages would write them."""
    rcs = StageDir(run_dir, "redact").read(RedactedChunk)
    calls, qs, qas, sft, judg, evals = [], [], [], [], [], []
    for i, rc in enumerate(rcs):
        qp = f"Write one question about:\n{rc.text}"
        calls.append(_llm(f"call-q{i}", "generate", "question", [rc.id], qp, "{}"))
        q = Question(id=f"q-{i}", parent_id=rc.id, doc_id=rc.doc_id, chunk_id=rc.id,
                     question="이 조항은 무엇을 정합니까?", lang=rc.lang, request_id=f"call-q{i}")
        ap = f"[질문]\n{q.question}\n[내용]\n{rc.text}\n[답변]\n"
        calls.append(_llm(f"call-a{i}", "generate", "answer", [q.id, rc.id], ap, "계약의 내용을 정합니다."))
        qa = QAPair(id=f"qa-{i}", parent_id=q.id, doc_id=rc.doc_id, chunk_id=rc.id, context_chunk_id=rc.id,
                    question=q.question, context=rc.text, answer="계약의 내용을 정합니다.", lang=rc.lang,
                    request_ids=[f"call-a{i}"])
        qs.append(q)
        qas.append(qa)
        judg.append(Judgement(id=f"j-{i}", parent_id=qa.id, overall=4.0, passed=True, request_id=f"call-j{i}"))
        sft.append(SFTExample(id=f"sft-{i}", parent_id=qa.id, doc_id=rc.doc_id, split="eval" if i == 0 else "train",
                              prompt=ap, completion=qa.answer, question=q.question, context=rc.text, lang=rc.lang))
    jcalls = [_llm(f"call-j{i}", "curate", "judge", [qa.id], f"Judge this answer:\n{qa.answer}", "{}")
              for i, qa in enumerate(qas)]
    evals = [{"kind": "eval_result", "id": "ev-0", "parent_id": sft[0].id, "question": sft[0].question,
              "references": [sft[0].completion], "tuned": {"answer": "계약 내용", "request_id": "call-e0"},
              "base": None}]
    ecalls = [_llm("call-e0", "evaluate", "evaluate", [sft[0].id], sft[0].prompt, "계약 내용")]

    sd = StageDir(run_dir, "generate")
    sd.write_records(qas)
    write_jsonl(sd.path / "questions.jsonl", qs)
    write_jsonl(sd.path / "llm_calls.jsonl", calls)
    sd.finalize(config_hash="h", input_hash="h", counts={"qa": len(qas)})
    sd = StageDir(run_dir, "curate")
    sd.write_records(qas)
    write_jsonl(sd.path / "judgements.jsonl", judg)
    write_jsonl(sd.path / "llm_calls.jsonl", jcalls)
    sd.finalize(config_hash="h", input_hash="h", counts={"kept": len(qas)})
    sd = StageDir(run_dir, "dataset")
    sd.write_records(sft)
    write_jsonl(sd.path / "train.jsonl", [s for s in sft if s.split == "train"])
    write_jsonl(sd.path / "eval.jsonl", [s for s in sft if s.split == "eval"])
    sd.finalize(config_hash="h", input_hash="h", counts={"rows": len(sft)})
    sd = StageDir(run_dir, "train")
    (sd.ensure() / "adapter").mkdir(exist_ok=True)
    (sd.path / "adapter" / "adapter_config.json").write_text('{"r": 8}', encoding="utf-8")
    sd.finalize(config_hash="h", input_hash="h", counts={})
    sd = StageDir(run_dir, "evaluate")
    write_jsonl(sd.ensure() / "records.jsonl", evals)
    write_jsonl(sd.path / "llm_calls.jsonl", ecalls)
    sd.finalize(config_hash="h", input_hash="h", counts={"n": 1})
    sd = StageDir(run_dir, "report")
    (sd.ensure() / "report.md").write_text(f"# Report\n\n{sft[0].question} → {sft[0].completion}\n", encoding="utf-8")
    (sd.path / "report.html").write_text(f"<html><body><h1>Report</h1><p>{sft[0].context}</p></body></html>",
                                         encoding="utf-8")
    sd.finalize(config_hash="h", input_hash="h", counts={})
    return {"stages": {s: object() for s in ("generate", "curate", "dataset", "train", "evaluate", "report")}}


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("verify")
    corpus = tmp / "corpus"
    corpus.mkdir()
    (corpus / "약관.md").write_text(KO, encoding="utf-8")
    (corpus / "loan.md").write_text(EN, encoding="utf-8")
    run_dir = tmp / "run"
    cfg = compose([f"corpus.path={corpus}", "stages=[ingest,redact]", f"run.dir={run_dir}", "run.progress=false"])
    egress.install([], log_path=run_dir / "security" / "egress.jsonl")
    try:
        hooks.on_start(cfg, run_dir)
        results = run_pipeline(cfg, run_dir)
        results.update(_downstream(run_dir)["stages"])
        verdict = hooks.on_finish(cfg, run_dir, results)   # lineage + the automatic verify
    finally:
        egress.uninstall()
    return run_dir, verdict


@pytest.fixture
def run_copy(clean_run, tmp_path):
    dst = tmp_path / "run"
    shutil.copytree(clean_run[0], dst)
    return dst


def _check(run_dir, name):
    (res,) = run_checks(run_dir, VerifyOptions(), only=[name])
    return res


def _rewrite(path, lineno, fn):
    lines = path.read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[lineno - 1])
    fn(row)
    lines[lineno - 1] = json.dumps(row, ensure_ascii=False, sort_keys=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _reseal(run_dir, stage):
    """What an insider covering their tracks would do: new manifest and lineage (checks 1-3 must still fail)."""
    StageDir(run_dir, stage).finalize(config_hash="h", input_hash="h", counts={})
    build_lineage(run_dir)


def test_clean_run_passes_every_check(clean_run, capsys):
    run_dir, verdict = clean_run
    results = run_checks(run_dir, VerifyOptions())
    status = {r.name: r.status for r in results}
    assert status == {n: PASS for n in ("llm-inputs", "outputs-pii", "audit-chain", "integrity", "egress",
                                         "raw-zone", "residue")}, [(r.name, r.problems, r.warnings) for r in results]
    assert verdict is True                                          # the automatic final verify agreed
    assert json.loads((run_dir / "security" / "verify.json").read_text())[0]["name"] == "llm-inputs"
    assert verify_main([str(run_dir)]) == 0
    out = capsys.readouterr().out
    assert "verify: PASS" in out
    for value in (NAME, RRN, EMAIL, PHONE, "John Carter"):        # verify never prints PII
        assert value not in out
    assert (run_dir / "security" / "dataflow.md").exists()
    chain = [n["kind"] for n in trace(run_dir, "sft-1")]
    assert {"document", "chunk", "audit", "redacted_chunk", "question", "llm_call"} <= set(chain)


def test_redaction_really_removed_the_pii(clean_run):
    run_dir, _ = clean_run
    redacted = (run_dir / "redact" / "records.jsonl").read_text(encoding="utf-8")
    for value in (RRN, EMAIL, PHONE, "john.carter@example.com"):
        assert value not in redacted
    audit = (run_dir / "redact" / "audit.jsonl").read_text(encoding="utf-8")
    assert RRN not in audit and EMAIL not in audit


def test_edited_jsonl_line_fails_integrity(run_copy):
    _rewrite(run_copy / "dataset" / "records.jsonl", 2, lambda r: r.update(completion="바뀐 정답"))
    r = _check(run_copy, "integrity")
    assert r.status == FAIL
    assert any(p.startswith("dataset/records.jsonl: sha256 differs from dataset/manifest.json") for p in r.problems)
    assert any(p.startswith("dataset/records.jsonl:2 sft_example sft-1: sha256 differs") for p in r.problems)


def test_leaked_pii_in_qna_fails_outputs_check(run_copy):
    _rewrite(run_copy / "curate" / "records.jsonl", 1,
             lambda r: r.update(answer=f"계약자 {NAME}의 주민등록번호는 {RRN}이고 이메일은 {EMAIL}입니다."))
    _reseal(run_copy, "curate")
    assert _check(run_copy, "integrity").status == PASS            # resealed: only the content check can tell
    r = _check(run_copy, "outputs-pii")
    assert r.status == FAIL
    joined = "\n".join(r.problems)
    assert "curate/records.jsonl:1 id=qa-0 field answer: KR_RRN" in joined
    assert "EMAIL_ADDRESS" in joined and "matches a value the redactor removed from document doc-" in joined
    assert RRN not in joined and EMAIL not in joined and NAME not in joined


def test_leaked_pii_in_llm_prompt_fails_llm_check(run_copy):
    def leak(row):
        row["prompt"] = row["prompt"] + f"\n참고: 연락처 {PHONE}"
        row["prompt_sha256"] = sha256_text(row["prompt"])
    _rewrite(run_copy / "generate" / "llm_calls.jsonl", 2, leak)
    _reseal(run_copy, "generate")
    r = _check(run_copy, "llm-inputs")
    assert r.status == FAIL
    assert any(p.startswith("generate/llm_calls.jsonl:2 call call-a0 prompt: PHONE_NUMBER") for p in r.problems), \
        r.problems


def test_fresh_structured_id_in_report_fails(run_copy):
    with open(run_copy / "report" / "report.md", "a", encoding="utf-8") as f:
        f.write("\n카드번호 4111-1111-1111-1111 로 결제\n")          # never in the corpus: not in the audit log
    r = _check(run_copy, "outputs-pii")
    assert r.status == FAIL
    assert any(p.startswith("report/report.md: fresh CREDIT_CARD detection") for p in r.problems), r.problems


def test_removed_audit_line_fails_audit_chain(run_copy):
    audit = run_copy / "redact" / "audit.jsonl"
    lines = audit.read_text(encoding="utf-8").splitlines()
    del lines[1]
    audit.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = _check(run_copy, "audit-chain")
    assert r.status == FAIL
    assert any(p.startswith("redact/audit.jsonl: line 2: prev_hash does not match") for p in r.problems), r.problems


def test_truncated_audit_tail_fails_coverage(run_copy):
    audit = run_copy / "redact" / "audit.jsonl"
    lines = audit.read_text(encoding="utf-8").splitlines()
    # the chain itself stays valid; the last document's record and the attempt's end record are gone
    audit.write_text("\n".join(lines[:-2]) + "\n", encoding="utf-8")
    r = _check(run_copy, "audit-chain")
    assert r.status == FAIL
    assert any("cites audit record" in p and p.startswith("redact/records.jsonl:") for p in r.problems)
    assert any("does not match the head manifest.json recorded" in p for p in r.problems), r.problems


def test_egress_attempt_fails_egress_check(run_copy):
    egress.install([], log_path=run_copy / "security" / "egress.jsonl")
    try:
        with pytest.raises(egress.EgressBlocked):
            socket.create_connection(("10.255.255.1", 9), timeout=1)
    finally:
        egress.uninstall()
    r = _check(run_copy, "egress")
    assert r.status == FAIL
    assert r.problems[0].startswith("security/egress.jsonl:1: pid") and "10.255.255.1:9" in r.problems[0]
    assert verify_main([str(run_copy), "--only", "egress"]) == 3          # README: 3 = verify failed


def test_keep_raw_false_scrub_leaves_run_verifiable(run_copy):
    from onprem_sft.security.rawzone import is_scrubbed, scrub_raw

    scrub_raw(run_copy, run_copy / "redact")              # what the runner calls after redact
    StageDir(run_copy, "redact").finalize(config_hash="h", input_hash="h", counts={})   # its manifest comes last
    build_lineage(run_copy)
    assert is_scrubbed(run_copy)
    ingest = "".join(p.read_text(encoding="utf-8") for p in (run_copy / "ingest").glob("*.jsonl"))
    for value in (NAME, RRN, EMAIL, PHONE, "John Carter"):
        assert value not in ingest
    results = run_checks(run_copy, VerifyOptions())
    assert all(r.status != FAIL for r in results), [(r.name, r.problems) for r in results]
    assert {"document", "chunk", "audit"} <= {n["kind"] for n in trace(run_copy, "sft-1")}


def test_run_reusing_linked_stages_finds_the_source_key(clean_run, tmp_path):
    """run.reuse_from symlinks ingest/ and redact/; the HMAC key comes along (declared in redact/)."""
    src, _ = clean_run
    dst = tmp_path / "reuse"
    dst.mkdir()
    for name in ("ingest", "redact"):
        (dst / name).symlink_to(src / name, target_is_directory=True)
    for name in ("generate", "curate", "dataset", "train", "evaluate", "report", "security"):
        shutil.copytree(src / name, dst / name)
    build_lineage(dst)
    r = _check(dst, "llm-inputs")
    assert r.status == PASS and "prompts re-scanned" in r.summary, (r.problems, r.warnings)


def test_records_cut_inside_a_korean_character_are_named_not_crashed(run_copy):
    """Issue 17: a records.jsonl cut inside a multi-byte character made four checks crash (UnicodeDecodeError)."""
    p = run_copy / "redact" / "records.jsonl"
    data = p.read_bytes()
    cut = data.rfind("보".encode()) + 1                       # keep one byte of a 3-byte Hangul syllable
    p.write_bytes(data[:cut])
    results = run_checks(run_copy, VerifyOptions())
    assert not [r.name for r in results if r.summary == "crashed"]
    problems = [m for r in results for m in r.problems]
    assert any(m.startswith("redact/records.jsonl") for m in problems), problems
