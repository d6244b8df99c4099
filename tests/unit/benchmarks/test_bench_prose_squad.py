"""scripts/bench_prose_squad.py: counts the redactor's hits on a SQuAD-format file and lists addresses/phones."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))

import bench_prose_squad


def test_counts_and_lists_address_hits(tmp_path, monkeypatch, capsys):
    paras = [{"context": "She lives at 742 Evergreen Terrace, Springfield, OR 97403.", "qas": []},
             {"context": "The Jesuit Church (1609–1626) and 100,000 people. Amongst them were 200 clergy.", "qas": []}]
    f = tmp_path / "squad.json"
    f.write_text(json.dumps({"version": "v2.0", "data": [{"title": "t", "paragraphs": paras}]}), encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["bench_prose_squad.py", "--squad", str(f)])
    assert bench_prose_squad.main() == 0
    out = capsys.readouterr().out
    assert "2 paragraphs" in out and "'ADDRESS': 1" in out and "PHONE_NUMBER" not in out
    assert "ADDRESS: '742 Evergreen Terrace, Springfield, OR 97403'" in out
