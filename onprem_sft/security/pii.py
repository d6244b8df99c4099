"""Bridge from ``verify`` to the ``redaction`` package: re-scan, fingerprints, audit log reading.

The fingerprint of a detected value must equal the one the redactor wrote into the audit log, so it is
taken from ``redaction.audit`` (HMAC-SHA256 with the run's key over ``normalize_value(value)``). The
run's Redactor is rebuilt from the resolved ``redaction`` config the CLI saved at run start.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onprem_sft import layout
from onprem_sft.security.lineage import audit_record_hash, iter_lines

PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*_\d+>")
# Free-text types: a fresh detection of these outside the audit log is a review item, not a failure.
FUZZY_TYPES = frozenset({"PERSON", "ADDRESS", "LOCATION", "DATE_OF_BIRTH", "DATE_TIME", "NRP", "ORGANIZATION",
                         "SENSITIVE_CLAUSE", "KR_VEHICLE_PLATE"})


@dataclass(frozen=True)
class Detection:
    entity_type: str
    start: int
    end: int
    score: float
    fingerprint: str


def is_structured(entity_type: str) -> bool:
    return entity_type not in FUZZY_TYPES


def html_to_text(text: str) -> str:
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
    text = re.sub(r"(?s)<[^>]+>", " ", text)
    return html.unescape(text)


# ---- key + fingerprints ------------------------------------------------------------------------

def key_path(view: Any) -> Path:
    if view.options.key_file:
        return Path(view.options.key_file)
    configured = (view.resolved.get("redaction") or {}).get("hmac_key_file")
    if configured:
        return Path(configured)
    return view.run_dir / layout.rel("hmac_key")   # in the redact stage's folder (also when linked by reuse_from)


def fingerprint(key: bytes, value: str) -> str:
    from redaction import audit

    return audit.fingerprint(value, key)


def _load_key(view: Any) -> bytes | None:
    def make() -> bytes | None:
        p = key_path(view)
        return p.read_bytes() if p.is_file() else None
    return view.cached("hmac_key", make)


def is_our_surrogate(view: Any, entity_type: str, value: str) -> bool:
    """A surrogate this run's redactor wrote (redaction.replace=surrogate): reserved range or keyed tag."""
    key = _load_key(view)
    if key is None:
        return False
    from redaction.surrogates import is_surrogate
    return is_surrogate(entity_type, value, key)


def available(view: Any) -> bool:
    return unavailable_reason(view) == ""


def unavailable_reason(view: Any) -> str:
    def make() -> str:
        try:
            import redaction.audit  # noqa: F401
            from redaction import Redactor  # noqa: F401
        except ImportError as e:
            return f"redaction package not importable ({e.name})"
        if _load_key(view) is None:
            return (f"HMAC key {key_path(view)} not found: pass --key-file with the run's redaction key "
                    f"(fingerprints cannot be compared without it)")
        return ""
    return view.cached("pii_unavailable", make)


# ---- audit log ---------------------------------------------------------------------------------

def _audit_rows(path: Path) -> list[dict[str, Any]]:
    return [obj for _, _, obj in iter_lines(path) if obj is not None]


def audit_entries(row: dict[str, Any]) -> list[dict[str, Any]]:
    """Per-text entries of an audit record: a document record (log v2) nests them in ``chunks`` (with an
    optional ``clause``); a v1 record is one entry itself."""
    from redaction.audit import entries

    return entries(row)


