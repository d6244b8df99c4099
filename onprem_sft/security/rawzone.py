"""Raw-zone hygiene: drop raw text after redaction while keeping lineage verifiable by hash.

Call site (redact stage, ``onprem_sft/redact/stage.py``), after the redacted records and audit log are
written and before returning the StageResult::

    if not cfg.redaction.keep_raw:
        from onprem_sft.security.rawzone import scrub_raw
        scrub_raw(ctx.run_dir, ctx.out.path)

``scrub_raw`` rewrites ``ingest/documents.jsonl`` and ``ingest/records.jsonl`` with the raw text fields
set to "" (ids, offsets, ``Document.sha256`` kept) and writes ``<redact dir>/raw_scrub.json`` with, per
rewritten file, its sha256 before and after, and per record the sha256 of each emptied field. Because
the redact stage's manifest is written after this, ``raw_scrub.json`` is itself covered by a manifest:
``verify`` accepts the ingest files' changed hashes only when they match this record.

A redact stage rerun needs the raw text again: it should call ``is_scrubbed`` and, when true, tell the
user to rerun ingest (``force=[ingest]``) instead of redacting empty text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from onprem_sft.artifacts import atomic_write_json, atomic_write_text, sha256_file, sha256_text

SCRUB_RECORD = "raw_scrub.json"
# file (in the ingest stage dir) -> raw text fields emptied in each of its rows
RAW_FIELDS: dict[str, tuple[str, ...]] = {
    "documents.jsonl": ("text", "title"),
    "records.jsonl": ("text", "clause"),
    "questions.jsonl": ("question", "answer", "hint", "ext_id"),   # collected questions (questions.path)
}


def scrub_raw(run_dir: str | Path, out_dir: str | Path | None = None) -> dict[str, Any]:
    """Empty the raw text fields of the ingest files; returns (and writes) the scrub record."""
    run_dir = Path(run_dir)
    out_dir = Path(out_dir) if out_dir is not None else run_dir / "redact"
    ingest = run_dir / "ingest"
    previous = load_scrub_record(run_dir, out_dir)
    record: dict[str, Any] = previous or {"files": {}, "text_sha256": {}, "field_sha256": {}}
    for name, fields in RAW_FIELDS.items():
        path = ingest / name
        if not path.exists():
            continue
        before = sha256_file(path)
        rows = []
        with open(path, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    raise ValueError(f"{path}:{lineno}: not valid JSON; cannot scrub raw text "
                                     f"(rerun ingest with force=[ingest])") from None
                rid = str(row.get("id", ""))
                for fld in fields:
                    val = row.get(fld)
                    if isinstance(val, str) and val:
                        record["field_sha256"].setdefault(rid, {})[fld] = sha256_text(val)
                        if fld == "text" or (name == "questions.jsonl" and fld == "question"):
                            record["text_sha256"][rid] = sha256_text(val)
                        row[fld] = ""
                rows.append(json.dumps(row, ensure_ascii=False, sort_keys=True))
        atomic_write_text(path, "".join(r + "\n" for r in rows))
        rel = f"ingest/{name}"
        entry = record["files"].get(rel)
        # a second scrub of an already scrubbed file keeps the first "before" (what the ingest manifest holds)
        if entry and entry.get("after") == before:
            before = entry["before"]
        record["files"][rel] = {"before": before, "after": sha256_file(path)}
    record["keep_raw"] = False
    atomic_write_json(out_dir / SCRUB_RECORD, record)
    return record


def load_scrub_record(run_dir: str | Path, out_dir: str | Path | None = None) -> dict[str, Any] | None:
    path = Path(out_dir if out_dir is not None else Path(run_dir) / "redact") / SCRUB_RECORD
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def is_scrubbed(run_dir: str | Path) -> bool:
    """True when the ingest files no longer hold raw text (redaction.keep_raw=false ran)."""
    rec = load_scrub_record(run_dir)
    if not rec:
        return False
    ingest_records = Path(run_dir) / "ingest" / "records.jsonl"
    after = rec.get("files", {}).get("ingest/records.jsonl", {}).get("after")
    return bool(after) and ingest_records.exists() and sha256_file(ingest_records) == after
