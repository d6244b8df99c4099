"""Curate stage with the issue-14 steps on: gates, round trip and judge qualification (recorded engine)."""

from __future__ import annotations

import csv
import json

from curate_testkit import C1, C2, REF, make_ctx, qa, v, with_engine

from onprem_sft.artifacts import iter_jsonl, read_records
from onprem_sft.curate import qualify as qf
from onprem_sft.curate import stage as curate_stage
from onprem_sft.records import QAPair, stable_id

GOOD = v(groundedness=5, relevance=5, correctness=5)
BAD = v(groundedness=1, relevance=2, correctness=1)


def found(answer: str) -> str:
    return json.dumps({"found": True, "answer": answer})


NOT_FOUND = json.dumps({"found": False, "answer": ""})


def test_gates_drop_junk_with_their_own_reason_and_count(tmp_path, recorded_engine) -> None:
    pairs = [
        qa(1, "Who receives the hospitalisation benefit?", "The beneficiary.", context=C1),
        qa(2, "Who receives the benefit?},{?", "The beneficiary.", context=C1),
        qa(3, "Which documents must be submitted for a refund?", "True.", context=C2),
        qa(4, "Within how many days may the contract be cancelled?", "Within 90 days of a court order.",
           context=C2),
    ]
    ctx = make_ctx(tmp_path, pairs, ["curate.gates.enabled=true", "curate.domain.enabled=false"])
    res = curate_stage.run(with_engine(ctx, lambda: recorded_engine({("judge", "qa-1"): GOOD})))
    rej = {r["id"]: r["reason"] for r in iter_jsonl(ctx.out.path / "rejects.jsonl")}
    assert rej == {"qa-2": "gates:q_debris", "qa-3": "gates:a_yes_no", "qa-4": "gates:a_not_in_context"}
    assert res.counts["dropped_gates"] == 3
    assert res.counts["gate_q_debris"] == 1 and res.counts["gate_a_not_in_context"] == 1
    assert [p.id for p in read_records(ctx.out.path / "records.jsonl", QAPair)] == ["qa-1"]


def test_round_trip_keeps_agreeing_pairs_and_checks_distractors(tmp_path, recorded_engine) -> None:
    def span_pair(i, q, a, **kw):
        p = qa(i, q, a, **kw)
        return QAPair(**{**p.__dict__, "request_ids": [f"gs-{i}"]})     # answer-first: label is a span

    pairs = [
        span_pair(1, "Who receives the hospitalisation benefit?", "The beneficiary", context=C1),
        span_pair(2, "Who pays the hospitalisation benefit?", "the beneficiary", context=C1),
        span_pair(3, "When is the benefit paid to the beneficiary?", "within the insurance period", context=C1),
        qa(4, "What is the grace period for an unpaid premium?", REF, context=C2, answerable=False),
        qa(5, "How long is the waiting period for a claim?", REF, context=C2, answerable=False),
        QAPair(**{**qa(6, "Who refunds the premium paid?", "The insurer refunds the premium paid", context=C2)
                  .__dict__, "request_ids": ["gq-x", "ga-6"]}),                  # question-first label
    ]
    responses = {
        ("roundtrip", "qa-1"): found("the beneficiary"),
        ("roundtrip", "qa-2"): found("The insurer"),
        ("roundtrip", "qa-3"): NOT_FOUND,
        ("roundtrip", "qa-4"): NOT_FOUND,
        ("roundtrip", "qa-5"): found("30 days"),
        **{("judge", f"qa-{i}"): GOOD for i in (1, 6)},
        ("judge", "qa-4"): v(relevance=5, refusal=5),
    }
    engine = recorded_engine(responses)
    ctx = make_ctx(tmp_path, pairs, ["curate.roundtrip.enabled=true", "curate.domain.enabled=false",
                                     "curate.dedup.enabled=false", "curate.roundtrip.min_qualify=0"])
    res = curate_stage.run(with_engine(ctx, lambda: engine))
    rej = {r["id"]: r for r in iter_jsonl(ctx.out.path / "rejects.jsonl")}
    assert {k: r["reason"] for k, r in rej.items()} == {
        "qa-2": "roundtrip:label_disagrees", "qa-3": "roundtrip:model_refused",
        "qa-5": "roundtrip:distractor_answered"}
    assert rej["qa-2"]["f1"] == 0.0
    assert not any(r.purpose == "roundtrip" and r.sources[0].id == "qa-6" for r in engine.seen)  # by construction
    step = next(f for f in res.extra["filters"] if f["step"] == "roundtrip")
    assert step["asked"] == 5 and step["agreed"] == 2 and step["by_construction"] == 1
    assert res.counts["dropped_roundtrip"] == 3


