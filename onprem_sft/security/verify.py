"""`onprem-sft verify`: the checks a security team runs on a finished run.

Each check returns a ``CheckResult`` whose ``problems`` name the offending file and record (ids, line
numbers, entity types, never a PII value). Checks:

1. ``llm-inputs``   every LLM request was built from redacted records only and carries no audited PII
2. ``outputs-pii``  dataset, eval outputs and report hold no PII beyond placeholders
3. ``audit-chain``  the redaction audit log's hash chain is intact and covers every ingested document
4. ``integrity``    stage manifests and lineage hashes match the files on disk (tamper detection)
5. ``egress``       the run had the egress guard on and no network access was attempted
6. ``raw-zone``     raw text stays in ingest/ and redact/ (and is gone when keep_raw=false)

The PII checks (1, 2, 6) live in ``leakscan.py``; this module holds the others and the runner; what
they share is in ``checks.py``. Files are found through the stages' declared outputs (``onprem_sft.layout``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from onprem_sft import layout
from onprem_sft.artifacts import MANIFEST, sha256_file, sha256_text
from onprem_sft.security import leakscan, pii
from onprem_sft.security.checks import (
    EGRESS_LOG,
    FAIL,
    GUARD_LOG,
    PASS,
    RESOLVED,
    SKIP,
    VERIFY_RESULTS,
    WARN,
    CheckResult,
    RunView,
    VerifyOptions,
    ids_in,
    rows,
)
from onprem_sft.security.lineage import (
    LINEAGE,
    SIGNATURE,
    LineageError,
    collect,
    load_lineage,
    verify_signature,
)
from onprem_sft.security.rawzone import load_scrub_record

__all__ = ["EGRESS_LOG", "FAIL", "GUARD_LOG", "PASS", "RESOLVED", "SKIP", "VERIFY_RESULTS", "WARN", "CheckResult",
           "RunView", "VerifyOptions", "passed", "run_checks"]

# ---- check 3: audit chain ------------------------------------------------------------------------

def check_audit_chain(view: RunView) -> CheckResult:
    res = CheckResult("audit-chain", "audit log hash chain intact, covers every document")
    audit_stage, _ = layout.find("audit")
    audit, audit_rel = view.path("audit"), layout.rel("audit")
    if not audit.exists():
        if any((view.run_dir / s).is_dir() for s in (audit_stage.name, *audit_stage.inputs)):
            res.fail(f"{audit_rel} missing: no proof of what redaction did")
        return res.finish("no audit log") if res.n_problems else _skip(res, "no redact stage in this run")
    for msg in pii.verify_audit_chain(audit):
        res.fail(f"{audit_rel}: {msg}")
    covered = pii.audited_doc_ids(audit)
    covered_chunks = pii.audited_chunk_ids(audit)
    by_hash = pii.audit_by_hash(audit)
    hashes = set(by_hash)
    docs_rel, chunks_rel, red_rel = layout.rel("document"), layout.rel("chunk"), layout.rel("redacted_chunk")
    docs = ids_in(view.run_dir / docs_rel)
    for lineno, did in docs:
        if did not in covered:
            res.fail(f"{docs_rel}:{lineno}: document {did} has no audit record")
    rejected = {i for _, i in ids_in(view.run_dir / audit_stage.name / audit_stage.output("reject").path)}
    for lineno, cid in ids_in(view.run_dir / chunks_rel):
        if covered_chunks and cid not in covered_chunks and cid not in rejected:
            res.fail(f"{chunks_rel}:{lineno}: chunk {cid} has no audit record (and was not rejected)")
    for lineno, row in rows(view.run_dir / red_rel):
        ah = row.get("audit_hash")
        where = f"{red_rel}:{lineno}: redacted chunk {row.get('id')}"
        if not ah:
            res.fail(f"{where} has no audit_hash")
        elif ah not in hashes:
            res.fail(f"{where} cites audit record {str(ah)[:16]}… which is not in the log")
        else:
            rec = by_hash[ah]           # a document record (log v2): the entry of this chunk inside it
            rec = next((x for x in pii.audit_entries(rec) if x.get("chunk_id") == row.get("parent_id")), rec)
            out_sha = rec.get("output_sha256")
            if out_sha and not sha256_text(str(row.get("text", ""))).startswith(out_sha):   # v2 keeps 128 bits
                res.fail(f"{where} text differs from the redaction output its audit record hashed "
                         f"(edited after redaction)")
            if rec.get("chunk_id") and row.get("parent_id") and rec["chunk_id"] != row["parent_id"]:
                res.fail(f"{where} cites the audit record of another chunk ({rec['chunk_id']})")
    from onprem_sft.security.questions import check_questions_audit

    for msg in check_questions_audit(view.run_dir, by_hash, rejected):    # collected questions (questions.path)
        res.fail(msg)
    return res.finish(f"{len(hashes)} audit records, {len(docs)} documents covered"
                      if not res.n_problems else f"{res.n_problems} problem(s)")


# ---- check 4: manifests + lineage ----------------------------------------------------------------

def check_integrity(view: RunView) -> CheckResult:
    res = CheckResult("integrity", "manifests and lineage match the files on disk")
    scrub = (load_scrub_record(view.run_dir) or {}).get("files", {})
    n_files = 0
    for sdir in view.stage_dirs():
        mpath = sdir / MANIFEST
        if not mpath.exists():
            res.warn(f"{sdir.name}/: no manifest.json (stage incomplete); its files are not covered")
            continue
        try:
            files: dict[str, str] = json.loads(mpath.read_text(encoding="utf-8")).get("files", {})
        except json.JSONDecodeError:
            res.fail(f"{sdir.name}/manifest.json: not valid JSON")
            continue
        for relf, digest in sorted(files.items()):
            p = sdir / relf
            rel = f"{sdir.name}/{relf}"
            n_files += 1
            if not p.is_file():
                res.fail(f"{rel}: listed in {sdir.name}/manifest.json but missing on disk")
                continue
            now = sha256_file(p)
            if now == digest:
                continue
            s = scrub.get(rel)
            if s and s.get("before") == digest and s.get("after") == now:
                continue                    # raw text dropped on purpose (redaction.keep_raw=false)
            res.fail(f"{rel}: sha256 differs from {sdir.name}/manifest.json (edited after the stage ran)")
        for p in sorted(sdir.rglob("*")):
            relf = str(p.relative_to(sdir))
            if p.is_file() and p.name != MANIFEST and not p.name.startswith(".") and relf not in files:
                rel = f"{sdir.name}/{relf}"
                out = layout.declared(sdir.name, relf)
                if out is not None and out.added_by:
                    res.warn(f"{rel}: added after the stage by `{out.added_by}` (expected)")
                else:
                    res.fail(f"{rel}: not listed in {sdir.name}/manifest.json (added after the stage ran)")
    n_nodes = _check_lineage(view, res)
    return res.finish(f"{n_files} files, {n_nodes} lineage nodes checked"
                      if not res.n_problems else f"{res.n_problems} problem(s)")


def _check_lineage(view: RunView, res: CheckResult) -> int:
    path = view.run_dir / LINEAGE
    if not path.exists():
        res.warn(f"{LINEAGE} missing: run finished outside the CLI? build it with "
                 f"`onprem-sft verify {view.run_dir} --build-lineage`")
        return 0
    try:
        recorded = {n["ref"]: n for n in load_lineage(view.run_dir)}
    except (LineageError, KeyError, TypeError) as e:
        res.fail(f"{LINEAGE}: unreadable ({e})")
        return 0
    now = {n.ref: n for n in view.cached("lineage_now", lambda: collect(view.run_dir))}
    for ref, node in recorded.items():
        cur = now.get(ref)
        where = f"{node.get('file')}:{node.get('line')}" if node.get("line") else str(node.get("file"))
        if cur is None:
            res.fail(f"{where}: {node.get('kind')} {node.get('id')} is in {LINEAGE} but gone from disk")
        elif cur.sha256 != node.get("sha256"):
            res.fail(f"{cur.file}:{cur.line or ''} {cur.kind} {cur.id}: sha256 differs from {LINEAGE}"
                     if cur.line else f"{cur.file}: {cur.kind} sha256 differs from {LINEAGE}")
        for p in node.get("parents", []):
            if str(p).startswith("?"):
                res.fail(f"{where}: {node.get('kind')} {node.get('id')} cites {str(p)[1:]}, which is not in the run")
    for ref, cur in now.items():
        if ref not in recorded:
            res.fail(f"{cur.file}:{cur.line or ''} {cur.kind} {cur.id}: on disk but not in {LINEAGE}")
        if cur.kind == "invalid":
            res.fail(f"{cur.file}:{cur.line}: not valid JSON")
    # every training row must trace to a document and the audit record that cleaned its chunk
    kinds = {ref: n.get("kind") for ref, n in recorded.items()}
    for ref, node in recorded.items():
        if node.get("kind") != "sft_example":
            continue
        seen, queue = set(), [ref]
        while queue:
            r = queue.pop()
            if r in seen or r not in recorded:
                continue
            seen.add(r)
            queue.extend(recorded[r].get("parents", []))
        got = {kinds.get(r) for r in seen}
        for need in ("document", "audit", "redacted_chunk"):
            if need not in got:
                res.fail(f"{node.get('file')}:{node.get('line')}: SFT row {node.get('id')} does not trace to a {need}")
    key = view.options.lineage_key_file or view.resolved.get("security", {}).get("lineage_key_file")
    if key:
        ok, msg = verify_signature(view.run_dir, key)
        if not ok:
            res.fail(msg)
    elif (view.run_dir / SIGNATURE).exists():
        res.warn(f"{SIGNATURE} present but no key given to check it (--lineage-key-file)")
    return len(recorded)


# ---- check 5: egress ----------------------------------------------------------------------------

def check_egress(view: RunView) -> CheckResult:
    res = CheckResult("egress", "egress guard on, no network access attempted")
    guard = view.run_dir / GUARD_LOG
    starts = list(rows(guard))
    if not starts:
        res.fail(f"{GUARD_LOG} missing: no record that this run had the egress guard on "
                 f"(run through the onprem-sft CLI with security.egress_guard=true)")
    for lineno, row in starts:
        if not (row.get("egress_guard") and row.get("installed")):
            res.fail(f"{GUARD_LOG}:{lineno}: run started {row.get('started', '?')} with the egress guard OFF")
    attempts = list(rows(view.run_dir / EGRESS_LOG))
    for lineno, row in attempts:
        res.fail(f"{EGRESS_LOG}:{lineno}: pid {row.get('pid')} tried to reach {row.get('target')} (refused)")
    # issue 16: say which hosts besides loopback the guard let through (security.allow_hosts)
    allowed = sorted({str(h) for _, row in starts for h in (row.get("allow_hosts") or [])})
    allow = f"allow-list: loopback + {', '.join(allowed)}" if allowed else "allow-list: loopback only"
    return res.finish(f"{len(starts)} guarded start(s), {len(attempts)} egress attempt(s); {allow}")


# ---- runner ------------------------------------------------------------------------------------

def _skip(res: CheckResult, why: str) -> CheckResult:
    res.status, res.summary = SKIP, why
    return res


def run_checks(run_dir: str | Path, options: VerifyOptions | None = None,
               only: list[str] | None = None) -> list[CheckResult]:
    from onprem_sft.security import residue

    view = RunView(run_dir, options)
    if not view.run_dir.is_dir():
        raise FileNotFoundError(f"{view.run_dir} is not a run directory")
    checks: list[tuple[str, Callable[[RunView], CheckResult]]] = [
        ("llm-inputs", leakscan.check_llm_inputs),
        ("outputs-pii", leakscan.check_outputs),
        ("audit-chain", check_audit_chain),
        ("integrity", check_integrity),
        ("egress", check_egress),
        ("raw-zone", leakscan.check_raw_zone),
        ("residue", residue.check_residue),
    ]
    out = []
    for name, fn in checks:
        if only and name not in only:
            continue
        try:
            out.append(fn(view))
        except Exception as e:  # noqa: BLE001 - a crashing check is a failed check, named, not a traceback
            r = CheckResult(name, name)
            r.fail(f"check crashed: {type(e).__name__}: {pii_safe(str(e))}")
            out.append(r.finish("crashed"))
    return out


def pii_safe(msg: str, limit: int = 200) -> str:
    """Error text can quote data (parsers, Presidio); keep only its start, without digits runs."""
    return re.sub(r"\d{4,}", "<digits>", msg)[:limit]


def passed(results: list[CheckResult]) -> bool:
    return all(r.status != FAIL for r in results)
