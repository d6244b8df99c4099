"""Ingest stage on a tiny corpus with bad files; resume skips a complete stage and reruns on change."""

from __future__ import annotations

import json
import logging

import pytest

from onprem_sft.artifacts import StageDir
from onprem_sft.config import compose
from onprem_sft.pipeline import run_pipeline
from onprem_sft.records import Chunk, Document

POLICY = "\n\n".join(f"제{i}조(조항 {i}) 회사는 이 약관 제{i}조에 따라 보험금을 지급합니다. " * 3 for i in range(1, 6))


def _corpus(tmp_path):
    c = tmp_path / "corpus"
    c.mkdir()
    (c / "policy.md").write_text(POLICY, encoding="utf-8")
    (c / "loan.txt").write_bytes("제1조(목적) 이 약관은 대출 거래에 적용됩니다.".encode("cp949"))
    (c / "empty.txt").write_bytes(b"")
    (c / "image.txt").write_bytes(bytes(range(256)))
    (c / "scan.pdf").write_bytes(b"not a pdf at all")
    return c


def test_ingest_rejects_and_resume(tmp_path, caplog):
    corpus = _corpus(tmp_path)
    run_dir = tmp_path / "run"
    over = [f"corpus.path={corpus}", "stages=[ingest]", f"run.dir={run_dir}", "run.progress=false"]
    res = run_pipeline(compose(over), run_dir)
    assert res["ingest"] is not None
    sd = StageDir(run_dir, "ingest")
    chunks = sd.read(Chunk)
    docs = [Document.from_dict(json.loads(x)) for x in (sd.path / "documents.jsonl").read_text().splitlines()]
    assert {d.path for d in docs} == {"policy.md", "loan.txt"}
    assert next(d for d in docs if d.path == "loan.txt").encoding == "cp949"
    assert {c.clause for c in chunks} >= {f"제{i}조(조항 {i})" for i in range(1, 6)}
    assert all(c.parent_id == c.doc_id for c in chunks)
    doc_text = {d.id: d.text for d in docs}
    assert all(doc_text[c.doc_id][c.start:c.end] == c.text for c in chunks)
    rejects = [json.loads(x) for x in sd.rejects_path.read_text().splitlines()]
    assert {(r["path"], r["reason"]) for r in rejects} == {
        ("empty.txt", "empty"), ("image.txt", "binary"), ("scan.pdf", "unreadable_pdf")}
    m1 = sd.read_manifest()
    assert m1.counts == {"files": 5, "documents": 2, "chunks": len(chunks), "rejects": 3}

    caplog.set_level(logging.INFO, logger="onprem_sft")
    res2 = run_pipeline(compose(over), run_dir)
    assert res2["ingest"] is None
    assert "pipeline: 0 stage(s) run [], 1 skipped as complete" in caplog.text
    assert sd.read_manifest().created == m1.created

    caplog.clear()
    res3 = run_pipeline(compose(over + ["corpus.chunk.max_chars=200", "corpus.chunk.overlap_chars=20"]), run_dir)
    assert res3["ingest"] is not None
    assert "config changed" in caplog.text and "pipeline: 1 stage(s) run ['ingest']" in caplog.text
    assert sd.read_manifest().config_hash != m1.config_hash


def test_crashed_stage_is_not_complete(tmp_path):
    """A stage that died before its manifest reruns: a leftover records file alone means nothing."""
    corpus = _corpus(tmp_path)
    run_dir = tmp_path / "run"
    sd = StageDir(run_dir, "ingest")
    sd.ensure()
    sd.records_path.write_text('{"partial": true}\n')
    over = [f"corpus.path={corpus}", "stages=[ingest]", f"run.dir={run_dir}", "run.progress=false"]
    assert run_pipeline(compose(over), run_dir)["ingest"] is not None
    assert sd.read(Chunk)


def test_no_raw_text_in_logs_or_manifest(tmp_path, caplog):
    corpus = tmp_path / "c"
    corpus.mkdir()
    secret = "계약자 홍길동 주민등록번호 900101-1234568"
    (corpus / "a.txt").write_text(f"제1조(목적) {secret} 에 관한 조항입니다.", encoding="utf-8")
    run_dir = tmp_path / "run"
    caplog.set_level(logging.DEBUG)
    run_pipeline(compose([f"corpus.path={corpus}", "stages=[ingest]", f"run.dir={run_dir}"]), run_dir)
    assert "900101" not in caplog.text and "홍길동" not in caplog.text
    assert "900101" not in (run_dir / "ingest" / "manifest.json").read_text()


def test_reuse_from_links_complete_upstream_stages(tmp_path):
    from onprem_sft.pipeline import PipelineError, link_upstream

    src = tmp_path / "base"
    (src / "ingest").mkdir(parents=True)
    (src / "ingest" / "manifest.json").write_text("{}")
    (src / "redact").mkdir()
    dst = tmp_path / "sweep"
    with pytest.raises(PipelineError, match="'redact' is not complete"):
        link_upstream(dst, src, ["generate"])
    (src / "redact" / "manifest.json").write_text("{}")
    assert link_upstream(dst, src, ["redact"]) == ["ingest"]
    assert (dst / "ingest").is_symlink() and (dst / "ingest" / "manifest.json").exists()
