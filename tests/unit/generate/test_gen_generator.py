"""QAGenerator logic with a recorded-response engine (raises on any unexpected request): retry with a
fresh seed, reject after the budget with a reason, answers, unanswerable verification."""

from __future__ import annotations

import json

import pytest

from onprem_sft.artifacts import read_records
from onprem_sft.generate.generator import QAGenerator, seed_for
from onprem_sft.generate.prompts import GeneratePrompts
from onprem_sft.llm.calls import CALLS, CallLog
from onprem_sft.llm.recorded import RecordedEngine
from onprem_sft.records import LLMCall, stable_id


def qjson(*qs: str, t: str = "factual") -> str:
    return json.dumps({"questions": [{"type": t, "question": q} for q in qs]})


def qid(chunk_id: str, text: str, j: int = 0) -> str:
    return stable_id("q", chunk_id, j, text)


@pytest.fixture
def setup(tmp_path, tiny_model_dir, compose):
    def make(responses: dict[str, str], *overrides: str):
        strategy = () if any(o.startswith("generate.strategy=") for o in overrides) else \
            ("generate.strategy=question_first",)     # these tests ask questions first; answer-first below
        cfg = compose("prompts=en", "generate.questions_per_chunk=1", "generate.unanswerable_ratio=0",
                      *strategy, *overrides)
        eng = RecordedEngine(tiny_model_dir, responses)
        log = CallLog(tmp_path, "generate", eng)
        gen = QAGenerator(log, GeneratePrompts.from_config(cfg.prompts), cfg.generate, lang="en", seed=0)
        return gen, eng, log
    return make


def test_invalid_output_is_retried_with_new_seed_then_accepted(setup, chunks):
    q = "What is the daily hospitalization benefit?"
    gen, eng, log = setup({"gq-rc-0-a0": '{"questions":[{"type":"fac', "gq-rc-0-a1": qjson(q),
                           f"ga-{qid('rc-0', q)}-a0": '{"found":true,"answer":"30,000 won per day"}'})
    out = gen.run(chunks[:1])
    log.close()
    assert [x.question for x in out.questions] == [q] and out.questions[0].request_id == "gq-rc-0-a1"
    assert out.steps["question"].retries == 1 and out.rejects == []
    first, retry = eng.seen[0].sampling, eng.seen[1].sampling
    assert retry.seed != first.seed and retry.seed == seed_for(0, "rc-0", 1)
    assert retry.temperature >= 0.7
    (pair,) = out.pairs
    assert pair.answerable and pair.answer == "30,000 won per day" and pair.context_chunk_id == "rc-0"
    assert pair.request_ids == ["gq-rc-0-a1", f"ga-{qid('rc-0', q)}-a0"] and pair.verification is None
    assert [c.id for c in read_records(log.dir / CALLS, LLMCall)] == [r.id for r in eng.seen]


def test_rejected_after_retry_budget_with_reason(setup, chunks):
    gen, eng, _ = setup({"gq-rc-1-a0": "nonsense", "gq-rc-1-a1": '{"questions":[]}'}, "generate.max_retries=1")
    out = gen.run(chunks[1:2])
    assert out.questions == [] and out.pairs == []
    (rej,) = out.rejects
    assert rej["id"] == "rc-1" and rej["step"] == "question"
    assert "empty question list after 2 attempt(s)" in rej["reason"]
    assert rej["request_ids"] == ["gq-rc-1-a0", "gq-rc-1-a1"] and len(eng.seen) == 2


def test_unfound_answer_rejected_or_kept_as_refusal(setup, chunks):
    q = "Who pays the hospitalization benefit?"
    resp = {"gq-rc-0-a0": qjson(q), f"ga-{qid('rc-0', q)}-a0": '{"found":false,"answer":""}'}
    gen, _, _ = setup(resp)
    out = gen.run(chunks[:1])
    assert out.pairs == [] and "found no answer" in out.rejects[0]["reason"]
    gen2, _, _ = setup(resp, "generate.unfound=refusal")
    (p,) = gen2.run(chunks[:1]).pairs
    assert not p.answerable and p.answer == "The answer cannot be found."


