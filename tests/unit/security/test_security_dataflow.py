"""The data-flow document states what the resolved config does (ports, processes, zones, models)."""

from __future__ import annotations

from onprem_sft.config import compose
from onprem_sft.security.dataflow import describe, render, write_dataflow


def test_default_config_offline_engine_guard_on(tmp_path):
    cfg = compose([f"run.dir={tmp_path}"])
    f = describe(cfg, tmp_path)
    assert f["egress_guard"] and f["llm_backend"] == "offline" and f["keep_raw"]
    md = render(cfg, tmp_path)
    assert "```mermaid" in md and "flowchart LR" in md
    assert "loopback only" in md and "egress guard **on**" in md
    assert "no listening port" in md
    assert str(cfg.llm.model) in md and "`ingest/records.jsonl` | **raw**" in md and "`redact/keys/redaction_hmac.key` | **secret**" in md
    assert "`redact/vault/`" not in md
    assert write_dataflow(cfg, tmp_path).read_text(encoding="utf-8") == md


def test_server_backend_deepspeed_workers_and_raw_scrub(tmp_path):
    cfg = compose([f"run.dir={tmp_path}", "llm=server", "llm.server.port=8123", "deepspeed=zero2",
                   "train.launcher=deepspeed", "train.nproc=2", "redaction.keep_raw=false",
                   "security.allow_hosts=[10.0.0.5]", "redaction.vault=true"])
    md = render(cfg, tmp_path)
    assert "vLLM OpenAI-compatible server on 127.0.0.1:8123" in md
    assert "deepspeed launcher with 2 worker process(es), DeepSpeed ZeRO-2" in md
    assert "loopback + 10.0.0.5" in md
    assert "emptied after redaction" in md
    assert "`redact/vault/` | **secret**" in md


def test_guard_off_is_stated(tmp_path):
    md = render(compose([f"run.dir={tmp_path}", "security.egress_guard=false"]), tmp_path)
    assert "egress guard **OFF**" in md
