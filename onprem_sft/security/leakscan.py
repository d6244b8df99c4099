"""The content checks of ``verify``: what reached the LLM, what left in outputs, where raw text went.

All three name the file, line, record id and entity type of a finding, never the value. PII is found
by re-scanning with the run's Redactor and comparing HMAC fingerprints with the audit log (a value the
redactor removed from a document must not turn up again anywhere downstream); raw text is found by
comparing sentences with the raw-only sentences of the redacted chunks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from onprem_sft import layout
from onprem_sft.artifacts import MANIFEST, sha256_text
from onprem_sft.records import ID_SHAPE
from onprem_sft.security import pii
from onprem_sft.security.checks import SKIP, CheckResult, RunView
from onprem_sft.security.lineage import LINEAGE, iter_lines
from onprem_sft.security.rawzone import load_scrub_record, raw_fields

TEXT_SUFFIXES = {".md", ".html", ".htm", ".txt", ".json", ".jsonl", ".csv", ".yaml", ".yml", ".tsv", ".log"}
MAX_SCAN_BYTES = 64 << 20
_SENT = re.compile(r"(?<=[.!?。])\s+|\n+")
MIN_SENT = 12


# ---- shared helpers ----------------------------------------------------------------------------

def _zone_index(view: RunView) -> dict[str, str]:
    def make() -> dict[str, str]:
        idx: dict[str, str] = {}
        for zone in (layout.Zone.RAW, layout.Zone.REDACTED):   # a redacted copy of an id wins
            for s, o in layout.outputs(zone):
                if not o.records or o.kind == "llm_call":
                    continue
                for _, _, obj in _lines(view.run_dir / s.name / o.path):
                    if obj and obj.get("id"):
                        idx[str(obj["id"])] = zone.value
        return idx
    return view.cached("zone_index", make)


def _lines(path: Path) -> Iterator[tuple[int, str, dict[str, Any] | None]]:
    if path.is_file():
        yield from iter_lines(path)


def sentences(text: str) -> set[str]:
    out = set()
    for s in _SENT.split(text or ""):
        s = " ".join(s.split())
        if len(s) >= MIN_SENT:
            out.add(s)
    return out


def _raw_only_sentences(view: RunView) -> dict[str, str]:
    """sentence -> chunk id, for raw sentences that redaction changed or removed (they carry PII or a
    confidential clause). Empty when the raw text is gone (keep_raw=false)."""
    def make() -> dict[str, str]:
        redacted: dict[str, str] = {}
        for _, _, obj in _lines(view.path("redacted_chunk")):
            if obj and obj.get("parent_id"):
                redacted[str(obj["parent_id"])] = str(obj.get("text", ""))
        out: dict[str, str] = {}
        for _, _, obj in _lines(view.path("chunk")):
            if not obj or not obj.get("text") or str(obj.get("id")) not in redacted:
                continue
            red = sentences(redacted[str(obj["id"])])
            for s in sentences(str(obj["text"])) - red:
                out.setdefault(s, str(obj["id"]))
        # collected customer questions (questions.path): raw question text vs its redacted form
        red_q = {str(o["parent_id"]): o for _, _, o in _lines(view.run_dir / layout.rel("redacted_question"))
                 if o and o.get("parent_id")}
        for _, _, obj in _lines(view.run_dir / layout.rel("collected_question")):
            r = red_q.get(str((obj or {}).get("id")))
            if r is None:
                continue
            for f in ("question", "answer", "hint"):
                for s in sentences(str(obj.get(f, ""))) - sentences(str(r.get(f, ""))):
                    out.setdefault(s, str(obj["id"]))
        return out
    return view.cached("raw_only", make)


def _strings(obj: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, string) for every string value in a JSON object."""
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _strings(v, f"{path}[{i}]")


