"""``onprem-sft verify <run_dir>``: print the security checks as a table; exit 3 on any failure (README).

Also ``--trace ID`` (the chain from a record back to its document), ``--build-lineage`` (write the
lineage file of a run finished outside the CLI), ``--json FILE`` (machine-readable results) and
``--dataflow`` (print the run's data-flow document).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from onprem_sft.security.verify import FAIL, PASS, SKIP, WARN, VerifyOptions, passed, run_checks

CHECK_NAMES = ("llm-inputs", "outputs-pii", "audit-chain", "integrity", "egress", "raw-zone", "residue")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="onprem-sft verify", description=__doc__.splitlines()[0])
    p.add_argument("run_dir", type=Path)
    p.add_argument("--key-file", help="redaction HMAC key (default: the key the redact stage declares in its folder)")
    p.add_argument("--lineage-key-file", help="HMAC key or Ed25519 PEM to check lineage.sig.json")
    p.add_argument("--only", action="append", choices=CHECK_NAMES, help="run only this check (repeatable)")
    p.add_argument("--no-pii-scan", action="store_true", help="skip the Redactor re-scans (fast, weaker)")
    p.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    p.add_argument("--residue", choices=("warn", "fail", "off"),
                   help="second-opinion residue scan: list (warn), fail verify, or skip (default: the run's "
                        "security.residue)")
    p.add_argument("--trace", metavar="ID", help="print the lineage chain of a record and exit")
    p.add_argument("--build-lineage", action="store_true", help="(re)write lineage.jsonl before checking")
    p.add_argument("--dataflow", action="store_true", help="print security/dataflow.md and exit")
    return p


def _print_table(results: list, run_dir: Path) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # pragma: no cover - rich is a dependency
        for r in results:
            print(f"{r.status:5} {r.name:12} {r.summary}")
            for msg in r.problems + r.warnings:
                print(f"      - {msg}")
        return
    colour = {PASS: "green", FAIL: "bold red", WARN: "yellow", SKIP: "dim"}
    t = Table(title=f"onprem-sft verify {run_dir}", show_lines=True)
    t.add_column("check")
    t.add_column("status")
    t.add_column("what")
    t.add_column("details")
    for r in results:
        detail = r.summary
        listed = [f"✗ {m}" for m in r.problems] + [f"! {m}" for m in r.warnings]
        if r.n_problems > len(r.problems):
            listed.append(f"… and {r.n_problems - len(r.problems)} more")
        if listed:
            detail += "\n" + "\n".join(listed)
        t.add_row(r.name, f"[{colour.get(r.status, '')}]{r.status}[/]", r.title, detail)
    Console(width=None if sys.stdout.isatty() else 200).print(t)   # files never wrap mid-name


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    run_dir = args.run_dir.resolve()
    if not run_dir.is_dir():
        print(f"onprem-sft verify: {run_dir} is not a directory; give a run dir (e.g. runs/default)",
              file=sys.stderr)
        return 2
    if args.dataflow:
        p = run_dir / "security" / "dataflow.md"
        if not p.exists():
            print(f"{p} missing: it is written at the start of every CLI run", file=sys.stderr)
            return 2
        print(p.read_text(encoding="utf-8"))
        return 0
    if args.trace:
        from onprem_sft.security.lineage import LineageError, trace

        try:
            chain = trace(run_dir, args.trace)
        except LineageError as e:
            print(f"onprem-sft verify: {e}", file=sys.stderr)
            return 2
        for n in chain:
            where = f"{n.get('file')}:{n.get('line')}" if n.get("line") else n.get("file", "")
            print(f"{n.get('kind', '?'):15} {n.get('id', '')}  {where}  sha256={str(n.get('sha256', ''))[:16]}")
        return 0
    if args.build_lineage:
        from onprem_sft.security.lineage import build_lineage

        build_lineage(run_dir, key_file=args.lineage_key_file)
    opts = VerifyOptions(key_file=args.key_file, lineage_key_file=args.lineage_key_file,
                         scan_pii=not args.no_pii_scan, residue=args.residue)
    results = run_checks(run_dir, opts, only=args.only)
    _print_table(results, run_dir)
    if args.json:
        args.json.write_text(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2) + "\n",
                             encoding="utf-8")
    ok = passed(results)
    n_fail = sum(r.status == FAIL for r in results)
    print(f"verify: {'PASS' if ok else 'FAIL'} - {len(results)} checks, {n_fail} failed ({run_dir})")
    return 0 if ok else 3
