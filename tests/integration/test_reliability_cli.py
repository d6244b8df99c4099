"""Issue 17, items 3-5: a mistake costs one line and the documented exit code, before any work.

Each case is a failure the hostile-user probe found (a traceback, a late failure after hours of work, or
a wrong exit code). Most fail in the CLI's pre-flight (compose + validate), so they run in-process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from onprem_sft import cli
from onprem_sft.errors import EXIT_INTERRUPTED, INTERRUPTED_LINE, ConfigError

ROOT = Path(__file__).resolve().parents[2]


def _err_lines(capsys) -> list[str]:
    return [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]


@pytest.mark.parametrize(("override", "key"), [
    ("curate.dedup.key=questoin", "curate.dedup.key"),
    ("curate.domain.method=lexcial", "curate.domain.method"),
    ("generate.distractor=bogus", "generate.distractor"),
    ("dataset.fallback=nope", "dataset.fallback"),
    ("curate.answer_ending=x", "curate.answer_ending"),
    ("redaction.sensitive_clauses.action=erase", "redaction.sensitive_clauses.action"),
    ("train.launcher=slurm", "train.launcher"),
])
def test_choice_values_fail_at_compose_in_one_line(tmp_path, capsys, override, key):
    rc = cli.main([override, f"run.dir={tmp_path / 'run'}"])
    lines = _err_lines(capsys)
    assert rc == 2 and len(lines) == 1 and key in lines[0] and "expected one of" in lines[0], lines
    assert not (tmp_path / "run").exists()                  # nothing ran, not even the run dir


@pytest.mark.parametrize(("overrides", "needle"), [
    (["model.path=/nonexistent"], "model.path=/nonexistent does not exist"),
    (["llm.model=/nonexistent"], "llm.model=/nonexistent does not exist"),
    (["corpus.max_file_mb=-1"], "corpus.max_file_mb"),
    (["corpus.path=/nonexistent/docs"], "corpus.path=/nonexistent/docs does not exist"),
    (["train.hostfile=/nonexistent/hosts", "train.launcher=deepspeed"], "train.hostfile"),
    (["evaluate.external=/nonexistent/squad.json"], "evaluate.external"),
])
def test_values_later_stages_need_are_checked_before_any_work(tmp_path, capsys, overrides, needle):
    rc = cli.main([*overrides, f"run.dir={tmp_path / 'run'}"])
    lines = _err_lines(capsys)
    assert rc == 2 and len(lines) == 1 and needle in lines[0], lines
    assert not (tmp_path / "run").exists()


def test_model_dir_without_tokenizer_is_refused(tmp_path, capsys):
    m = tmp_path / "model"
    m.mkdir()
    (m / "config.json").write_text("{}", encoding="utf-8")
    (m / "model.safetensors").write_bytes(b"0")
    rc = cli.main([f"model.path={m}", f"run.dir={tmp_path / 'run'}"])
    lines = _err_lines(capsys)
    assert rc == 2 and len(lines) == 1 and "no tokenizer" in lines[0]


def test_two_mistakes_two_lines(tmp_path, capsys):
    rc = cli.main(["corpus.max_file_mb=-1", "llm.top_p=2", f"run.dir={tmp_path / 'run'}"])
    lines = _err_lines(capsys)
    assert rc == 2 and len(lines) == 2
    assert any("corpus.max_file_mb" in ln for ln in lines) and any("llm.top_p" in ln for ln in lines)


def test_run_dir_that_is_a_file_or_unwritable(tmp_path, capsys):
    f = tmp_path / "afile"
    f.write_text("x", encoding="utf-8")
    assert cli.main([f"run.dir={f}"]) == 2
    lines = _err_lines(capsys)
    assert len(lines) == 1 and "is a file" in lines[0]
    assert cli.main(["run.dir=/proc/onprem-sft-run"]) == 2     # not writable, even for root
    lines = _err_lines(capsys)
    assert len(lines) == 1 and "not writable" in lines[0]


def test_unknown_key_and_wrong_type_exit_1(capsys):
    assert cli.main(["trian.max_steps=1"]) == 1
    lines = _err_lines(capsys)
    assert len(lines) == 1 and "trian" in lines[0]
    assert cli.main(["train.max_steps=lots"]) == 1
    lines = _err_lines(capsys)
    assert len(lines) == 1 and "train.max_steps" in lines[0]


def test_config_error_is_a_user_error():
    from onprem_sft.errors import UserError
    from onprem_sft.pipeline import PipelineError

    assert issubclass(ConfigError, UserError) and issubclass(ConfigError, ValueError)
    assert issubclass(PipelineError, UserError)


def test_ctrl_c_is_one_line_and_exit_130(capsys):
    def interrupted():
        raise KeyboardInterrupt

    assert cli._run_guarded(interrupted) == EXIT_INTERRUPTED == 130
    assert _err_lines(capsys) == [f"onprem-sft: {INTERRUPTED_LINE}"]


def test_a_bug_keeps_its_traceback():
    def bug():
        raise ZeroDivisionError("a bug")

    with pytest.raises(ZeroDivisionError):
        cli._run_guarded(bug)


def _cli(*args: str, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    e = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run([sys.executable, "-m", "onprem_sft.cli", *args], cwd=ROOT, env=e, capture_output=True,
                          text=True, timeout=timeout, check=False)


def test_egress_refusal_of_a_server_url_is_one_line_exit_4_and_logged(tmp_path):
    run_dir = tmp_path / "run"
    p = _cli("llm=server", "llm.server.autostart=false", "llm.server.url=http://10.1.2.3:8000/v1",
             f"run.dir={run_dir}", "stages=[generate]")
    err = [ln for ln in p.stderr.splitlines() if ln.strip() and "egress guard on" not in ln]
    assert p.returncode == 4, p.stderr
    assert len(err) == 1 and "10.1.2.3" in err[0] and "security.allow_hosts" in err[0], p.stderr
    assert "Traceback" not in p.stderr
    rows = [json.loads(x) for x in (run_dir / "security" / "egress.jsonl").read_text().splitlines()]
    assert rows and rows[-1]["action"] == "refused" and rows[-1]["target"].startswith("10.1.2.3")
    assert rows[-1]["setting"] == "llm.server.url"


def test_verify_exit_code_is_3_when_a_check_fails(tmp_path):
    from onprem_sft.security.cli import main as verify_main

    (tmp_path / "security").mkdir()
    (tmp_path / "security" / "egress.jsonl").write_text(
        json.dumps({"time": 0, "pid": 1, "target": "8.8.8.8:53", "action": "refused"}) + "\n", encoding="utf-8")
    assert verify_main([str(tmp_path), "--only", "egress"]) == 3


class _Health(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()

    def log_message(self, *a):
        pass


def test_loopback_health_check_ignores_proxy_variables(monkeypatch):
    from onprem_sft.llm.server import _healthy
    from onprem_sft.security import egress

    srv = HTTPServer(("127.0.0.1", 0), _Health)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
            monkeypatch.setenv(var, "http://10.255.255.1:3128")        # a proxy that does not exist
        monkeypatch.delenv("no_proxy", raising=False)
        monkeypatch.delenv("NO_PROXY", raising=False)
        egress.install([], children=False)
        try:
            assert _healthy(f"http://127.0.0.1:{srv.server_port}")
        finally:
            egress.uninstall()
        egress.no_proxy()
        assert {"127.0.0.1", "localhost", "::1"} <= set(os.environ["NO_PROXY"].split(","))
    finally:
        srv.shutdown()


def test_evaluate_without_eval_rows_is_one_line_exit_2(tmp_path):
    """Issue 17: `stages=[evaluate]` on a dataset without eval rows ended in a Hydra traceback."""
    from onprem_sft.artifacts import StageDir
    from onprem_sft.config import compose
    from onprem_sft.pipeline import StageFailed, run_pipeline
    from onprem_sft.records import SFTExample

    run_dir = tmp_path / "run"
    ds = StageDir(run_dir, "dataset")
    ds.write_records([SFTExample(id="sft-0", parent_id="qa-0", doc_id="doc-0", split="train", prompt="Q?",
                                 completion="A.")])
    ds.finalize(config_hash="x", input_hash="x", counts={"train": 1, "eval": 0})
    StageDir(run_dir, "train").finalize(config_hash="x", input_hash="x", counts={})
    with pytest.raises(StageFailed) as e:
        run_pipeline(compose([f"run.dir={run_dir}", "stages=[evaluate]", "run.progress=false"]), run_dir)
    assert e.value.exit_code == 2 and "\n" not in str(e.value) and "no split=eval rows" in str(e.value)
