"""SQuAD v2 loading, judge verdict parsing, per-answer scoring and the base-vs-tuned aggregate."""

from __future__ import annotations

import json

import pytest

from onprem_sft.evaluate.judge import JUDGE_SCHEMA, judge_request, parse_verdict, render, templates
from onprem_sft.evaluate.records import EvalItem, EvalResult
from onprem_sft.evaluate.scoring import aggregate, compare, examples, score_answer
from onprem_sft.evaluate.squad import ExternalFileError, load_squad
from onprem_sft.evaluate.stage import eval_items
from onprem_sft.evaluate.template import check_renderer, fill
from onprem_sft.records import SFTExample

REFUSAL = "답변을 찾을 수 없습니다."
TEMPLATE = "[질문]\n{question}\n[내용]\n{context}\n[답변]\n"

SQUAD_V2 = {
    "version": "v2.0",
    "data": [{
        "title": "보험약관",
        "paragraphs": [{
            "context": "보험금은 청구서류를 접수한 날부터 3영업일 이내에 지급합니다.",
            "qas": [
                {"id": "q1", "question": "보험금은 언제 지급하나요?",
                 "answers": [{"text": "3영업일 이내", "answer_start": 21},
                             {"text": "청구서류를 접수한 날부터 3영업일 이내", "answer_start": 5}],
                 "is_impossible": False},
                {"id": "q2", "question": "보험료 할인율은?", "answers": [], "is_impossible": True,
                 "plausible_answers": [{"text": "3", "answer_start": 21}]},
                {"id": "q3", "question": "", "answers": []},
            ],
        }, {"qas": [{"id": "q4", "question": "문맥이 없는 질문", "answers": []}]}],
    }],
}


def _load(tmp_path, data=SQUAD_V2, **kw):
    p = tmp_path / "squad.json"
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return load_squad(p, render=lambda q, c: fill(TEMPLATE, q, c), refusal=REFUSAL, lang="ko", **kw)


def test_squad_v2_items_and_rejects(tmp_path):
    items, rejects = _load(tmp_path)
    assert [i.example.parent_id for i in items] == ["q1", "q2"]
    q1, q2 = items
    assert q1.example.answerable and q1.references == ("3영업일 이내", "청구서류를 접수한 날부터 3영업일 이내")
    assert q1.example.prompt == fill(TEMPLATE, "보험금은 언제 지급하나요?", SQUAD_V2["data"][0]["paragraphs"][0]["context"])
    assert not q2.example.answerable and q2.references == (REFUSAL,)
    assert {r["id"]: r["reason"] for r in rejects} == {
        "q3": "external: question has no 'question' text", "q4": "external: paragraph has no 'context' text"}
    assert all(i.source == "external" and i.example.split == "external" for i in items)


def test_squad_limit_and_bad_files(tmp_path):
    items, _ = _load(tmp_path, limit=1)
    assert len(items) == 1
    with pytest.raises(ExternalFileError, match="does not exist"):
        load_squad(tmp_path / "nope.json", render=fill, refusal=REFUSAL, lang="ko")
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 2}', encoding="utf-8")
    with pytest.raises(ExternalFileError, match="'data' list missing"):
        load_squad(bad, render=fill, refusal=REFUSAL, lang="ko")


@pytest.mark.parametrize("text,score", [
    ('{"rationale": "맞음", "score": 5}', 5),
    ('Sure! {"rationale": "partly", "score": "3"}', 3),
    ('{"rationale": "x", "score": 7}', None),          # out of range: not clamped, not guessed
    ("score: 2 because it is wrong", 2),
    ("I think it is good", None),
])
def test_parse_verdict(text, score):
    assert parse_verdict(text)[0] == score


def test_judge_prompt_renders_only_known_placeholders():
    assert render('{"score": <1-5>} {answer} {unknown}', answer="A") == '{"score": <1-5>} A {unknown}'
    ex = SFTExample(id="s1", parent_id="qa1", question="Q?", context="C" * 50, split="eval")
    req = judge_request("j1", ex, "ref", " ans ", system="sys", user="{question}|{context}|{reference}|{answer}",
                        refusal=REFUSAL, context_chars=10, max_tokens=64, seed=0)
    assert req.messages[1]["content"] == "Q?|" + "C" * 10 + " ...|ref|ans"
    assert req.json_schema == JUDGE_SCHEMA and req.sources == (ex,)
    with pytest.raises(KeyError, match="prompts.evaluate.judge_system"):
        templates({"evaluate": {}})


def _item(answerable=True, ref="90일 이내"):
    ex = SFTExample(id="s1", parent_id="qa1", split="eval", answerable=answerable,
                    completion=ref if answerable else REFUSAL)
    return EvalItem(example=ex, references=(ref if answerable else REFUSAL,))


def test_score_answer_answerable_and_unanswerable():
    s = score_answer(_item(), "90일입니다.", REFUSAL)
    assert s["em"] == 0.0 and s["f1_token"] == pytest.approx(2 / 3, abs=1e-4)   # [90일] vs [90일, 이내]
    assert not s["refused"] and s["refusal_correct"]
    u = score_answer(_item(answerable=False), "답변을 찾을 수 없습니다", REFUSAL)
    assert u["em"] is None and u["refused"] and u["refusal_correct"]
    wrong = score_answer(_item(answerable=False), "90일", REFUSAL)
    assert not wrong["refusal_correct"]


