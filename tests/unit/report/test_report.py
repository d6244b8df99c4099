"""Report built from a small fixture run dir: sections present, figures embedded, no raw personal data."""

from __future__ import annotations

import base64
import json
import re

import pytest

from onprem_sft.artifacts import StageDir, atomic_write_json, write_jsonl
from onprem_sft.evaluate.records import EvalItem, EvalResult
from onprem_sft.evaluate.scoring import aggregate, compare, examples, score_answer
from onprem_sft.records import (
    Chunk,
    CollectedQuestion,
    Document,
    Judgement,
    QAPair,
    RedactedChunk,
    RedactedQuestion,
    SFTExample,
)
from onprem_sft.report.collect import RawZoneError, _path, reason_key
from onprem_sft.report.stage import build_report, print_summary

REFUSAL = "답변을 찾을 수 없습니다."
# Seeded personal data: lives only in the raw zone (ingest) of the fixture run.
PII = ["홍길동", "900101-1234568", "hong.gildong@example.com", "010-1234-5678", "서울시 강남구 테헤란로 123"]
RAW = f"피보험자 {PII[0]}(주민등록번호 {PII[1]}, {PII[2]}, {PII[3]}, 주소 {PII[4]})는 보험금을 청구할 수 있다."
REDACTED = "피보험자 <PERSON_1>(주민등록번호 <KR_RRN_1>, <EMAIL_1>, <PHONE_1>, 주소 <ADDRESS_1>)는 보험금을 청구할 수 있다."


def _manifest(run, stage, counts, seconds):
    StageDir(run, stage).finalize(config_hash="c", input_hash="i", counts=counts, extra={"seconds": seconds})


@pytest.fixture()
def run_dir(tmp_path):
    run = tmp_path / "run1"
    doc = Document(id="doc-1", parent_id=None, path=f"{PII[0]}_계약서.txt", text=RAW, lang="ko", title=PII[0])
    chunk = Chunk(id="ch-1", parent_id="doc-1", doc_id="doc-1", text=RAW, lang="ko", clause=f"제1조 {PII[0]}")
    write_jsonl(run / "ingest" / "documents.jsonl", [doc])
    write_jsonl(run / "ingest" / "records.jsonl", [chunk])
    write_jsonl(run / "ingest" / "rejects.jsonl", [{"id": "x", "reason": f"unreadable file {PII[0]}_주민{PII[1]}.hwp"}])
    _manifest(run, "ingest", {"documents": 1, "chunks": 1, "rejected": 1}, 1.5)
    rc = RedactedChunk(id="rc-1", parent_id="ch-1", doc_id="doc-1", text=REDACTED, lang="ko",
                       entity_counts={"PERSON": 1, "KR_RRN": 1, "EMAIL_ADDRESS": 1, "PHONE_NUMBER": 1, "ADDRESS": 1})
    rc2 = RedactedChunk(id="rc-2", parent_id="ch-2", doc_id="doc-1", text="<PERSON_1>", entity_counts={"PERSON": 2})
    write_jsonl(run / "redact" / "records.jsonl", [rc, rc2])
    write_jsonl(run / "redact" / "rejects.jsonl", [{"id": "ch-9", "reason": "residual PII after redaction: KR_RRN (1)"}])
    _manifest(run, "redact", {"chunks": 2, "rejected": 1}, 3.0)
    qa = [QAPair(id=f"qa-{i}", parent_id=f"q-{i}", question=f"<PERSON_1>은 보험금을 청구할 수 있나요 {i}?",
                 context=REDACTED, answer="네, 청구할 수 있습니다.", answerable=i != 2) for i in range(3)]
    write_jsonl(run / "curate" / "records.jsonl", qa)
    write_jsonl(run / "curate" / "judgements.jsonl",
                [Judgement(id=f"j-{i}", parent_id=f"qa-{i}", overall=float(s), passed=s >= 3) for i, s in enumerate([5, 4, 2, 3])])
    write_jsonl(run / "curate" / "rejects.jsonl", [{"id": "qa-7", "reason": "judge: overall 2.0 < threshold 3.0"},
                                                   {"id": "qa-8", "reason": "judge: overall 1.0 < threshold 3.0"},
                                                   {"id": "qa-9", "reason": "near-duplicate of qa-1 (jaccard 0.93)"}])
    atomic_write_json(run / "curate" / "eyecheck_agreement.json",
                      {"n_labelled": 4, "accuracy": 0.75, "cohen_kappa": 0.5, "file": f"/home/{PII[0]}/labels.csv",
                       "by_qtype": {"factual": {"n": 4, "accuracy": 0.75}}})
    _manifest(run, "curate", {"kept": 3, "rejected": 3}, 10.0)
    _manifest(run, "dataset", {"train": 2, "eval": 2}, 0.4)
    write_jsonl(run / "train" / "train_log.jsonl", [{"step": s, "loss": 2.0 / s, "eval_loss": None} for s in (1, 2, 3)]
                + [{"step": 3, "loss": None, "eval_loss": 0.9}])
    _manifest(run, "train", {"steps": 3}, 42.0)
    # evaluate: real scoring of hand-written answers
    exs = [SFTExample(id="s-a", parent_id="qa-0", split="eval", question="청구 기한은?", completion="3년 이내"),
           SFTExample(id="s-u", parent_id="qa-2", split="eval", question="할인율은?", completion=REFUSAL,
                      answerable=False)]
    items = [EvalItem(example=exs[0], references=("3년 이내",)), EvalItem(example=exs[1], references=(REFUSAL,))]
    answers = {"base": ["모릅니다", "10%입니다"], "tuned": ["3년 이내입니다.", REFUSAL]}
    rows = []
    for i, it in enumerate(items):
        b, t = (dict(score_answer(it, answers[s][i], REFUSAL), judge_score=j) for s, j in (("base", 1), ("tuned", 5)))
        outcome, delta = compare(b, t, it.example.answerable)
        rows.append(EvalResult(id=f"ev-{i}", parent_id=it.id, answerable=it.example.answerable,
                               qtype="factual" if i == 0 else "reasoning",
                               question=it.example.question, references=list(it.references), base=b, tuned=t,
                               outcome=outcome, delta=delta))
    write_jsonl(run / "evaluate" / "records.jsonl", rows)
    atomic_write_json(run / "evaluate" / "metrics.json", {"eval": aggregate(rows), "examples": {"eval": examples(rows, 3)},
                                                           "base_model": {"path": "/models/base"}, "adapter": "train/adapter",
                                                           "judge_model": {"path": "/models/judge"}})
    _manifest(run, "evaluate", {"eval": 2, "wins": 2, "losses": 0}, 20.0)
    return run


