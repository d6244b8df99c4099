"""Append-only, hash-chained JSONL audit log of redactions, for compliance officers.

Each attempt (one run of the redact stage) opens with a ``begin`` record (config hash, key id, versions) and
ends with an ``end`` record; between them one record per document lists its chunks: input HMAC, output sha256
and, per entity, type/offsets/recognizer/score/placeholder and an HMAC-SHA256 fingerprint of the normalised
value (log version 2; version 1 logs, one line per text, are still read).
Raw values never enter the log; the HMAC key lives outside it (``<run_dir>/redact/keys/``, the redact stage's secret zone), so fingerprints cannot be
brute-forced from the log alone, yet a holder of the key can check whether a value (e.g. one found in an LLM
prompt) was redacted. Each line carries the previous line's hash and its own, so an edited, removed or
reordered line breaks the chain at that line.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Self

from redaction.normalize import normalize_value
from redaction.version import __version__

GENESIS = "0" * 64
LOG_VERSION = 2
DIGEST_HEX = 32     # per-text input HMAC / output sha256 kept to 128 bits (log volume; still collision-safe)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_HEX]


def load_or_create_key(path: str | Path) -> bytes:
    """32-byte HMAC key; created with mode 0600 if missing."""
    p = Path(path)
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:       # another process created it first
            return p.read_bytes()
        with os.fdopen(fd, "wb") as f:
            f.write(secrets.token_bytes(32))
    key = p.read_bytes()
    if len(key) < 16:
        raise ValueError(f"HMAC key file {p} holds {len(key)} bytes; need >= 16 (delete it to make a new one)")
    return key


def key_id(key: bytes) -> str:
    """Names the key in the log without revealing it."""
    return hashlib.sha256(b"onprem-sft-key-id" + key).hexdigest()[:16]


def fingerprint(value: str, key: bytes) -> str:
    """HMAC-SHA256 of the normalised value (see ``normalize_value``): what ``verify`` compares against."""
    return hmac.new(key, normalize_value(value).encode("utf-8"), hashlib.sha256).hexdigest()


def scan_fingerprints(text: str, key: bytes, redactor: Any = None) -> list[dict[str, Any]]:
    """Re-scan any text (e.g. an LLM prompt) and fingerprint what looks like PII, for comparison with a log.

    Placeholders such as ``<PERSON_1>`` are not PII and are never reported.
    """
    if redactor is None:
        from redaction.config import RedactionConfig
        from redaction.engine import Redactor
        redactor = Redactor(RedactionConfig(use_name_analyser=False))
    out = []
    for sp in redactor.analyze(text):
        if sp.entity_type == "SENSITIVE_CLAUSE":
            continue
        out.append({"type": sp.entity_type, "start": sp.start, "end": sp.end, "score": sp.score,
                    "fingerprint": fingerprint(text[sp.start:sp.end], key)})
    return out


def logged_fingerprints(path: str | Path) -> set[str]:
    """Every value fingerprint recorded in an audit log."""
    return {e["fingerprint"] for r in read_log(path) for e in record_entities(r)}


def hmac_text(text: str, key: bytes) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def record_hash(rec: dict[str, Any]) -> str:
    body = {k: v for k, v in rec.items() if k != "hash"}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                          .encode("utf-8")).hexdigest()


def versions() -> dict[str, str]:
    out = {"redaction": __version__}
    for name in ("presidio-analyzer", "presidio-anonymizer", "kiwipiepy"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def _entities(original: str, result: Any, key: bytes) -> list[dict[str, Any]]:
    """One entry per distinct detection (same value, type, recognizer, score, placeholder) with its
    ``spans`` [[start, end], ...]: a value repeated in a text is logged once."""
    out: dict[tuple, dict[str, Any]] = {}
    for sp in result.spans:
        fp = fingerprint(original[sp.start:sp.end], key)
        k = (sp.entity_type, sp.recognizer, sp.score, sp.placeholder, fp)
        if k not in out:
            out[k] = {"type": sp.entity_type, "recognizer": sp.recognizer, "score": sp.score,
                      "placeholder": sp.placeholder, "fingerprint": fp, "spans": []}
        out[k]["spans"].append([sp.start, sp.end])
    return list(out.values())


def _expand(e: dict[str, Any], fps: list[str]) -> list[dict[str, Any]]:
    """A logged detection back to one dict per occurrence (start, end, fingerprint), whatever the version."""
    base = {k: v for k, v in e.items() if k not in ("spans", "fp")}
    if isinstance(e.get("fp"), int) and e["fp"] < len(fps):
        base["fingerprint"] = fps[e["fp"]]
    if "spans" not in e:
        return [base]
    return [dict(base, start=a, end=b) for a, b in e["spans"]]


def _torn(path: Path) -> bool:
    with open(path, "rb") as f:
        if f.seek(0, os.SEEK_END) == 0:
            return False
        f.seek(-1, os.SEEK_END)
        return f.read(1) != b"\n"


def _truncate_torn(path: Path) -> int:
    """Cut the file back to its last complete line; bytes removed."""
    data = path.read_bytes()
    keep = data.rfind(b"\n") + 1
    with open(path, "rb+") as f:
        f.truncate(keep)
    return len(data) - keep


class AuditLog:
    """Appends records, continuing the chain of an existing file.

    Log version 2 keeps the volume a fraction of the input: one ``begin`` record per attempt carries what is
    the same for every text (config hash, key id, versions, review threshold), then one record per DOCUMENT
    groups its chunks (input HMAC, output sha256, entities; a clause title is logged once per document), and
    an ``end`` record marks the attempt complete (``audit report`` counts only completed attempts). A torn
    last line (a crash mid-write) is cut off on open, with a ``repaired`` record saying so.
    """

    def __init__(self, path: str | Path, hmac_key: bytes, config_hash: str, review_below: float = 0.6):
        self.path = Path(path)
        self.key = hmac_key
        self.config_hash = config_hash
        self.review_below = review_below
        self.versions = versions()
        self.seq, self.prev = 0, GENESIS
        self.records = self.entity_total = 0
        repaired = 0
        if self.path.exists() and self.path.stat().st_size:
            if _torn(self.path):
                repaired = _truncate_torn(self.path)
            problems = verify_chain(self.path)
            if problems:
                raise ValueError(f"audit log {self.path} is broken ({problems[0]}); refusing to append. "
                                 "Keep it for investigation and start a new log")
            if self.path.stat().st_size:
                rec = json.loads(_last_line(self.path))
                self.seq, self.prev = rec["seq"] + 1, rec["hash"]
        # unique in this log (its chain position) and deterministic: the same input gives the same log bytes
        self.attempt = f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-s{self.seq}"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._f = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()/__exit__
        if repaired:
            self._write({"event": "repaired", "detail": f"cut off a torn last line ({repaired} bytes) left by an "
                                                        "interrupted write"})
        self._write({"event": "begin", "config_hash": config_hash, "key_id": key_id(hmac_key),
                     "versions": self.versions, "review_below": review_below})

    def _write(self, body: dict[str, Any]) -> str:
        rec: dict[str, Any] = {"v": LOG_VERSION, "seq": self.seq, "prev_hash": self.prev, "attempt": self.attempt,
                               "ts": datetime.now(UTC).isoformat(timespec="seconds"), **body}
        rec["hash"] = record_hash(rec)
        self._f.write(json.dumps(rec, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n")
        self._f.flush()
        os.fsync(self._f.fileno())
        self.seq, self.prev = self.seq + 1, rec["hash"]
        return rec["hash"]

    def chunk_entry(self, chunk_id: str, original: str, result: Any, *, clause: str = "",
                    clause_result: Any = None) -> dict[str, Any]:
        """What one chunk contributes to its document's record (no raw text: HMAC, sha256, fingerprints)."""
        e: dict[str, Any] = {"chunk_id": chunk_id, "input_hmac": hmac_text(original, self.key)[:DIGEST_HEX],
                             "output_sha256": _sha(result.text), "input_chars": len(original),
                             "entities": _entities(original, result, self.key)}
        if clause and clause_result is not None:
            e["clause"] = {"input_hmac": hmac_text(clause, self.key)[:DIGEST_HEX],
                           "output_sha256": _sha(clause_result.text),
                           "entities": _entities(clause, clause_result, self.key)}
        return e

    def append_document(self, doc_id: str, entries: list[dict[str, Any]], language: str = "") -> str:
        """One record for a document's chunks (``chunk_entry`` each); returns the record hash.

        Volume: a clause title is logged once per document and only when something in it was redacted, and
        each distinct value fingerprint once per document (entities point at it by index ``fp``)."""
        seen: set[str] = set()
        counts: dict[str, int] = {}
        fps: list[str] = []
        index: dict[str, int] = {}
        for e in entries:
            c = e.get("clause")
            if c is not None and (not c["entities"] or c["input_hmac"] in seen):
                del e["clause"]
                c = None
            elif c is not None:
                seen.add(c["input_hmac"])
            for ent in e["entities"] + (c["entities"] if c else []):
                counts[ent["type"]] = counts.get(ent["type"], 0) + len(ent["spans"])
                fp = ent.pop("fingerprint")
                ent["fp"] = index.setdefault(fp, len(fps))
                if ent["fp"] == len(fps):
                    fps.append(fp)
        self.records += 1
        self.entity_total += sum(counts.values())
        return self._write({"doc_id": doc_id, "language": language, "counts": dict(sorted(counts.items())),
                            "fingerprints": fps, "chunks": entries})

    def append(self, original: str, result: Any, *, doc_id: str = "", chunk_id: str = "",
               extra: dict[str, Any] | None = None) -> str:
        """Log one redacted text as its own record (tools, tests); the pipeline groups per document."""
        entry = self.chunk_entry(chunk_id, original, result)
        if extra:
            entry["extra"] = extra
        return self.append_document(doc_id, [entry], result.language)

    def complete(self) -> str:
        """Mark this attempt complete; returns the chain head (what the stage manifest records)."""
        return self._write({"event": "end", "n_records": self.records, "n_entities": self.entity_total})

    @property
    def head(self) -> dict[str, Any]:
        return {"seq": self.seq - 1, "hash": self.prev}

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def entries(rec: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-text entries of a record: v2 document records hold them in ``chunks``; v1 lines are one."""
    if isinstance(rec.get("chunks"), list):
        fps = rec.get("fingerprints") or []

        def full(x: dict[str, Any]) -> dict[str, Any]:       # one entity per occurrence, fingerprint restored
            return dict(x, entities=[d for e in x.get("entities") or [] for d in _expand(e, fps)])

        out = []
        for c in rec["chunks"]:
            out.append(full(c))
            if isinstance(c.get("clause"), dict) and "entities" in c["clause"]:
                out.append(full(c["clause"]))
        return out
    return [rec] if isinstance(rec.get("entities"), list) else []


def record_entities(rec: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for x in entries(rec) for e in x.get("entities", [])]


def _last_line(path: Path) -> str:
    with open(path, "rb") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(max(0, size - (1 << 20)))
        tail = f.read().decode("utf-8", "replace")
    lines = [ln for ln in tail.splitlines() if ln.strip()]
    return lines[-1]


def check_head(path: str | Path) -> list[str]:
    """Problems when the stage manifest next to the log records a chain head the log does not end with
    (records appended after the stage ran, or a recomputed chain). Empty when there is no such manifest."""
    p = Path(path)
    mpath = p.parent / "manifest.json"
    try:
        head = json.loads(mpath.read_text(encoding="utf-8")).get("extra", {}).get("audit_head")
    except (OSError, ValueError):
        return []
    if not isinstance(head, dict) or not p.exists() or not p.stat().st_size:
        return []
    try:
        last = json.loads(_last_line(p))
    except (ValueError, IndexError):
        return [f"last line is not a valid audit record; {mpath.name} records head seq {head.get('seq')}"]
    if last.get("seq") != head.get("seq") or last.get("hash") != head.get("hash"):
        return [(f"chain head (seq {last.get('seq')}, hash {str(last.get('hash'))[:12]}…) does not match the head "
                 f"{mpath.name} recorded (seq {head.get('seq')}, hash {str(head.get('hash'))[:12]}…): records were "
                 "appended or the chain recomputed after the redact stage ran")]
    return []


def verify_chain(path: str | Path) -> list[str]:
    """Problems found, one per broken line ('line N: ...'); empty when the chain is intact."""
    p = Path(path)
    if not p.exists():
        return [f"{p}: file not found"]
    problems: list[str] = []
    prev, expect_seq = GENESIS, 0
    with open(p, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                problems.append(f"line {n}: empty line (lines are never blank in an intact log)")
                continue
            try:
                rec = json.loads(line)
                h, seq, ph = rec["hash"], rec["seq"], rec["prev_hash"]
            except (json.JSONDecodeError, KeyError, TypeError):
                if not line.endswith("\n"):
                    problems.append(f"line {n}: cut off (an interrupted write); the next redact run truncates "
                                    "the log to its last complete record and logs that")
                else:
                    problems.append(f"line {n}: not a valid audit record (edited or truncated)")
                prev, expect_seq = "?", expect_seq + 1
                continue
            if record_hash(rec) != h:
                problems.append(f"line {n}: content does not match its hash (record edited)")
            if ph != prev and prev != "?":
                problems.append(f"line {n}: prev_hash does not match line {n - 1} "
                                f"(a line was removed, inserted or reordered before it)")
            if seq != expect_seq:
                problems.append(f"line {n}: sequence number {seq}, expected {expect_seq} "
                                f"(lines removed or reordered)")
            prev, expect_seq = h, seq + 1
    return problems


def read_log(path: str | Path) -> list[dict[str, Any]]:
    """Every record; a torn last line (an interrupted write) is left out."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                if line.endswith("\n"):
                    raise
    return out