def test_compare_wins_losses_ties():
    good, bad = {"f1_token": 1.0, "refusal_correct": True}, {"f1_token": 0.2, "refusal_correct": False}
    assert compare(bad, good, True) == ("win", 0.8)
    assert compare(good, bad, False) == ("loss", -1.0)
    assert compare(dict(good, judge_score=2), dict(good, judge_score=4), True) == ("win", 0.0)
    assert compare(good, good, True) == ("tie", 0.0)
    assert compare(None, good, True) == ("", None)


def test_aggregate_hand_computed():
    def row(i, answerable, base, tuned):
        outcome, delta = compare(base, tuned, answerable)
        return EvalResult(id=f"e{i}", parent_id=f"s{i}", answerable=answerable, references=["x"],
                          base=base, tuned=tuned, outcome=outcome, delta=delta)

    def s(f1, refused, judge, answerable=True):
        return {"answer": "abc", "em": None if f1 is None else float(f1 == 1.0), "f1_token": f1, "f1_char": f1,
                "refused": refused, "refusal_correct": refused != answerable, "judge_score": judge}

    rows = [row(0, True, s(0.0, False, 1), s(1.0, False, 5)),
            row(1, True, s(0.5, False, 3), s(0.5, True, 2)),
            row(2, False, s(None, False, 1, False), s(None, True, 5, False))]
    m = aggregate(rows)
    assert m["n"] == 3 and m["n_answerable"] == 2
    assert m["tuned"]["answerable"]["f1_token"] == pytest.approx(0.75)
    assert m["base"]["answerable"]["em"] == 0.0 and m["tuned"]["answerable"]["em"] == 0.5
    # tuned refusals: row1 (answerable -> FP), row2 (unanswerable -> TP)
    assert m["tuned"]["refusal"]["precision"] == 0.5 and m["tuned"]["refusal"]["recall"] == 1.0
    assert m["base"]["refusal"]["recall"] == 0.0
    assert m["tuned"]["judge"]["mean"] == pytest.approx(4.0)
    assert m["tuned"]["judge"]["histogram"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 2}
    # row0 win (F1 up), row1 tie on F1 -> judge 3 vs 2 -> loss, row2 win (refused correctly)
    assert m["comparison"] == {"wins": 2, "losses": 1, "ties": 0, "win_rate": pytest.approx(2 / 3, abs=1e-4)}
    assert examples(rows, 1) == {"wins": ["e0"], "losses": ["e1"]}
    bq = m["by_qtype"]["factual"]      # every row is factual: the breakdown equals the totals
    assert bq["n"] == 3 and bq["tuned"]["f1_token"] == pytest.approx(0.75)
    assert bq["tuned"]["refusal_accuracy"] == pytest.approx(2 / 3, abs=1e-4)   # row1 wrongly refused


def test_eval_items_and_renderer_check():
    rows = [SFTExample(id="a", parent_id="p", split="train", prompt="x"),
            SFTExample(id="b", parent_id="p", split="eval", question="Q", context="C",
                       prompt=fill(TEMPLATE, "Q", "C"), completion="ans"),
            SFTExample(id="c", parent_id="p", split="eval", answerable=False, completion=REFUSAL)]
    items = eval_items(rows, REFUSAL)
    assert [i.id for i in items] == ["b", "c"] and items[1].references == (REFUSAL,)
    assert len(eval_items(rows, REFUSAL, max_examples=1)) == 1
    assert check_renderer(lambda q, c: fill(TEMPLATE, q, c), rows)
    assert not check_renderer(lambda q, c: q + c, rows)


def test_chat_completion_reference_loses_end_of_turn_marker():
    from onprem_sft.evaluate.stage import clean_reference

    assert clean_reference("30 days<|im_end|>\n", ["<|im_end|>", "<|endoftext|>"]) == "30 days"
    assert clean_reference("30 days<|im_end|><|endoftext|>", ["<|im_end|>", "<|endoftext|>"]) == "30 days"
    assert clean_reference(" 30 days \n") == "30 days"
    rows = [SFTExample(id="b", parent_id="p", split="eval", completion="ans<|im_end|>\n")]
    assert eval_items(rows, REFUSAL, end_markers=["<|im_end|>"])[0].references == ("ans",)


def test_judge_context_shrinks_to_fit_then_gives_up():
    from onprem_sft.evaluate.stage import fit_judge_request

    ex = SFTExample(id="s1", parent_id="qa1", question="Q", context="x" * 1000, split="eval")

    def make(chars):
        return judge_request("j", ex, "ref", "ans", system="", user="{context}", refusal=REFUSAL,
                             context_chars=chars, max_tokens=8, seed=0)

    def render(r):
        return r.messages[1]["content"]

    req = fit_judge_request(make, render, len, 300, 1000)          # 1000 -> 500 -> 250 chars (+ " ...")
    assert req is not None and len(render(req)) == 254
    assert fit_judge_request(make, render, len, 3, 1000) is None      # even " ..." does not fit
