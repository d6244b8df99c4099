"""Multi-node DeepSpeed (``train.hostfile``), issue 16: what every node's ranks need, and a simulated cluster.

Real cluster: the DeepSpeed runner reaches the other hosts over pdsh/ssh and forwards only the variables
whose names start with PYTHON/MLFLOW/MV2/UCX (plus the accelerator's) and those in its env file
(``DS_ENV_FILE``). So the offline flags and the egress guard switch would not reach remote ranks: we write
them to ``<train dir>/deepspeed_env`` and point ``DS_ENV_FILE`` at it (``env_for_nodes``).

Simulated cluster: a hostfile whose hosts are all loopback aliases (``localhost slots=1`` and
``127.0.0.1 slots=1``; the runner refuses the same name twice) is run on this machine with the runner's
no-ssh mode, one runner per node (``--no_ssh --node_rank=i``), all meeting at ``127.0.0.1``: the same
world info, per-node launch and rendezvous as on a cluster, without ssh (``run_simulated``). The same
``node_command`` is what you start on each node yourself when your scheduler (Slurm, Kubernetes) starts
one process per node instead of ssh.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from onprem_sft.security.egress import OFFLINE_ENV, is_loopback

log = logging.getLogger("onprem_sft.train")

ENV_FILE = "deepspeed_env"
# forwarded to every node besides what the runner exports by itself
FORWARD_PREFIXES = ("ONPREM_SFT_", "OMP_NUM_THREADS", "HF_", "TRANSFORMERS_", "TOKENIZERS_", "VLLM_",
                    "TORCH_EXTENSIONS_DIR", "DO_NOT_TRACK", "WANDB_", "DISABLE_MLFLOW", "TLDEXTRACT_")


def hosts(spec: dict[str, Any]) -> dict[str, int]:
    from onprem_sft.train.plan import hostfile_slots

    return hostfile_slots(spec["train"]["hostfile"])


def simulated(spec: dict[str, Any]) -> bool:
    """A hostfile of two or more loopback aliases: run every node here (test and rehearsal of a cluster)."""
    if not spec["train"].get("hostfile"):
        return False
    h = hosts(spec)
    return len(h) > 1 and all(is_loopback(x) for x in h)


def env_for_nodes(spec: dict[str, Any], env: dict[str, str], out_dir: Path) -> dict[str, str]:
    """Write the env file the runner forwards to every node; returns ``env`` with ``DS_ENV_FILE`` set."""
    keep = {k: v for k, v in env.items() if k.startswith(FORWARD_PREFIXES) or k in OFFLINE_ENV}
    lines = []
    for k in sorted(keep):
        v = keep[k]
        if "\n" in v or "=" in k:
            continue
        lines.append(f"{k}={v}")
    path = Path(out_dir) / ENV_FILE
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dict(env, DS_ENV_FILE=str(path.resolve()))


def node_command(spec_path: Path, spec: dict[str, Any], node_rank: int, master_addr: str,
                 master_port: int) -> list[str]:
    """The runner command for one node in no-ssh mode (this process is node ``node_rank``)."""
    from onprem_sft.train.launch import WORKER

    return [sys.executable, "-m", "deepspeed.launcher.runner", "--no_local_rank", "--no_ssh",
            "--hostfile", str(spec["train"]["hostfile"]), f"--node_rank={node_rank}",
            "--master_addr", master_addr, "--master_port", str(master_port),
            "--module", WORKER, str(spec_path)]


def run_simulated(spec_path: Path, spec: dict[str, Any], env: dict[str, str], out_dir: Path) -> None:
    """Every node of a loopback hostfile as its own no-ssh runner on this machine; logs per node."""
    from onprem_sft.train.launch import LaunchError, free_port

    port = int(spec.get("master_port") or free_port())
    env = env_for_nodes(spec, env, out_dir)
    n = len(hosts(spec))
    procs: list[tuple[int, subprocess.Popen[bytes], Path]] = []
    for rank in range(n):
        cmd = node_command(spec_path, spec, rank, "127.0.0.1", port)
        lp = Path(out_dir) / f"launcher.node{rank}.log"
        log.info("launching node %d/%d: %s", rank, n, " ".join(cmd))
        f = open(lp, "wb")  # noqa: SIM115 - closed when the node exits
        procs.append((rank, subprocess.Popen(cmd, env=env, stdout=f, stderr=subprocess.STDOUT), lp))
        f.close()
    failed: list[str] = []
    lock = threading.Lock()

    def wait(rank: int, p: subprocess.Popen[bytes], lp: Path) -> None:
        rc = p.wait()
        if rc != 0:
            with lock:
                failed.append(f"node {rank} exited with {rc} (log: {lp})")
            for _, other, _ in procs:        # a node that failed leaves the others waiting at rendezvous
                if other.poll() is None:
                    other.terminate()

    threads = [threading.Thread(target=wait, args=t) for t in procs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    combined = Path(out_dir) / "launcher.log"
    with open(combined, "w", encoding="utf-8") as out:
        for rank, _, lp in procs:
            out.write(f"==== node {rank} ====\n" + lp.read_text(encoding="utf-8", errors="replace"))
    if failed:
        tail = "\n".join(combined.read_text(encoding="utf-8", errors="replace").splitlines()[-25:])
        raise LaunchError("simulated multi-node training failed: " + "; ".join(sorted(failed)) + "\n" + tail)
