"""The closing summary of a run: one table read from the manifests (counts only, never record text)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from onprem_sft.artifacts import StageDir
from onprem_sft.config import STAGES


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def collect(run_dir: Path) -> list[tuple[str, str]]:
    """(label, value) rows: per stage counts and time, plus headline figures where present."""
    rows: list[tuple[str, str]] = []
    for name in STAGES:
        m = StageDir(run_dir, name).read_manifest()
        if m is None:
            continue
        counts = ", ".join(f"{k}={_fmt(v)}" for k, v in m.counts.items() if not isinstance(v, dict))
        secs = m.extra.get("seconds")
        rows.append((name, counts + (f"  ({secs:.0f}s)" if isinstance(secs, (int, float)) else "")))
    train = StageDir(run_dir, "train").read_manifest()
    if train is not None:
        for k in ("first_loss", "final_loss", "eval_loss"):
            if k in train.extra:
                rows.append((f"train {k}", _fmt(train.extra[k])))
    metrics = _load(run_dir / "evaluate" / "metrics.json")
    if isinstance(metrics, dict):
        for side in ("base", "tuned"):
            m = metrics.get(side)
            if isinstance(m, dict):
                keys = [k for k in ("exact_match", "f1", "refusal_precision", "refusal_recall", "judge_mean")
                        if isinstance(m.get(k), (int, float))]
                rows.append((f"eval {side}", ", ".join(f"{k}={m[k]:.3f}" for k in keys)))
    verify = _load(run_dir / "security" / "verify.json")
    if isinstance(verify, dict) and "ok" in verify:
        rows.append(("verify", "PASS" if verify["ok"] else "FAIL: " + ", ".join(
            c.get("name", "?") for c in verify.get("checks", []) if not c.get("ok"))))
    report = run_dir / "report" / "report.html"
    if report.exists():
        rows.append(("report", str(report)))
    return rows


def print_summary(run_dir: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"onprem-sft run {run_dir}", show_lines=False)
    t.add_column("stage / figure", style="bold")
    t.add_column("value")
    for label, value in collect(run_dir):
        t.add_row(label, value)
    Console(stderr=False).print(t)