def test_report_sections_figures_and_numbers(run_dir, tmp_path, capsys):
    html_path, md_path, d = build_report(run_dir, tmp_path / "out", k=3)
    html = html_path.read_text(encoding="utf-8")
    for sec in ("stages", "redaction", "rejects", "judge", "training", "evaluation", "agreement", "samples"):
        assert f"id='{sec}'" in html, sec
    imgs = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(imgs) >= 5        # redaction, judge histogram, loss curve, metric bars, length boxplot
    assert all(base64.b64decode(b)[:8] == b"\x89PNG\r\n\x1a\n" for b in imgs)
    assert "src=\"http" not in html and "<script" not in html            # self-contained, static
    assert d["redaction"] == {"PERSON": 3, "KR_RRN": 1, "EMAIL_ADDRESS": 1, "PHONE_NUMBER": 1, "ADDRESS": 1}
    assert d["rejects"]["curate"] == {"judge": 2, "near-duplicate of qa-N": 1}
    assert d["rejects"]["ingest"] == {"rejected (see ingest/rejects.jsonl)": 1}
    assert d["judge_scores"] == [5.0, 4.0, 2.0, 3.0]
    m = d["metrics"]["eval"]
    assert m["tuned"]["answerable"]["em"] == 1.0 and m["base"]["answerable"]["em"] == 0.0
    assert m["comparison"]["wins"] == 2
    assert "Mean answer length (characters, answerable): reference 4.0, base 4.0, tuned 8.0" in html
    assert "By question type" in html and "reasoning" in html
    assert "2 wins" in html and "cohen_kappa" in html and "0.500" in html and "by_qtype.factual.accuracy" in html
    md = md_path.read_text(encoding="utf-8")
    assert "| exact match | 0.000 | 1.000 |" in md and "| PERSON | 3 |" in md
    assert not [s for s in d["stages"] if s["stage"] in ("ingest", "evaluate") and not s["done"]]
    print_summary(html_path, d)
    out = capsys.readouterr().out
    assert str(html_path.name) in out and "exact match" in out


