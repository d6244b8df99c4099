"""Raw-zone hygiene: drop raw text after redaction while keeping lineage verifiable by hash.

A stage that has consumed the raw text (redact) returns ``StageResult(drop_raw_inputs=True)`` when
``redaction.keep_raw=false``; the runner then calls ``scrub_raw(run_dir, stage_dir)`` before writing that
stage's manifest. ``scrub_raw`` rewrites every raw-zone output that declares ``raw_fields`` (see
``onprem_sft.layout``) with those fields set to "" (ids, offsets, ``Document.sha256`` kept) and writes the
scrub record (the redact stage's declared ``raw_scrub`` output) with, per rewritten file, its sha256 before
and after, and per record the sha256 of each emptied field. Because the stage's manifest is written after
this, the scrub record is itself covered by a manifest: ``verify`` accepts the raw files' changed hashes
only when they match this record.

A redact stage rerun needs the raw text again: it calls ``is_scrubbed`` and, when true, tells the user to
rerun ingest (``force=[ingest]``) instead of redacting empty text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from onprem_sft import layout
from onprem_sft.artifacts import atomic_write_json, atomic_write_text, iter_jsonl, sha256_file, sha256_text
from onprem_sft.records import RecordError


def raw_fields() -> dict[str, tuple[str, ...]]:
    """Run-dir relative path of each raw output -> the raw text fields emptied in each of its rows."""
    return {f"{s.name}/{o.path}": o.raw_fields for s, o in layout.outputs(layout.Zone.RAW) if o.raw_fields}


def record_path(run_dir: str | Path) -> Path:
    return Path(run_dir) / layout.rel("raw_scrub")


def _scrub_file(path: Path, fields: tuple[str, ...], record: dict[str, Any]) -> None:
    try:
        rows = list(iter_jsonl(path))
    except RecordError as e:
        raise ValueError(f"{e}; cannot scrub raw text (rerun ingest with force=[ingest])") from None
    for row in rows:
        rid = str(row.get("id", ""))
        for fld in fields:
            val = row.get(fld)
            if isinstance(val, str) and val:
                record["field_sha256"].setdefault(rid, {})[fld] = sha256_text(val)
                if fld == fields[0]:        # the main text field (text; question for questions)
                    record["text_sha256"][rid] = sha256_text(val)
                row[fld] = ""
    atomic_write_text(path, "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows))


def scrub_raw(run_dir: str | Path, out_dir: str | Path | None = None) -> dict[str, Any]:
    """Empty the declared raw text fields; returns (and writes) the scrub record."""
    run_dir = Path(run_dir)
    target = Path(out_dir) / Path(layout.rel("raw_scrub")).name if out_dir is not None else record_path(run_dir)
    previous = json.loads(target.read_text(encoding="utf-8")) if target.exists() else None
    record: dict[str, Any] = previous or {"files": {}, "text_sha256": {}, "field_sha256": {}}
    for rel, fields in raw_fields().items():
        path = run_dir / rel
        if not path.exists():
            continue
        before = sha256_file(path)
        _scrub_file(path, fields, record)
        entry = record["files"].get(rel)
        # a second scrub of an already scrubbed file keeps the first "before" (what the ingest manifest holds)
        if entry and entry.get("after") == before:
            before = entry["before"]
        record["files"][rel] = {"before": before, "after": sha256_file(path)}
    record["keep_raw"] = False
    atomic_write_json(target, record)
    return record


def load_scrub_record(run_dir: str | Path) -> dict[str, Any] | None:
    path = record_path(run_dir)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def is_scrubbed(run_dir: str | Path) -> bool:
    """True when the raw files no longer hold raw text (redaction.keep_raw=false ran)."""
    rec = load_scrub_record(run_dir)
    if not rec:
        return False
    for rel, entry in rec.get("files", {}).items():
        path = Path(run_dir) / rel
        if entry.get("after") and path.exists() and sha256_file(path) == entry["after"]:
            return True
    return False
