"""Issue 17, items 6, 8, 9: torn run files are named and repaired, children die with the run (also on
kill -9), leftovers of a run dir are stopped, and the console filter keeps library chatter in run.log."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from onprem_sft import procs
from onprem_sft.artifacts import JsonlAppender, StageDir, TornFileError, iter_jsonl
from onprem_sft.config import compose
from onprem_sft.console import VERBOSE_ENV, ConsoleFilter
from onprem_sft.errors import EnvironmentProblem
from onprem_sft.pipeline import run_pipeline
from onprem_sft.security.lineage import iter_lines

ROOT = Path(__file__).resolve().parents[2]
KO = "제1조(목적) 이 약관은 보험계약에 관한 사항을 정합니다. 회사는 보험금을 지급합니다. " * 4


def _cut_inside_a_korean_character(path: Path) -> None:
    data = path.read_bytes()
    i = data.rfind("약".encode())           # a 3-byte character near the end: keep 1 byte of it
    path.write_bytes(data[: i + 1])


def test_torn_records_name_the_file_and_line(tmp_path):
    p = tmp_path / "records.jsonl"
    p.write_text("".join(json.dumps({"id": i, "text": KO}, ensure_ascii=False) + "\n" for i in range(3)),
                 encoding="utf-8")
    _cut_inside_a_korean_character(p)
    with pytest.raises(TornFileError) as e:
        list(iter_jsonl(p))
    assert f"{p}:3:" in str(e.value) and "cut off" in str(e.value) and "\n" not in str(e.value)
    assert [r["id"] for r in iter_jsonl(p, skip_torn_tail=True)] == [0, 1]
    assert [n for n, _, obj in iter_lines(p) if obj is None] == [3]          # verify's reader: no crash
    with JsonlAppender(p) as a:                                            # an appender repairs first
        a.write({"id": 9})
    assert [r["id"] for r in iter_jsonl(p)] == [0, 1, 9]


def test_a_stage_whose_output_is_torn_is_redone(tmp_path, caplog):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(KO, encoding="utf-8")
    run_dir = tmp_path / "run"
    over = [f"corpus.path={corpus}", "stages=[ingest]", f"run.dir={run_dir}", "run.progress=false"]
    run_pipeline(compose(over), run_dir)
    records = StageDir(run_dir, "ingest").records_path
    whole = records.read_bytes()
    _cut_inside_a_korean_character(records)
    caplog.set_level(logging.INFO, logger="onprem_sft")
    assert run_pipeline(compose(over), run_dir)["ingest"] is not None
    assert "output torn" in caplog.text
    assert records.read_bytes() == whole


PARENT = r"""
import multiprocessing as mp, subprocess, sys, time
from pathlib import Path
from onprem_sft import procs
run_dir = Path(sys.argv[1])
procs.install(run_dir, quiet_children=False)
procs.write_pidfile(run_dir)
engine = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])   # a stand-in engine core
forked = mp.get_context("fork").Process(target=time.sleep, args=(120,))
forked.start()
print(engine.pid, forked.pid, flush=True)
time.sleep(120)
"""


def _wait_dead(pids, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(procs._alive(p) for p in pids):
        time.sleep(0.2)
    return [p for p in pids if procs._alive(p)]


def test_children_die_when_the_run_is_killed_hard(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(run_dir)], env=env, stdout=subprocess.PIPE,
                              text=True, start_new_session=True)
    try:
        children = [int(x) for x in parent.stdout.readline().split()]
        assert len(children) == 2 and all(procs._alive(p) for p in children)
        parent.send_signal(signal.SIGKILL)                  # what the OOM killer does
        parent.wait(timeout=10)
        assert _wait_dead(children) == []                   # no orphaned engine keeps the memory
    finally:
        for p in [parent.pid]:
            try:
                os.killpg(p, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_leftovers_of_an_earlier_run_are_stopped_at_start(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONPREM_SFT_")}
    env.update({procs.ENV_RUN_DIR: str(run_dir.resolve()), procs.ENV_RUN_PID: "999999999"})   # its run is gone
    orphan = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], env=env)
    try:
        time.sleep(0.5)
        left, live = procs.find_leftovers(run_dir)
        assert [p.pid for p in left] == [orphan.pid] and live == []
        assert [p.pid for p in procs.stop_leftovers(run_dir, timeout_s=5)] == [orphan.pid]
        orphan.wait(timeout=10)
    finally:
        orphan.kill()


def test_a_run_dir_in_use_by_a_live_pipeline_is_refused(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)  # onprem-sft stand-in"])
    try:
        (run_dir / procs.PIDFILE).write_text(f"{other.pid} {other.pid}\n", encoding="utf-8")
        with pytest.raises(EnvironmentProblem) as e:
            procs.stop_leftovers(run_dir)
        assert str(other.pid) in str(e.value) and e.value.exit_code == 4
        assert procs._alive(other.pid)                   # never killed: it is a live run
    finally:
        other.kill()


def _rec(name: str, level: int, **extra) -> logging.LogRecord:
    r = logging.LogRecord(name, level, __file__, 1, "msg", None, None)
    r.__dict__.update(extra)
    return r


def test_console_filter_keeps_library_info_for_run_log(monkeypatch):
    monkeypatch.delenv(VERBOSE_ENV, raising=False)
    f = ConsoleFilter()
    assert f.filter(_rec("onprem_sft.pipeline", logging.INFO))
    assert not f.filter(_rec("vllm.engine", logging.INFO))
    assert not f.filter(_rec("DeepSpeed", logging.INFO))
    assert not f.filter(_rec("vllm.engine", logging.WARNING))         # in run.log
    assert f.filter(_rec("vllm.engine", logging.ERROR))
    assert f.filter(_rec("onprem_sft.ingest", logging.WARNING))
    assert not f.filter(_rec("onprem_sft.cli", logging.INFO, file_only=True))
    monkeypatch.setenv(VERBOSE_ENV, "1")                  # -v shows everything
    assert f.filter(_rec("vllm.engine", logging.DEBUG))


def test_child_console_output_goes_to_run_log(tmp_path):
    log_path = tmp_path / "run.log"
    out = tmp_path / "console.txt"
    code = ("import os, sys\nfrom onprem_sft import procs\n"
            "os.environ[procs.ENV_CONSOLE] = procs._fd_id(2)\nos.environ[procs.ENV_CHILD_LOG] = sys.argv[1]\n"
            "import subprocess\nsubprocess.run([sys.executable, '-c', "
            "'from onprem_sft import procs; procs.quiet_child(); import sys; print(\"engine INFO\", file=sys.stderr)'])\n"
            "print('parent line', file=sys.stderr)\n")
    with open(out, "w") as f:
        subprocess.run([sys.executable, "-c", code, str(log_path)], env=dict(os.environ, PYTHONPATH=str(ROOT)),
                       stdout=f, stderr=f, check=True, timeout=60)
    assert out.read_text() == "parent line\n"
    assert log_path.read_text() == "engine INFO\n"


@pytest.mark.slow
def test_ctrl_c_mid_stage_is_one_line_exit_130_and_the_rerun_resumes(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = (ROOT / "data" / "sample" / "en" / "brightline_personal_loan_terms.txt").read_text(encoding="utf-8")
    for i in range(150):                                   # enough for redact to take several seconds
        (corpus / f"loan_{i:03d}.txt").write_text(f"Copy {i}.\n{text}", encoding="utf-8")
    run_dir = tmp_path / "run"
    args = [sys.executable, "-m", "onprem_sft.cli", f"corpus.path={corpus}", f"run.dir={run_dir}",
            "stages=[ingest,redact]", "run.progress=false"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.Popen(args, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in p.stderr:                                  # interrupt once redact has started
        lines.append(line)
        if "stage ingest" in line and "done" in line:
            time.sleep(2)
            p.send_signal(signal.SIGINT)
            break
    rest = p.stderr.read()
    assert p.wait(timeout=120) == 130, "".join(lines) + rest
    assert "Traceback" not in rest and "KeyboardInterrupt" not in rest
    assert [ln for ln in rest.splitlines() if ln.strip()] == ["onprem-sft: interrupted; rerun the same command "
                                                              "to resume"]
    assert StageDir(run_dir, "redact").read_manifest() is None
    again = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "stage ingest   complete" in again.stderr and StageDir(run_dir, "redact").read_manifest() is not None
