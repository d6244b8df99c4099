"""How collected questions ride through the existing stages (see docs/architecture.md, "Collected questions").

ingest reads them into ``ingest/collected_questions.jsonl`` (raw zone, beside the chunks); redact redacts them with
the same Redactor into the same audit chain and writes ``redact/redacted_questions.jsonl`` (RedactedQuestion);
generate retrieves context for them and labels them (``onprem_sft.collected.label``). Each stage keeps
its single ``records.jsonl`` record type; the questions are a second, declared output file.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any

from onprem_sft.artifacts import read_records, sha256_text, write_jsonl
from onprem_sft.records import CollectedQuestion, RedactedQuestion, stable_id

log = logging.getLogger("onprem_sft.collected")

from onprem_sft.ingest.spec import COLLECTED

FIELDS = ("question", "answer", "hint")


def enabled(cfg: Any) -> bool:
    q = cfg.get("questions")
    return bool(q is not None and q.get("path"))


def exclude_questions(cfg: Any, files: list[Path]) -> list[Path]:
    """The questions file (or folder) is never also read as a corpus document."""
    if not enabled(cfg):
        return files
    qp = Path(str(cfg.questions.path)).expanduser().resolve()
    return [f for f in files if f.resolve() != qp and qp not in f.resolve().parents]


def ingest_questions(ctx: Any, rejects: list[dict[str, Any]]) -> dict[str, int]:
    """Read questions.path into ingest/collected_questions.jsonl; rejected rows are appended to ``rejects``."""
    if not enabled(ctx.cfg):
        return {}
    from onprem_sft.collected.reader import read_questions

    res = read_questions(ctx.cfg.questions)
    write_jsonl(ctx.out.path / COLLECTED, res.questions)
    rejects.extend({**r, "input": "questions"} for r in res.rejects)
    log.info("collected questions: %d file(s), %d row(s) -> %d question(s), %d exact duplicate(s) merged, "
             "%d rejected", res.files, res.rows, len(res.questions), res.merged, len(res.rejects) - res.merged)
    # (rejected rows are counted in the stage's "rejects", with "input": "questions" in rejects.jsonl)
    return {"question_files": res.files, "question_rows": res.rows, "questions": len(res.questions)}


def redact_questions(ctx: Any, redactor: Any, audit: Any) -> tuple[list[RedactedQuestion], list[dict[str, Any]],
                                                                  Counter[str]]:
    """Redact every collected question (question, given answer, hint) into the run's audit chain.

    One placeholder map per question record, so its answer's <PERSON_1> is its question's <PERSON_1>."""
    path = ctx.input("ingest").path / COLLECTED
    if not path.exists():
        return [], [], Counter()
    from onprem_sft.redact.stage import _reason
    from redaction.parallel import failure_reason

    rows: list[RedactedQuestion] = []
    rejects: list[dict[str, Any]] = []
    totals: Counter[str] = Counter()
    for q in read_records(path, CollectedQuestion):
        lang = q.lang or "ko"
        mapping = redactor.new_mapping(q.id)
        out: dict[str, str] = {}
        counts: Counter[str] = Counter()
        qhash = ""
        try:
            for f in FIELDS:
                raw = getattr(q, f)
                if not raw:
                    out[f] = ""
                    continue
                res = redactor.redact(raw, lang, mapping=mapping)
                h = audit.append(raw, res, doc_id=q.id, chunk_id=q.id, extra={"field": f"question.{f}"})
                qhash = qhash or h
                out[f] = res.text
                counts.update(res.counts)
        except Exception as e:  # noqa: BLE001 - one bad record must not sink the run; the reason is PII-free
            log.warning("collected question %s rejected: %s", q.id, type(e).__name__)
            rejects.append({"id": q.id, "parent_id": None, "input": "questions", "reason": _reason(failure_reason(e))})
            continue
        totals.update(counts)
        rows.append(RedactedQuestion(
            id=stable_id("rq", q.id, out["question"], out["answer"]), parent_id=q.id, question=out["question"],
            answer=out["answer"], hint=out["hint"], date=q.date, lang=lang, raw_sha256=sha256_text(q.question),
            entity_counts=dict(sorted(counts.items())), audit_hash=qhash))
    return rows, rejects, totals
