"""Collected questions labelled inside the generate step (recorded engine): retrieval context, same answer
prompt as generated pairs, refusal when the context does not answer, given answers kept, unmatched rejected."""

from __future__ import annotations

import json

from onprem_sft.collected.label import label_collected
from onprem_sft.generate.generator import QAGenerator
from onprem_sft.generate.prompts import GeneratePrompts
from onprem_sft.llm.calls import CallLog
from onprem_sft.llm.recorded import RecordedEngine
from onprem_sft.records import RedactedQuestion


def rq(i: int, q: str, answer: str = "", hint: str = "") -> RedactedQuestion:
    return RedactedQuestion(id=f"rq-{i}", parent_id=f"cq-{i}", question=q, answer=answer, hint=hint, lang="en",
                            date=f"2024-01-0{i + 1}")


def test_label_collected(tmp_path, tiny_model_dir, compose, chunks):
    cfg = compose("prompts=en", "questions.retrieval.top_k=1")
    qs = [rq(0, "How much is the hospitalization benefit per day for <PERSON_1>?"),
          rq(1, "Within how many days does the company pay a claim?", answer="Within 3 business days."),
          rq(2, "Is interest added when I cancel the contract and get the premium back?"),
          rq(3, "Do you sell travel insurance for Spain?")]
    responses = {"gc-rq-0-a0": json.dumps({"found": True, "answer": "30,000 won per day"}),
                 "gc-rq-2-a0": json.dumps({"found": False, "answer": ""})}
    eng = RecordedEngine(tiny_model_dir, responses)
    prompts = GeneratePrompts.from_config(cfg.prompts)
    with CallLog(tmp_path, "generate", eng) as log:
        gen = QAGenerator(log, prompts, cfg.generate, lang="en", seed=0)
        pairs = label_collected(gen, chunks, qs, cfg.questions)
    by_q = {p.parent_id: p for p in pairs}
    assert set(by_q) == {"rq-0", "rq-1", "rq-2"}
    p0 = by_q["rq-0"]
    assert p0.source == "collected" and p0.qtype == "collected" and p0.answer == "30,000 won per day"
    assert p0.chunk_id == "rc-0" and "hospitalization benefit" in p0.context and p0.answerable
    assert p0.collected["answer_from"] == "model" and p0.collected["date"] == "2024-01-01"
    assert by_q["rq-1"].answer == "Within 3 business days." and by_q["rq-1"].collected["answer_from"] == "given"
    assert by_q["rq-1"].chunk_id == "rc-1" and by_q["rq-1"].collected["answer_in_context"] is True
    assert by_q["rq-2"].answer == prompts.refusal and not by_q["rq-2"].answerable
    assert by_q["rq-2"].chunk_id == "rc-2"
    rej = [r for r in gen.out.rejects if r["id"] == "rq-3"]
    assert rej and "no redacted chunk shares a term" in rej[0]["reason"] and "Spain" not in rej[0]["reason"]
    # the model saw the same answer prompt as for generated pairs, built from redacted records only
    seen = {r.id: r for r in eng.seen}
    assert set(seen) == {"gc-rq-0-a0", "gc-rq-2-a0"}
    assert seen["gc-rq-0-a0"].messages == prompts.answer_messages(p0.context, qs[0].question,
                                                                   str(cfg.generate.answer_style))
    assert {s.id for s in seen["gc-rq-0-a0"].sources} == {"rc-0", "rq-0"}
