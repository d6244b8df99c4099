"""The ``report`` stage: one self-contained HTML file + a markdown summary of the whole run.

It reads manifests and redacted-zone files from the run dir (``collect`` allows only the outputs their StageSpec marks ``report=True``), so it works when
earlier stages ran in another invocation, and shows "not run" for stages that never ran. Declared
input is only ``evaluate`` (the last stage), which makes it rerun whenever the evaluation changed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from onprem_sft.artifacts import atomic_write_text
from onprem_sft.pipeline import StageContext, StageResult
from onprem_sft.report.collect import collect
from onprem_sft.report.render import render_html, render_markdown, summary_rows
from onprem_sft.report.spec import HTML, MD

log = logging.getLogger("onprem_sft.report")



def build_report(run_dir: str | Path, out_dir: str | Path, k: int = 5) -> tuple[Path, Path, dict[str, Any]]:
    """Write report.html and report.md into ``out_dir``; returns their paths and the collected data."""
    d = collect(run_dir, k)
    out = Path(out_dir)
    html_path, md_path = out / HTML, out / MD
    atomic_write_text(html_path, render_html(d))
    atomic_write_text(md_path, render_markdown(d, HTML))
    return html_path, md_path, d


def print_summary(html_path: Path, d: dict[str, Any]) -> None:
    """Report path and the base-vs-tuned headline table on the terminal."""
    from rich.console import Console
    from rich.table import Table

    con = Console()
    rows = summary_rows(d)
    if rows:
        t = Table(title="eval split: base vs tuned")
        for h in ("metric", "base", "tuned"):
            t.add_column(h, justify="left" if h == "metric" else "right")
        for r in rows:
            t.add_row(*r)
        con.print(t)
    con.print(f"report: {html_path}")


def run(ctx: StageContext) -> StageResult:
    html_path, md_path, d = build_report(ctx.run_dir, ctx.out.path, int(ctx.cfg.evaluate.examples_in_report))
    from onprem_sft.console import verbose

    if verbose():                    # the run's closing table already shows base vs tuned and the report path
        print_summary(html_path, d)
    done = sum(s["done"] for s in d["stages"])
    return StageResult(
        counts={"stages_reported": done, "html_bytes": html_path.stat().st_size},
        extra={"html": str(html_path), "markdown": str(md_path)},
        summary=f"report {html_path} ({done} stage(s) with manifests)")

