"""``onprem-sft audit verify <log>``, ``onprem-sft audit report <log> [--out file]`` and
``onprem-sft audit residue <run_dir>`` (second-opinion scan of the redacted zone, masked previews)."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from redaction.audit import check_head, entries, read_log, verify_chain

EXIT_BROKEN = 3          # README exit codes: 3 = verification failed


def _verify(args: argparse.Namespace) -> int:
    problems = verify_chain(args.log) + check_head(args.log)
    if problems:
        print(f"audit log {args.log}: BROKEN ({len(problems)} problem(s))", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return EXIT_BROKEN
    n = len(read_log(args.log))
    print(f"audit log {args.log}: OK, {n} record(s), hash chain intact")
    return 0


def counted_records(recs: list[dict]) -> tuple[list[dict], dict]:
    """The records of the latest COMPLETED attempt (a killed attempt's are redone by the resumed run, and an
    earlier completed one was superseded by a rerun), and how many attempts were left out. Version-1 logs
    have no attempts: every record counts."""
    attempts: dict[str, list[dict]] = defaultdict(list)
    done: list[str] = []
    legacy = []
    for r in recs:
        a = r.get("attempt")
        if a is None:
            legacy.append(r)
            continue
        attempts[a].append(r)
        if r.get("event") == "end":
            done.append(a)
    if not attempts:
        return legacy, {"complete": 0, "incomplete": 0, "counted": "all (log version 1)"}
    counted = [r for r in attempts[done[-1]] if not r.get("event")] if done else []
    info = {"complete": len(set(done)), "incomplete": len(set(attempts) - set(done)),
            "counted": done[-1] if done else "none (no attempt completed)"}
    return counted, info


def build_report(log: str | Path, below: float | None = None) -> dict:
    recs = read_log(log)
    counted, attempts = counted_records(recs)
    begin = {r.get("attempt"): r for r in recs if r.get("event") == "begin"}
    by_type: Counter[str] = Counter()
    by_doc: dict[str, Counter[str]] = defaultdict(Counter)
    review = []
    for r in counted:
        head = begin.get(r.get("attempt"), r)
        thr = below if below is not None else head.get("review_below", 0.6)
        for x in entries(r):
            for e in x.get("entities", []):
                by_type[e["type"]] += 1
                by_doc[r.get("doc_id") or "(none)"][e["type"]] += 1
                if e["score"] < thr:
                    review.append({"seq": r["seq"], "doc_id": r.get("doc_id"),
                                   "chunk_id": x.get("chunk_id", r.get("chunk_id")),
                                   "type": e["type"], "start": e["start"], "end": e["end"], "score": e["score"],
                                   "recognizer": e["recognizer"], "placeholder": e["placeholder"]})
    return {"log": str(log), "records": len(counted), "entities": sum(by_type.values()), "attempts": attempts,
            "chain_problems": verify_chain(log) + check_head(log), "by_type": dict(by_type.most_common()),
            "by_document": {d: dict(c.most_common()) for d, c in sorted(by_doc.items())},
            "config_hashes": sorted({r["config_hash"] for r in recs if r.get("config_hash")}),
            "low_confidence": review}


def _markdown(rep: dict) -> str:
    lines = [f"# Redaction audit report: {rep['log']}", "",
             f"- records (documents redacted): {rep['records']}", f"- entities redacted: {rep['entities']}",
             (f"- attempts: {rep['attempts']['complete']} complete, {rep['attempts']['incomplete']} incomplete; "
              f"counted: {rep['attempts']['counted']}"),
             f"- hash chain: {'intact' if not rep['chain_problems'] else 'BROKEN'}",
             f"- config hashes: {', '.join(h[:12] for h in rep['config_hashes'])}", "",
             "## By type", "", "| type | count |", "|---|---|"]
    lines += [f"| {t} | {n} |" for t, n in rep["by_type"].items()]
    lines += ["", "## By document", "", "| document | total | types |", "|---|---|---|"]
    for d, c in rep["by_document"].items():
        lines.append(f"| {d} | {sum(c.values())} | " + ", ".join(f"{t}={n}" for t, n in c.items()) + " |")
    lines += ["", f"## Low-confidence detections to review ({len(rep['low_confidence'])})", ""]
    if rep["low_confidence"]:
        lines += ["| seq | document | chunk | type | offsets | score | recognizer | placeholder |",
                  "|---|---|---|---|---|---|---|---|"]
        lines += [f"| {x['seq']} | {x['doc_id']} | {x['chunk_id']} | {x['type']} | {x['start']}-{x['end']} | "
                  f"{x['score']} | {x['recognizer']} | {x['placeholder']} |" for x in rep["low_confidence"]]
    for p in rep["chain_problems"]:
        lines.append(f"- chain problem: {p}")
    return "\n".join(lines) + "\n"


def _report(args: argparse.Namespace) -> int:
    rep = build_report(args.log, args.below)
    text = json.dumps(rep, ensure_ascii=False, indent=2) if args.json else _markdown(rep)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"audit report written to {args.out}: {rep['records']} record(s), {rep['entities']} entities, "
              f"{len(rep['low_confidence'])} to review")
    else:
        print(text)
    return EXIT_BROKEN if rep["chain_problems"] else 0


def _residue(args: argparse.Namespace) -> int:
    from onprem_sft.security.residue import scan_run

    if not Path(args.run_dir).is_dir():
        print(f"onprem-sft audit residue: {args.run_dir} is not a run directory", file=sys.stderr)
        return 2
    found, total, scanned = scan_run(args.run_dir, limit=args.limit)
    for r in found:
        print(r.describe())
    if total > len(found):
        print(f"... and {total - len(found)} more")
    print(f"residue: {total} suspected in {scanned} redacted-zone text(s) of {args.run_dir} "
          "(previews are masked; review each, e.g. with the record id)")
    return 1 if (args.fail and total) else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="onprem-sft audit", description="Redaction audit log tools")
    sub = ap.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("verify", help="check the hash chain; non-zero exit naming the first broken line")
    v.add_argument("log")
    r = sub.add_parser("report", help="compliance summary: counts by type and document, low-confidence hits")
    r.add_argument("log")
    r.add_argument("--out", help="write the report to this file (markdown, or JSON with --json)")
    r.add_argument("--json", action="store_true")
    r.add_argument("--below", type=float, default=None, help="review threshold (default: the log's)")
    s = sub.add_parser("residue", help="second-opinion scan of a run's redacted zone for PII-shaped residue "
                                       "(masked previews only)")
    s.add_argument("run_dir")
    s.add_argument("--limit", type=int, default=200, help="findings listed (the count covers all)")
    s.add_argument("--fail", action="store_true", help="exit 1 when anything is found")
    args = ap.parse_args(argv)
    if args.cmd == "residue":
        return _residue(args)
    if not Path(args.log).exists():
        print(f"onprem-sft audit: {args.log} not found (the log is <run_dir>/redact/audit.jsonl)", file=sys.stderr)
        return 2
    return _verify(args) if args.cmd == "verify" else _report(args)


if __name__ == "__main__":
    raise SystemExit(main())
