"""Start the training ranks: in this process, or with the DeepSpeed launcher / torchrun.

The DeepSpeed launcher appends ``--local_rank=N`` to the script's arguments unless told
``--no_local_rank``; our worker takes only the spec path, and reads its rank from the environment.
Launchers are run as ``python -m`` of the same interpreter, so the venv, PYTHONPATH (which carries
the egress guard's sitecustomize) and the offline env pass to every rank unchanged.
"""

from __future__ import annotations

import collections
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from onprem_sft.pipeline import PipelineError

log = logging.getLogger("onprem_sft.train")

WORKER = "onprem_sft.train.worker"


class LaunchError(PipelineError):
    """A rank failed; the message carries the tail of the launcher's log and where the full log is."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def command(spec_path: Path, spec: dict[str, Any]) -> list[str]:
    """The launcher command line for train.launcher=deepspeed|torchrun."""
    t = spec["train"]
    port = str(spec.get("master_port") or free_port())
    if t["launcher"] == "deepspeed":
        cmd = [sys.executable, "-m", "deepspeed.launcher.runner", "--no_local_rank", "--master_port", port]
        if t.get("hostfile"):
            cmd += ["--hostfile", str(t["hostfile"])]
        else:
            # one host: N ranks; on CPU the launcher's accelerator count is meaningless, N is what we ask
            cmd += ["--num_nodes", "1", "--num_gpus", str(t["nproc"])]
        return cmd + ["--module", WORKER, str(spec_path)]
    if t["launcher"] == "torchrun":
        return [sys.executable, "-m", "torch.distributed.run", "--nnodes", "1",
                "--nproc_per_node", str(t["nproc"]), "--master_addr", "127.0.0.1", "--master_port", port,
                "-m", WORKER, str(spec_path)]
    raise ValueError(f"no launcher command for train.launcher={t['launcher']!r}")


def child_env(spec: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    if not spec["on_gpu"]:
        threads = int(spec["train"].get("threads_per_proc") or 0) or max(
            1, (os.cpu_count() or 1) // spec["world_size"])
        env["OMP_NUM_THREADS"] = str(threads)      # ranks share the cores instead of oversubscribing
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


# DeepSpeed's notes on every CPU start (no accelerator, no hostfile, the rank command): expected, log only
_EXPECTED = ("real_accelerator.py", "runner.py:214:fetch_hostfile", "] cmd = ")


def _for_console(line: str) -> bool:
    """Ranks' lines the console shows: our loggers, warnings, errors (the rest is in the launcher log;
    ``-v`` shows everything)."""
    from onprem_sft.console import verbose

    if verbose():
        return True
    if any(k in line for k in _EXPECTED):
        return False
    return any(k in line for k in (" onprem_sft", "WARNING", "ERROR", "Error", "Traceback"))


def run_launcher(cmd: list[str], env: dict[str, str], log_path: Path) -> None:
    """Run the launcher, keep its output in ``log_path`` (echoing our lines, warnings and errors); raise with
    the tail on failure."""
    tail: collections.deque[str] = collections.deque(maxlen=25)
    log.info("launching: %s", " ".join(cmd))
    with open(log_path, "w", encoding="utf-8") as lf:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                bufsize=1, start_new_session=False)
        assert proc.stdout is not None
        for line in proc.stdout:
            lf.write(line)
            tail.append(line.rstrip("\n"))
            if _for_console(line):
                sys.stderr.write(line)
        rc = proc.wait()
    if rc != 0:
        raise LaunchError(f"training ranks failed (exit code {rc}); full log: {log_path}\n" + "\n".join(tail))


def run_inprocess(spec: dict[str, Any]) -> None:
    """One rank in this process; env vars a DeepSpeed rendezvous sets are restored afterwards."""
    from onprem_sft.train.worker import run_worker

    keys = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
    saved = {k: os.environ.get(k) for k in keys}
    try:
        run_worker(spec)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
