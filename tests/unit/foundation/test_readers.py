"""Each bad-input kind is rejected with a clear reason; good encodings decode."""

from __future__ import annotations

import io

import pytest

from onprem_sft.ingest.readers import ReadError, decode_text, detect_lang, read_document

KO = "제1조(목적) 이 약관은 보험계약에 관한 사항을 정합니다."
MB = 2**20


def test_utf8_and_cp949_and_euckr(tmp_path):
    for enc in ("utf-8", "cp949", "euc-kr"):
        p = tmp_path / f"{enc}.txt"
        p.write_bytes(KO.encode(enc))
        r = read_document(p, MB)
        assert r.text == KO
        assert r.encoding in ("utf-8", "cp949")


def test_nfd_input_is_normalised_to_nfc(tmp_path):
    import unicodedata

    p = tmp_path / "nfd.md"
    p.write_text(unicodedata.normalize("NFD", KO), encoding="utf-8")
    assert read_document(p, MB).text == KO


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\n ", "empty"),
    ("bin.txt", bytes(range(256)) * 4, "binary"),
    ("fake.pdf", b"hello, not a pdf", "unreadable_pdf"),
    ("broken.pdf", b"%PDF-1.4\n garbage garbage", "unreadable_pdf"),
    ("fake.docx", b"PK\x03\x04 not really a zip", "unreadable_docx"),
    ("x.pptx", b"abc", "unsupported"),
])
def test_bad_inputs_have_reason_codes(tmp_path, name, data, kind):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(ReadError) as e:
        read_document(p, MB)
    assert e.value.kind == kind
    assert len(str(e.value)) > 10


def test_huge_file_rejected_without_reading(tmp_path):
    p = tmp_path / "big.txt"
    p.write_bytes(b"a" * (MB + 1))
    with pytest.raises(ReadError) as e:
        read_document(p, MB)
    assert e.value.kind == "too_large" and "corpus.max_file_mb" in str(e.value)


def test_undecodable_text(tmp_path):
    with pytest.raises(ReadError):
        # invalid in utf-8 and cp949, and too short/noisy for a confident guess
        decode_text(b"\xff\xfe\xfa\xfb\xfc\xfd" * 3)


def test_pdf_text_layer_and_scanned_pdf(tmp_path):
    reportlab = pytest.importorskip("reportlab")
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 720, "Article 1 (Purpose) These terms govern the policy.")
    c.save()
    (tmp_path / "ok.pdf").write_bytes(buf.getvalue())
    assert "Article 1" in read_document(tmp_path / "ok.pdf", MB).text

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(10, 10, 100, 100)
    c.save()
    (tmp_path / "scan.pdf").write_bytes(buf.getvalue())
    with pytest.raises(ReadError) as e:
        read_document(tmp_path / "scan.pdf", MB)
    assert e.value.kind == "no_text_layer"
    assert reportlab


def test_docx(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("제2조(용어의 정의) 이 약관에서 사용하는 용어의 뜻은 다음과 같습니다.")
    d.save(tmp_path / "a.docx")
    assert read_document(tmp_path / "a.docx", MB).text.startswith("제2조(용어의 정의)")


def test_detect_lang():
    assert detect_lang(KO) == "ko"
    assert detect_lang("Article 1 (Purpose) These terms govern the policy.") == "en"
