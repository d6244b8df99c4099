"""Collected questions through the real ingest + redact stages: one audit chain, no raw value downstream,
and `verify` fails when a personal value from the questions file is planted in a prompt or an output."""

from __future__ import annotations

import itertools
import json
import logging
import shutil

import pytest

from onprem_sft.artifacts import StageDir, read_records, sha256_text, write_jsonl
from onprem_sft.config import compose
from onprem_sft.pipeline import run_pipeline
from onprem_sft.records import LLMCall, QAPair, RedactedChunk, RedactedQuestion
from onprem_sft.security import pii
from onprem_sft.security.checks import RunView
from onprem_sft.security.lineage import build_lineage, trace
from onprem_sft.security.verify import FAIL, PASS, VerifyOptions, run_checks
from redaction.audit import entries

pytestmark = pytest.mark.slow

DOC = ("# Brightline Health Policy\n\nArticle 6 (Claims) To claim a benefit, the beneficiary sends a claim form, "
       "a doctor's report and a copy of a photo identity document.\n\nArticle 7 (Payment) The Company pays the "
       "benefit within three business days after it receives all documents.\n")
NAME, PHONE, EMAIL = "Margaret Oyelaran", "(555) 010-7732", "m.oyelaran@example.org"
QUESTIONS = ("id,date,question,answer\n"
             f'1,2024-02-01,"I am {NAME}, call me at {PHONE}. What documents do I need to claim a benefit?",\n'
             f'2,2024-02-09,"How fast do you pay? Write to {EMAIL} please",Within three business days.\n'
             f'3,last week,"{NAME} here, is my claim paid yet?",\n')                    # bad date: rejected


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("collected")
    (tmp / "corpus").mkdir()
    (tmp / "corpus" / "policy.md").write_text(DOC, encoding="utf-8")
    (tmp / "questions.csv").write_text(QUESTIONS, encoding="utf-8")
    run_dir = tmp / "run"
    logs: list[str] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = lambda rec: logs.append(rec.getMessage())          # type: ignore[method-assign]
    root = logging.getLogger()
    root.addHandler(handler)
    old = root.level
    root.setLevel(logging.DEBUG)
    cfg = compose([f"corpus.path={tmp / 'corpus'}", f"questions.path={tmp / 'questions.csv'}",
                   "stages=[ingest,redact]", f"run.dir={run_dir}", "run.progress=false", "corpus.lang=en",
                   "redaction.replace=placeholder"])
    try:
        run_pipeline(cfg, run_dir)
    finally:
        root.removeHandler(handler)
        root.setLevel(old)
    (run_dir / "captured.log").write_text("\n".join(logs), encoding="utf-8")
    rcs = StageDir(run_dir, "redact").read(RedactedChunk)
    rqs = read_records(run_dir / "redact" / "redacted_questions.jsonl", RedactedQuestion)
    calls, pairs = [], []
    for i, q in enumerate(rqs):
        prompt = f"Context:\n{rcs[0].text}\nQuestion: {q.question}\nAnswer:"
        calls.append(LLMCall(id=f"call-{i}", parent_id=q.id, stage="generate", purpose="answer",
                             source_ids=[rcs[0].id, q.id], prompt=prompt, prompt_sha256=sha256_text(prompt),
                             response='{"found": true, "answer": "a claim form"}', model="hand", model_checksum="-"))
        pairs.append(QAPair(id=f"qa-{i}", parent_id=q.id, doc_id=rcs[0].doc_id, chunk_id=rcs[0].id,
                            context_chunk_id=rcs[0].id, question=q.question, context=rcs[0].text,
                            answer="a claim form", lang="en", request_ids=[f"call-{i}"], source="collected",
                            qtype="collected", collected={"question_id": q.id, "date": q.date}))
    sd = StageDir(run_dir, "generate")
    sd.write_records(pairs)
    write_jsonl(sd.path / "llm_calls.jsonl", calls)
    sd.finalize(config_hash="h", input_hash="h", counts={"pairs": len(pairs)})
    build_lineage(run_dir)
    return run_dir


def _copy(run, tmp_path):
    dst = tmp_path / "run"
    shutil.copytree(run, dst)
    return dst


def _check(run_dir, name):
    (res,) = run_checks(run_dir, VerifyOptions(), only=[name])
    return res


def test_questions_redacted_in_the_same_audit_chain(run):
    red = (run / "redact" / "redacted_questions.jsonl").read_text(encoding="utf-8")
    for value in (NAME, PHONE, EMAIL):
        assert value not in red
        assert value not in (run / "redact" / "audit.jsonl").read_text(encoding="utf-8")
    rqs = read_records(run / "redact" / "redacted_questions.jsonl", RedactedQuestion)
    assert len(rqs) == 2 and "<PERSON_1>" in rqs[0].question and "<EMAIL_ADDRESS_1>" in rqs[1].question
    audit = [json.loads(x) for x in (run / "redact" / "audit.jsonl").read_text().splitlines()]
    ents = [x for a in audit for x in entries(a)]                 # log v2: entries nested per document
    fields = [(x.get("extra") or {}).get("field") for x in ents]
    assert "question.question" in fields and "question.answer" in fields
    assert any(not x.get("extra") for x in ents)                  # the chunks' entries, in the same log
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(audit))      # one chain for the run
    assert {rq.audit_hash for rq in rqs} <= {a["hash"] for a in audit}
    ing = json.loads((run / "ingest" / "manifest.json").read_text())
    assert ing["counts"]["questions"] == 2


