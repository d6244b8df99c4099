"""Child processes die with the run, even on ``kill -9`` of the pipeline; leftovers of a run dir are found.

Why: vLLM's EngineCore, a vLLM server we start and DeepSpeed ranks are separate processes. When the pipeline
is killed hard (OOM killer, preempted node) nothing runs our cleanup, and an orphaned engine keeps its RAM
(its GPU memory on a GPU server), so the next run fails.

How:
- every Python child of a run gets a parent watchdog (``sitehook/sitecustomize.py`` calls ``watch_parent``
  when ``ONPREM_SFT_DIE_WITH_PARENT=1``): a daemon thread that kills its process once the parent process is
  gone (re-parented), plus ``PR_SET_PDEATHSIG`` where the kernel offers it. Forked children (vLLM may fork
  its engine) get the same through ``os.register_at_fork``;
- processes we start ourselves use ``child_preexec`` (own process group + parent-death signal);
- every descendant carries ``ONPREM_SFT_RUN_DIR`` / ``ONPREM_SFT_RUN_PID`` in its environment, so a new run of
  the same run dir finds what an earlier run left (``find_leftovers``) and stops it before starting.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from onprem_sft.errors import EnvironmentProblem

log = logging.getLogger("onprem_sft.procs")

ENV_RUN_DIR = "ONPREM_SFT_RUN_DIR"
ENV_RUN_PID = "ONPREM_SFT_RUN_PID"
ENV_DIE = "ONPREM_SFT_DIE_WITH_PARENT"
PR_SET_PDEATHSIG = 1
_state: dict[str, object] = {"fork_hook": False, "watching": False}


def _pdeathsig(sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to signal us when the thread that started us exits (Linux only; best effort)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def child_preexec() -> None:  # pragma: no cover - runs in the forked child before exec
    """``Popen(preexec_fn=...)`` for processes we start: die when the pipeline dies."""
    _pdeathsig(signal.SIGKILL)


def _watch(parent: int, interval: float) -> None:
    while True:
        time.sleep(interval)
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)


def watch_parent(interval: float = 1.0) -> None:
    """Kill this process (SIGKILL) once its parent process is gone; idempotent per process."""
    if _state["watching"] == os.getpid():
        return
    parent = os.getppid()
    if parent == 1:                # the parent died before we got here
        os._exit(137)
    _state["watching"] = os.getpid()
    threading.Thread(target=_watch, args=(parent, interval), name="onprem-sft-parent-watchdog",
                     daemon=True).start()
    if not _state["fork_hook"]:
        os.register_at_fork(after_in_child=_after_fork)
        _state["fork_hook"] = True


def _after_fork() -> None:  # pragma: no cover - runs in forked children
    _state["watching"] = False
    if os.environ.get(ENV_DIE) == "1":
        watch_parent()


ENV_CONSOLE = "ONPREM_SFT_CONSOLE_ID"
ENV_CHILD_LOG = "ONPREM_SFT_CHILD_LOG"


def _fd_id(fd: int) -> str:
    try:
        st = os.fstat(fd)
        return f"{st.st_dev}:{st.st_ino}"
    except OSError:
        return ""


def quiet_child() -> None:
    """In a Python child of the run: output it would write to the run's console (vLLM's engine core logs,
    library warnings, weight-loading bars) goes to ``run.log`` instead. Output the parent captures itself
    (a pipe, e.g. the DeepSpeed launcher's ranks) or sends to its own file (our vLLM server) is untouched."""
    console, target = os.environ.get(ENV_CONSOLE), os.environ.get(ENV_CHILD_LOG)
    if not console or not target:
        return
    fds = [fd for fd in (1, 2) if _fd_id(fd) == console]
    if not fds:
        return
    try:
        log_fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError:
        return
    for fd in fds:
        os.dup2(log_fd, fd)
    os.close(log_fd)


def install(run_dir: Path, quiet_children: bool = True) -> None:
    """Tag this run's environment and make every Python descendant watch its parent; with
    ``quiet_children`` (not ``-v``) their console output goes to ``<run_dir>/run.log``."""
    from onprem_sft.security.egress import SITEHOOK_DIR

    if quiet_children and _fd_id(2):
        os.environ[ENV_CONSOLE] = _fd_id(2)
        os.environ[ENV_CHILD_LOG] = str(Path(run_dir).resolve() / "run.log")
    os.environ[ENV_RUN_DIR] = str(Path(run_dir).resolve())
    os.environ[ENV_RUN_PID] = str(os.getpid())
    os.environ[ENV_DIE] = "1"
    pp = os.environ.get("PYTHONPATH", "")
    if SITEHOOK_DIR not in pp.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join([SITEHOOK_DIR] + ([pp] if pp else []))
    if not _state["fork_hook"]:
        os.register_at_fork(after_in_child=_after_fork)
        _state["fork_hook"] = True


def uninstall() -> None:
    for k in (ENV_RUN_DIR, ENV_RUN_PID, ENV_DIE, ENV_CONSOLE, ENV_CHILD_LOG):
        os.environ.pop(k, None)


@dataclass(frozen=True)
class Leftover:
    pid: int
    run_pid: int
    cmd: str


def _environ(pid: int) -> dict[str, str]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    out = {}
    for item in raw.split(b"\0"):
        k, sep, v = item.partition(b"=")
        if sep and k in (ENV_RUN_DIR.encode(), ENV_RUN_PID.encode()):
            out[k.decode()] = v.decode("utf-8", "replace")
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2:].split()[0] != "Z"
    except (OSError, ValueError, IndexError):
        return False


