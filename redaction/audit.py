"""Append-only, hash-chained JSONL audit log of redactions, for compliance officers.

Each line is one redacted text (a chunk): input HMAC, output sha256, config hash, versions, counts by type and,
per entity, type/offsets/recognizer/score/operator and an HMAC-SHA256 fingerprint of the normalised value.
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
LOG_VERSION = 1


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
    return {e["fingerprint"] for r in read_log(path) for e in r["entities"]}


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


class AuditLog:
    """Appends records, continuing the chain of an existing file."""

    def __init__(self, path: str | Path, hmac_key: bytes, config_hash: str, review_below: float = 0.6):
        self.path = Path(path)
        self.key = hmac_key
        self.config_hash = config_hash
        self.review_below = review_below
        self.versions = versions()
        self.seq, self.prev = 0, GENESIS
        if self.path.exists() and self.path.stat().st_size:
            problems = verify_chain(self.path)
            if problems:
                raise ValueError(f"audit log {self.path} is broken ({problems[0]}); refusing to append. "
                                 "Keep it for investigation and start a new log")
            last = _last_line(self.path)
            rec = json.loads(last)
            self.seq, self.prev = rec["seq"] + 1, rec["hash"]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._f = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed by close()/__exit__

    def append(self, original: str, result: Any, *, doc_id: str = "", chunk_id: str = "",
               extra: dict[str, Any] | None = None) -> str:
        """Log one redaction (``result`` is a RedactionResult of ``original``); returns the record hash."""
        ents = []
        for sp in result.spans:
            ents.append({"type": sp.entity_type, "start": sp.start, "end": sp.end, "recognizer": sp.recognizer,
                         "score": sp.score, "operator": sp.operator, "placeholder": sp.placeholder,
                         "fingerprint": fingerprint(original[sp.start:sp.end], self.key)})
        rec: dict[str, Any] = {
            "v": LOG_VERSION, "seq": self.seq, "prev_hash": self.prev,
            "ts": datetime.now(UTC).isoformat(timespec="seconds"),
            "doc_id": doc_id, "chunk_id": chunk_id, "language": result.language,
            "input_hmac": hmac_text(original, self.key), "output_sha256": hashlib.sha256(
                result.text.encode("utf-8")).hexdigest(),
            "input_chars": len(original), "output_chars": len(result.text),
            "config_hash": self.config_hash, "key_id": key_id(self.key), "versions": self.versions,
            "review_below": self.review_below, "counts": dict(sorted(result.counts.items())), "entities": ents,
        }
        if extra:
            rec["extra"] = extra
        rec["hash"] = record_hash(rec)
        self._f.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
        self._f.flush()
        os.fsync(self._f.fileno())
        self.seq, self.prev = self.seq + 1, rec["hash"]
        return rec["hash"]

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _last_line(path: Path) -> str:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return lines[-1]


def verify_chain(path: str | Path) -> list[str]:
    """Problems found, one per broken line ('line N: ...'); empty when the chain is intact."""
    p = Path(path)
    if not p.exists():
        return [f"{p}: file not found"]
    problems: list[str] = []
    prev, expect_seq = GENESIS, 0
    with open(p, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                problems.append(f"line {n}: empty line (lines are never blank in an intact log)")
                continue
            try:
                rec = json.loads(line)
                h, seq, ph = rec["hash"], rec["seq"], rec["prev_hash"]
            except (json.JSONDecodeError, KeyError, TypeError):
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
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