def test_report_contains_no_seeded_pii(run_dir, tmp_path):
    html_path, md_path, _ = build_report(run_dir, tmp_path / "out")
    raw_zone = (run_dir / "ingest" / "documents.jsonl").read_text(encoding="utf-8")
    assert all(p in raw_zone for p in PII)                   # the fixture really holds the PII
    for path in (html_path, md_path):
        text = path.read_text(encoding="utf-8")
        for p in PII:
            assert p not in text, f"{p!r} leaked into {path.name}"
        assert "<PERSON_1>" not in text                      # placeholders are html-escaped in HTML
    assert "&lt;PERSON_1&gt;" in html_path.read_text(encoding="utf-8")


def test_report_never_reads_raw_zone(run_dir):
    for name in ("records.jsonl", "documents.jsonl", "rejects.jsonl"):
        with pytest.raises(RawZoneError):
            _path(run_dir, "ingest", name)
    with pytest.raises(RawZoneError):
        _path(run_dir, "redact", "audit_raw.jsonl")          # not on the allow-list


def test_report_tolerates_missing_stages(tmp_path):
    run = tmp_path / "partial"
    _manifest(run, "ingest", {"documents": 2}, 0.1)
    html_path, _md_path, d = build_report(run, tmp_path / "out")
    html = html_path.read_text(encoding="utf-8")
    assert "evaluate stage not run" in html and "train stage not run" in html
    assert [s["stage"] for s in d["stages"] if s["done"]] == ["ingest"]
    assert json.loads(json.dumps(d["stages"]))            # plain data


def test_reason_key_groups_and_drops_details():
    assert reason_key("judge: overall 2.0 < threshold 3.0") == "judge"
    assert reason_key("near-duplicate of qa-12 (jaccard 0.9)") == "near-duplicate of qa-N"
    assert reason_key("") == "unspecified"


def test_external_metrics_in_markdown(run_dir, tmp_path):
    m = json.loads((run_dir / "evaluate" / "metrics.json").read_text(encoding="utf-8"))
    m["external"], m["external_file"] = m["eval"], "korquad_dev.json"
    atomic_write_json(run_dir / "evaluate" / "metrics.json", m)
    html_path, md_path, _ = build_report(run_dir, tmp_path / "out")
    assert "## External file korquad_dev.json (n=2)" in md_path.read_text(encoding="utf-8")
    assert "External file korquad_dev.json" in html_path.read_text(encoding="utf-8")


def test_curation_steps_show_gate_reasons_and_judge_mode(run_dir, tmp_path):
    filters = [{"step": "gates", "enabled": True, "in": 10, "dropped": 3,
                "reasons": {"a_not_in_context": 2, "q_debris": 1}},
               {"step": "roundtrip", "enabled": True, "in": 7, "dropped": 1, "reasons": {"label_disagrees": 1},
                "asked": 7, "agreed": 6, "by_construction": 0, "mean_f1": 0.8},
               {"step": "judge", "enabled": True, "in": 6, "dropped": 0, "reasons": {}, "mode": "advisory",
                "advisory_would_drop": 4}]
    qual = {"n": 33, "accuracy": 0.5, "cohen_kappa": 0.02, "spearman": None, "mode": "advisory",
            "why": "kappa 0.020 < curate.judge.qualify.min_kappa 0.4", "file": "bundled", "file_sha256": "x"}
    StageDir(run_dir, "curate").finalize(config_hash="c", input_hash="i", counts={"kept": 3},
                                         extra={"filters": filters, "judge_qualification": qual})
    html_path, md_path, _ = build_report(run_dir, tmp_path / "out")
    html, md = html_path.read_text(encoding="utf-8"), md_path.read_text(encoding="utf-8")
    assert "id='curation'" in html and "a_not_in_context" in html and "would have dropped 4" in html
    assert "| gates | on | 10 | 3 |" in md and "| 2 | a_not_in_context |" in md
    assert "The judge is ADVISORY: kappa 0.020 < curate.judge.qualify.min_kappa 0.4." in md
    # a constant judge score has no rank correlation: said in words, never "None"
    assert "Spearman undefined (one side gives a constant score)" in md and "Spearman None" not in html


