"""Pipeline stage ``redact``: raw Chunks -> RedactedChunks + hash-chained audit log.

Streamed (chunks read and records written one document at a time) with one audit record per document.
One placeholder numbering per DOCUMENT: all chunks (and clause titles) of a document share a PlaceholderMap,
so ``<PERSON_1>`` is the same person across the document's chunks. The HMAC key for audit fingerprints and
the opt-in vault live in this stage's folder (``redact/keys/``, ``redact/vault/``: secret zone, see
``spec.py``) unless ``redaction.hmac_key_file`` / ``vault_key_file`` put the keys elsewhere.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter, deque
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path
from typing import Any

from tqdm import tqdm

from onprem_sft.artifacts import (
    JsonlAppender,
    config_hash,
    iter_jsonl,
    read_records,
    sha256_text,
    write_jsonl,
)
from onprem_sft.collected.hooks import redact_questions
from onprem_sft.config import to_container
from onprem_sft.pipeline import PipelineError, StageContext, StageResult
from onprem_sft.records import Chunk, RedactedChunk, stable_id
from onprem_sft.redact.spec import AUDIT, HMAC_KEY, REDACTED_QUESTIONS, VAULT_FILE, VAULT_KEY
from redaction import Redactor
from redaction.audit import AuditLog, load_or_create_key
from redaction.parallel import redact_documents

log = logging.getLogger("onprem_sft.redact")


def redactor_fingerprint(cfg: Any) -> str:
    """The redactor's own code and data, and a custom-recognizer file's content, in the stage's input hash:
    a finished redact stage is redone (with everything after it) when the recognizers change, e.g. after an
    upgrade, instead of being kept as "complete" with what the old code missed."""
    import hashlib

    import redaction

    h = hashlib.sha256()
    root = Path(redaction.__file__).parent
    for f in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix not in (".pyc",)
                    and "__pycache__" not in p.parts):
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    custom = (cfg.get("redaction") or {}).get("custom_recognizers")
    if custom and Path(str(custom)).expanduser().is_file():
        h.update(b"custom\0" + Path(str(custom)).expanduser().read_bytes())
    return h.hexdigest()


def _hmac_key_path(ctx: StageContext, rc) -> Path:
    return Path(rc.hmac_key_file) if rc.get("hmac_key_file") else ctx.out.path / HMAC_KEY


def _vault(ctx: StageContext, rc):
    """Reversible vault (opt-in): key from vault_key_file, else $ONPREM_SFT_VAULT_KEY, else redact/keys/."""
    if not rc.get("vault"):
        return None
    import os

    from redaction.vault import KEY_ENV, Vault, load_key
    if rc.get("vault_key_file"):
        key = load_key(rc.vault_key_file)
    elif os.environ.get(KEY_ENV):
        key = load_key(None)
    else:
        key = load_key(str(ctx.out.path / VAULT_KEY), create=True)
    return Vault(ctx.out.path / VAULT_FILE, key)


def _reason(detail: str) -> str:
    # ``detail`` comes from redaction.parallel.failure_reason: PII-free (error type only unless RedactionError)
    return f"redaction failed: {detail}; the chunk was not passed on (fix the input or report the error)"


def _document_groups(src: Path) -> tuple[int, Iterator[tuple[str, Iterator[Chunk]]]]:
    """(chunk count, chunks grouped by document) streamed from ingest's records.jsonl, so memory does not
    grow with the corpus. Ingest writes each document's chunks together; input that is not grouped so (hand
    made) is sorted in memory instead."""
    total, seen, last, grouped = 0, set(), None, True
    for d in iter_jsonl(src):
        total += 1
        did = d.get("doc_id")
        if did != last:
            grouped = grouped and did not in seen
            seen.add(did)
            last = did
    if grouped:
        rows = (Chunk.from_dict(d) for d in iter_jsonl(src))
        return total, ((k, g) for k, g in groupby(rows, key=lambda c: c.doc_id))
    ordered = sorted(read_records(src, Chunk), key=lambda c: (c.doc_id, c.index))
    return total, ((k, g) for k, g in groupby(ordered, key=lambda c: c.doc_id))


def _unit(ch: Chunk) -> list[tuple[str, str]]:
    """The texts of one chunk, redacted in this order with the document's placeholder map."""
    lang = ch.lang or "ko"
    return ([(ch.clause, lang)] if ch.clause else []) + [(ch.text, lang)]


