"""Eye-check round trip: stratified blind export (BOM CSV), label validation, agreement by hand."""

from __future__ import annotations

import csv
import io
import json

import pytest

from onprem_sft.curate import eyecheck as ec
from onprem_sft.curate.eyecheck_cli import main as cli
from onprem_sft.records import Judgement, QAPair


def read_export(path):
    raw = path.read_bytes()
    assert raw.startswith("\ufeff".encode()), "Excel needs the UTF-8 BOM to show Korean"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def write_labels(path, rows, labels: dict[str, tuple[str, str]], encoding="utf-8-sig"):
    cols = list(rows[0].keys())
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        lab, score = labels.get(r["pair_id"], ("", ""))
        w.writerow({**r, "human_label": lab, "human_score": score})
    path.write_bytes(buf.getvalue().encode(encoding))


def test_export_is_blind_stratified_and_complete(curated_run, capsys) -> None:
    out = curated_run / "sample.csv"
    assert cli(["export", str(curated_run), "--out", str(out), "--n", "10"]) == 0
    rows = read_export(out)
    assert sorted(r["pair_id"] for r in rows) == ["qa-1", "qa-2", "qa-5", "qa-6", "qa-7"]  # every judged pair
    assert list(rows[0])[-3:] == ["human_label", "human_score", "human_comment"]
    assert "judge_overall" not in rows[0] and "score_band" not in rows[0]          # blind by default
    assert all(r["human_label"] == "" for r in rows)
    assert "5 rows from 5 pairs" in capsys.readouterr().out
    assert cli(["export", str(curated_run), "--out", str(out), "--n", "3", "--show-judge"]) == 0
    rows = read_export(out)
    assert len(rows) == 3 and {"judge_overall", "score_band"} <= set(rows[0])


def _item(i: int, band_score: float | None, qtype="factual", answerable=True) -> ec.Item:
    p = QAPair(id=f"p{i}", parent_id=None, qtype=qtype, answerable=answerable)
    j = Judgement(id=f"j{i}", parent_id=p.id, overall=band_score) if band_score is not None else None
    return ec.Item(p, j)


def test_stratified_sample_covers_rare_strata_first() -> None:
    items = [_item(i, 4.5) for i in range(20)] + [_item(100, 1.5), _item(101, 2.5, answerable=False),
                                                  _item(102, 4.2, qtype="reasoning")]
    got = ec.stratified_sample(items, 4, seed=0)
    assert {it.pair.id for it in got} >= {"p100", "p101", "p102"}
    assert ec.stratified_sample(items, 4, seed=0) == got                       # deterministic
    assert len(ec.stratified_sample(items, 100)) == len(items)


def test_csv_injection_is_neutralised() -> None:
    assert ec._cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert ec._cell("-3 days") == "'-3 days" and ec._cell("보험") == "보험"


def test_import_agreement_matches_hand_computed(curated_run) -> None:
    out = curated_run / "sample.csv"
    cli(["export", str(curated_run), "--out", str(out), "--n", "10"])
    rows = read_export(out)
    # judge passed: qa-1 (5.0) qa-2 (4.0) qa-6 (4.5) qa-7 (5.0); failed: qa-5 (3.667)
    labels = {"qa-1": ("pass", "5"), "qa-2": ("fail", "2"), "qa-5": ("통과", ""), "qa-6": ("pass", "4"),
              "qa-7": ("", "")}
    labels["qa-5"] = ("x", "1")                    # o/x style, a fail
    write_labels(out, rows, labels)
    assert cli(["import", str(curated_run), str(out)]) == 0
    got = json.loads((curated_run / "curate" / "eyecheck_agreement.json").read_text(encoding="utf-8"))
    # judge P P F P vs human P F F P: p_o = 3/4; judge P = 3/4, human P = 1/2 -> p_e = 3/8 + 1/8 = 1/2
    # kappa = (3/4 - 1/2) / (1 - 1/2) = 0.5
    assert got["n_labelled"] == 4 and got["unlabelled"] == 1
    assert got["accuracy"] == 0.75 and got["cohen_kappa"] == 0.5
    assert got["confusion"] == {"both_pass": 2, "both_fail": 1, "judge_pass_human_fail": 1,
                                "judge_fail_human_pass": 0}
    # judge overall [5.0, 4.0, 3.667, 4.5] -> ranks [4, 2, 1, 3]; human [5, 2, 1, 4] -> ranks [4, 2, 1, 3]
    assert got["spearman"] == 1.0 and got["n_scored"] == 4
    assert got["human_pass_rate"] == 0.5
    assert got["by_answerable"]["false"] == {"n": 1, "human_pass_rate": 1.0, "accuracy": 1.0}


def test_import_accepts_excel_cp949(curated_run) -> None:
    out = curated_run / "sample.csv"
    cli(["export", str(curated_run), "--out", str(out), "--n", "10"])
    rows = read_export(out)
    write_labels(out, rows, {r["pair_id"]: ("통과", "") for r in rows}, encoding="cp949")
    r = ec.import_labels(curated_run, out)
    assert r["encoding"] == "cp949" and r["n_labelled"] == 5 and r["spearman"] is None


def test_import_errors_name_row_and_column(curated_run, capsys) -> None:
    out = curated_run / "sample.csv"
    cli(["export", str(curated_run), "--out", str(out), "--n", "10"])
    rows = read_export(out)
    rows[1]["pair_id"] = "qa-999"
    write_labels(out, rows, {rows[0]["pair_id"]: ("maybe", ""), rows[2]["pair_id"]: ("pass", "7")})
    assert cli(["import", str(curated_run), str(out)]) == 2
    err = capsys.readouterr().err
    assert "row 2 (" in err and "column human_label: 'maybe' is not a label" in err
    assert "row 3, column pair_id: 'qa-999' is not a judged pair" in err
    assert "row 4 (" in err and "column human_score: '7' must be an integer 1-5" in err
    assert not (curated_run / "curate" / "eyecheck_agreement.json").exists()        # nothing imported


def test_import_missing_column_and_no_labels(curated_run) -> None:
    out = curated_run / "sample.csv"
    out.write_text("pair_id,label\nqa-1,pass\n", encoding="utf-8")
    with pytest.raises(ec.EyecheckError, match=r"\['human_label'\] missing from the header"):
        ec.import_labels(curated_run, out)
    cli(["export", str(curated_run), "--out", str(out)])
    with pytest.raises(ec.EyecheckError, match="no row has a human_label"):
        ec.import_labels(curated_run, out)


def test_export_needs_a_finished_curate(tmp_path, capsys) -> None:
    assert cli(["export", str(tmp_path)]) == 2
    assert "run the pipeline through curate first" in capsys.readouterr().err