def _entity_fingerprints(row: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(entity_type, fingerprint, entry) of one audit record, whatever nesting the redactor used."""
    out = []
    for x in audit_entries(row) or [row]:
        for key in ("entities", "detections", "spans"):
            for e in x.get(key) or []:
                if isinstance(e, dict) and e.get("fingerprint"):
                    out.append((str(e.get("entity_type", e.get("type", "?"))), str(e["fingerprint"]), x))
    return out


def _origin(row: dict[str, Any], entry: dict[str, Any], questions: dict[str, str]) -> str:
    """Where a removed value came from: a document, or a row of the questions file (``questions.path``)."""
    fld = str((entry.get("extra") or {}).get("field", ""))
    if fld.startswith("question."):
        qid = str(entry.get("chunk_id") or row.get("doc_id", "?"))
        where = questions.get(qid)
        return f"collected question {qid}" + (f" ({where}, {fld})" if where else f" ({fld})")
    return f"document {row.get('doc_id', '?')}"


def question_sources(run_dir: Path) -> dict[str, str]:
    """collected question id -> "questions file <name> row <n>" (file name and row number only, no text)."""
    path = run_dir / layout.rel("collected_question")
    if not path.is_file():
        return {}
    return {str(o["id"]): f"questions file {o.get('source_file') or '?'} row {o.get('row', '?')}"
            for _, _, o in iter_lines(path) if o and o.get("id")}


def audit_fingerprints(path: Path, questions: dict[str, str] | None = None) -> dict[str, str]:
    """fingerprint -> "document <id> (<TYPE>)" (or "collected question <id> (questions file F row N,
    question.question) (<TYPE>)") for every value the redactor removed."""
    out: dict[str, str] = {}
    for row in _audit_rows(path):
        for etype, fp, entry in _entity_fingerprints(row):
            out.setdefault(fp, f"{_origin(row, entry, questions or {})} ({etype})")
    return out


def audit_label(view: Any, fp: str) -> str | None:
    audit = view.run_dir / layout.rel("audit")
    fps = view.cached("audit_fps", lambda: audit_fingerprints(audit, question_sources(view.run_dir))
                      if audit.exists() else {})
    return fps.get(fp)


def audited_doc_ids(path: Path) -> set[str]:
    return {str(r["doc_id"]) for r in _audit_rows(path) if r.get("doc_id")}


def audited_chunk_ids(path: Path) -> set[str]:
    return {str(x["chunk_id"]) for r in _audit_rows(path) for x in audit_entries(r) or [r] if x.get("chunk_id")}


def audit_by_hash(path: Path) -> dict[str, dict[str, Any]]:
    return {h: r for r in _audit_rows(path) if (h := audit_record_hash(r))}


def verify_audit_chain(path: Path) -> list[str]:
    """Problems of the hash chain (empty = intact), from the redactor's own verifier."""
    from redaction import audit

    res = audit.verify_chain(path)
    if isinstance(res, (list, tuple)):
        return [str(x) for x in res] + audit.check_head(path)
    ok = getattr(res, "ok", res)
    if ok is True:
        return []
    errs = getattr(res, "errors", None) or getattr(res, "problems", None)
    return [str(e) for e in errs] if errs else [str(getattr(res, "message", "hash chain broken"))]


# ---- scanner -----------------------------------------------------------------------------------

class Scanner:
    """The run's Redactor used as a detector; yields detections outside placeholders, fingerprinted."""

    def __init__(self, redaction_cfg: dict[str, Any] | None, key: bytes):
        from redaction import Redactor

        cfg = dict(redaction_cfg or {})
        self.redactor = Redactor.from_config(cfg) if cfg else Redactor()
        self.key = key

    def scan(self, text: str) -> list[Detection]:
        if not text or not text.strip():
            return []
        holes = [(m.start(), m.end()) for m in PLACEHOLDER.finditer(text)]
        out = []
        for sp in self.redactor.analyze(text):
            value = text[sp.start:sp.end]
            if not value.strip() or sp.entity_type == "SENSITIVE_CLAUSE":
                continue
            # a detection that is (mostly) a placeholder is the placeholder, not PII
            inside = sum(min(e, sp.end) - max(s, sp.start) for s, e in holes if s < sp.end and e > sp.start)
            if inside and inside >= 0.5 * (sp.end - sp.start):
                continue
            out.append(Detection(sp.entity_type, sp.start, sp.end, float(sp.score), fingerprint(self.key, value)))
        return out


def scanner(view: Any) -> Scanner:
    def make() -> Scanner:
        key = _load_key(view)
        if key is None:
            raise FileNotFoundError(unavailable_reason(view))
        return Scanner(view.resolved.get("redaction"), key)
    return view.cached("scanner", make)


