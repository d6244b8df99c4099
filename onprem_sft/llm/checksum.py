"""Model checksum (lineage: which weights produced each response), cached so a run does not rehash
hundreds of MB. Each file's sha256 is cached by (name, size, mtime_ns); the model checksum is the
sha256 over sorted (name, file sha256) of every top-level file (weights, config, tokenizer, template).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from onprem_sft.artifacts import atomic_write_json, sha256_file, sha256_text

CACHE_NAME = ".onprem_sft_checksum.json"


def _files(model_dir: Path) -> list[Path]:
    return sorted(p for p in model_dir.iterdir() if p.is_file() and not p.name.startswith("."))


def model_checksum(model_dir: str | os.PathLike, cache_dir: str | os.PathLike | None = None) -> str:
    """sha256 of a local HF model dir. The per-file cache lives in the model dir when writable,
    else in ``cache_dir`` (e.g. the run dir); a changed size or mtime rehashes that file."""
    model_dir = Path(model_dir).resolve()
    candidates = [model_dir / CACHE_NAME]
    if cache_dir is not None:
        candidates.append(Path(cache_dir) / f".checksum-{sha256_text(str(model_dir))[:16]}.json")
    cache: dict[str, dict] = {}
    for c in candidates:
        if c.exists():
            try:
                cache = json.loads(c.read_text(encoding="utf-8")).get("files", {})
                break
            except (OSError, ValueError):
                cache = {}
    files: dict[str, dict] = {}
    for p in _files(model_dir):
        st = p.stat()
        prev = cache.get(p.name)
        if prev and prev.get("size") == st.st_size and prev.get("mtime_ns") == st.st_mtime_ns:
            files[p.name] = prev
        else:
            files[p.name] = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha256_file(p)}
    digest = sha256_text(json.dumps(sorted((k, v["sha256"]) for k, v in files.items())))
    if files != cache:
        for c in candidates:
            try:
                atomic_write_json(c, {"model_dir": str(model_dir), "checksum": digest, "files": files})
                break
            except OSError:
                continue
    return digest