def _qual_csv(path, labels):
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["pair_id", "lang", "answerable", "question", "context", "answer", "human_label", "human_score"])
        for i, lab in enumerate(labels):
            w.writerow([f"p{i}", "en", "true", f"Who receives benefit number {i}?", C1, "The beneficiary.",
                        "pass" if lab else "fail", 5 if lab else 1])


def _qual_responses(path, labels, judge_agrees: bool):
    return {("judge", stable_id("qual", path.name, f"p{i}")): (GOOD if (lab or not judge_agrees) else BAD)
            for i, lab in enumerate(labels)}


def test_unqualified_judge_becomes_advisory_and_keeps_pairs(tmp_path, recorded_engine) -> None:
    labels = [i % 2 == 0 for i in range(24)]
    qpath = tmp_path / "qual.csv"
    _qual_csv(qpath, labels)
    pairs = [qa(1, "Who receives the hospitalisation benefit?", "The beneficiary.", context=C1),
             qa(2, "Who may cancel the contract within 15 days?", "The policyholder.", context=C2)]
    responses = {**_qual_responses(qpath, labels, judge_agrees=False), ("judge", "qa-1"): BAD,
                 ("judge", "qa-2"): ["not json", "still not json"]}
    ctx = make_ctx(tmp_path / "run", pairs, ["curate.judge.qualify.enabled=true", f"curate.judge.qualify.file={qpath}",
                                             "curate.domain.enabled=false"])
    res = curate_stage.run(with_engine(ctx, lambda: recorded_engine(responses)))
    # judge said fail (qa-1) or gave no verdict (qa-2): both kept, since the judge only advises
    assert res.counts["judge_advisory"] == 1 and res.counts["kept"] == 2
    q = json.loads((ctx.out.path / qf.RESULT_FILE).read_text())
    assert q["mode"] == "advisory" and q["n"] == 24 and q["cohen_kappa"] == 0.0 and q["accuracy"] == 0.5
    step = next(f for f in res.extra["filters"] if f["step"] == "judge")
    assert step["mode"] == "advisory" and step["advisory_would_drop"] == 2
    assert (ctx.out.path / "qualify" / "llm_calls.jsonl").exists()
    assert all(c["purpose"] != "judge" or c["source_ids"][0] in ("qa-1", "qa-2")  # run's log: run records only
               for c in iter_jsonl(ctx.out.path / "llm_calls.jsonl"))


def test_qualified_judge_gates(tmp_path, recorded_engine) -> None:
    labels = [i % 3 != 0 for i in range(24)]
    qpath = tmp_path / "qual.csv"
    _qual_csv(qpath, labels)
    pairs = [qa(1, "Who receives the hospitalisation benefit?", "The beneficiary.", context=C1)]
    responses = {**_qual_responses(qpath, labels, judge_agrees=True), ("judge", "qa-1"): BAD}
    ctx = make_ctx(tmp_path / "run", pairs, ["curate.judge.qualify.enabled=true", f"curate.judge.qualify.file={qpath}",
                                             "curate.domain.enabled=false"])
    res = curate_stage.run(with_engine(ctx, lambda: recorded_engine(responses)))
    assert res.counts["judge_advisory"] == 0 and res.counts["kept"] == 0
    assert res.extra["judge_qualification"]["cohen_kappa"] == 1.0


def test_too_few_labelled_items_fail_before_any_model(tmp_path) -> None:
    qpath = tmp_path / "qual.csv"
    _qual_csv(qpath, [True, False, True])
    ctx = make_ctx(tmp_path / "run", [qa(1, "Who receives the benefit?", "The beneficiary.", context=C1)],
                   ["curate.judge.qualify.enabled=true", f"curate.judge.qualify.file={qpath}"])

    def no_engine():
        raise AssertionError("engine must not be built")

    try:
        curate_stage.run(with_engine(ctx, no_engine))
    except qf.QualifyError as e:
        assert "min_items" in str(e)
    else:
        raise AssertionError("expected QualifyError")