def test_unanswerable_pair_uses_verified_distractor(setup, chunks):
    q = "What daily hospitalization benefit does the Company pay?"
    q0 = qid("rc-0", q)
    resp = {"gq-rc-0-a0": qjson(q),
            # the best same-document candidate "contains" the answer -> the next one is verified
            f"gv-{q0}-rc-2-a0": '{"contains_answer":true}', f"gv-{q0}-rc-1-a0": '{"contains_answer":true}',
            f"gv-{q0}-rc-3-a0": '{"contains_answer":false}'}
    gen, eng, _ = setup(resp, "generate.unanswerable_ratio=0.99", "generate.distractor_tries=3",
                        "generate.distractor_pairing=split")
    out = gen.run(chunks[:1], chunks)
    (p,) = out.pairs
    assert not p.answerable and p.answer == "The answer cannot be found."
    assert p.chunk_id == "rc-0" and p.context_chunk_id == "rc-3"     # both same-doc candidates failed
    assert p.context == next(c.text for c in chunks if c.id == p.context_chunk_id)
    v = p.verification
    assert v["method"] == "llm" and v["contains_answer"] is False and v["candidates_tried"] == len(v["history"])
    assert [h["contains_answer"] for h in v["history"]] == [True, True, False]
    assert v["same_document"] is False and p.request_ids[-1] == f"gv-{q0}-rc-3-a0"
    assert {s.purpose for s in eng.seen} == {"question", "verify_unanswerable"}


def test_wrong_document_distractor_is_recorded_as_such(setup, chunks):
    q = "What daily hospitalization benefit does the Company pay?"
    q0 = qid("rc-0", q)
    resp = {"gq-rc-0-a0": qjson(q), f"gv-{q0}-rc-3-a0": '{"contains_answer":false}'}
    gen, _, _ = setup(resp, "generate.unanswerable_ratio=0.99", "generate.distractor_tries=1",
                      "generate.distractor_pairing=split", "generate.distractor=other_document")
    (p,) = gen.run(chunks[:1], chunks).pairs
    assert p.context_chunk_id == "rc-3" and p.doc_id == "d1" and not p.answerable
    assert p.verification["strategy"] == "other_document" and p.verification["same_document"] is False


def test_unanswerable_rejected_when_every_distractor_answers(setup, chunks):
    q = "What daily hospitalization benefit does the Company pay?"
    q0 = qid("rc-0", q)
    resp = {"gq-rc-0-a0": qjson(q), **{f"gv-{q0}-rc-{i}-a0": '{"contains_answer":true}' for i in (1, 2, 3)}}
    gen, _, _ = setup(resp, "generate.unanswerable_ratio=0.99", "generate.distractor_tries=2",
                      "generate.distractor_pairing=split")
    out = gen.run(chunks[:1], chunks)
    assert out.pairs == [] and out.rejects[0]["step"] == "unanswerable"
    assert "no verified distractor among 2 candidate(s)" in out.rejects[0]["reason"]


def test_twin_pairing_answers_the_distractors_question_too(setup, chunks):
    """``distractor_pairing=twin`` (default): the same question once with its own chunk and its answer, once
    with the distractor and the refusal, so only the context tells the two rows apart."""
    q = "What daily hospitalization benefit does the Company pay?"
    q0 = qid("rc-0", q)
    resp = {"gq-rc-0-a0": qjson(q), f"gv-{q0}-rc-1-a0": '{"contains_answer":false}',
            f"ga-{q0}-a0": '{"found":true,"answer":"30,000 won per day"}'}
    gen, _, _ = setup(resp, "generate.unanswerable_ratio=0.99", "generate.distractor_tries=1")
    out = gen.run(chunks[:1], chunks)
    by_kind = {p.answerable: p for p in out.pairs}
    assert len(out.pairs) == 2 and by_kind[True].question == by_kind[False].question == q
    assert by_kind[True].answer == "30,000 won per day" and by_kind[True].context_chunk_id == "rc-0"
    assert by_kind[False].answer == "The answer cannot be found." and by_kind[False].context_chunk_id == "rc-1"


