"""A Ctrl-C that a library swallows (Python drops exceptions raised in ``__del__``) must still stop the run
before the stage is marked complete, so the rerun redoes that stage."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from onprem_sft import errors, layout
from onprem_sft.artifacts import StageDir
from onprem_sft.config import compose
from onprem_sft.pipeline import run_pipeline

ROOT = Path(__file__).resolve().parents[3]


class _SwallowsCtrlC:
    def __del__(self):
        errors._on_sigint(signal.SIGINT, None)      # raised here, printed as "Exception ignored", lost


def _corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "terms.md").write_text("# Terms\n\nArticle 1 (Purpose) These terms set out the loan.\n",
                                     encoding="utf-8")
    return corpus


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_swallowed_ctrl_c_leaves_the_stage_unfinished(tmp_path, monkeypatch):
    monkeypatch.setattr(errors, "_interrupted", False)
    real = layout.StageSpec.load_run

    def load_run(spec):
        fn = real(spec)

        def run(ctx):
            res = fn(ctx)
            _SwallowsCtrlC()                        # dropped at once: the KeyboardInterrupt is swallowed
            return res
        return run

    monkeypatch.setattr(layout.StageSpec, "load_run", load_run)
    run_dir = tmp_path / "run"
    cfg = compose([f"corpus.path={_corpus(tmp_path)}", "stages=[ingest]", f"run.dir={run_dir}",
                   "run.progress=false"])
    with pytest.raises(KeyboardInterrupt):
        run_pipeline(cfg, run_dir)
    assert StageDir(run_dir, "ingest").read_manifest() is None


def test_no_interrupt_no_effect(tmp_path, monkeypatch):
    monkeypatch.setattr(errors, "_interrupted", False)
    errors.raise_if_interrupted()
    run_dir = tmp_path / "run"
    run_pipeline(compose([f"corpus.path={_corpus(tmp_path)}", "stages=[ingest]", f"run.dir={run_dir}",
                          "run.progress=false"]), run_dir)
    assert StageDir(run_dir, "ingest").read_manifest() is not None


def test_cli_hook_keeps_a_swallowed_ctrl_c_off_the_console_and_remembers_it():
    code = ("import os, signal\nfrom onprem_sft import errors\nerrors.remember_interrupts()\n"
            "class D:\n    def __del__(self):\n        os.kill(os.getpid(), signal.SIGINT)\n"
            "D()\nprint('ran on')\ntry:\n    errors.raise_if_interrupted()\nexcept KeyboardInterrupt:\n"
            "    print('remembered')\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)), check=False)
    assert p.stdout.split() == ["ran", "on", "remembered"] and p.stderr == "", p.stderr
