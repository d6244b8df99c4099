"""``onprem-sft eyecheck export|import``: the human eye-check round trip for a finished curate stage.

  onprem-sft eyecheck export <run_dir> [--out file.csv] [--n N] [--seed S] [--show-judge]
  onprem-sft eyecheck import <run_dir> <file.csv>
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from onprem_sft.artifacts import StageDir
from onprem_sft.curate.agreement import shown
from onprem_sft.curate.eyecheck import AGREEMENT_FILE, SAMPLE_FILE, EyecheckError, export_csv, import_labels


def _default_n(run_dir: Path) -> int:
    """curate.eyecheck_sample of the run (kept in the curate manifest), else 30."""
    try:
        m = StageDir(run_dir, "curate").read_manifest().extra  # type: ignore[union-attr]
        return int(m["thresholds"]["eyecheck_sample"])
    except (OSError, KeyError, TypeError, ValueError, AttributeError):
        return 30


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="onprem-sft eyecheck", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export", help="write a stratified sample for reviewers (CSV, opens in Excel)")
    e.add_argument("run_dir", type=Path)
    e.add_argument("--out", type=Path, default=None, help=f"CSV path (default <run_dir>/{SAMPLE_FILE})")
    e.add_argument("--n", type=int, default=None, help="rows (default curate.eyecheck_sample of the run)")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--show-judge", action="store_true",
                   help="include the judge's scores (for adjudication; biases a first review)")
    i = sub.add_parser("import", help="read reviewers' labels and compute judge-human agreement")
    i.add_argument("run_dir", type=Path)
    i.add_argument("csv", type=Path)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    run_dir: Path = args.run_dir
    try:
        if args.cmd == "export":
            n = args.n if args.n is not None else _default_n(run_dir)
            if n < 1:
                raise EyecheckError(f"--n {n}: must be >= 1")
            out = args.out or run_dir / SAMPLE_FILE
            info = export_csv(run_dir, out, n=n, seed=args.seed, show_judge=args.show_judge)
            print(f"eyecheck export: {info['rows']} rows from {info['pool']} pairs in {info['strata']} strata "
                  f"-> {out}\nfill human_label (pass/fail) and optionally human_score (1-5), then run:\n"
                  f"  onprem-sft eyecheck import {run_dir} {out}")
        else:
            if not args.csv.exists():
                raise EyecheckError(f"{args.csv}: file not found")
            r = import_labels(run_dir, args.csv)
            print(f"eyecheck import: {r['n_labelled']} labelled ({r['unlabelled']} blank); accuracy "
                  f"{r['accuracy']}, Cohen's kappa {shown(r['cohen_kappa'])}, Spearman {shown(r['spearman'])} "
                  f"(n={r['n_scored']}) -> {run_dir / 'curate' / AGREEMENT_FILE}")
    except EyecheckError as e:
        print(f"eyecheck: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
