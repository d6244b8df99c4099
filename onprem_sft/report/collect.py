"""Gather what the report shows from a run dir: redacted-zone files and manifests only.

The report never opens raw-zone files (``ingest/records.jsonl``, ``ingest/documents.jsonl``, ingest
rejects, which may name source files): ``READ`` lists every file it may read, and ``_open`` refuses
anything else. Missing files mean the stage was not run: that section says so instead of failing.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from onprem_sft.artifacts import MANIFEST, iter_jsonl
from onprem_sft.config import STAGES

# (stage, file) pairs the report may read. Nothing from the raw zone (ingest records/documents/rejects).
READ = {
    *((s, MANIFEST) for s in STAGES),
    *((s, "rejects.jsonl") for s in STAGES if s != "ingest"),
    ("redact", "records.jsonl"),             # entity_counts only
    ("curate", "judgements.jsonl"), ("curate", "records.jsonl"), ("curate", "eyecheck_agreement.json"),
    ("train", "train_log.jsonl"),
    ("evaluate", "records.jsonl"), ("evaluate", "metrics.json"),
}
RAW_ZONE = {("ingest", "records.jsonl"), ("ingest", "documents.jsonl"), ("ingest", "rejects.jsonl")}


class RawZoneError(PermissionError):
    """The report tried to read a file outside its redacted-zone allow-list."""


def _path(run_dir: Path, stage: str, name: str) -> Path:
    if (stage, name) in RAW_ZONE or (stage, name) not in READ:
        raise RawZoneError(f"report may not read {stage}/{name}: only redacted-zone files and manifests")
    return run_dir / stage / name


def _jsonl(run_dir: Path, stage: str, name: str) -> Iterator[dict[str, Any]]:
    p = _path(run_dir, stage, name)
    return iter_jsonl(p) if p.exists() else iter(())


def read_json(run_dir: Path, stage: str, name: str) -> Any:
    """An allow-listed JSON file of the run, or None when the stage has not written it."""
    p = _path(run_dir, stage, name)
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None



def reason_key(reason: str) -> str:
    """Group rejects by kind of reason: the text before the first ':' or '(' with numbers as N,
    so per-record details (ids, counts, file names) neither split groups nor reach the report."""
    head = re.split(r"[:(]", str(reason), maxsplit=1)[0].strip()
    return re.sub(r"\d+", "N", head)[:80] or "unspecified"


def stages(run_dir: Path) -> list[dict[str, Any]]:
    out = []
    for s in STAGES:
        m = read_json(run_dir, s, MANIFEST)
        if m is None:
            out.append({"stage": s, "done": False})
            continue
        extra = m.get("extra") or {}
        out.append({"stage": s, "done": True, "counts": {k: v for k, v in (m.get("counts") or {}).items()
                                                           if isinstance(v, (int, float))},
                    "seconds": extra.get("seconds"), "created": m.get("created", ""),
                    "model": (m.get("model") or {}).get("path") if isinstance(m.get("model"), dict) else None})
    return out


def rejects(run_dir: Path) -> dict[str, dict[str, int]]:
    """Per stage: reason kind -> count. Ingest's count comes from its manifest (its rejects name files)."""
    out: dict[str, dict[str, int]] = {}
    for s in STAGES:
        if s == "ingest":
            m = read_json(run_dir, s, MANIFEST) or {}
            n = sum(v for k, v in (m.get("counts") or {}).items() if "reject" in k and isinstance(v, int))
            if n:
                out[s] = {"rejected (see ingest/rejects.jsonl)": n}
            continue
        c = Counter(reason_key(r.get("reason", "")) for r in _jsonl(run_dir, s, "rejects.jsonl"))
        if c:
            out[s] = dict(c.most_common())
    return out


def redaction_counts(run_dir: Path) -> dict[str, int]:
    c: Counter[str] = Counter()
    for r in _jsonl(run_dir, "redact", "records.jsonl"):
        for k, v in (r.get("entity_counts") or {}).items():
            c[str(k)] += int(v)
    return dict(c.most_common())


def sources(run_dir: Path) -> dict[str, Any]:
    """Collected vs generated rows per split and what the eval split holds (dataset manifest)."""
    m = read_json(run_dir, "dataset", MANIFEST) or {}
    counts = m.get("counts") or {}
    rows = {k: v for k, v in counts.items() if k.split("_", 1)[0] in ("train", "eval")
            and k.endswith(("_collected", "_generated")) and isinstance(v, int)}
    return {"rows": rows, "eval_source": (m.get("extra") or {}).get("eval_source", "all"),
            "mix": (m.get("extra") or {}).get("mix")} if rows else {}


def judge_scores(run_dir: Path) -> list[float]:
    return [float(j["overall"]) for j in _jsonl(run_dir, "curate", "judgements.jsonl")
            if isinstance(j.get("overall"), (int, float))]


def train_log(run_dir: Path) -> list[dict[str, Any]]:
    return [r for r in _jsonl(run_dir, "train", "train_log.jsonl") if r.get("step") is not None]


def sample_qna(run_dir: Path, k: int) -> list[dict[str, Any]]:
    """First k kept pairs of each kind (answerable, then unanswerable): question, answer, clause-free."""
    rows = list(_jsonl(run_dir, "curate", "records.jsonl"))
    ans = [r for r in rows if r.get("answerable", True)][:k]
    un = [r for r in rows if not r.get("answerable", True)][: max(1, k // 2)]
    return [{"question": r.get("question", ""), "answer": r.get("answer", ""), "answerable": r.get("answerable", True),
             "qtype": r.get("qtype", ""), "lang": r.get("lang", "")} for r in ans + un]


def collect(run_dir: str | Path, k: int = 5) -> dict[str, Any]:
    run_dir = Path(run_dir)
    metrics = read_json(run_dir, "evaluate", "metrics.json")
    eval_rows = {r["id"]: r for r in _jsonl(run_dir, "evaluate", "records.jsonl")}
    return {
        "run_dir": run_dir.name,
        "stages": stages(run_dir),
        "rejects": rejects(run_dir),
        "redaction": redaction_counts(run_dir),
        "sources": sources(run_dir),
        "judge_scores": judge_scores(run_dir),
        "train_log": train_log(run_dir),
        "metrics": metrics,
        "eval_rows": eval_rows,
        "agreement": read_json(run_dir, "curate", "eyecheck_agreement.json"),
        "samples": sample_qna(run_dir, k),
        "k": k,
    }
