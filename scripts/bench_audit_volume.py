"""Audit log volume: bytes of redact/audit.jsonl per byte of corpus input (issue 17, item 7).

    PYTHONPATH=$PWD .venv/bin/python scripts/bench_audit_volume.py data/sample/en /tmp/bench_audit

Runs ingest + redact (redaction=default) on the corpus into a fresh run dir and prints input bytes, audit
bytes, their ratio and the redact stage's peak RSS. Run it with PYTHONPATH pointing at another checkout to
measure that code (the "before" figure in docs/benchmarks.md was taken so).
"""

from __future__ import annotations

import resource
import shutil
import sys
from pathlib import Path


def main(corpus: str, run_dir: str) -> None:
    from onprem_sft.config import compose
    from onprem_sft.pipeline import run_pipeline

    rd = Path(run_dir)
    shutil.rmtree(rd, ignore_errors=True)
    cfg = compose([f"corpus.path={Path(corpus).resolve()}", f"run.dir={rd}", "stages=[ingest,redact]",
                   "run.progress=false"])
    run_pipeline(cfg, rd)
    root = Path(corpus)
    files = [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else [root]
    inp = sum(p.stat().st_size for p in files)
    audit = (rd / "redact" / "audit.jsonl").stat().st_size
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"corpus={corpus} files={len(files)} input_bytes={inp} audit_bytes={audit} "
          f"ratio={audit / inp:.2f} peak_rss_mib={rss:.0f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
