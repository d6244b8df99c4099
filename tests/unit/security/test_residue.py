"""Second-opinion residue scan: shapes it flags, masked previews, verify hook, and its recall when a
recognizer is switched off (it must flag >= 90% of what that recognizer would have caught)."""

from __future__ import annotations

import json

import pytest

from onprem_sft.security.residue import mask, scan_run, scan_text
from onprem_sft.security.verify import FAIL, PASS, SKIP, WARN, VerifyOptions, run_checks
from redaction import Redactor
from redaction.config import RedactionConfig
from redaction.engine import ALL_TYPES
from redaction.synth import Generator, build_docs
from tests.unit.security.runfactory import make_run


@pytest.mark.parametrize(("text", "kind"), [
    ("연락처 (031)987-6543 입니다", "digits"),
    ("번호 880317-2****** 확인", "digits"),
    ("여권 M123A4567", "digits"),
    ("광주광역시 새솔로 17길 9-4", "road"),
    ("만정리 301-4번지", "road"),
    ("권태오님께서 방문", "name"),
    ("탁지유 씨는 퇴사", "name"),
    ("성명: 남궁서율", "name"),
    ("메일 hong@korea.kr로 회신", "email"),
])
def test_flags_residue_shapes(text, kind):
    assert kind in [k for k, _, _ in scan_text(text)]


@pytest.mark.parametrize("text", [
    "보험료는 월 35,000원이며 2023-05-12 10:30에 납입한다.", "제3조 제2항에 따라 연 100분의 20으로 3년간",
    "<PERSON_1> 님께서 <KR_RRN_1>을 제출", "고객님께서 신청하신 대출", "<ADDRESS_1>에 거주하는 <PERSON_2> 씨"])
def test_clean_text_and_placeholders_not_flagged(text):
    assert scan_text(text) == []


def test_preview_is_masked():
    assert mask("010-1234-5678", "digits") == "###-####-####"
    assert mask("권태오", "name") == "○○○"
    assert "새솔" not in mask("새솔로 17", "road") and "로" in mask("새솔로 17", "road")


def _leak_coverage(entity: str, docs: list[dict]) -> tuple[int, int]:
    """Values the ``entity`` recognizer catches; how many the residue scan flags once it is switched off."""
    full = Redactor(RedactionConfig(use_name_analyser=False))
    off = Redactor(RedactionConfig(use_name_analyser=False, entities=[t for t in ALL_TYPES if t != entity]))
    caught = flagged = 0
    for d in docs:
        values = [d["text"][s.start:s.end] for s in full.analyze(d["text"]) if s.entity_type == entity]
        leaked = off.redact(d["text"], d["lang"]).text
        hits = scan_text(leaked)
        for v in values:
            pos = leaked.find(v)
            if pos < 0:            # another type's placeholder covered it: not a leak
                continue
            caught += 1
            flagged += any(s < pos + len(v) and e > pos for _, s, e in hits)
    return caught, flagged


@pytest.mark.parametrize("entity", ["KR_RRN", "PHONE_NUMBER", "KR_BANK_ACCOUNT", "ADDRESS", "PERSON",
                                    "EMAIL_ADDRESS"])
def test_residue_catches_what_a_switched_off_recognizer_would_have(entity):
    docs = [d for which in ("dev", "heldout") for d in build_docs(Generator(7), which, 150) if d["lang"] == "ko"]
    caught, flagged = _leak_coverage(entity, docs)
    assert caught >= 10, caught
    assert flagged / caught >= 0.9, (entity, flagged, caught)


def test_verify_lists_residue_masked_and_fails_only_when_asked(tmp_path):
    make_run(tmp_path)
    rec_file = tmp_path / "redact" / "records.jsonl"
    rows = [json.loads(x) for x in rec_file.read_text(encoding="utf-8").splitlines()]
    clean = run_checks(tmp_path, VerifyOptions(scan_pii=False), only=["residue"])[0]
    assert clean.status == PASS, clean.warnings
    rows[0]["text"] += " 담당 설계사 연락처 010-4321-8765, 주소 새솔로 17길 9-4"
    rec_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    warn = run_checks(tmp_path, VerifyOptions(scan_pii=False), only=["residue"])[0]
    assert warn.status == WARN and len(warn.warnings) == 2
    listed = "\n".join(warn.warnings)
    assert "redact/records.jsonl:1 record rc-1 field text" in listed
    assert "010-4321-8765" not in listed and "새솔로" not in listed and "###-####-####" in listed
    failed = run_checks(tmp_path, VerifyOptions(scan_pii=False, residue="fail"), only=["residue"])[0]
    assert failed.status == FAIL and failed.n_problems == 2
    off = run_checks(tmp_path, VerifyOptions(scan_pii=False, residue="off"), only=["residue"])[0]
    assert off.status == SKIP
    found, total, _ = scan_run(tmp_path)
    assert total == 2 and {r.kind for r in found} == {"digits", "road"}


def test_audit_residue_cli(tmp_path, capsys):
    from redaction.cli import main

    make_run(tmp_path)
    assert main(["residue", str(tmp_path), "--fail"]) == 0
    p = tmp_path / "dataset" / "extra.jsonl"
    p.write_text(json.dumps({"id": "x1", "text": "권태오님께서 문의"}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["residue", str(tmp_path), "--fail"]) == 1
    out = capsys.readouterr().out
    assert "dataset/extra.jsonl:1 record x1 field text offset 0: name '○○○'" in out and "권태오" not in out