def test_raw_zone_rejects_shown_by_reason_code_from_the_manifest(tmp_path):
    """ingest/rejects.jsonl is raw zone: the report takes reason codes from the manifest, never free text."""
    run = tmp_path / "run"
    StageDir(run, "ingest").finalize(
        config_hash="c", input_hash="i", counts={"documents": 1, "rejects": 5},
        extra={"rejects_by_reason": {"bad_date (column 'date' is not an ISO date)": 1, "empty_question": 1,
                                     "exact_duplicate": 2, f"unreadable {PII[0]}.hwp": 1}})
    html_path, md_path, d = build_report(run, tmp_path / "out")
    assert d["rejects"]["ingest"] == {"exact_duplicate": 2, "bad_date": 1, "empty_question": 1,
                                      "other (see ingest/rejects.jsonl)": 1}
    for path in (html_path, md_path):
        text = path.read_text(encoding="utf-8")
        assert "exact_duplicate" in text and PII[0] not in text


def test_collected_questions_path_redaction_and_samples(run_dir, tmp_path):
    """A run with collected questions: their counts from the file to the eval split beside the generated
    ones, their redactions in their own column, real questions among the samples, no raw value."""
    raw_q = f"{PII[0]}입니다, {PII[3]}로 연락 주세요. 청구 기한은?"
    write_jsonl(run_dir / "ingest" / "collected_questions.jsonl",
                [CollectedQuestion(id="cq-1", parent_id=None, source_file="q.csv", row=2, question=raw_q)])
    StageDir(run_dir, "ingest").finalize(config_hash="c", input_hash="i",
                                         counts={"documents": 1, "question_rows": 6, "questions": 4})
    write_jsonl(run_dir / "redact" / "redacted_questions.jsonl",
                [RedactedQuestion(id="rq-1", parent_id="cq-1", question="<PERSON_1>입니다, <PHONE_NUMBER_1>로 "
                                  "연락 주세요. 청구 기한은?", entity_counts={"PERSON": 1, "PHONE_NUMBER": 1})])
    StageDir(run_dir, "generate").finalize(config_hash="c", input_hash="i",
                                           counts={"collected_pairs": 4, "generated_pairs": 10})

    def pair(i, source, answerable=True, origin="model"):
        return QAPair(id=f"qa-{source}-{i}", parent_id=f"q-{i}", question=f"{source} 질문 {i}?", context=REDACTED,
                      answer="3년 이내" if answerable else REFUSAL, answerable=answerable, source=source,
                      collected={"answer_from": origin} if source == "collected" else None)
    write_jsonl(run_dir / "curate" / "records.jsonl",
                [pair(0, "generated"), pair(1, "generated"), pair(2, "collected"),
                 pair(3, "collected", origin="given"), pair(4, "collected", answerable=False)])
    StageDir(run_dir, "dataset").finalize(
        config_hash="c", input_hash="i", counts={"train": 4, "eval": 1, "train_collected": 2,
                                                 "train_generated": 2, "eval_collected": 1},
        extra={"eval_source": "collected", "mix": None,
               "split_note": "eval = collected pairs only, split by time; collected questions dated 2024-05-01 "
                             "or later"})
    html_path, md_path, d = build_report(run_dir, tmp_path / "out", k=4)
    assert d["sources"]["collected"]["steps"] == [
        ["rows in the questions file(s)", 6, None], ["questions after rejects and exact-duplicate merge", 4, None],
        ["QnA pairs out of generate", 4, 10], ["kept by curate", 3, 2], ["train rows", 2, 2], ["eval rows", 1, 0]]
    assert d["sources"]["collected"]["answers"] == {"model answer": 1, "given answer": 1,
                                                     "refusal (context does not answer)": 1}
    assert d["redaction_questions"] == {"PERSON": 1, "PHONE_NUMBER": 1}
    assert d["redaction"]["PERSON"] == 4 and d["redaction"]["PHONE_NUMBER"] == 2      # chunks + questions
    assert [s["source"] for s in d["samples"] if s["answerable"]] == ["collected", "collected", "generated",
                                                                        "generated"]
    md, html = md_path.read_text(encoding="utf-8"), html_path.read_text(encoding="utf-8")
    assert "| kept by curate | 3 | 2 |" in md and "| eval rows | 1 | 0 |" in md
    assert "| PERSON | 4 | 3 | 1 |" in md and "in collected questions" in html
    assert "collected questions dated 2024-05-01 or later" in md and "dataset.mix not set" in md
    assert "only 1 eval row(s)" in md and "only 1 eval row(s)" in html
    assert "train: 2 collected" not in md                  # the table holds the per-split counts
    assert "<th>source</th>" in html and "<td>collected</td>" in html
    for text in (md, html):
        for p in PII:
            assert p not in text