def test_question_types_rotate_over_chunks(setup):
    gen, _, _ = setup({}, "generate.questions_per_chunk=2")
    assert gen.assigned_types(0) == ["factual", "procedural"]
    assert gen.assigned_types(1) == ["reasoning", "factual"]


def test_answer_first_label_is_the_span_and_no_answer_step_runs(setup, chunks):
    q = "How much hospitalization benefit does the Company pay per day?"
    gen, eng, _ = setup({"gs-rc-0-0-a0": json.dumps({"question": q})}, "generate.strategy=answer_first")
    out = gen.run(chunks[:1])
    (pair,) = out.pairs
    assert pair.answer == "30,000 won per day" and pair.answer in pair.context
    assert pair.verification == {"method": "answer_first", "span_kind": "amount", "question_source": "model"}
    assert pair.request_ids == ["gs-rc-0-0-a0"] and [r.purpose for r in eng.seen] == ["question"]
    assert out.span_kinds == {"amount": 1} and out.question_sources == {"model": 1}


def test_answer_first_distractor_never_holds_the_answer(setup, chunks):
    """With verification off (the 135M demo), the chunk stating the span is skipped for the refusal row."""
    q = "How much hospitalization benefit does the Company pay per day?"
    cs = [*chunks, type(chunks[0])(id="rc-4", parent_id="c-4", doc_id="d1", index=4, lang="en",
                                   text="Article 30 (Daily benefit) The hospitalization benefit is 30,000 won per day.")]
    gen, _, _ = setup({"gs-rc-0-0-a0": json.dumps({"question": q})}, "generate.strategy=answer_first",
                      "generate.unanswerable_ratio=0.99", "generate.verify_unanswerable=false",
                      "generate.distractor=same_document", "generate.distractor_tries=1")
    out = gen.run(cs[:1], cs)
    refusal = next(p for p in out.pairs if not p.answerable)
    assert refusal.context_chunk_id not in ("rc-0", "rc-4") and "30,000 won" not in refusal.context
    assert refusal.verification["answer_excluded"] is True and refusal.verification["method"] == "none"


@pytest.mark.parametrize("check", ["template", "drop", "off"])
def test_answer_first_question_not_asking_for_its_span(setup, chunks, check):
    """The model asks "who" about an amount, from words of no sentence: replaced, rejected or kept."""
    q = "Who is the person named in the insurance policy document?"
    gen, _, _ = setup({"gs-rc-0-0-a0": json.dumps({"question": q})}, "generate.strategy=answer_first",
                      f"generate.span_check={check}")
    out = gen.run(chunks[:1])
    if check == "drop":
        assert out.pairs == [] and "does not ask for its span" in out.rejects[0]["reason"]
        assert out.steps["question"].rejects == 1
        return
    (pair,) = out.pairs
    assert pair.answer == "30,000 won per day"
    if check == "off":
        assert pair.question == q and pair.verification["question_source"] == "model"
    else:
        assert pair.verification["question_source"] == "template" and out.question_sources == {"template": 1}
        assert pair.question == ("The Company pays a hospitalization benefit of how much to <PERSON_1> when "
                                 "hospitalized for 4 days?")
        assert "hospitalization benefit" in pair.question and out.steps["question"].rejects == 0


@pytest.mark.parametrize("form", ["fronted", "cloze"])
def test_template_question_form(setup, chunks, form):
    """With the parser loaded, the template question puts its wh-phrase first (``template_form=fronted``);
    ``cloze`` keeps the sentence order."""
    from onprem_sft.generate.spans import load_span_nlp

    gen, _, _ = setup({"gs-rc-2-0-a0": json.dumps({"question": "Who is named in the policy document?"})},
                      "generate.strategy=answer_first", f"generate.template_form={form}")
    gen.span_nlp = load_span_nlp("en_core_web_sm", parse=True)
    out = gen.run(chunks[2:3])
    (pair,) = out.pairs
    assert pair.answer == "within 30 days"
    if form == "fronted":
        assert pair.question == "How long may the policyholder cancel the contract?"
        assert out.question_sources == {"fronted": 1} and pair.verification["question_source"] == "fronted"
    else:
        assert pair.question.startswith("The policyholder may cancel the contract how long of receiving")
        assert out.question_sources == {"template": 1}