PIDFILE = ".pipeline.pid"


def _stat_fields(pid: int) -> list[str]:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2:].split()
    except (OSError, ValueError):
        return []


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _start_time(pid: int) -> str:
    fields = _stat_fields(pid)
    return fields[19] if len(fields) > 19 else ""


def write_pidfile(run_dir: Path) -> None:
    """``<run_dir>/.pipeline.pid``: our pid, process group and start time, for the next run's leftover check
    (the start time tells our pid from a later process that reuses the number)."""
    Path(run_dir, PIDFILE).write_text(f"{os.getpid()} {os.getpgid(0)} {_start_time(os.getpid())}\n",
                                      encoding="utf-8")


def _read_pidfile(run_dir: Path) -> tuple[int, int]:
    """(pid, pgid) of the pipeline recorded in the run dir while that very process still runs, else (0, 0)
    for a pipeline that is gone (its pid may now belong to another process)."""
    try:
        parts = Path(run_dir, PIDFILE).read_text(encoding="utf-8").split()
        pid, pgid = int(parts[0]), int(parts[1])
    except (OSError, ValueError, IndexError):
        return 0, 0
    started = parts[2] if len(parts) > 2 else ""
    if started and _start_time(pid) != started:
        return -pid, pgid                       # gone; the number is reused or free
    return pid, pgid


def find_leftovers(run_dir: Path) -> tuple[list[Leftover], list[int]]:
    """(processes left by an earlier run of ``run_dir`` whose pipeline is gone, live pipelines using it).

    A leftover carries the run dir in its environment (exec'd children) or sits in the process group of the
    earlier pipeline recorded in ``.pipeline.pid`` (forked children keep the group)."""
    target = str(Path(run_dir).resolve())
    me = os.getpid()
    old_pid, old_pgid = _read_pidfile(run_dir)
    if old_pid > 0 and old_pid != me and _alive(old_pid) and "onprem" in _cmdline(old_pid):
        return [], [old_pid]
    old_pid = abs(old_pid)
    left: list[Leftover] = []
    proc = Path("/proc")
    if not proc.is_dir():  # pragma: no cover - non-Linux
        return [], []
    my_pgid = os.getpgid(0)
    for d in proc.iterdir():
        if not d.name.isdigit() or int(d.name) == me:
            continue
        pid = int(d.name)
        fields = _stat_fields(pid)
        if not fields or fields[0] == "Z":
            continue
        pgid = int(fields[2])
        env = _environ(pid)
        tagged = env.get(ENV_RUN_DIR) == target
        # the group of a dead pipeline: only its orphans (parent outside the group), never the process now
        # holding its pid number nor that process's own children
        parent_fields = _stat_fields(int(fields[1]))
        orphan = not parent_fields or int(parent_fields[2]) != old_pgid
        in_old_group = (bool(old_pgid) and old_pgid == old_pid and pgid == old_pgid != my_pgid
                        and pid != old_pid and orphan)
        if not (tagged or in_old_group):
            continue
        try:
            run_pid = int(env.get(ENV_RUN_PID, "0"))
        except ValueError:
            run_pid = 0
        if run_pid == me:
            continue
        if tagged and run_pid and _alive(run_pid):
            return [], [run_pid]
        left.append(Leftover(pid=pid, run_pid=run_pid or old_pid, cmd=_cmdline(pid)[:120]))
    return left, []


def stop_leftovers(run_dir: Path, timeout_s: float = 15.0) -> list[Leftover]:
    """Stop (SIGTERM, then SIGKILL) what an earlier, dead run of ``run_dir`` left running; refuse to start
    when another pipeline is still running on the same run dir."""
    left, live = find_leftovers(run_dir)
    if live:
        raise EnvironmentProblem(f"run.dir={run_dir} is in use by a running pipeline (pid {live[0]}); wait for "
                                 "it to finish, stop it, or choose another run.dir")
    if not left:
        return []
    for p in left:
        try:
            os.kill(p.pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and any(_alive(p.pid) for p in left):
        time.sleep(0.2)
    for p in left:
        if _alive(p.pid):
            try:
                os.kill(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    log.warning("stopped %d process(es) left running by an earlier run of this run dir (pids %s)",
                len(left), ", ".join(str(p.pid) for p in left))
    return left
