"""Issue 17, items 1-2: reruns notice corpus changes; every corpus file ends in documents or rejects.

Each test reproduces a failure found by the hostile-user probe on a tiny corpus in tmp_path.
"""

from __future__ import annotations

import io
import json
import logging
import os

import pytest

from onprem_sft.artifacts import StageDir
from onprem_sft.config import compose
from onprem_sft.errors import InputError
from onprem_sft.ingest.readers import read_document
from onprem_sft.pipeline import StageFailed, run_pipeline

EN = "Section 1 (Purpose) These terms govern the personal loan agreement between the bank and the borrower. " * 3
KO = "제1조(목적) 이 약관은 보험계약에 관한 사항을 정합니다. 회사는 보험금을 지급합니다. " * 3
MB = 2**20


def _run(corpus, run_dir, *extra):
    cfg = compose([f"corpus.path={corpus}", "stages=[ingest]", f"run.dir={run_dir}", "run.progress=false",
                   *extra])
    return run_pipeline(cfg, run_dir)


def _docs(run_dir):
    p = StageDir(run_dir, "ingest").path / "documents.jsonl"
    return {json.loads(x)["path"] for x in p.read_text(encoding="utf-8").splitlines()}


def _rejects(run_dir):
    p = StageDir(run_dir, "ingest").rejects_path
    return {r["path"]: r["reason"] for r in map(json.loads, p.read_text(encoding="utf-8").splitlines())}


@pytest.fixture()
def corpus(tmp_path):
    c = tmp_path / "corpus"
    c.mkdir()
    (c / "a.txt").write_text(EN, encoding="utf-8")
    (c / "b.md").write_text(KO, encoding="utf-8")
    return c


def test_corpus_add_edit_delete_reruns_ingest(tmp_path, corpus, caplog):
    run_dir = tmp_path / "run"
    caplog.set_level(logging.INFO, logger="onprem_sft")
    assert _run(corpus, run_dir)["ingest"] is not None
    assert _run(corpus, run_dir)["ingest"] is None                 # unchanged: skipped
    (corpus / "c.txt").write_text(EN.replace("loan", "lease"), encoding="utf-8")          # add
    assert _run(corpus, run_dir)["ingest"] is not None and "inputs changed" in caplog.text
    assert _docs(run_dir) == {"a.txt", "b.md", "c.txt"}
    st = (corpus / "a.txt").stat()
    (corpus / "a.txt").write_text(EN.replace("bank", "lender"), encoding="utf-8")          # edit, same size
    os.utime(corpus / "a.txt", ns=(st.st_atime_ns, st.st_mtime_ns))                      # even with the old mtime
    assert _run(corpus, run_dir)["ingest"] is not None
    (corpus / "b.md").unlink()                                                            # delete
    assert _run(corpus, run_dir)["ingest"] is not None
    assert _docs(run_dir) == {"a.txt", "c.txt"}                   # the removed document is gone
    assert _run(corpus, run_dir)["ingest"] is None


def test_every_file_ends_in_documents_or_rejects(tmp_path, corpus):
    (corpus / "slides.pptx").write_bytes(b"PK\x03\x04" + bytes(64))   # a format we do not read
    (corpus / "README.md").write_text("about this folder", encoding="utf-8")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "notes.txt").write_text(EN, encoding="utf-8")
    run_dir = tmp_path / "run"
    _run(corpus, run_dir)
    docs, rejects = _docs(run_dir), _rejects(run_dir)
    assert rejects == {"slides.pptx": "unsupported", "README.md": "excluded"}
    listed = {p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file()}
    assert docs | set(rejects) == listed and not docs & set(rejects)
    m = StageDir(run_dir, "ingest").read_manifest()
    assert m.counts["files"] == len(listed) and m.counts["rejects"] == 2


def test_only_unsupported_files_stops_with_one_line_naming_them(tmp_path):
    c = tmp_path / "hwp"
    c.mkdir()
    for n in ("a.pptx", "b.pptx"):
        (c / n).write_bytes(b"HWP Document File" + bytes(64))
    run_dir = tmp_path / "run"
    with pytest.raises(StageFailed) as e:
        _run(c, run_dir)
    msg = str(e.value)
    assert "\n" not in msg and "no document accepted" in msg and "unsupported" in msg and e.value.exit_code == 2
    assert "a.pptx" in msg and "b.pptx" in msg                                          # named
    assert isinstance(e.value.__cause__, InputError)
    assert _rejects(run_dir) == {"a.pptx": "unsupported", "b.pptx": "unsupported"}     # nothing lost
    assert StageDir(run_dir, "ingest").read_manifest() is None                      # not complete: reruns


@pytest.mark.parametrize("enc", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("text", [EN, KO], ids=["en", "ko"])
def test_utf16_and_utf32_with_or_without_bom_decode(tmp_path, enc, text):
    p = tmp_path / "wide.txt"
    p.write_bytes(text.encode(enc))                # "utf-16"/"utf-32" write a BOM, the -le/-be forms do not
    r = read_document(p, MB)
    assert r.text == text
    assert r.encoding.startswith(enc[:6])


def test_encrypted_pdf_is_reported_as_encrypted(tmp_path):
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(200, 200)
    w.encrypt("secret")
    buf = io.BytesIO()
    w.write(buf)
    c = tmp_path / "c"
    c.mkdir()
    (c / "locked.pdf").write_bytes(buf.getvalue())
    (c / "ok.txt").write_text(EN, encoding="utf-8")
    _run(c, tmp_path / "run")
    assert _rejects(tmp_path / "run") == {"locked.pdf": "encrypted_pdf"}


def test_symlink_leaving_the_corpus_is_refused_unless_followed(tmp_path, corpus):
    outside = tmp_path / "private.txt"
    outside.write_text(EN.replace("loan", "salary"), encoding="utf-8")
    (corpus / "link.txt").symlink_to(outside)
    (corpus / "inside.txt").symlink_to(corpus / "a.txt")          # a link within the corpus is fine
    run_dir = tmp_path / "run"
    _run(corpus, run_dir)
    assert _rejects(run_dir) == {"link.txt": "symlink_outside_corpus"}
    assert "link.txt" not in _docs(run_dir) and "inside.txt" in _docs(run_dir)
    _run(corpus, run_dir, "corpus.follow_symlinks=true")
    assert "link.txt" in _docs(run_dir)


def test_every_file_rejected_stops(tmp_path):
    c = tmp_path / "bad"
    c.mkdir()
    (c / "empty.txt").write_bytes(b"")
    (c / "bin.txt").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(StageFailed) as e:
        _run(c, tmp_path / "run")
    assert e.value.exit_code == 2 and "2 file(s) rejected" in str(e.value)
    assert _rejects(tmp_path / "run") == {"empty.txt": "empty", "bin.txt": "binary"}
