from __future__ import annotations

import json

import pytest

from onprem_sft.artifacts import StageDir, read_records, sha256_file, write_jsonl
from onprem_sft.records import Chunk, QAPair, RecordError, record_from_dict


def _chunk(i: int) -> Chunk:
    return Chunk(id=f"c{i}", parent_id="d1", doc_id="d1", index=i, text=f"제{i}조 본문", start=0, end=5)


def test_records_round_trip_and_kind_check(tmp_path):
    p = tmp_path / "r.jsonl"
    write_jsonl(p, [_chunk(1), _chunk(2)])
    back = read_records(p, Chunk)
    assert back == [_chunk(1), _chunk(2)]
    with pytest.raises(RecordError, match="expected a 'qa_pair' record"):
        read_records(p, QAPair)
    assert record_from_dict(json.loads(p.read_text().splitlines()[0])) == _chunk(1)


def test_bad_jsonl_line_names_file_and_line(tmp_path):
    p = tmp_path / "r.jsonl"
    p.write_text(_chunk(1).to_json() + "\n{broken\n")
    with pytest.raises(RecordError, match=r"r.jsonl:2"):
        read_records(p, Chunk)


def test_unknown_field_is_rejected(tmp_path):
    d = _chunk(1).to_dict() | {"surprise": 1}
    with pytest.raises(RecordError, match="surprise"):
        Chunk.from_dict(d)


def test_manifest_written_last_with_file_hashes(tmp_path):
    sd = StageDir(tmp_path, "ingest")
    sd.write_records([_chunk(1)])
    sd.write_rejects([{"id": "x", "reason": "empty"}])
    m = sd.finalize(config_hash="c", input_hash="i", counts={"chunks": 1})
    assert sd.manifest_path.exists()
    assert m.records_sha256 == sha256_file(sd.records_path)
    assert set(m.files) == {"records.jsonl", "rejects.jsonl"}
    back = sd.read_manifest()
    assert back is not None and back.digest == m.digest
    for k in ("schema_version", "config_hash", "input_hash", "records_sha256", "counts", "packages", "git_revision"):
        assert k in json.loads(sd.manifest_path.read_text())
    assert not list(sd.path.glob(".*.tmp"))


def test_reject_without_reason_refused(tmp_path):
    with pytest.raises(ValueError, match="no reason"):
        StageDir(tmp_path, "s").write_rejects([{"id": "x"}])
