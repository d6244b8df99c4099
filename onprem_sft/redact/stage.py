"""Pipeline stage ``redact``: raw Chunks -> RedactedChunks + hash-chained audit log.

One placeholder numbering per DOCUMENT: all chunks (and clause titles) of a document share a PlaceholderMap,
so ``<PERSON_1>`` is the same person across the document's chunks. The HMAC key for audit fingerprints and
the opt-in vault live in this stage's folder (``redact/keys/``, ``redact/vault/``: secret zone, see
``spec.py``) unless ``redaction.hmac_key_file`` / ``vault_key_file`` put the keys elsewhere.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from itertools import groupby
from pathlib import Path

from tqdm import tqdm

from onprem_sft.artifacts import config_hash, sha256_text
from onprem_sft.config import to_container
from onprem_sft.pipeline import PipelineError, StageContext, StageResult
from onprem_sft.records import Chunk, RedactedChunk, stable_id
from onprem_sft.redact.spec import AUDIT, HMAC_KEY, VAULT_FILE, VAULT_KEY
from redaction import PlaceholderMap, RedactionError, Redactor
from redaction.audit import AuditLog, load_or_create_key

log = logging.getLogger("onprem_sft.redact")


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


def _reason(e: Exception) -> str:
    # RedactionError messages are written to be PII-free; other exceptions may quote text: name the type only.
    detail = str(e) if isinstance(e, RedactionError) else f"{type(e).__name__} (message withheld)"
    return f"redaction failed: {detail}; the chunk was not passed on (fix the input or report the error)"


def run(ctx: StageContext) -> StageResult:
    rc = ctx.cfg.redaction
    cfg_dict = to_container(rc)
    vault = _vault(ctx, rc)
    key_path = _hmac_key_path(ctx, rc)
    redactor = Redactor.from_config(cfg_dict, vault=vault)
    from onprem_sft.security.rawzone import is_scrubbed

    if is_scrubbed(ctx.run_dir):
        raise PipelineError("the ingest stage's raw text was deleted after an earlier redaction "
                            "(redaction.keep_raw=false); rerun ingest too: force=[ingest]")
    chunks = ctx.input("ingest").read(Chunk)
    hkey = load_or_create_key(key_path)
    out_rows: list[RedactedChunk] = []
    rejects: list[dict] = []
    totals: Counter[str] = Counter()
    chars = 0
    t0 = time.perf_counter()
    ordered = sorted(chunks, key=lambda c: (c.doc_id, c.index))
    with AuditLog(ctx.out.path / AUDIT, hkey, config_hash(cfg_dict), rc.review_below) as audit, \
            tqdm(total=len(ordered), desc="redact", unit="chunk", disable=not ctx.progress) as bar:
        for doc_id, group in groupby(ordered, key=lambda c: c.doc_id):
            mapping = PlaceholderMap(doc_id)
            for ch in group:
                lang = ch.lang or "ko"
                try:
                    counts: Counter[str] = Counter()
                    clause_text = ""
                    if ch.clause:
                        cres = redactor.redact(ch.clause, lang, mapping=mapping)
                        audit.append(ch.clause, cres, doc_id=doc_id, chunk_id=ch.id, extra={"field": "clause"})
                        clause_text = cres.text
                        counts.update(cres.counts)
                    res = redactor.redact(ch.text, lang, mapping=mapping)
                    ahash = audit.append(ch.text, res, doc_id=doc_id, chunk_id=ch.id, extra={"field": "text"})
                    counts.update(res.counts)
                except Exception as e:  # noqa: BLE001 -  # one bad chunk must not sink the run; the reason is PII-free
                    log.warning("chunk %s of %s rejected: %s", ch.id, doc_id, type(e).__name__)
                    rejects.append({"id": ch.id, "parent_id": ch.parent_id, "reason": _reason(e)})
                    bar.update(1)
                    continue
                totals.update(counts)
                chars += len(ch.text)
                out_rows.append(RedactedChunk(
                    id=stable_id("rc", ch.id, res.text), parent_id=ch.id, doc_id=doc_id, index=ch.index,
                    text=res.text, clause=clause_text, lang=lang, raw_sha256=sha256_text(ch.text),
                    entity_counts=dict(sorted(counts.items())), audit_hash=ahash))
                bar.update(1)
    ctx.out.write_records(out_rows)
    if rejects:
        ctx.out.write_rejects(rejects)
    secs = time.perf_counter() - t0
    docs = len({r.doc_id for r in out_rows})
    top = ", ".join(f"{t}={n}" for t, n in totals.most_common(6))
    summary = (f"redacted {len(out_rows)} chunk(s) of {docs} document(s): {sum(totals.values())} entities "
               f"({top or 'none'}); {len(rejects)} rejected; {chars / max(secs, 1e-9):,.0f} chars/s")
    if not rc.keep_raw:
        summary += "; raw text deleted from the ingest stage (redaction.keep_raw=false)"
    counts_out = {"chunks": len(out_rows), "rejected": len(rejects), "documents": docs,
                  "entities": sum(totals.values())}
    return StageResult(counts=counts_out, extra={"entities_by_type": dict(totals), "audit_log": AUDIT,
                                                 "use_name_analyser": bool(rc.use_name_analyser)},
                       summary=summary, drop_raw_inputs=not rc.keep_raw)
