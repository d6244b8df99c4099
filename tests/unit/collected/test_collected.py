"""Collected questions: reading and rejects, BM25 retrieval with hints, split/mix, config checks."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from omegaconf import OmegaConf

from onprem_sft.collected.label import merge_duplicates
from onprem_sft.collected.reader import QuestionsError, read_questions
from onprem_sft.collected.retrieve import ChunkIndex, tokenize
from onprem_sft.collected.schema import QuestionsConfig
from onprem_sft.config import ConfigError, compose, validate
from onprem_sft.dataset.mix import choose_split
from onprem_sft.dataset.schema import DatasetConfig
from onprem_sft.records import QAPair, RedactedChunk, RedactedQuestion


def qcfg(path, **kw):
    c = OmegaConf.structured(QuestionsConfig)
    c.path = str(path)
    for k, v in kw.items():
        OmegaConf.update(c, k, v)
    return c


def test_csv_rows_mapped_rejected_and_exact_duplicates_merged(tmp_path):
    p = tmp_path / "q.csv"
    p.write_text("no,when,text,reply\n"
                 "1,2024-03-05,보험금 청구 서류는 무엇인가요?,진단서입니다.\n"
                 "2,2024.03.06,보험금  청구 서류는 무엇인가요,\n"          # exact duplicate after normalising
                 "3,,,\n"                                                  # empty question
                 "4,yesterday,How long is the grace period?,\n"           # bad date
                 "5,2024/04/01,How long is the grace period for premiums?,\n", encoding="utf-8")
    res = read_questions(qcfg(p, **{"columns.id": "no", "columns.date": "when", "columns.question": "text",
                                    "columns.answer": "reply", "columns.hint": ""}))
    assert [(q.row, q.ext_id, q.date, q.lang) for q in res.questions] == [
        (2, "1", "2024-03-05", "ko"), (6, "5", "2024-04-01", "en")]
    assert res.questions[0].answer == "진단서입니다."
    reasons = {r["path"]: r["reason"] for r in res.rejects}
    assert reasons["q.csv:3"] == "exact_duplicate" and reasons["q.csv:4"] == "empty_question"
    assert reasons["q.csv:5"].startswith("bad_date")
    dump = json.dumps(res.rejects, ensure_ascii=False)
    assert "grace" not in dump and "청구" not in dump                    # no content in rejects


def test_xlsx_and_jsonl_and_missing_column(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "FAQ"
    ws.append(["question", "answer"])
    ws.append(["What is the free-look period?", "30 days."])
    wb.create_sheet("other").append(["question"])
    d = tmp_path / "in"
    d.mkdir()
    wb.save(d / "faq.xlsx")
    (d / "log.jsonl").write_text(json.dumps({"question": "대출 한도는 얼마인가요?", "date": "2024-05-01"},
                                            ensure_ascii=False) + "\nnot json\n", encoding="utf-8")
    res = read_questions(qcfg(d))
    assert sorted(q.question for q in res.questions) == ["What is the free-look period?", "대출 한도는 얼마인가요?"]
    assert [r["reason"] for r in res.rejects] == ["line is not valid JSON"]
    with pytest.raises(QuestionsError, match="no column 'frage'"):
        read_questions(qcfg(d, **{"columns.question": "frage"}))


def _chunk(i: int, clause: str, text: str, doc: str = "d1") -> RedactedChunk:
    return RedactedChunk(id=f"rc-{i}", parent_id=f"c-{i}", doc_id=doc, index=i, text=text, clause=clause, lang="")


KO_CHUNKS = [
    _chunk(0, "제3조(보험금의 지급사유)", "회사는 피보험자가 입원한 경우 입원급여금을 1일당 3만원 지급합니다."),
    _chunk(1, "제7조(보험금의 청구)", "보험수익자는 청구서, 사고증명서, 신분증을 제출하고 보험금을 청구합니다."),
    _chunk(2, "제15조(계약의 해지)", "계약자는 언제든지 계약을 해지할 수 있으며 회사는 해지환급금을 지급합니다."),
]


def test_kiwi_morphemes_find_the_clause_despite_particles():
    assert "보험금" in tokenize("보험금을 청구하려면?") and "청구" in tokenize("보험금을 청구하려면?")
    idx = ChunkIndex(KO_CHUNKS)
    hits, how = idx.search("보험금을 청구할 때 어떤 서류를 제출해야 하나요?", 2)
    assert hits[0].chunk.id == "rc-1" and how == ""
    hits, how = idx.search("계약을 해지하면 돈을 돌려받나요?", 1)
    assert [h.chunk.id for h in hits] == ["rc-2"]


def test_hint_filters_then_falls_back_to_query_terms():
    idx = ChunkIndex(KO_CHUNKS)
    hits, how = idx.search("보험금은 얼마인가요?", 3, hint="제 7 조")
    assert how == "filter" and [h.chunk.id for h in hits] == ["rc-1"]
    citing = ChunkIndex([*KO_CHUNKS, _chunk(3, "제16조(서류)", "제15조에 따라 해지할 때 보험금 청구 서류를 냅니다.")])
    hits, how = citing.search("보험금 청구 서류", 3, hint="제15조")   # the clause titled 제15조, not the citing one
    assert how == "filter" and [h.chunk.id for h in hits] == ["rc-2"]
    hits, how = idx.search("얼마인가요?", 1, hint="해지환급금")            # hint text found in a chunk
    assert how == "filter" and hits[0].chunk.id == "rc-2"
    hits, how = idx.search("travel insurance for Spain?", 2)
    assert hits == []                                                  # nothing shared: unmatched


def test_english_words_and_placeholders():
    assert tokenize("Claims of <PERSON_1> were claimed") == ["claim", "claim"]
    idx = ChunkIndex([_chunk(0, "Article 6 (Claims)", "To claim a benefit, send a claim form and a doctor's report."),
                      _chunk(1, "Article 15 (Grace Period)", "Premiums unpaid after the 30-day grace period lapse.")])
    assert idx.search("How long is the grace period for premiums?", 1)[0][0].chunk.id == "rc-1"


def test_near_duplicate_questions_merged_answer_wins():
    qs = [RedactedQuestion(id="a", parent_id="ca", question="How much is the hospital cash benefit per day for my stay?"),
          RedactedQuestion(id="b", parent_id="cb", question="How much is the hospital cash benefit per day for a stay?",
                           answer="$100"),
          RedactedQuestion(id="c", parent_id="cc", question="대출 금리 상한은 얼마인가요?")]
    kept, rejects = merge_duplicates(qs, 0.8)
    assert [q.id for q in kept] == ["b", "c"]
    assert rejects[0]["id"] == "a" and rejects[0]["kept_id"] == "b"


def _pair(i: int, source: str, doc: str, date: str = "") -> QAPair:
    return QAPair(id=f"qa-{source[0]}{i}", parent_id=f"q{i}", doc_id=doc, chunk_id=f"c{i}", question=f"q{i}",
                  context="ctx", answer="a", source=source,
                  collected={"date": date} if source == "collected" else None)


def dcfg(**kw):
    c = OmegaConf.structured(DatasetConfig)
    for k, v in kw.items():
        OmegaConf.update(c, k, v)
    return c


def test_eval_source_collected_by_time_holds_out_the_latest_questions():
    pairs = [_pair(i, "collected", f"d{i % 2}", f"2024-0{i + 1}-01") for i in range(5)] + \
            [_pair(i, "generated", f"d{i % 3}") for i in range(6)]
    split, drops, _ = choose_split(pairs, dcfg(eval_source="collected", eval_fraction=0.4))
    ev = sorted(k for k, v in split.assign.items() if v == "eval")
    assert ev == ["qa-c3", "qa-c4"] and split.unit == "time" and drops == []
    assert all(split.assign[p.id] == "train" for p in pairs if p.source == "generated")


def test_eval_source_collected_by_document_drops_generated_of_held_out_docs():
    pairs = [_pair(i, "collected", f"d{i % 3}") for i in range(6)] + [_pair(i, "generated", f"d{i % 3}")
                                                                      for i in range(6)]
    split, drops, _ = choose_split(pairs, dcfg(eval_source="collected", eval_fraction=0.34))
    ev_docs = {p.doc_id for p in pairs if split.assign.get(p.id) == "eval"}
    assert split.unit == "document" and len(ev_docs) == 1
    assert all(p.source == "collected" for p in pairs if split.assign.get(p.id) == "eval")
    dropped = {d["id"] for d in drops}
    assert dropped == {p.id for p in pairs if p.source == "generated" and p.doc_id in ev_docs}
    train_docs = {p.doc_id for p in pairs if split.assign.get(p.id) == "train"}
    assert not ev_docs & train_docs                                       # no document leaks across splits


def test_mix_downsamples_the_side_over_its_share():
    pairs = [_pair(i, "collected", "d0") for i in range(4)] + [_pair(i, "generated", f"d{i % 4}") for i in range(12)]
    split, drops, _ = choose_split(pairs, dcfg(eval_source="all", mix=0.5, eval_fraction=0.25))
    train = [p for p in pairs if split.assign.get(p.id) == "train"]
    n_col = sum(p.source == "collected" for p in train)
    assert n_col == sum(p.source == "generated" for p in train) and drops
    assert all(d["reason"].startswith("mix:downsampled") for d in drops)


def test_config_keys_validated_at_compose(tmp_path):
    cfg = compose(["llm.model=/unused", "questions.retrieval.top_k=0", "questions.given_answers=maybe",
                   "dataset.mix=1.5", "dataset.eval_source=collected", f"questions.path={tmp_path}/nope.csv"])
    with pytest.raises(ConfigError) as e:
        validate(cfg)
    msg = str(e.value)
    for key in ("questions.retrieval.top_k", "questions.given_answers", "dataset.mix", "questions.path"):
        assert key in msg
    with pytest.raises(Exception, match="colums"):
        compose(["questions.colums.question=x"])
    ok = compose(["llm.model=/unused", "stages=[dataset]", "dataset.eval_source=collected",
                  f"questions.path={tmp_path}", "questions.columns.question=Frage"])
    validate(ok)
    assert SimpleNamespace(v=ok.questions.columns.question).v == "Frage"


def test_eval_source_auto_prefers_collected_when_present():
    gen = [_pair(i, "generated", f"d{i % 3}") for i in range(6)]
    _, _, src = choose_split(gen, dcfg())
    assert src == "all"
    col = [_pair(i, "collected", "d0", f"2024-01-0{i + 1}") for i in range(3)]
    split, _, src = choose_split(gen + col, dcfg())
    assert src == "collected" and {k for k, v in split.assign.items() if v == "eval"} == {"qa-c2"}