def _file_texts(path: Path, rel: str) -> Iterator[tuple[str, str]]:
    """(location, text) units of a file: one per string field of each JSONL row, else the whole text."""
    if path.stat().st_size > MAX_SCAN_BYTES or path.suffix.lower() not in TEXT_SUFFIXES:
        return
    if path.suffix == ".jsonl":
        for lineno, line, obj in iter_lines(path):
            rid = f" id={obj.get('id')}" if obj and obj.get("id") else ""
            if obj is None:
                yield f"{rel}:{lineno}", line
                continue
            for fld, s in _strings(obj):
                if fld not in ("id", "parent_id", "kind", "sha256") and not fld.endswith("_sha256"):
                    yield f"{rel}:{lineno}{rid} field {fld}", s
        return
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return
    if path.suffix.lower() in (".html", ".htm"):
        text = pii.html_to_text(text)
    yield rel, text


def _scan(view: RunView, where: str, text: str, res: CheckResult, *, structured_fresh: bool,
          fresh: dict[str, int] | None = None) -> int:
    """Re-scan one text; report audited values (and, if asked, fresh structured IDs). Returns findings."""
    found = 0
    text = ID_SHAPE.sub(lambda m: "x" * len(m.group()), text)     # same length: offsets still hold
    for det in pii.scanner(view).scan(text):
        label = pii.audit_label(view, det.fingerprint)
        if label is not None:
            res.fail(f"{where}: {det.entity_type} at chars {det.start}-{det.end} matches a value the redactor "
                     f"removed from {label} (audit fingerprint {det.fingerprint[:12]}…)")
            found += 1
        elif pii.is_our_surrogate(view, det.entity_type, text[det.start:det.end]):
            continue                 # a fake the redactor wrote (redaction.replace=surrogate), not a leak
        elif structured_fresh and pii.is_structured(det.entity_type) and det.score >= view.options.min_structured_score:
            res.fail(f"{where}: fresh {det.entity_type} detection (score {det.score:.2f}) at chars "
                     f"{det.start}-{det.end}, not a placeholder")
            found += 1
        elif fresh is not None:
            fresh[det.entity_type] = fresh.get(det.entity_type, 0) + 1
    return found


# ---- check 1 -----------------------------------------------------------------------------------

def check_llm_inputs(view: RunView) -> CheckResult:
    res = CheckResult("llm-inputs", "LLM requests built only from redacted records, no audited PII")
    zone = _zone_index(view)
    raw_only = _raw_only_sentences(view)
    files = [f for f in (view.run_dir / s.name / o.path for s, o in layout.outputs() if o.kind == "llm_call")
             if f.is_file()]
    if not files:
        res.status, res.summary = SKIP, "no LLM call log in this run"
        return res
    n_calls = 0
    scan = view.options.scan_pii and pii.available(view)
    red_text = view.cached("redacted_text", lambda: {
        str(o["id"]): str(o.get("text", "")) for _, _, o in _lines(view.path("redacted_chunk"))
        if o and o.get("id")})
    for path in files:
        rel = view.rel(path)
        stage = path.parent.name
        for lineno, _line, call in iter_lines(path):
            where = f"{rel}:{lineno}"
            if call is None:
                res.fail(f"{where}: not valid JSON")
                continue
            n_calls += 1
            cid = call.get("id", "?")
            prompt = str(call.get("prompt", ""))
            if call.get("prompt_sha256") and call["prompt_sha256"] != sha256_text(prompt):
                res.fail(f"{where} call {cid}: prompt_sha256 does not match the logged prompt (log edited)")
            sources = [str(s) for s in call.get("source_ids") or []]
            if not sources:
                res.warn(f"{where} call {cid}: no source_ids (cannot prove what the prompt was built from)")
            for sid in sources:
                z = zone.get(sid)
                if z == "raw":
                    res.fail(f"{where} call {cid}: source {sid} is a RAW-zone record (unredacted text sent to an LLM)")
                elif z is None:
                    (res.warn if stage == "evaluate" else res.fail)(
                        f"{where} call {cid}: source {sid} is not a record of this run")
                elif sid in red_text and red_text[sid].strip():
                    probe = " ".join(red_text[sid].split())[:64]
                    if probe and probe not in " ".join(prompt.split()):
                        res.warn(f"{where} call {cid}: text of source {sid} not found in the prompt")
            for s in sentences(prompt) & raw_only.keys():
                res.fail(f"{where} call {cid}: prompt contains raw (unredacted) text of chunk {raw_only[s]}")
            if scan:
                _scan(view, f"{where} call {cid} prompt", prompt, res, structured_fresh=False)
    if view.options.scan_pii and not pii.available(view):
        res.warn(f"PII re-scan skipped: {pii.unavailable_reason(view)}")
    return res.finish(f"{n_calls} calls in {len(files)} file(s)" + (", prompts re-scanned" if scan else ""))


