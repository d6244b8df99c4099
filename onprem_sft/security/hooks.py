"""What the CLI does for security around a pipeline run (kept here so ``cli.py`` stays thin).

``on_start``: append a guard record to ``security/guard.jsonl`` (verify check 5 reads it), save the
resolved config sections verify needs (``security/resolved.json``) and write ``security/dataflow.md``.
``on_finish``: rebuild ``lineage.jsonl`` (signed when ``security.lineage_key_file`` is set) and, when
``security.verify_after_run`` is true and the report stage ran or every stage is complete, run verify
and log its one-line result (details in ``security/verify.json``).
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from onprem_sft import layout
from onprem_sft.artifacts import MANIFEST, atomic_write_json
from onprem_sft.security import egress
from onprem_sft.security.checks import GUARD_LOG, RESOLVED, VERIFY_RESULTS
from onprem_sft.security.lineage import build_lineage

log = logging.getLogger("onprem_sft.security")

RESOLVED_SECTIONS = ("redaction", "security", "llm", "model", "train", "deepspeed", "corpus", "stages")


def _plain(cfg: Any, key: str) -> Any:
    from onprem_sft.config import to_container

    try:
        return to_container(cfg[key])
    except Exception:  # noqa: BLE001 - an interpolation that cannot resolve here: record it unresolved
        try:
            from omegaconf import OmegaConf

            return OmegaConf.to_container(cfg[key], resolve=False)
        except Exception:  # noqa: BLE001
            return None


def on_start(cfg: Any, run_dir: str | Path) -> None:
    from onprem_sft.artifacts import JsonlAppender
    from onprem_sft.security.dataflow import write_dataflow

    run_dir = Path(run_dir)
    with JsonlAppender(run_dir / GUARD_LOG) as f:
        f.write({"started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "pid": os.getpid(),
                 "egress_guard": bool(cfg.security.egress_guard), "installed": egress.installed(),
                 "allow_hosts": list(cfg.security.allow_hosts),
                 "offline_env": all(os.environ.get(k) == v for k, v in egress.OFFLINE_ENV.items())})
    atomic_write_json(run_dir / RESOLVED, {k: _plain(cfg, k) for k in RESOLVED_SECTIONS})
    write_dataflow(cfg, run_dir)


def _complete(run_dir: Path) -> bool:
    return all((run_dir / s / MANIFEST).exists() for s in layout.STAGES)


def on_finish(cfg: Any, run_dir: str | Path, results: dict[str, Any]) -> bool | None:
    """Returns verify's verdict (True/False), or None when verify did not run."""
    from onprem_sft.security.verify import VerifyOptions, passed, run_checks

    run_dir = Path(run_dir)
    key = cfg.security.get("lineage_key_file")
    path = build_lineage(run_dir, key_file=key)
    log.info("lineage written: %s%s", path, " (signed)" if key else "")
    ran_report = results.get("report") is not None
    if not cfg.security.get("verify_after_run", False) or not (ran_report or _complete(run_dir)):
        return None
    results_v = run_checks(run_dir, VerifyOptions(lineage_key_file=key))
    atomic_write_json(run_dir / VERIFY_RESULTS, [r.to_dict() for r in results_v])
    ok = passed(results_v)
    line = ", ".join(f"{r.name}={r.status}" for r in results_v)
    if ok:
        log.info("verify: PASS (%s); details in %s", line, run_dir / VERIFY_RESULTS)
    else:
        log.error("verify: FAIL (%s); run `onprem-sft verify %s` for the offending files", line, run_dir)
    return ok


def load_verify(run_dir: str | Path) -> list[dict[str, Any]] | None:
    """The check results ``on_finish`` saved (status and counts per check), or None when verify did not run."""
    try:
        got = json.loads((Path(run_dir) / VERIFY_RESULTS).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return got if isinstance(got, list) else None
