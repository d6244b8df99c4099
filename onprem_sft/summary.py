"""The closing summary of a run: one table of counts and headline figures, read through the report's
redacted-zone allow-list (``onprem_sft.report.collect``) and verify's saved results
(``security.hooks.load_verify``), so it can never print record text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from onprem_sft.report.collect import read_output, report_path, stages, train_log
from onprem_sft.security.hooks import load_verify


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def collect(run_dir: Path) -> list[tuple[str, str]]:
    """(label, value) rows: per stage counts and time, plus headline figures where present."""
    rows: list[tuple[str, str]] = []
    for st in stages(run_dir):
        if not st["done"]:
            continue
        counts = ", ".join(f"{k}={_fmt(v)}" for k, v in st["counts"].items())
        secs = st.get("seconds")
        rows.append((st["stage"], counts + (f"  ({secs:.0f}s)" if isinstance(secs, (int, float)) else "")))
        if st.get("engine"):
            rows.append((f"{st['stage']} engine", st["engine"]))
    log_rows = train_log(run_dir)
    losses = [r["loss"] for r in log_rows if isinstance(r.get("loss"), (int, float))]
    if losses:
        rows.append(("train loss", f"{losses[0]:.3f} (first step) -> {losses[-1]:.3f} (last step)"))
    evals = [r["eval_loss"] for r in log_rows if isinstance(r.get("eval_loss"), (int, float))]
    if evals:
        rows.append(("eval loss", f"{evals[-1]:.3f}"))
    metrics = read_output(run_dir, "metrics")
    ev = metrics.get("eval") if isinstance(metrics, dict) else None
    if isinstance(ev, dict):
        for side in ("base", "tuned"):
            m = ev.get(side)
            if not isinstance(m, dict):
                continue
            a, r, j = m.get("answerable", {}), m.get("refusal", {}), m.get("judge", {})
            rows.append((f"eval {side} (n={ev.get('n')})",
                         (f"EM={_fmt(a.get('em'))} F1={_fmt(a.get('f1_token'))} "
                          f"refusal P={_fmt(r.get('precision'))} R={_fmt(r.get('recall'))} "
                          f"judge={_fmt(j.get('mean'))}")))
    verify = load_verify(run_dir)
    if verify:
        failed = [c.get("name", "?") for c in verify if c.get("status") == "FAIL"]
        rows.append(("verify", "FAIL: " + ", ".join(failed) if failed else
                     f"PASS ({sum(c.get('status') == 'PASS' for c in verify)} checks)"))
    report = report_path(run_dir)
    if report is not None:
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
    import sys

    Console(stderr=False, width=None if sys.stdout.isatty() else 200).print(t)   # a log file: one line per row
