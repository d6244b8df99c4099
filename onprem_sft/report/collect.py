"""Gather what the report shows from a run dir: manifests and the outputs their stage declares readable.

The report never opens raw-zone or secret files: ``READ`` lists every file it may read (each stage's
manifest and the outputs its ``StageSpec`` marks ``report=True``, never one in the raw or secret zone),
files are looked up by the kind of output (``read_output(run_dir, "metrics")``), and ``_path`` refuses
anything else. Missing files mean the stage was not run: that section says so instead of failing.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from onprem_sft import layout
from onprem_sft.artifacts import MANIFEST, iter_jsonl
from onprem_sft.layout import STAGES, Zone

# (stage, file) pairs the report may read: manifests and declared report=True outputs outside raw/secret.
READ = {
    *((s, MANIFEST) for s in STAGES),
    *((s.name, o.path) for s, o in layout.outputs(Zone.REDACTED, Zone.DERIVED) if o.report),
}
RAW_ZONE = {(s.name, o.path) for s, o in layout.outputs(Zone.RAW, Zone.SECRET)}


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


def _where(kind: str) -> tuple[str, str]:
    s, o = layout.find(kind, report=True)
    return s.name, o.path


def read_output(run_dir: Path, kind: str) -> Any:
    """The JSON output of ``kind`` (declared report=True), or None when its stage has not written it."""
    return read_json(run_dir, *_where(kind))


def _rows(run_dir: Path, kind: str) -> Iterator[dict[str, Any]]:
    return _jsonl(run_dir, *_where(kind))


def report_path(run_dir: Path) -> Path | None:
    """The report's HTML file when the report stage has written it."""
    p = _path(run_dir, *_where("report_html"))
    return p if p.exists() else None


def reason_key(reason: str) -> str:
    """Group rejects by kind of reason: the text before the first ':' or '(' with numbers as N,
    so per-record details (ids, counts, file names) neither split groups nor reach the report."""
    head = re.split(r"[:(]", str(reason), maxsplit=1)[0].strip()
    return re.sub(r"\d+", "N", head)[:80] or "unspecified"


_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")


def _manifest_reasons(m: dict[str, Any], where: str) -> dict[str, int]:
    """Reason codes the stage counted in its manifest (``extra.rejects_by_reason``, e.g. ingest's
    ``bad_date``, ``exact_duplicate``, ``encrypted``). Only bare codes are shown; anything else is counted
    as "other" so a reason carrying a file name or value never reaches the report."""
    c: Counter[str] = Counter()
    for reason, n in ((m.get("extra") or {}).get("rejects_by_reason") or {}).items():
        key = reason_key(reason)
        c[key if _CODE.fullmatch(key) else f"other (see {where})"] += int(n) if isinstance(n, int) else 0
    return {k: v for k, v in c.most_common() if v}


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
                    "engine": extra.get("engine") if isinstance(extra.get("engine"), str) else None,
                    "model": (m.get("model") or {}).get("path") if isinstance(m.get("model"), dict) else None})
    return out


def rejects(run_dir: Path) -> dict[str, dict[str, int]]:
    """Per stage: reason kind -> count. A stage whose rejects are not readable (raw zone: they may name
    source files) is counted from its manifest."""
    out: dict[str, dict[str, int]] = {}
    for spec in layout.specs():
        s = spec.name
        try:
            rej = spec.output("reject")
        except KeyError:
            continue
        if (s, rej.path) not in READ:
            m = read_json(run_dir, s, MANIFEST) or {}
            by = _manifest_reasons(m, f"{s}/{rej.path}")
            n = sum(v for k, v in (m.get("counts") or {}).items() if "reject" in k and isinstance(v, int))
            if by or n:
                out[s] = by or {f"rejected (see {s}/{rej.path})": n}
            continue
        c = Counter(reason_key(r.get("reason", "")) for r in _jsonl(run_dir, s, rej.path))
        if c:
            out[s] = dict(c.most_common())
    return out


def redaction_counts(run_dir: Path, kinds: tuple[str, ...] = ("redacted_chunk", "redacted_question")) -> dict[str, int]:
    """Entities removed per type: from the documents' chunks and the collected questions (both by default)."""
    c: Counter[str] = Counter()
    for kind in kinds:
        for r in _rows(run_dir, kind):
            for k, v in (r.get("entity_counts") or {}).items():
                c[str(k)] += int(v)
    return dict(c.most_common())


def sources(run_dir: Path) -> dict[str, Any]:
    """Collected vs generated rows per split and what the eval split holds (dataset manifest), and, when
    the run read collected questions, their path through the stages (counts only, from manifests and the
    kept pairs)."""
    m = read_json(run_dir, "dataset", MANIFEST) or {}
    counts = m.get("counts") or {}
    rows = {k: v for k, v in counts.items() if k.split("_", 1)[0] in ("train", "eval")
            and k.endswith(("_collected", "_generated")) and isinstance(v, int)}
    if not rows:
        return {}
    extra = m.get("extra") or {}
    return {"rows": rows, "eval_source": extra.get("eval_source", "all"), "mix": extra.get("mix"),
            "split_note": extra.get("split_note", ""), "collected": collected_funnel(run_dir, rows)}


