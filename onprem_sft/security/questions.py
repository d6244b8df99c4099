"""Audit-chain checks for collected customer questions (``questions.path``), called by ``check_audit_chain``.

Each collected question in ``ingest/collected_questions.jsonl`` must have an audit record (or a redact reject), and
each ``redact/redacted_questions.jsonl`` row must cite an audit record of its own question whose output hash
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
    from onprem_sft import layout
    from onprem_sft.security.pii import audit_entries

    def question_entries(rec: dict[str, Any]) -> list[dict[str, Any]]:
        return [x for x in audit_entries(rec)
                if str((x.get("extra") or {}).get("field", "")).startswith("question.")]

    audited = {str(x.get("chunk_id")) for r in by_hash.values() for x in question_entries(r)}
    raw_rel, red_rel = layout.rel("collected_question"), layout.rel("redacted_question")
    for n, row in _rows(run_dir / raw_rel):
        qid = str(row.get("id"))
        if qid not in audited and qid not in rejected:
            problems.append(f"{raw_rel}:{n}: collected question {qid} has no audit record "
                            f"(and was not rejected)")
    for n, row in _rows(run_dir / red_rel):
        ah = row.get("audit_hash")
        doc = by_hash.get(str(ah)) if ah else None
        where = f"{red_rel}:{n}: redacted question {row.get('id')}"
        if doc is None:
            problems.append(f"{where} cites no audit record in the log")
            continue
        own = [x for x in question_entries(doc) if x.get("chunk_id") == row.get("parent_id")]
        rec = next((x for x in own if (x.get("extra") or {}).get("field") == "question.question"),
                   own[0] if own else question_entries(doc)[0] if question_entries(doc) else doc)
        if rec.get("chunk_id") != row.get("parent_id"):
            problems.append(f"{where} cites the audit record of another record ({rec.get('chunk_id')})")
        if rec.get("output_sha256") and not sha256_text(str(row.get("question", ""))).startswith(rec["output_sha256"]):
            problems.append(f"{where}: question text differs from the redaction output its audit record hashed "
                            f"(edited after redaction)")
    return problems
