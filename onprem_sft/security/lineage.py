"""Run lineage: every artifact of a run with its sha256 and its parents, optionally signed.

``<run_dir>/lineage.jsonl`` holds one node per line: raw documents, chunks, redaction audit records,
redacted chunks, every LLM call, questions, QnA pairs, judgements, SFT rows, evaluation outputs, files
and the adapter. A node's ``sha256`` is the hash of its exact JSONL line (so a one-character edit is
caught) or of the file / directory tree; ``parents`` are node refs. ``trace`` walks them back from any
training row to its source document and the audit record that cleaned its chunk. The file can be signed
(HMAC-SHA256, or Ed25519 when the key file is an Ed25519 PEM private key) into ``lineage.sig.json``.

Which files are parsed record by record, which folders are model trees and which files are secret (never
in lineage) comes from the stages' declared outputs (``onprem_sft.layout``). Raw chunk text is never copied here: documents and chunks carry only ``text_sha256`` (taken from the
raw-scrub record when ``redaction.keep_raw=false`` emptied the ingest files), so lineage stays
verifiable by hash after the raw text is gone.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from onprem_sft import layout
from onprem_sft.artifacts import (
    MANIFEST,
    atomic_write_json,
    atomic_write_text,
    sha256_file,
    sha256_text,
    sha256_tree,
)

LINEAGE = "lineage.jsonl"
SIGNATURE = "lineage.sig.json"
STAGE_ORDER = layout.STAGES
# Fields naming the records a row was built from (besides parent_id), by record kind.
PARENT_FIELDS: dict[str, tuple[str, ...]] = {
    "chunk": ("doc_id",),
    "redacted_chunk": (),
    "collected_question": (),
    "redacted_question": (),
    "question": ("request_id",),
    "qa_pair": ("context_chunk_id", "request_ids"),
    "judgement": ("request_id",),
    "llm_call": ("source_ids",),
    "sft_example": (),
    "eval_result": (),
}
GENERIC_PARENT_FIELDS = ("example_id", "sft_id", "request_id", "request_ids", "source_ids")
TEXT_FIELDS = {"document": "text", "chunk": "text", "collected_question": "question"}


class LineageError(RuntimeError):
    pass


@dataclass
class Node:
    ref: str                          # unique key: "<file>#<id>" for records, the path for files
    id: str
    kind: str
    file: str
    sha256: str
    line: int = 0
    parents: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = {"ref": self.ref, "id": self.id, "kind": self.kind, "file": self.file, "line": self.line,
             "sha256": self.sha256, "parents": self.parents}
        if self.extra:
            d["extra"] = self.extra
        return d


def line_sha256(line: str) -> str:
    """Hash of one JSONL line without its newline: what lineage and verify compare."""
    return sha256_text(line.rstrip("\r\n"))


def iter_lines(path: Path) -> Iterator[tuple[int, str, dict[str, Any] | None]]:
    """(line number, line text, parsed object or None when not JSON) for each non-empty line."""
    with open(path, "rb") as f:                 # a line cut inside a multi-byte character is reported, not fatal
        for lineno, raw in enumerate(f, 1):
            line = raw.decode("utf-8", errors="replace")
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                obj = None
            yield lineno, line.rstrip("\r\n"), obj if isinstance(obj, dict) else None


def audit_record_hash(obj: dict[str, Any]) -> str | None:
    """The chain hash an audit-log line carries (name agreed with redaction.audit: ``hash``)."""
    for key in ("hash", "record_hash", "entry_hash"):
        if isinstance(obj.get(key), str):
            return obj[key]
    return None


def _ids(value: Any) -> list[str]:
    if isinstance(value, str) and value:
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str) and v]
    return []


def _raw_scrub_hashes(run_dir: Path) -> dict[str, str]:  # raw text hashes kept by the raw-zone scrub
    from onprem_sft.security.rawzone import load_scrub_record

    rec = load_scrub_record(run_dir)
    return dict(rec.get("text_sha256", {})) if rec else {}


def _record_nodes(run_dir: Path, stage: str, output: layout.Output,
                  scrubbed: dict[str, str]) -> list[tuple[Node, list[str]]]:
    name = output.path
    path = run_dir / stage / name
    rel = f"{stage}/{name}"
    out: list[tuple[Node, list[str]]] = []
    seen: dict[str, int] = {}
    for lineno, line, obj in iter_lines(path):
        if obj is None:
            node = Node(ref=f"{rel}:{lineno}", id="", kind="invalid", file=rel, sha256=line_sha256(line),
                        line=lineno)
            out.append((node, []))
            continue
        if output.kind == "audit":
            rid = audit_record_hash(obj) or f"line{lineno}"
            kind = "audit"
            wanted = _ids(obj.get("chunk_id")) or _ids(obj.get("doc_id"))
        else:
            rid = str(obj.get("id", f"line{lineno}"))
            kind = str(obj.get("kind") or output.kind)
            wanted = _ids(obj.get("parent_id"))
            for fname in PARENT_FIELDS.get(kind, GENERIC_PARENT_FIELDS):
                wanted += _ids(obj.get(fname))
            if kind == "eval_result":     # base/tuned answers each name the LLM call that produced them
                wanted += [str(obj[s]["request_id"]) for s in ("base", "tuned")
                           if isinstance(obj.get(s), dict) and obj[s].get("request_id")]
            if kind in ("redacted_chunk", "redacted_question") and obj.get("audit_hash"):
                wanted.append("audit:" + str(obj["audit_hash"]))
        n = seen[rid] = seen.get(rid, 0) + 1
        ref = f"{rel}#{rid}" + (f"~{n}" if n > 1 else "")
        extra: dict[str, Any] = {}
        if kind in TEXT_FIELDS:
            text = obj.get(TEXT_FIELDS[kind]) or ""
            extra["text_sha256"] = sha256_text(text) if text else scrubbed.get(rid, sha256_text(""))
            if kind == "document" and obj.get("sha256"):
                extra["source_sha256"] = obj["sha256"]
        elif kind in ("redacted_chunk", "redacted_question"):
            extra.update(raw_sha256=obj.get("raw_sha256", ""), audit_hash=obj.get("audit_hash", ""))
        elif kind == "llm_call":
            extra["prompt_sha256"] = obj.get("prompt_sha256", "")
        elif kind == "sft_example":
            extra["split"] = obj.get("split", "")
        node = Node(ref=ref, id=("audit:" + rid) if kind == "audit" else rid, kind=kind, file=rel,
                    sha256=line_sha256(line), line=lineno, extra=extra)
        out.append((node, list(dict.fromkeys(w for w in wanted if w != node.id))))
    return out


def _input_records(run_dir: Path, spec: layout.StageSpec) -> list[str]:
    """The record files of a stage's declared inputs (what a model tree was trained from)."""
    return [f"{up}/{o.path}" for up in spec.inputs for o in layout.spec(up).outputs
            if o.records and (run_dir / up / o.path).is_file()]