def test_qualify_reads_an_eyecheck_export_and_cli_errors_are_one_line(curated_run, tmp_path, capsys,
                                                                    tiny_model_dir) -> None:
    from onprem_sft.curate import qualify_cli
    from onprem_sft.curate.eyecheck import _read_csv, export_csv

    out = tmp_path / "sample.csv"
    export_csv(curated_run, out, n=10)
    header, rows, _ = _read_csv(out)
    for i, r in enumerate(rows):
        r["human_label"], r["human_score"] = ("pass", "4") if i % 2 else ("fail", "2")
    with open(out, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    items = qf.load_items(out, refusal=REF, lang="en")
    assert len(items) == len(rows) and sum(it.human_pass for it in items) == len(rows) // 2
    assert any(not it.pair.answerable for it in items)               # the refusal row came back as such
    bad = tmp_path / "bad.csv"
    bad.write_text("question,answer\nWho?,Me.\n", encoding="utf-8")
    assert qualify_cli.main(["qualify", str(bad), f"llm.model={tiny_model_dir}"]) == 2
    err = capsys.readouterr().err
    assert "human_label" in err and err.count("\n") == 1


def test_judge_qualify_cli_scores_the_bundled_eyecheck_csv(tmp_path, monkeypatch, recorded_engine, capsys,
                                                          tiny_model_dir) -> None:
    """The bundled set is in eye-check CSV format; a judge that passes everything has kappa 0 -> advisory."""
    from onprem_sft.curate import qualify_cli
    from onprem_sft.llm import factory

    items = qf.load_items(qf.BUNDLED, refusal=REF, lang="en")
    table = {("judge", it.pair.id): (v(relevance=5, refusal=5) if not it.pair.answerable else GOOD)
             for it in items}
    monkeypatch.setattr(factory, "build_engine", lambda *a, **k: recorded_engine(table))
    out = tmp_path / "q"
    assert qualify_cli.main(["qualify", str(qf.BUNDLED), "--out", str(out), f"llm.model={tiny_model_dir}", "prompts=en"]) == 0
    res = json.loads((out / qf.RESULT_FILE).read_text())
    assert res["n"] == len(items) >= 30 and res["judge_pass_rate"] == 1.0 and res["cohen_kappa"] == 0.0
    assert res["mode"] == "advisory" and 0 < res["accuracy"] < 1
    printed = capsys.readouterr().out
    assert "Cohen's kappa 0.0" in printed and "advisory" in printed


def test_unqualified_answerer_makes_the_round_trip_advisory(tmp_path, recorded_engine) -> None:
    labels = [True] * 6
    qpath = tmp_path / "qual.csv"
    _qual_csv(qpath, labels)                       # human answer "The beneficiary." to each item
    p = QAPair(**{**qa(1, "Who receives the hospitalisation benefit?", "the insured", context=C1).__dict__,
                  "request_ids": ["gs-1"]})
    responses = {("roundtrip", stable_id("qual", qpath.name, f"p{i}")): found("the insurer") for i in range(6)}
    responses[("roundtrip", "qa-1")] = found("the beneficiary")
    ctx = make_ctx(tmp_path / "run", [p], ["curate.roundtrip.enabled=true", f"curate.judge.qualify.file={qpath}",
                                           "curate.domain.enabled=false", "curate.judge.enabled=false"])
    res = curate_stage.run(with_engine(ctx, lambda: recorded_engine(responses)))
    step = next(f for f in res.extra["filters"] if f["step"] == "roundtrip")
    assert step["qualification"] == {"n": 6, "agree_rate": 0.0, "min_qualify": 0.5, "mode": "advisory"}
    assert step["mode"] == "advisory" and step["advisory_would_drop"] == 1 and res.counts["kept"] == 1
    # the same answerer reproducing the human answers gates
    responses.update({("roundtrip", stable_id("qual", qpath.name, f"p{i}")): found("The beneficiary")
                      for i in range(6)})
    ctx = make_ctx(tmp_path / "run2", [p], ["curate.roundtrip.enabled=true", f"curate.judge.qualify.file={qpath}",
                                            "curate.domain.enabled=false", "curate.judge.enabled=false"])
    res = curate_stage.run(with_engine(ctx, lambda: recorded_engine(responses)))
    assert res.counts["kept"] == 0 and res.counts["dropped_roundtrip"] == 1
