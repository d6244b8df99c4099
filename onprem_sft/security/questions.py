"""Audit-chain checks for collected customer questions (``questions.path``), called by ``check_audit_chain``.

Each collected question in ``ingest/questions.jsonl`` must have an audit record (or a redact reject), and
each ``redact/questions.jsonl`` row must cite an audit record of its own question whose output hash
matches its redacted question text (edited after redaction otherwise).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from onprem_sft.artifacts import sha256_text


def _rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    out = []
    if path.is_file():
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            try:
                obj = json.loads(line) if line.strip() else None
            except json.JSONDecodeError:
                obj = None
            if isinstance(obj, dict):
                out.append((n, obj))
    return out


def check_questions_audit(run_dir: Path, by_hash: dict[str, dict[str, Any]], rejected: set[str]) -> list[str]:
    """Problems (PII-free: ids and line numbers only)."""
    problems: list[str] = []
    audited = {str(r.get("chunk_id")) for r in by_hash.values()
               if str((r.get("extra") or {}).get("field", "")).startswith("question.")}
    for n, row in _rows(run_dir / "ingest" / "questions.jsonl"):
        qid = str(row.get("id"))
        if qid not in audited and qid not in rejected:
            problems.append(f"ingest/questions.jsonl:{n}: collected question {qid} has no audit record "
                            f"(and was not rejected)")
    for n, row in _rows(run_dir / "redact" / "questions.jsonl"):
        ah = row.get("audit_hash")
        rec = by_hash.get(str(ah)) if ah else None
        where = f"redact/questions.jsonl:{n}: redacted question {row.get('id')}"
        if rec is None:
            problems.append(f"{where} cites no audit record in the log")
            continue
        if rec.get("chunk_id") != row.get("parent_id"):
            problems.append(f"{where} cites the audit record of another record ({rec.get('chunk_id')})")
        if rec.get("output_sha256") and rec["output_sha256"] != sha256_text(str(row.get("question", ""))):
            problems.append(f"{where}: question text differs from the redaction output its audit record hashed "
                            f"(edited after redaction)")
    return problems
