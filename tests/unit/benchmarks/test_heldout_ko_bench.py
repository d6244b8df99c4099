"""Held-out Korean redaction benchmark: the generator's invariants, the frozen file, and the scorer's arithmetic.

No redactor is loaded here (the benchmark itself is a script); these tests check that the gold data is what it
claims to be and that the figures are computed right on hand-made examples.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))

import bench_redaction_ko_heldout as bench
from heldout_ko import build

FROZEN = ROOT / "scripts" / "heldout_ko" / "data" / "heldout_ko_v1.jsonl.gz"


@pytest.fixture(scope="module")
def frozen() -> list[dict]:
    return build.load(FROZEN)


def test_generated_docs_keep_their_invariants():
    recs = build.generate(n_docs=40, seed=7)
    assert {r["kind"] for r in recs} == {k.__name__ for k in build.KINDS}
    for r in recs:
        assert build.validate(r) == [], r["id"]
        for s in r["spans"]:
            assert r["text"][s["start"]:s["end"]] == s["value"]
            assert s["type"] in bench.GOLD_TO_REDACTOR
        # every occurrence of a gold value is itself gold (name propagation cannot hit unlabelled text)
        assert not build._stray_values(r["text"], r["spans"])


def test_generator_is_deterministic_and_seed_sensitive():
    a, b, c = build.generate(12, 3), build.generate(12, 3), build.generate(12, 4)
    assert build.dumps(a) == build.dumps(b)
    assert [r["text"] for r in a] != [r["text"] for r in c]


def test_validate_catches_bad_offsets_and_overlaps():
    rec = {"text": "성명 홍길동 전화 010-1234-5678",
           "spans": [{"start": 3, "end": 6, "type": "PERSON_KO", "value": "홍길동"},
                     {"start": 5, "end": 8, "type": "PERSON_KO", "value": "동 전"}]}
    errs = build.validate(rec)
    assert any("overlapping" in e for e in errs)
    rec["spans"] = [{"start": 3, "end": 7, "type": "PERSON_KO", "value": "홍길동"}]
    assert any("mismatch" in e for e in build.validate(rec))


def test_frozen_file_is_intact_and_big_enough(frozen):
    raw = gzip.decompress(FROZEN.read_bytes())
    sha = hashlib.sha256(raw).hexdigest()
    assert sha == bench.FROZEN_SHA256[FROZEN.name]
    assert sha in (FROZEN.parent / "README.md").read_text(encoding="utf-8")
    st = build.stats(frozen)
    assert st["documents"] >= 500 and st["spans"] >= 3000 and st["types"] >= 20
    assert all(build.validate(r) == [] for r in frozen)
    # the layouts the issue names are all present
    fmts = Counter(tag for r in frozen for s in r["spans"] for tag in s["fmt"].split("|"))
    for tag in ("spaced_gil", "numbered_road", "+ho", "+dong_ho", "+basement", "+ref_building", "+building_block",
                "beonji", "san", "short", "compound", "glued_bracket", "honorific", "list,", "list·",
                "sentence_start", "name_title_sentence", "latin_upper", "paren_glued", "intl", "masked",
                "space_split", "newline_split", "old_9digit", "letter_8digit", "new_2021", "region_name",
                "bank_before", "no_bank", "particle", "table_cell"):
        assert fmts[tag] > 0, tag


def test_generator_reproduces_the_frozen_file(frozen):
    """The committed generator documents how v1 was made (a changed generator needs a v2 file, not an edit).

    Documents are seeded one by one, so the first 100 stand for the whole file (the full check is in the README)."""
    again = build.generate(100, build.SEED)
    assert build.dumps(again) == build.dumps(frozen[:100])


def test_scorer_refuses_a_changed_frozen_file(tmp_path):
    bad = tmp_path / FROZEN.name
    bad.write_bytes(gzip.compress(b'{"id": "x", "text": "", "spans": []}\n'))
    with pytest.raises(SystemExit, match="frozen"):
        bench.load_set(bad)


# ---- scorer arithmetic on a hand-made example ------------------------------------------------------------

TEXT = "환자성명: 남궁서율 (남, 51세) 전화 (031)987-6543, 법정대리인 동의. 주소: 서울시 종로구 새솔로 17길 9-4, 302호"


def _span(typ: str, value: str) -> dict:
    a = TEXT.index(value)
    return {"start": a, "end": a + len(value), "type": typ, "value": value, "fmt": "hand"}


def _pred(typ: str, value: str) -> tuple[str, int, int]:
    a = TEXT.index(value)
    return (typ, a, a + len(value))


def test_scorer_counts_partial_names_as_leaks_and_unmatched_predictions_as_false_positives():
    doc = {"text": TEXT, "spans": [_span("PERSON_KO", "남궁서율"), _span("PHONE_LANDLINE", "(031)987-6543"),
                                   _span("ADDRESS_ROAD", "서울시 종로구 새솔로 17길 9-4, 302호")]}
    preds = [_pred("PERSON", "남궁서"),                    # 3 of 4 syllables: a leak, and < 80%
             _pred("KR_RRN", "(031)987-6543"),             # hidden, but under the wrong type
             _pred("PERSON", "인 동"),                      # over-redaction in legal prose
             _pred("ADDRESS", "서울시 종로구 새솔로 17길 9-4"),  # two predictions together cover the
             _pred("ADDRESS", "302호")]                    # whole address except ", " (not a leak)
    sc = bench.score_docs([doc], [preds])
    g = sc["by_gold_type"]
    assert g["PERSON_KO"] == {"gold": 1, "recall": 0.0, "recall80": 0.0, "type_recall": 0.0, "maps_to": "PERSON"}
    assert g["PHONE_LANDLINE"]["recall"] == 1.0 and g["PHONE_LANDLINE"]["type_recall"] == 0.0
    assert g["ADDRESS_ROAD"]["recall"] == 1.0 and g["ADDRESS_ROAD"]["type_recall"] == 1.0
    o = sc["overall"]
    assert (o["gold"], o["pred"]) == (3, 5)
    assert o["recall"] == round(2 / 3, 4)
    assert o["span_precision_overlap"] == round(4 / 5, 4)
    assert o["span_precision_exact"] == round(1 / 5, 4)  # only the phone prediction has the gold's boundaries
    assert sc["by_pred_type"]["PERSON"] == {"pred": 2, "precision": 0.5, "exact_precision": 0.0}
    assert sc["by_redactor_type"]["PERSON"] == {"gold": 1, "recall": 0.0, "type_recall": 0.0}
    miss = sc["top_misses"]["PERSON_KO"][0]
    assert miss["count"] == 1 and "«남궁서[율]»" in miss["example"]
    assert sc["top_false_positives"]["PERSON"] == [("인 동", 1)]


def test_recall80_and_leak_view():
    text = "성명 홍길동입니다"
    assert bench.coverage(text, 3, 6, [("PERSON", 3, 5)]) == pytest.approx(2 / 3)
    assert bench.coverage(text, 3, 6, [("PERSON", 3, 5)], only_type="ADDRESS") == 0.0
    assert bench.leak_view(text, 3, 6, [("PERSON", 4, 5)]) == "[홍]길[동]"


def test_shape_groups_layouts_not_values():
    a = bench.shape("새솔로 17[길] [9]-[4]")
    b = bench.shape("보람로 3[길] [12]-[1]")
    assert a == b == "가로 9[길] [9]-[9]"
    assert re.fullmatch(r"\[9\]-\[9\]\*+", bench.shape("[880317]-[2]******"))