# ---- check 2 -----------------------------------------------------------------------------------

def output_files(view: RunView) -> list[Path]:
    """Generated text that leaves the pipeline or feeds training: every output declared ``scan=True``."""
    out = []
    for s, o in layout.outputs():
        p = view.run_dir / s.name / o.path
        if not o.scan:
            continue
        if o.is_dir:
            out += sorted(q for q in p.rglob("*") if q.is_file() and q.name != MANIFEST) if p.is_dir() else []
        elif p.is_file():
            out.append(p)
    return out


def check_outputs(view: RunView) -> CheckResult:
    res = CheckResult("outputs-pii", "QnA, dataset, eval outputs and report hold no PII beyond placeholders")
    files = output_files(view)
    if not files:
        res.status, res.summary = SKIP, "no dataset/evaluate/report outputs yet"
        return res
    if not (view.options.scan_pii and pii.available(view)):
        res.warn(f"PII re-scan skipped: {pii.unavailable_reason(view) if view.options.scan_pii else '--no-pii-scan'}")
        return res.finish("not scanned")
    seen: set[str] = set()
    fresh: dict[str, int] = {}
    units = 0
    for path in files:
        rel = view.rel(path)
        for where, text in _file_texts(path, rel):
            h = sha256_text(text)
            if h in seen or not text.strip():
                continue            # the same context repeated in many rows: scan once, report the first
            seen.add(h)
            units += 1
            _scan(view, where, text, res, structured_fresh=True, fresh=fresh)
    if fresh:
        res.warn("low-confidence or free-text detections not in the audit log (review): "
                 + ", ".join(f"{k}={v}" for k, v in sorted(fresh.items())))
    return res.finish(f"{len(files)} files, {units} distinct texts re-scanned")


# ---- check 6 -----------------------------------------------------------------------------------

def _unscanned(view: RunView) -> set[Path]:
    """Where raw text may be by design (raw outputs) or that is never read (secrets): not looked in."""
    skip = {view.run_dir / s.name / o.path.rstrip("/") for s, o in layout.outputs(layout.Zone.RAW, layout.Zone.SECRET)}
    return skip | {view.run_dir / "security", view.run_dir / LINEAGE}


def check_raw_zone(view: RunView) -> CheckResult:
    res = CheckResult("raw-zone", "raw text stays in the raw-zone outputs (gone when keep_raw=false)")
    scrub = load_scrub_record(view.run_dir)
    if scrub is not None:
        for rel, fields in raw_fields().items():
            for lineno, _line, obj in _lines(view.run_dir / rel):
                if obj and any(obj.get(f) for f in fields):
                    res.fail(f"{rel}:{lineno} id={obj.get('id')}: raw text still present "
                             f"although redaction.keep_raw=false scrubbed this run")
    raw_only = _raw_only_sentences(view)
    if not raw_only:
        return res.finish("raw text scrubbed; content leaks checked by fingerprints (checks 1, 2)"
                          if scrub is not None else "no redacted raw sentences to look for")
    n_files = 0
    skip = _unscanned(view)
    for top in sorted(view.run_dir.iterdir()):
        if top in skip or top.name.startswith("."):
            continue
        for path in sorted(top.rglob("*")) if top.is_dir() else [top]:   # stage dirs, run.log
            if not path.is_file() or path in skip or any(p in skip for p in path.parents):
                continue
            n_files += 1
            rel = view.rel(path)
            for where, text in _file_texts(path, rel):
                for s in sentences(text) & raw_only.keys():
                    res.fail(f"{where}: contains raw (unredacted) text of chunk {raw_only[s]}")
    return res.finish(f"{len(raw_only)} raw-only sentences looked for in {n_files} files")