def collect(run_dir: str | Path) -> list[Node]:
    """Scan a run dir into lineage nodes (no writing). Parents resolve to the nearest earlier node with
    that id; a record whose id also appears in an earlier file (a curated copy of a QnA) gets that
    earlier node as a parent too."""
    run_dir = Path(run_dir)
    scrubbed = _raw_scrub_hashes(run_dir)
    pending: list[tuple[Node, list[str]]] = []
    for spec in layout.specs():
        stage = spec.name
        sdir = run_dir / stage
        if not sdir.is_dir():
            continue
        parsed = [o for o in spec.outputs if o.records and (sdir / o.path).is_file()]
        record_files = [f"{stage}/{o.path}" for o in parsed]
        for o in parsed:
            pending.extend(_record_nodes(run_dir, stage, o, scrubbed))
        # every other file but secrets and model trees (those are one node each, below)
        for p in sorted(sdir.rglob("*")):
            rel = str(p.relative_to(run_dir))
            if not p.is_file() or p.name.startswith(".") or rel in record_files:
                continue
            out = layout.declared(stage, str(p.relative_to(sdir)))
            if out is not None and (out.tree or out.zone is layout.Zone.SECRET):
                continue
            file_parents = list(record_files) if p.name != MANIFEST else []
            pending.append((Node(ref=rel, id=rel, kind="file", file=rel, sha256=sha256_file(p)), file_parents))
        for o in spec.outputs:
            tdir = sdir / o.path
            if o.tree and tdir.is_dir():
                rel = f"{stage}/{o.path.rstrip('/')}"
                pending.append((Node(ref=rel, id=rel, kind=o.kind, file=rel, sha256=sha256_tree(tdir)),
                                _input_records(run_dir, spec)[:1]))
        for rel in record_files:  # the parsed files as file nodes too (whole-file hash)
            pending.append((Node(ref=rel, id=rel, kind="file", file=rel, sha256=sha256_file(run_dir / rel)), []))

    by_id: dict[str, list[int]] = {}
    for i, (node, _) in enumerate(pending):
        by_id.setdefault(node.id, []).append(i)
        if node.ref != node.id:
            by_id.setdefault(node.ref, []).append(i)

    def resolve(i: int, want: str) -> str:
        cands = [j for j in by_id.get(want, []) if j != i]
        if not cands:
            return "?" + want          # dangling: verify reports it
        before = [j for j in cands if j < i]
        return pending[before[-1] if before else cands[0]][0].ref

    nodes = []
    for i, (node, wanted) in enumerate(pending):
        parents = [resolve(i, w) for w in wanted]
        copies = [j for j in by_id.get(node.id, []) if j < i and pending[j][0].file != node.file
                  and pending[j][0].kind == node.kind and node.kind not in ("file", "invalid")]
        if copies:
            parents.insert(0, pending[copies[-1]][0].ref)
        node.parents = list(dict.fromkeys(parents))
        nodes.append(node)
    return nodes


