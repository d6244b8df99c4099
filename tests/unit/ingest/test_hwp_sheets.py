"""HWP 5.x / HWPX / XLSX / CSV documents: text, table rows and footnotes come out; locked files are rejected."""

from __future__ import annotations

import struct

import pytest
from hwp_testkit import build_hwp, build_hwpx, footnote_para, hp_footnote, hp_para, hp_table, para, table

from onprem_sft.ingest.chunking import chunk_text
from onprem_sft.ingest.hwp import F_DISTRIBUTION, F_DRM, F_PASSWORD, decode_para_text
from onprem_sft.ingest.readers import ReadError, read_document

MB = 2**20
ART1 = "제1조(목적) 이 약관은 한빛생명과 계약자 사이의 권리와 의무를 정합니다."
ART2 = "제2조(보험금의 지급) 회사는 피보험자가 입원하면 입원일당을 지급합니다."
ROWS = [["구분", "지급금액"], ["입원 1일당", "30,000원"], ["수술 1회당", "500,000원"]]
NOTE = "입원이란 의사가 필요하다고 인정한 경우를 말합니다."


def _hwp_section() -> bytes:
    return (para(0, ART1) + table(0, ROWS) + footnote_para(0, ART2, NOTE)
            + para(0, "제3조(보험금 청구) 청구서류는\t진단서입니다.\n두 번째 줄"))


def _check_text(text: str) -> None:
    assert ART1 in text and ART2 in text
    assert "구분 | 지급금액" in text and "입원 1일당 | 30,000원" in text and "수술 1회당 | 500,000원" in text
    assert f"[각주] {NOTE}" in text
    lines = text.splitlines()
    assert lines.index(f"[각주] {NOTE}") == lines.index(ART2) + 1      # the note follows its paragraph
    assert lines.index("구분 | 지급금액") < lines.index(ART2)           # document order kept


@pytest.mark.parametrize("compressed", [True, False])
def test_hwp5_text_tables_footnotes(tmp_path, compressed):
    p = tmp_path / "약관.hwp"
    p.write_bytes(build_hwp(_hwp_section(), compressed=compressed))
    r = read_document(p, MB)
    assert r.format == "hwp"
    _check_text(r.text)
    assert "청구서류는\t진단서입니다.\n두 번째 줄" in r.text
    assert "\x0b" not in r.text and "\x11" not in r.text and " lbt" not in r.text     # control blocks skipped


def test_hwp5_large_section_in_regular_sectors(tmp_path):
    many = b"".join(para(0, f"제{i}조(조항{i}) 내용 {i} " + "가" * 40) for i in range(1, 120))
    p = tmp_path / "big.hwp"
    p.write_bytes(build_hwp(many, compressed=False))      # > 4096 bytes: stored outside the mini stream
    r = read_document(p, MB)
    assert "제119조(조항119)" in r.text
    spans = chunk_text(r.text, 600, 60, 40)
    assert spans[0].clause.startswith("제1조") and any(s.clause.startswith("제119조") for s in spans)


@pytest.mark.parametrize(("flag", "kind"), [(F_PASSWORD, "encrypted_hwp"), (F_DISTRIBUTION, "distribution_locked_hwp"),
                                            (F_DRM, "drm_hwp")])
def test_hwp5_locked_files_rejected(tmp_path, flag, kind):
    p = tmp_path / "locked.hwp"
    p.write_bytes(build_hwp(para(0, ART1), flags=flag))
    with pytest.raises(ReadError) as e:
        read_document(p, MB)
    assert e.value.kind == kind
    assert "약관" not in str(e.value) and "한빛" not in str(e.value)


@pytest.mark.parametrize(("data", "kind"), [
    (b"HWP Document File V3.00 \x1a\x01\x02", "hwp3_unsupported"),
    (b"this is not an ole file at all", "corrupt_hwp"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "corrupt_hwp"),
])
def test_hwp_bad_files(tmp_path, data, kind):
    p = tmp_path / "bad.hwp"
    p.write_bytes(data)
    with pytest.raises(ReadError) as e:
        read_document(p, MB)
    assert e.value.kind == kind


def test_hwp_truncated_record_is_corrupt(tmp_path):
    sec = para(0, ART1) + struct.pack("<I", 67 | 1 << 10 | 200 << 20) + b"ab"
    p = tmp_path / "trunc.hwp"
    p.write_bytes(build_hwp(sec))
    with pytest.raises(ReadError) as e:
        read_document(p, MB)
    assert e.value.kind == "corrupt_hwp"


def test_decode_para_text_skips_wide_controls():
    payload = "가".encode("utf-16-le") + struct.pack("<H", 2) + b"dces" + b"\0" * 8 + struct.pack("<H", 2) \
        + "나".encode("utf-16-le") + struct.pack("<H", 13)
    assert decode_para_text(payload) == "가나"


