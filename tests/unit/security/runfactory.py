"""A small but complete run dir written with the typed records (no models): the unit tests' fixture.

Stage files and manifests are produced the way the runner does (``StageDir.write_records`` +
``finalize``), so integrity and lineage checks see what a real run leaves on disk.
"""

from __future__ import annotations

import json
from pathlib import Path

from onprem_sft.artifacts import JsonlAppender, StageDir, sha256_text, write_jsonl
from onprem_sft.records import (
    Chunk,
    Document,
    Judgement,
    LLMCall,
    QAPair,
    Question,
    RedactedChunk,
    SFTExample,
    stable_id,
)
from onprem_sft.security.lineage import build_lineage

RAW = ("피보험자 홍길동(900101-1234568)은 2024년 3월 1일 이 보험에 가입하였습니다.\n"
       "제3조(보험금의 지급사유) 회사는 피보험자가 상해로 입원한 경우 입원급여금을 지급합니다.")
RED = ("피보험자 <PERSON_1>(<KR_RRN_1>)은 2024년 3월 1일 이 보험에 가입하였습니다.\n"
       "제3조(보험금의 지급사유) 회사는 피보험자가 상해로 입원한 경우 입원급여금을 지급합니다.")
RAW_SENTENCE = "피보험자 홍길동(900101-1234568)은 2024년 3월 1일 이 보험에 가입하였습니다."
AUDIT_HASH = "a" * 64


def _call(cid: str, stage: str, purpose: str, sources: list[str], prompt: str, response: str) -> LLMCall:
    return LLMCall(id=cid, parent_id=sources[0] if sources else None, stage=stage, purpose=purpose,
                   source_ids=sources, prompt=prompt, prompt_sha256=sha256_text(prompt), response=response,
                   model="tiny", model_checksum="0" * 8)