def run(ctx: StageContext) -> StageResult:
    rc = ctx.cfg.redaction
    cfg_dict = to_container(rc)
    vault = _vault(ctx, rc)
    key_path = _hmac_key_path(ctx, rc)
    hkey = load_or_create_key(key_path)
    redactor = Redactor.from_config(cfg_dict, vault=vault, surrogate_key=hkey)
    from onprem_sft.security.rawzone import is_scrubbed

    if is_scrubbed(ctx.run_dir):
        raise PipelineError("the ingest stage's raw text was deleted after an earlier redaction "
                            "(redaction.keep_raw=false); rerun ingest too: force=[ingest]")
    src = ctx.input("ingest").records_path
    if not src.exists():
        raise FileNotFoundError(f"{src} not found: run stage 'ingest' first (e.g. stages=[ingest])")
    rejects: list[dict] = []
    totals: Counter[str] = Counter()
    chars = n_out = 0
    docs_out: set[str] = set()
    total, groups = _document_groups(src)
    t0 = time.perf_counter()
    part = ctx.out.path / ".records.jsonl.part"
    part.unlink(missing_ok=True)
    workers = int(rc.get("workers") or 1)
    audit_cfg = {k: v for k, v in cfg_dict.items() if k != "workers"}     # workers never change the output
    pending: deque[tuple[str, list[Chunk]]] = deque()

    def work() -> Iterator[tuple[str, list[list[tuple[str, str]]]]]:
        # one document at a time from the stream; ``pending`` pairs each result with its chunks (imap keeps order)
        for doc_id, group in groups:
            chs = list(group)
            pending.append((doc_id, chs))
            yield doc_id, [_unit(ch) for ch in chs]

    executor: dict[str, Any] = {"kind": "local", "workers": workers}
    if str(ctx.cfg.run.get("executor", "local")) == "ray":   # documents redacted on Ray, audited in order here
        if rc.vault:
            raise PipelineError("run.executor=ray does not write the reversible vault; use run.executor=local")
        from onprem_sft.scale.redact import ray_documents

        def results_of(docs: Iterator[Any]) -> Iterator[Any]:
            return ray_documents(cfg_dict, ctx.cfg.run.ray, docs, hkey, stats=executor)
    else:
        def results_of(docs: Iterator[Any]) -> Iterator[Any]:
            return redact_documents(cfg_dict, docs, workers, redactor)

    with AuditLog(ctx.out.path / AUDIT, hkey, config_hash(audit_cfg), rc.review_below) as audit, \
            JsonlAppender(part) as out_rows, \
            tqdm(total=total, desc="redact", unit="chunk", disable=not ctx.progress) as bar:
        # documents are redacted in order (in a process pool when redaction.workers > 1); the audit log is
        # appended here, in the same order, so placeholders and the hash chain do not depend on workers
        for results in results_of(work()):
            doc_id, group = pending.popleft()
            entries, done = [], []
            for ch, res_unit in zip(group, results, strict=True):
                bar.update(1)
                if isinstance(res_unit, str):
                    log.warning("chunk %s of %s rejected: %s", ch.id, doc_id, res_unit.split(" ")[0])
                    rejects.append({"id": ch.id, "parent_id": ch.parent_id, "reason": _reason(res_unit)})
                    continue
                cres = res_unit[0] if ch.clause else None
                res = res_unit[-1]
                entries.append(audit.chunk_entry(ch.id, ch.text, res, clause=ch.clause, clause_result=cres))
                counts: Counter[str] = Counter(res.counts)
                if cres is not None:
                    counts.update(cres.counts)
                totals.update(counts)
                chars += len(ch.text)
                done.append((ch, ch.lang or "ko", res, cres.text if cres is not None else "", counts))
            if not entries:
                continue
            ahash = audit.append_document(doc_id, entries, done[0][1])     # one audit record per document
            for ch, lang, res, clause_text, counts in done:
                out_rows.write(RedactedChunk(
                    id=stable_id("rc", ch.id, res.text), parent_id=ch.id, doc_id=doc_id, index=ch.index,
                    text=res.text, clause=clause_text, lang=lang, raw_sha256=sha256_text(ch.text),
                    entity_counts=dict(sorted(counts.items())), audit_hash=ahash))
                n_out += 1
            docs_out.add(doc_id)
        q_rows, q_rejects, q_totals = redact_questions(ctx, redactor, audit)   # same redactor, same chain
        audit.complete()
        audit_head = audit.head
    os.replace(part, ctx.out.records_path)
    if q_rows or q_rejects:
        write_jsonl(ctx.out.path / REDACTED_QUESTIONS, q_rows)
        rejects += q_rejects
        totals.update(q_totals)
    if rejects:
        ctx.out.write_rejects(rejects)
    secs = time.perf_counter() - t0
    docs = len(docs_out)
    top = ", ".join(f"{t}={n}" for t, n in totals.most_common(6))
    summary = (f"redacted {n_out} chunk(s) of {docs} document(s): {sum(totals.values())} entities "
               f"({top or 'none'}); {len(rejects)} rejected; {chars / max(secs, 1e-9):,.0f} chars/s")
    if not rc.keep_raw:
        summary += "; raw text deleted from the ingest stage (redaction.keep_raw=false)"
    counts_out = {"chunks": n_out, "rejected": len(rejects), "documents": docs,
                  "entities": sum(totals.values())}
    if q_rows or q_rejects:
        counts_out["questions"] = len(q_rows)
        summary += f"; {len(q_rows)} collected question(s) redacted"
    return StageResult(counts=counts_out, extra={"entities_by_type": dict(totals), "audit_log": AUDIT,
                                                 "audit_head": audit_head,
                                                 "use_name_analyser": bool(rc.use_name_analyser),
                                                 "english_ner": redactor.nlp_status, "replace": rc.get("replace"),
                                                 "workers": workers, "executor": executor},
                       summary=summary, drop_raw_inputs=not rc.keep_raw)