def test_no_raw_personal_value_in_logs_rejects_or_manifests(run):
    logs = (run / "captured.log").read_text(encoding="utf-8")
    assert "collected questions: 1 file(s), 3 row(s) -> 2 question(s)" in logs
    rejects = (run / "ingest" / "rejects.jsonl").read_text(encoding="utf-8")
    assert "bad_date" in rejects and "questions.csv:4" in rejects
    texts = [logs, rejects] + [(run / s / "manifest.json").read_text(encoding="utf-8") for s in ("ingest", "redact")]
    for text in texts:
        for value in (NAME, PHONE, EMAIL, "is my claim paid"):
            assert value not in text


def test_clean_run_passes_and_lineage_reaches_the_questions_file(run):
    res = run_checks(run, VerifyOptions(), only=["llm-inputs", "outputs-pii", "audit-chain", "raw-zone"])
    assert {r.status for r in res} == {PASS}, [(r.name, r.status, r.problems, r.warnings) for r in res]
    kinds = {n["kind"] for n in trace(run, "qa-0")}
    assert {"redacted_question", "collected_question", "audit", "llm_call", "redacted_chunk"} <= kinds


def test_record_ids_that_look_like_phone_numbers_are_not_findings(run, tmp_path):
    """stable_id hex sometimes reads as a phone or licence number (seen as a random CI WARN): ids are masked."""
    ids = ["rc-c75b0c0285171370", "rc-92ff0555387876eb", "rc-288423925131b1fa"]
    scanner = pii.scanner(RunView(run, VerifyOptions()))
    assert all(scanner.scan(i) for i in ids)                      # the raw scanner does flag them
    dst = _copy(run, tmp_path)
    p = dst / "generate" / "records.jsonl"
    rows = [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines()]
    for r, i in zip(rows, ids, strict=False):
        r["chunk_id"] = r["context_chunk_id"] = i
        r["answer"] = f"See chunk {i}."
    rows[0]["answer"] += f" Or call {PHONE}."                      # a real value next to an id still fails
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = _check(dst, "outputs-pii")
    assert out.status == FAIL and not out.warnings, (out.problems, out.warnings)
    assert len(out.problems) == 1 and "PHONE_NUMBER" in out.problems[0]


def test_planted_question_pii_fails_outputs_and_llm_checks(run, tmp_path):
    bad = _copy(run, tmp_path)
    p = bad / "generate" / "records.jsonl"
    rows = [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines()]
    rows[0]["answer"] = f"Please call {NAME} at {PHONE}."
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    c = bad / "generate" / "llm_calls.jsonl"
    calls = [json.loads(x) for x in c.read_text(encoding="utf-8").splitlines()]
    calls[1]["prompt"] += f"\nreply to {EMAIL}"
    calls[1]["prompt_sha256"] = sha256_text(calls[1]["prompt"])
    c.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in calls), encoding="utf-8")
    out = _check(bad, "outputs-pii")
    # the finding names the file it sits in and the questions-file row the value was removed from
    assert out.status == FAIL and any(
        x.startswith("generate/records.jsonl:1") and "PHONE_NUMBER" in x and "matches a value the redactor "
        "removed from collected question" in x and "(questions file questions.csv row 2, question.question)" in x
        for x in out.problems), out.problems
    llm = _check(bad, "llm-inputs")
    assert llm.status == FAIL and any("EMAIL_ADDRESS" in x and "generate/llm_calls.jsonl" in x
                                      and "questions.csv row 3" in x for x in llm.problems), llm.problems
    for msg in out.problems + llm.problems:
        assert NAME not in msg and PHONE not in msg and EMAIL not in msg


def test_raw_question_text_downstream_fails_raw_zone(run, tmp_path):
    bad = _copy(run, tmp_path)
    raw_q = f"I am {NAME}, call me at {PHONE}."
    (bad / "generate" / "notes.txt").write_text(raw_q + "\n", encoding="utf-8")
    r = _check(bad, "raw-zone")
    assert r.status == FAIL and any("generate/notes.txt" in x for x in r.problems)


def test_edited_redacted_question_fails_audit_chain(run, tmp_path):
    bad = _copy(run, tmp_path)
    p = bad / "redact" / "redacted_questions.jsonl"
    rows = [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines()]
    rows[0]["question"] = rows[0]["question"].replace("<PERSON_1>", "someone")
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    r = _check(bad, "audit-chain")
    assert r.status == FAIL and any("redact/redacted_questions.jsonl:1" in x and "edited after redaction" in x
                                    for x in r.problems)