def make_run(run_dir: Path, *, guard: bool = True) -> dict[str, str]:
    """Write every stage of a one-chunk run; returns the ids by role."""
    run_dir.mkdir(parents=True, exist_ok=True)
    doc = Document(id="doc-1", parent_id=None, path="policy.txt", sha256=sha256_text(RAW), format="txt",
                   lang="ko", title="약관", text=RAW)
    chunk = Chunk(id="chunk-1", parent_id="doc-1", doc_id="doc-1", index=0, text=RAW, start=0, end=len(RAW),
                  clause="제3조", lang="ko")
    rc = RedactedChunk(id="rc-1", parent_id="chunk-1", doc_id="doc-1", text=RED, clause="제3조", lang="ko",
                       raw_sha256=sha256_text(RAW), entity_counts={"PERSON": 1, "KR_RRN": 1},
                       audit_hash=AUDIT_HASH)
    sd = StageDir(run_dir, "ingest")
    sd.write_records([chunk])
    write_jsonl(sd.path / "documents.jsonl", [doc])
    sd.finalize(config_hash="c", input_hash="i", counts={"documents": 1, "chunks": 1})

    sd = StageDir(run_dir, "redact")
    sd.write_records([rc])
    write_jsonl(sd.path / "audit.jsonl", [{"doc_id": "doc-1", "hash": AUDIT_HASH, "prev_hash": "0" * 64,
                                           "counts": {"PERSON": 1, "KR_RRN": 1}}])
    sd.finalize(config_hash="c", input_hash="i", counts={"chunks": 1})

    q_prompt = f"Ask a question about this text:\n{RED}"
    qcall = _call("call-q1", "generate", "question", ["rc-1"], q_prompt, '{"questions": ["무엇을 지급합니까?"]}')
    q = Question(id="q-1", parent_id="rc-1", doc_id="doc-1", chunk_id="rc-1", question="회사는 무엇을 지급합니까?",
                 lang="ko", request_id="call-q1")
    a_prompt = f"[질문]\n{q.question}\n[내용]\n{RED}"
    acall = _call("call-a1", "generate", "answer", ["q-1", "rc-1"], a_prompt, "입원급여금을 지급합니다.")
    qa = QAPair(id="qa-1", parent_id="q-1", doc_id="doc-1", chunk_id="rc-1", context_chunk_id="rc-1",
                question=q.question, context=RED, answer="입원급여금을 지급합니다.", lang="ko",
                request_ids=["call-a1"])
    sd = StageDir(run_dir, "generate")
    sd.write_records([qa])
    write_jsonl(sd.path / "questions.jsonl", [q])
    with JsonlAppender(sd.path / "llm_calls.jsonl") as f:
        f.write(qcall)
        f.write(acall)
    sd.finalize(config_hash="c", input_hash="i", counts={"qa": 1})

    jcall = _call("call-j1", "curate", "judge", ["qa-1"], f"Judge:\n{a_prompt}\n{qa.answer}", '{"overall": 5}')
    j = Judgement(id=stable_id("judge", "qa-1"), parent_id="qa-1", scores={"grounded": 5.0}, overall=5.0,
                  passed=True, request_id="call-j1")
    sd = StageDir(run_dir, "curate")
    sd.write_records([qa])
    write_jsonl(sd.path / "judgements.jsonl", [j])
    write_jsonl(sd.path / "llm_calls.jsonl", [jcall])
    sd.finalize(config_hash="c", input_hash="i", counts={"kept": 1})

    ex = SFTExample(id="sft-1", parent_id="qa-1", doc_id="doc-1", split="train", prompt=a_prompt,
                    completion=qa.answer, question=q.question, context=RED, lang="ko", judge_score=5.0)
    sd = StageDir(run_dir, "dataset")
    sd.write_records([ex])
    write_jsonl(sd.path / "train.jsonl", [{"prompt": ex.prompt, "completion": ex.completion}])
    (sd.path / "card.md").write_text("# dataset card\n1 row\n", encoding="utf-8")
    sd.finalize(config_hash="c", input_hash="i", counts={"train": 1})

    sd = StageDir(run_dir, "train")
    (sd.ensure() / "adapter").mkdir()
    (sd.path / "adapter" / "adapter_config.json").write_text(json.dumps({"r": 8}), encoding="utf-8")
    (sd.path / "adapter" / "adapter_model.safetensors").write_bytes(b"\x00" * 64)
    (sd.path / "train_log.jsonl").write_text('{"step": 1, "loss": 2.0}\n', encoding="utf-8")
    sd.finalize(config_hash="c", input_hash="i", counts={"steps": 1})

    ecall = _call("call-e1", "evaluate", "evaluate", ["sft-1"], ex.prompt, "입원급여금")
    sd = StageDir(run_dir, "evaluate")
    write_jsonl(sd.ensure() / "records.jsonl", [{
        "kind": "eval_result", "id": "ev-1", "parent_id": "sft-1", "question": q.question,
        "references": [qa.answer], "tuned": {"answer": "입원급여금", "request_id": "call-e1"}, "base": None}])
    write_jsonl(sd.path / "llm_calls.jsonl", [ecall])
    (sd.path / "metrics.json").write_text('{"f1": 0.5}\n', encoding="utf-8")
    sd.finalize(config_hash="c", input_hash="i", counts={"n": 1})

    sd = StageDir(run_dir, "report")
    (sd.ensure() / "report.md").write_text(f"# Report\n\nExample: {q.question} -> {qa.answer}\n", encoding="utf-8")
    (sd.path / "report.html").write_text(f"<html><body><p>{q.question}</p></body></html>", encoding="utf-8")
    sd.finalize(config_hash="c", input_hash="i", counts={})

    if guard:
        with JsonlAppender(run_dir / "security" / "guard.jsonl") as f:
            f.write({"started": "2025-01-01T00:00:00", "pid": 1, "egress_guard": True, "installed": True,
                     "allow_hosts": []})
    build_lineage(run_dir)
    return {"doc": "doc-1", "chunk": "chunk-1", "rc": "rc-1", "q": "q-1", "qa": "qa-1", "sft": "sft-1"}