def test_hwpx_round_trip_sections_tables_footnotes(tmp_path):
    s0 = hp_para(ART1) + hp_table(ROWS) + hp_footnote(ART2, NOTE)
    s1 = '<hp:p><hp:run><hp:t>제3조(청구) 서류<hp:tab/>진단서<hp:lineBreak/>끝</hp:t></hp:run></hp:p>' \
         '<hp:p><hp:run><hp:ctrl><hp:header><hp:subList>' + hp_para("머리말 한빛생명") + \
         "</hp:subList></hp:header></hp:ctrl></hp:run></hp:p>"
    p = build_hwpx(tmp_path / "약관.hwpx", [s0, s1])
    r = read_document(p, MB)
    assert r.format == "hwpx"
    _check_text(r.text)
    assert "제3조(청구) 서류\t진단서\n끝" in r.text
    assert "머리말" not in r.text                                # page headers are not body text
    assert r.text.index(ART1) < r.text.index("제3조(청구)")        # spine order
    spans = chunk_text(r.text, 1200, 100, 40)
    assert [s.clause[:3] for s in spans] == ["제1조", "제2조", "제3조"]


def test_hwpx_encrypted_and_corrupt(tmp_path):
    p = build_hwpx(tmp_path / "enc.hwpx", [hp_para(ART1)], encrypted=True)
    with pytest.raises(ReadError) as e:
        read_document(p, MB)
    assert e.value.kind == "encrypted_hwpx"
    bad = tmp_path / "bad.hwpx"
    bad.write_bytes(b"PK\x03\x04 garbage")
    with pytest.raises(ReadError) as e:
        read_document(bad, MB)
    assert e.value.kind == "corrupt_hwpx"
    broken = build_hwpx(tmp_path / "broken.hwpx", ["<hp:p><hp:run><hp:t>열린 태그"])
    with pytest.raises(ReadError) as e:
        read_document(broken, MB)
    assert e.value.kind == "corrupt_hwpx" and "열린" not in str(e.value)


def test_xlsx_sheets_become_rows(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "금리표"
    for row in [["상품", "금리(%)", "비고"], ["신용대출", 5.5, None], ["담보대출", 4, "변동"]]:
        ws.append(row)
    wb.create_sheet("빈 시트")
    p = tmp_path / "rates.xlsx"
    wb.save(p)
    r = read_document(p, MB)
    assert r.format == "xlsx"
    assert r.text.splitlines() == ["# 금리표", "상품: 신용대출 | 금리(%): 5.5", "상품: 담보대출 | 금리(%): 4 | 비고: 변동"]
    enc = tmp_path / "locked.xlsx"
    enc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(ReadError) as e:
        read_document(enc, MB)
    assert e.value.kind == "encrypted_xlsx"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 nope")
    with pytest.raises(ReadError) as e:
        read_document(bad, MB)
    assert e.value.kind == "unreadable_xlsx"


def test_csv_cp949_semicolon(tmp_path):
    p = tmp_path / "fees.csv"
    p.write_bytes("항목;수수료\n중도상환;1.2%\n연체;연 3%\n".encode("cp949"))
    r = read_document(p, MB)
    assert r.text.splitlines() == ["항목: 중도상환 | 수수료: 1.2%", "항목: 연체 | 수수료: 연 3%"]


def test_sample_hwpx_document_round_trips():
    from pathlib import Path

    p = Path(__file__).resolve().parents[3] / "data" / "sample" / "hwpx" / "한빛생명_실손보험_약관.hwpx"
    r = read_document(p, MB)
    assert "입원 | 연간 5,000만원 | 보장대상 의료비의 20%" in r.text
    assert "[각주] 치과 치료 중 상해로 인한 응급처치 비용은 보상합니다." in r.text
    clauses = [s.clause for s in chunk_text(r.text, 1200, 120, 40)]
    assert [c for c in clauses if c] == ["제1조(목적)", "제2조(보상하는 손해)", "제3조(보상하지 않는 손해)",
                                         "제4조(보험금의 청구)", "제5조(보험금의 지급)"]


def test_ingest_stage_rejects_locked_files_and_goes_on(tmp_path):
    import json

    from onprem_sft.artifacts import StageDir
    from onprem_sft.config import compose
    from onprem_sft.pipeline import run_pipeline
    from onprem_sft.records import Chunk

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.hwp").write_bytes(build_hwp(_hwp_section()))
    build_hwpx(corpus / "good.hwpx", [hp_para(ART1) + hp_table(ROWS)])
    build_hwpx(corpus / "locked.hwpx", [hp_para(ART1)], encrypted=True)
    (corpus / "dist.hwp").write_bytes(build_hwp(para(0, ART1), flags=F_DISTRIBUTION))
    (corpus / "broken.hwp").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    qfile = tmp_path / "questions.csv"                      # questions live elsewhere: not a corpus file
    qfile.write_text("question\n입원일당은 얼마인가요?\n", encoding="utf-8")
    run_dir = tmp_path / "run"
    run_pipeline(compose([f"corpus.path={corpus}", f"questions.path={qfile}", "stages=[ingest]",
                          f"run.dir={run_dir}", "run.progress=false"]), run_dir)
    sd = StageDir(run_dir, "ingest")
    rejects = {r["path"]: r["reason"] for r in map(json.loads, (sd.path / "rejects.jsonl").read_text().splitlines())}
    assert rejects == {"locked.hwpx": "encrypted_hwpx", "dist.hwp": "distribution_locked_hwp",
                       "broken.hwp": "corrupt_hwp"}
    chunks = sd.read(Chunk)
    assert {c.clause for c in chunks} >= {"제1조(목적)", "제2조(보험금의 지급)"}
    assert any("입원 1일당 | 30,000원" in c.text for c in chunks)
    m = json.loads((sd.path / "manifest.json").read_text())
    assert m["counts"]["documents"] == 2 and m["counts"]["questions"] == 1
