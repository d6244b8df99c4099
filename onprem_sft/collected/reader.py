"""Read collected questions (CSV/TSV, XLSX, JSONL) into raw ``CollectedQuestion`` records.

Columns are mapped by ``questions.columns``. A bad row (no question, too long, bad date) goes to
rejects with its file, row number and a reason, never its content. Exact duplicates (same normalised
question text) are merged here, in the raw zone; near duplicates are merged after redaction.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from onprem_sft.curate.dedup import dedup_text
from onprem_sft.ingest.readers import ReadError, decode_text, detect_lang
from onprem_sft.ingest.sheets import csv_rows, xlsx_sheets
from onprem_sft.ingest.stage import list_files
from onprem_sft.records import CollectedQuestion, stable_id

FORMATS = {".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".jsonl": "jsonl"}


class QuestionsError(ValueError):
    """The questions file/folder cannot be used at all (missing, no question column)."""


@dataclass
class ReadOutcome:
    questions: list[CollectedQuestion] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    files: int = 0
    rows: int = 0
    merged: int = 0


def _norm(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    return unicodedata.normalize("NFC", str(v)).replace("\r\n", "\n").strip()


def parse_date(v: str) -> str:
    """ISO 8601 date/time (also 2024.03.05 / 2024/03/05) -> ISO string; raises ValueError otherwise."""
    s = v.strip().replace(".", "-").replace("/", "-").rstrip("-")
    try:
        return date.fromisoformat(s).isoformat()
    except ValueError:
        return datetime.fromisoformat(s).isoformat()


def _table_rows(header: list[str], rows: list[list[str]]) -> Iterator[tuple[int, dict[str, str]]]:
    for n, r in enumerate(rows, 2):                # row 1 is the header
        yield n, {h: (r[i] if i < len(r) else "") for i, h in enumerate(header) if h}


def iter_rows(path: Path, sheet: str = "") -> Iterator[tuple[str, int, dict[str, str]]]:
    """(sheet or "", row number, {column: value}) for each data row of one file."""
    fmt = FORMATS.get(path.suffix.lower())
    data = path.read_bytes()
    if fmt == "xlsx":
        found = False
        for name, rows in xlsx_sheets(data):
            if sheet and name != sheet:
                continue
            found = True
            if rows:
                for n, row in _table_rows([h.strip() for h in rows[0]], rows[1:]):
                    yield name, n, row
        if sheet and not found:
            raise ReadError("no_sheet", f"no sheet named questions.sheet={sheet!r}; check the sheet name")
    elif fmt == "csv":
        rows, _ = csv_rows(data)
        if rows:
            for n, row in _table_rows([h.strip() for h in rows[0]], rows[1:]):
                yield "", n, row
    elif fmt == "jsonl":
        text, _ = decode_text(data)
        for n, line in enumerate(text.lstrip("\ufeff").splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                yield "", n, {"\x00error": "line is not valid JSON"}
                continue
            if not isinstance(obj, dict):
                yield "", n, {"\x00error": "line is not a JSON object"}
                continue
            yield "", n, {str(k): _norm(v) for k, v in obj.items()}
    else:
        raise ReadError("unsupported", f"unsupported questions file type {path.suffix!r}; use {sorted(FORMATS)}")


def read_questions(qc: Any, *, default_lang: str = "auto") -> ReadOutcome:
    """Every file under ``questions.path`` -> CollectedQuestion records + rejects (no content in reasons)."""
    root = Path(str(qc.path)).expanduser().resolve()
    files = list_files(root, list(qc.include), [])
    out = ReadOutcome(files=len(files))
    if not files:
        raise QuestionsError(f"no question files under questions.path={root} matching {list(qc.include)}")
    cols = qc.columns
    seen: dict[str, str] = {}
    for path in files:
        rel = path.relative_to(root).as_posix() if root.is_dir() else path.name
        fid = stable_id("qfile", rel)
        try:
            rows = list(iter_rows(path, str(qc.sheet)))
        except ReadError as e:
            out.rejects.append({"id": fid, "parent_id": None, "path": rel, "reason": e.kind, "detail": str(e)})
            continue
        if rows and not any(cols.question in r for _, _, r in rows if "\x00error" not in r):
            raise QuestionsError(f"{rel}: no column {cols.question!r}; set questions.columns.question to the "
                                 f"name of the question column (columns are named by the header row)")
        for sheet, n, r in rows:
            out.rows += 1
            where = f"{rel}{'#' + sheet if sheet else ''}:{n}"
            rid = stable_id("cq", rel, sheet, n)
            reason = r.get("\x00error") or ""
            q = _norm(r.get(cols.question)) if not reason else ""
            if not reason and not q:
                reason = "empty_question"
            elif len(q) > int(qc.max_chars):
                reason = f"question_too_long (> questions.max_chars={qc.max_chars})"
            when = ""
            if not reason and cols.date and _norm(r.get(cols.date)):
                try:
                    when = parse_date(_norm(r.get(cols.date)))
                except ValueError:
                    reason = f"bad_date (column {cols.date!r} is not an ISO date)"
            if reason:
                out.rejects.append({"id": rid, "parent_id": None, "path": where, "reason": reason})
                continue
            key = dedup_text(q)
            if key in seen:
                out.merged += 1
                out.rejects.append({"id": rid, "parent_id": None, "path": where, "reason": "exact_duplicate",
                                    "kept_id": seen[key]})
                continue
            seen[key] = rid
            lang = qc.lang if qc.lang != "auto" else (default_lang if default_lang in ("ko", "en")
                                                      else detect_lang(q))
            out.questions.append(CollectedQuestion(
                id=rid, parent_id=None, source_file=rel, row=n, ext_id=_norm(r.get(cols.id)) if cols.id else "",
                question=q, answer=_norm(r.get(cols.answer)) if cols.answer else "",
                hint=_norm(r.get(cols.hint)) if cols.hint else "", date=when, lang=lang))
            if qc.max_questions and len(out.questions) >= int(qc.max_questions):
                return out
    return out
