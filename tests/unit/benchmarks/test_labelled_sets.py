"""The frozen labelled sets of data/benchmarks/: unchanged (sha256), well-formed and large enough."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from onprem_sft.curate.eyecheck import BASE_COLUMNS, LABEL_COLUMNS

ROOT = Path(__file__).resolve().parents[3]
BENCH = ROOT / "data" / "benchmarks"
GATES = BENCH / "gates" / "gates_v1.jsonl"
QUALIFY = BENCH / "judge" / "qualify_v1.csv"
JUNK_CLASSES = {
    "question_multiple", "question_debris", "question_copies_context", "question_loop", "question_length",
    "question_contains_answer", "question_placeholder", "answer_not_in_context", "answer_short_ungrounded",
    "answer_in_question", "answer_loop", "answer_yesno_mismatch", "refusal_wrong_string",
    "answer_wrong_language",
}
FIELDS = {"id", "lang", "context", "context_key", "question", "answer", "answer_style", "is_unanswerable",
          "label", "junk_class", "note"}


def _frozen_sha(name: str) -> str:
    """The sha256 the README records for a frozen file."""
    m = re.search(rf"`{re.escape(name)}` \| `([0-9a-f]{{64}})`", (BENCH / "README.md").read_text(encoding="utf-8"))
    assert m, f"README.md has no sha256 row for {name}"
    return m.group(1)


def _refusals() -> dict[str, str]:
    return {lang: yaml.safe_load((ROOT / "conf" / "prompts" / f"{lang}.yaml").read_text(encoding="utf-8"))["refusal"]
            for lang in ("en", "ko")}


@pytest.fixture(scope="module")
def gate_rows() -> list[dict]:
    return [json.loads(line) for line in GATES.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("path", [GATES, QUALIFY], ids=["gates", "qualify"])
def test_frozen_files_match_readme_sha256(path: Path) -> None:
    rel = path.relative_to(BENCH).as_posix()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == _frozen_sha(rel), (
        f"{rel} changed after it was frozen; put a corrected set in a new v2 file instead")


def test_gate_rows_schema(gate_rows: list[dict]) -> None:
    refusal = _refusals()
    assert len({r["id"] for r in gate_rows}) == len(gate_rows)
    for r in gate_rows:
        assert set(r) == FIELDS, r["id"]
        assert r["lang"] in ("en", "ko") and r["answer_style"] in ("extractive", "short", "reasoning"), r["id"]
        assert isinstance(r["is_unanswerable"], bool) and r["context"] and r["question"] and r["answer"], r["id"]
        if r["label"] == "clean":
            assert r["junk_class"] is None, r["id"]
            if r["is_unanswerable"]:          # a clean refusal is exactly the configured string
                assert r["answer"] == refusal[r["lang"]], r["id"]
        else:
            assert r["label"] in JUNK_CLASSES and r["junk_class"] == r["label"], r["id"]
        if r["label"] == "refusal_wrong_string":
            assert r["answer"] != refusal[r["lang"]], r["id"]


def test_gate_counts(gate_rows: list[dict]) -> None:
    assert len(gate_rows) >= 300
    by_lang = Counter(r["lang"] for r in gate_rows)
    assert min(by_lang["en"], by_lang["ko"]) >= 0.4 * len(gate_rows), by_lang
    classes = Counter(r["label"] for r in gate_rows)
    assert all(classes[c] >= 8 for c in JUNK_CLASSES), classes
    assert {(r["label"], r["lang"]) for r in gate_rows} >= {(c, lang) for c in JUNK_CLASSES | {"clean"}
                                                             for lang in ("en", "ko")}
    assert classes["clean"] >= 0.4 * len(gate_rows)


def test_qualify_set_is_eyecheck_csv_with_spread_scores() -> None:
    raw = QUALIFY.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")              # BOM, like an exported eye-check file
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
    assert reader.fieldnames == BASE_COLUMNS + LABEL_COLUMNS
    rows = list(reader)
    assert len(rows) >= 60 and len({r["pair_id"] for r in rows}) == len(rows)
    refusal = _refusals()
    for r in rows:
        score = int(r["human_score"])
        assert r["human_label"] == ("pass" if score >= 3 else "fail"), r["pair_id"]
        assert r["answerable"] in ("true", "false") and r["question"] and r["context"] and r["answer"]
        assert r["lang"] in refusal
    for lang in ("en", "ko"):
        scores = Counter(int(r["human_score"]) for r in rows if r["lang"] == lang)
        assert set(scores) == {1, 2, 3, 4, 5} and min(scores.values()) >= 4, (lang, scores)