def build_lineage(run_dir: str | Path, key_file: str | Path | None = None) -> Path:
    """Write ``<run_dir>/lineage.jsonl`` (and ``lineage.sig.json`` when a key file is given)."""
    run_dir = Path(run_dir)
    nodes = collect(run_dir)
    header = {"kind": "lineage_header", "schema": 1, "nodes": len(nodes),
              "created": datetime.now(UTC).isoformat(timespec="seconds")}
    lines = [json.dumps(header, sort_keys=True)] + [json.dumps(n.to_dict(), ensure_ascii=False, sort_keys=True)
                                                     for n in nodes]
    path = run_dir / LINEAGE
    atomic_write_text(path, "\n".join(lines) + "\n")
    sig = run_dir / SIGNATURE
    if key_file:
        atomic_write_json(sig, sign_file(path, key_file))
    else:
        sig.unlink(missing_ok=True)
    return path


def load_lineage(run_dir: str | Path) -> list[dict[str, Any]]:
    path = Path(run_dir) / LINEAGE
    if not path.exists():
        raise LineageError(f"{path} not found: finish a run with the CLI or call build_lineage(run_dir)")
    return [obj for _, _, obj in iter_lines(path) if obj and obj.get("kind") != "lineage_header"]


def trace(run_dir: str | Path, record_id: str) -> list[dict[str, Any]]:
    """Ancestors of a record (by id or ref), nearest first, ending at its source document(s).

    Uses the lineage file when present, else scans the run. Raises LineageError for an unknown id.
    """
    run_dir = Path(run_dir)
    nodes = load_lineage(run_dir) if (run_dir / LINEAGE).exists() else [n.to_dict() for n in collect(run_dir)]
    by_ref = {n["ref"]: n for n in nodes}
    starts = [n for n in nodes if n["ref"] == record_id] or [n for n in nodes if n["id"] == record_id]
    if not starts:
        raise LineageError(f"record {record_id!r} is not in the lineage of {run_dir}")
    start = starts[-1]                  # the latest copy (e.g. the curated QnA rather than the generated one)
    out, seen, queue = [], {start["ref"]}, [start["ref"]]
    while queue:
        ref = queue.pop(0)
        node = by_ref.get(ref, {"ref": ref, "id": ref.lstrip("?"), "kind": "missing", "parents": []})
        out.append(node)
        for p in node.get("parents", []):
            if p not in seen:
                seen.add(p)
                queue.append(p)
    return out


# ---- signing -------------------------------------------------------------------------------------

def _load_key(key_file: str | Path) -> tuple[str, Any]:
    data = Path(key_file).read_bytes()
    if data.lstrip().startswith(b"-----BEGIN"):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
        from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

        if b"PUBLIC KEY" in data:
            key: Any = load_pem_public_key(data)
            if not isinstance(key, Ed25519PublicKey):
                raise LineageError(f"{key_file}: only Ed25519 public keys are supported")
            return "ed25519-public", key
        key = load_pem_private_key(data, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise LineageError(f"{key_file}: only Ed25519 private keys are supported (or a raw HMAC key)")
        return "ed25519", key
    if len(data.strip()) < 16:
        raise LineageError(f"{key_file}: HMAC key is shorter than 16 bytes; write at least 32 random bytes")
    return "hmac-sha256", data.strip()


def sign_file(path: str | Path, key_file: str | Path) -> dict[str, Any]:
    digest = sha256_file(path)
    alg, key = _load_key(key_file)
    if alg == "hmac-sha256":
        return {"alg": alg, "file": Path(path).name, "sha256": digest,
                "signature": hmac.new(key, digest.encode(), hashlib.sha256).hexdigest()}
    if alg == "ed25519":
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
        return {"alg": alg, "file": Path(path).name, "sha256": digest,
                "signature": key.sign(digest.encode()).hex(), "public_key": pub}
    raise LineageError(f"{key_file}: a public key cannot sign; give the private key")


def verify_signature(run_dir: str | Path, key_file: str | Path) -> tuple[bool, str]:
    """(ok, message). The key is an HMAC key, or an Ed25519 private/public PEM (the public key pinned
    by the auditor, never the one stored in the signature file)."""
    run_dir = Path(run_dir)
    sig_path, path = run_dir / SIGNATURE, run_dir / LINEAGE
    if not sig_path.exists():
        return False, f"{sig_path.name} missing: the lineage is not signed"
    sig = json.loads(sig_path.read_text(encoding="utf-8"))
    digest = sha256_file(path)
    if digest != sig.get("sha256"):
        return False, f"{LINEAGE} sha256 differs from the signed digest in {SIGNATURE} (file edited after signing)"
    alg, key = _load_key(key_file)
    if alg == "hmac-sha256":
        good = hmac.compare_digest(hmac.new(key, digest.encode(), hashlib.sha256).hexdigest(),
                                   str(sig.get("signature", "")))
    else:
        from cryptography.exceptions import InvalidSignature

        pub = key if alg == "ed25519-public" else key.public_key()
        try:
            pub.verify(bytes.fromhex(str(sig.get("signature", ""))), digest.encode())
            good = True
        except (InvalidSignature, ValueError):
            good = False
    return (True, f"signature ok ({alg})") if good else (False, f"{SIGNATURE}: signature does not verify ({alg})")