def collected_funnel(run_dir: Path, rows: dict[str, int]) -> dict[str, Any]:
    """Collected questions from the file to the splits (generated pairs beside them), and how the kept
    collected pairs got their answers; {} when the run had no collected questions."""
    ing = (read_json(run_dir, "ingest", MANIFEST) or {}).get("counts") or {}
    gen = (read_json(run_dir, "generate", MANIFEST) or {}).get("counts") or {}
    if not ing.get("question_rows") and not gen.get("collected_pairs"):
        return {}
    kept = Counter(str(r.get("source") or "generated") for r in _rows(run_dir, "qa_pair"))
    answers: Counter[str] = Counter()
    for r in _rows(run_dir, "qa_pair"):
        if r.get("source") == "collected":
            answers["refusal (context does not answer)" if not r.get("answerable", True) else
                    f"{(r.get('collected') or {}).get('answer_from', '?')} answer"] += 1
    steps = [("rows in the questions file(s)", ing.get("question_rows"), None),
             ("questions after rejects and exact-duplicate merge", ing.get("questions"), None),
             ("QnA pairs out of generate", gen.get("collected_pairs"), gen.get("generated_pairs")),
             ("kept by curate", kept.get("collected", 0), kept.get("generated", 0)),
             ("train rows", rows.get("train_collected", 0), rows.get("train_generated", 0)),
             ("eval rows", rows.get("eval_collected", 0), rows.get("eval_generated", 0))]
    return {"steps": [list(x) for x in steps], "answers": dict(answers.most_common())}


def judge_scores(run_dir: Path) -> list[float]:
    return [float(j["overall"]) for j in _rows(run_dir, "judgement")
            if isinstance(j.get("overall"), (int, float))]


def train_log(run_dir: Path) -> list[dict[str, Any]]:
    return [r for r in _rows(run_dir, "train_log") if r.get("step") is not None]


def sample_qna(run_dir: Path, k: int) -> list[dict[str, Any]]:
    """First k kept pairs of each kind (answerable, then unanswerable): question, answer, clause-free."""
    rows = list(_rows(run_dir, "qa_pair"))
    ans = [r for r in rows if r.get("answerable", True)]
    col = [r for r in ans if r.get("source") == "collected"][: k // 2]       # real questions shown too
    ans = (col + [r for r in ans if r.get("source") != "collected"])[:k]
    un = [r for r in rows if not r.get("answerable", True)][: max(1, k // 2)]
    return [{"question": r.get("question", ""), "answer": r.get("answer", ""), "answerable": r.get("answerable", True),
             "qtype": r.get("qtype", ""), "lang": r.get("lang", ""), "source": r.get("source") or "generated"}
            for r in ans + un]


def curate_filters(run_dir: Path) -> dict[str, Any]:
    """Curate's steps from its manifest: per step the drops by reason code (gates each have their own),
    and the judge qualification (agreement with the human set, gating or advisory)."""
    m = read_json(run_dir, "curate", MANIFEST) or {}
    extra = m.get("extra") or {}
    rows = [{"step": f.get("step"), "enabled": f.get("enabled"), "in": f.get("in"), "dropped": f.get("dropped"),
             "reasons": {str(k): int(v) for k, v in (f.get("reasons") or {}).items()},
             **{k: f[k] for k in ("mode", "advisory_would_drop", "asked", "agreed", "by_construction", "mean_f1",
                                  "qualification")
                if k in f}}
            for f in extra.get("filters") or [] if isinstance(f, dict)]
    q = extra.get("judge_qualification")
    keep = ("n", "accuracy", "cohen_kappa", "spearman", "judge_pass_rate", "human_pass_rate", "mode", "why",
            "min_kappa", "file")
    return {"steps": rows, "qualification": {k: q.get(k) for k in keep} if isinstance(q, dict) else None}


def collect(run_dir: str | Path, k: int = 5) -> dict[str, Any]:
    run_dir = Path(run_dir)
    metrics = read_output(run_dir, "metrics")
    eval_rows = {r["id"]: r for r in _rows(run_dir, "eval_result")}
    return {
        "run_dir": run_dir.name,
        "stages": stages(run_dir),
        "rejects": rejects(run_dir),
        "redaction": redaction_counts(run_dir),
        "redaction_questions": redaction_counts(run_dir, ("redacted_question",)),
        "sources": sources(run_dir),
        "judge_scores": judge_scores(run_dir),
        "train_log": train_log(run_dir),
        "metrics": metrics,
        "eval_rows": eval_rows,
        "agreement": read_output(run_dir, "eyecheck_agreement"),
        "curate_filters": curate_filters(run_dir),
        "samples": sample_qna(run_dir, k),
        "k": k,
    }
