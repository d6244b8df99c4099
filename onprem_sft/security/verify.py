"""`onprem-sft verify`: the checks a security team runs on a finished run.

Each check returns a ``CheckResult`` whose ``problems`` name the offending file and record (ids, line
numbers, entity types, never a PII value). Checks:

1. ``llm-inputs``   every LLM request was built from redacted records only and carries no audited PII
2. ``outputs-pii``  dataset, eval outputs and report hold no PII beyond placeholders
3. ``audit-chain``  the redaction audit log's hash chain is intact and covers every ingested document
4. ``integrity``    stage manifests and lineage hashes match the files on disk (tamper detection)
5. ``egress``       the run had the egress guard on and no network access was attempted
6. ``raw-zone``     raw text stays in ingest/ and redact/ (and is gone when keep_raw=false)

The PII checks (1, 2, 6) live in ``leakscan.py``; this module holds the others and the runner.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onprem_sft.artifacts import MANIFEST, sha256_file, sha256_text
from onprem_sft.security.lineage import (
    LINEAGE,
    SIGNATURE,
    STAGE_ORDER,
    LineageError,
    collect,
    verify_signature,
)

PASS, FAIL, WARN, SKIP = "PASS", "FAIL", "WARN", "SKIP"
GUARD_LOG = "security/guard.jsonl"
EGRESS_LOG = "security/egress.jsonl"
RESOLVED = "security/resolved.json"
MAX_LISTED = 50   # problems kept per check (the count says how many there were)
# Files a tool adds to a finished stage by design (human input); reported, not failed. Lineage covers them.
POST_STAGE_FILES = {"curate/eyecheck_agreement.json": "onprem-sft eyecheck import"}


@dataclass
class CheckResult:
    name: str
    title: str
    status: str = PASS
    summary: str = ""
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    n_problems: int = 0

    def fail(self, msg: str) -> None:
        self.n_problems += 1
        if len(self.problems) < MAX_LISTED:
            self.problems.append(msg)

    def warn(self, msg: str) -> None:
        if len(self.warnings) < MAX_LISTED:
            self.warnings.append(msg)

    def finish(self, summary: str) -> CheckResult:
        self.summary = summary
        if self.n_problems:
            self.status = FAIL
        elif self.warnings and self.status == PASS:
            self.status = WARN
        return self

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class VerifyOptions:
    key_file: str | None = None            # redaction HMAC key (fingerprints); default from the run
    lineage_key_file: str | None = None    # key to check lineage.sig.json
    scan_pii: bool = True                  # the re-scan checks (1, 2, 6 content) need the Redactor
    min_structured_score: float = 0.85     # fresh structured-ID detections at or above this fail check 2


class RunView:
    """Lazy, shared reads of one run dir for the checks."""

    def __init__(self, run_dir: str | Path, options: VerifyOptions | None = None):
        self.run_dir = Path(run_dir)
        self.options = options or VerifyOptions()
        self._cache: dict[str, Any] = {}

    def rel(self, p: Path) -> str:
        return str(p.relative_to(self.run_dir))

    @property
    def resolved(self) -> dict[str, Any]:
        """Resolved config sections recorded by the CLI at run start ({} when absent)."""
        if "resolved" not in self._cache:
            p = self.run_dir / RESOLVED
            self._cache["resolved"] = json.loads(p.read_text(encoding="utf-8")) if p.exists() else {}
        return self._cache["resolved"]

    def stage_dirs(self) -> list[Path]:
        return [self.run_dir / s for s in STAGE_ORDER if (self.run_dir / s).is_dir()]

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]


# ---- check 3: audit chain ------------------------------------------------------------------------

def check_audit_chain(view: RunView) -> CheckResult:
    from onprem_sft.security import pii

    res = CheckResult("audit-chain", "audit log hash chain intact, covers every document")
    audit = view.run_dir / "redact" / "audit.jsonl"
    if not audit.exists():
        if (view.run_dir / "redact").is_dir() or (view.run_dir / "ingest").is_dir():
            res.fail("redact/audit.jsonl missing: no proof of what redaction did")
        return res.finish("no audit log") if res.n_problems else _skip(res, "no redact stage in this run")
    for msg in pii.verify_audit_chain(audit):
        res.fail(f"redact/audit.jsonl: {msg}")
    covered = pii.audited_doc_ids(audit)
    covered_chunks = pii.audited_chunk_ids(audit)
    by_hash = pii.audit_by_hash(audit)
    hashes = set(by_hash)
    docs = _ids_in(view.run_dir / "ingest" / "documents.jsonl")
    for lineno, did in docs:
        if did not in covered:
            res.fail(f"ingest/documents.jsonl:{lineno}: document {did} has no audit record")
    rejected = {i for _, i in _ids_in(view.run_dir / "redact" / "rejects.jsonl")}
    for lineno, cid in _ids_in(view.run_dir / "ingest" / "records.jsonl"):
        if covered_chunks and cid not in covered_chunks and cid not in rejected:
            res.fail(f"ingest/records.jsonl:{lineno}: chunk {cid} has no audit record (and was not rejected)")
    for lineno, row in _rows(view.run_dir / "redact" / "records.jsonl"):
        ah = row.get("audit_hash")
        if not ah:
            res.fail(f"redact/records.jsonl:{lineno}: redacted chunk {row.get('id')} has no audit_hash")
        elif ah not in hashes:
            res.fail(f"redact/records.jsonl:{lineno}: redacted chunk {row.get('id')} cites audit record "
                     f"{str(ah)[:16]}… which is not in the log")
        else:
            rec = by_hash[ah]
            out_sha = rec.get("output_sha256")
            if out_sha and out_sha != sha256_text(str(row.get("text", ""))):
                res.fail(f"redact/records.jsonl:{lineno}: redacted chunk {row.get('id')} text differs from the "
                         f"redaction output its audit record hashed (edited after redaction)")
            if rec.get("chunk_id") and row.get("parent_id") and rec["chunk_id"] != row["parent_id"]:
                res.fail(f"redact/records.jsonl:{lineno}: redacted chunk {row.get('id')} cites the audit record "
                         f"of another chunk ({rec['chunk_id']})")
    return res.finish(f"{len(hashes)} audit records, {len(docs)} documents covered"
                      if not res.n_problems else f"{res.n_problems} problem(s)")


# ---- check 4: manifests + lineage ----------------------------------------------------------------

def check_integrity(view: RunView) -> CheckResult:
    from onprem_sft.security.rawzone import load_scrub_record

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
                if rel in POST_STAGE_FILES:
                    res.warn(f"{rel}: added after the stage by `{POST_STAGE_FILES[rel]}` (expected)")
                else:
                    res.fail(f"{rel}: not listed in {sdir.name}/manifest.json (added after the stage ran)")
    n_nodes = _check_lineage(view, res)
    return res.finish(f"{n_files} files, {n_nodes} lineage nodes checked"
                      if not res.n_problems else f"{res.n_problems} problem(s)")


def _check_lineage(view: RunView, res: CheckResult) -> int:
    from onprem_sft.security.lineage import load_lineage

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
    starts = list(_rows(guard)) if guard.exists() else []
    if not starts:
        res.fail(f"{GUARD_LOG} missing: no record that this run had the egress guard on "
                 f"(run through the onprem-sft CLI with security.egress_guard=true)")
    for lineno, row in starts:
        if not (row.get("egress_guard") and row.get("installed")):
            res.fail(f"{GUARD_LOG}:{lineno}: run started {row.get('started', '?')} with the egress guard OFF")
    attempts = list(_rows(view.run_dir / EGRESS_LOG)) if (view.run_dir / EGRESS_LOG).exists() else []
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


def _rows(path: Path):
    from onprem_sft.security.lineage import iter_lines

    if not path.exists():
        return
    for lineno, _line, obj in iter_lines(path):
        yield lineno, (obj if obj is not None else {"_invalid": True})


def _ids_in(path: Path) -> list[tuple[int, str]]:
    return [(n, str(r.get("id"))) for n, r in _rows(path) if r.get("id")]


def run_checks(run_dir: str | Path, options: VerifyOptions | None = None,
               only: list[str] | None = None) -> list[CheckResult]:
    from onprem_sft.security import leakscan

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
    import re

    return re.sub(r"\d{4,}", "<digits>", msg)[:limit]


def passed(results: list[CheckResult]) -> bool:
    return all(r.status != FAIL for r in results)
