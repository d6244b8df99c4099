"""The redact stage on Ray (``run.executor=ray``, issue 16): documents redacted in parallel, audited in order.

How the audit hash chain survives parallel shards: a shard (a batch of whole documents, so one
``PlaceholderMap`` numbers a document's placeholders as in the local executor) returns its redaction results
to the driver; only the driver writes ``audit.jsonl``, appending the entries of every chunk in the local
executor's order (document id, chunk index; clause before text). The chain is therefore the same single
chain, line for line, as a local run's: ``onprem-sft audit verify`` and ``verify``'s audit-chain check
need nothing new, a shard can neither reorder nor drop a line, and ``records.jsonl`` is byte-identical to
the local executor's (``tests/integration/test_redact_ray.py``). Raw text travels to the Ray workers of
*your* cluster (``run.ray.address``) and back in the object store; it never reaches a log or a manifest.
The HMAC key stays in the driver (fingerprints are computed where the audit line is written).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("onprem_sft.scale")

# one chunk as shipped to a worker: (chunk id, text, clause, language)
ChunkIn = tuple[str, str, str, str]


@dataclass
class ChunkOut:
    """A worker's result for one chunk: the results to audit, or the (PII-free) reason it failed."""

    chunk_id: str
    clause: Any = None          # RedactionResult of the clause title, when there is one
    text: Any = None            # RedactionResult of the text
    error: str | None = None


_REDACTORS: dict[str, Any] = {}


def _redactor(cfg: dict[str, Any]) -> Any:
    """One Redactor per worker process and config (building recognizers costs more than a document)."""
    from onprem_sft.artifacts import config_hash
    from redaction import Redactor

    key = config_hash(cfg)
    if key not in _REDACTORS:
        _REDACTORS[key] = Redactor.from_config(cfg)
    return _REDACTORS[key]


def redact_documents(cfg: dict[str, Any], docs: Sequence[tuple[str, Sequence[ChunkIn]]]) -> list[list[ChunkOut]]:
    """Redact whole documents, in order, exactly as the local stage loop does (same calls, same mapping)."""
    from onprem_sft.redact.stage import _reason
    from redaction import PlaceholderMap

    red = _redactor(cfg)
    out: list[list[ChunkOut]] = []
    for doc_id, chunks in docs:
        mapping = PlaceholderMap(doc_id)
        res: list[ChunkOut] = []
        for cid, text, clause, lang in chunks:
            o = ChunkOut(cid)
            try:
                if clause:
                    o.clause = red.redact(clause, lang, mapping=mapping)
                o.text = red.redact(text, lang, mapping=mapping)
            except Exception as e:  # noqa: BLE001 - same rule as the stage: reject the chunk, PII-free reason
                o.error = _reason(e)
            res.append(o)
        out.append(res)
    return out


def shards(docs: list[tuple[str, list[ChunkIn]]], workers: int, docs_per_task: int = 0) -> list[list[Any]]:
    """Consecutive batches of whole documents (~4 per worker unless ``docs_per_task`` is set)."""
    size = docs_per_task or max(1, -(-len(docs) // (max(workers, 1) * 4)))
    return [docs[i:i + size] for i in range(0, len(docs), size)]


class RayRedactPool:
    """``num_workers`` Ray actors, each holding one Redactor; shards go out in order and come back in order."""

    def __init__(self, cfg: dict[str, Any], ray_cfg: Any):
        from onprem_sft.scale.ray_env import init_ray

        self.ray = init_ray(ray_cfg)
        workers = int(_get(ray_cfg, "num_workers", 2))

        @self.ray.remote(num_cpus=1)
        class Worker:
            def __init__(self, cfg: dict[str, Any]):
                self.cfg = cfg
                _redactor(cfg)

            def redact(self, docs: Any) -> Any:
                return redact_documents(self.cfg, docs)

        self.actors = [Worker.remote(cfg) for _ in range(workers)]
        self.workers = workers

    def map(self, batches: Sequence[Any]) -> Iterator[list[list[ChunkOut]]]:
        from ray.util import ActorPool

        yield from ActorPool(self.actors).map(lambda a, b: a.redact.remote(b), batches)

    def close(self) -> None:
        for a in self.actors:
            self.ray.kill(a)
        self.actors = []


def _get(cfg: Any, key: str, default: Any = None) -> Any:
    from onprem_sft.llm.factory import _get as get

    return get(cfg, key, default)


def run_ray(ctx: Any) -> Any:
    """The redact stage with ``run.executor=ray``; the same outputs as ``onprem_sft.redact.stage.run``."""
    from tqdm import tqdm

    from onprem_sft.artifacts import config_hash, sha256_text
    from onprem_sft.config import to_container
    from onprem_sft.pipeline import PipelineError, StageResult
    from onprem_sft.records import Chunk, RedactedChunk, stable_id
    from onprem_sft.redact.stage import AUDIT_FILE, _hmac_key_path
    from onprem_sft.security.rawzone import is_scrubbed, scrub_raw
    from redaction.audit import AuditLog, load_or_create_key

    rc = ctx.cfg.redaction
    cfg_dict = to_container(rc)
    if rc.get("vault"):
        raise PipelineError("run.executor=ray does not write the reversible vault; use run.executor=local")
    if is_scrubbed(ctx.run_dir):
        raise PipelineError("the ingest stage's raw text was deleted after an earlier redaction "
                            "(redaction.keep_raw=false); rerun ingest too: force=[ingest]")
    chunks = ctx.input("ingest").read(Chunk)
    hkey = load_or_create_key(_hmac_key_path(ctx, rc))
    ordered = sorted(chunks, key=lambda c: (c.doc_id, c.index))
    by_id = {c.id: c for c in ordered}
    docs: list[tuple[str, list[ChunkIn]]] = []
    for c in ordered:
        if not docs or docs[-1][0] != c.doc_id:
            docs.append((c.doc_id, []))
        docs[-1][1].append((c.id, c.text, c.clause or "", c.lang or "ko"))
    ray_cfg = ctx.cfg.run.ray
    pool = RayRedactPool(cfg_dict, ray_cfg)
    batches = shards(docs, pool.workers, int(_get(ray_cfg, "docs_per_task", 0)))
    out_rows: list[RedactedChunk] = []
    rejects: list[dict] = []
    totals: Counter[str] = Counter()
    chars = 0
    t0 = time.perf_counter()
    try:
        with AuditLog(ctx.out.path / AUDIT_FILE, hkey, config_hash(cfg_dict), rc.review_below) as audit, \
                tqdm(total=len(ordered), desc="redact (ray)", unit="chunk", disable=not ctx.progress) as bar:
            for batch, results in zip(batches, pool.map(batches)):
                for (doc_id, _), doc_res in zip(batch, results):
                    for o in doc_res:
                        ch = by_id[o.chunk_id]
                        n = _audit_one(audit, ch, o, doc_id, out_rows, rejects, totals, stable_id, sha256_text,
                                       RedactedChunk)
                        chars += n
                        bar.update(1)
    finally:
        pool.close()
        from onprem_sft.scale.ray_env import shutdown_ray

        shutdown_ray()
    ctx.out.write_records(out_rows)
    if rejects:
        ctx.out.write_rejects(rejects)
    secs = time.perf_counter() - t0
    ndocs = len({r.doc_id for r in out_rows})
    top = ", ".join(f"{t}={n}" for t, n in totals.most_common(6))
    summary = (f"redacted {len(out_rows)} chunk(s) of {ndocs} document(s) on Ray ({pool.workers} workers, "
               f"{len(batches)} shards): {sum(totals.values())} entities ({top or 'none'}); {len(rejects)} "
               f"rejected; {chars / max(secs, 1e-9):,.0f} chars/s")
    if not rc.keep_raw:
        scrub_raw(ctx.run_dir, ctx.out.path)
        summary += "; raw text deleted from the ingest stage (redaction.keep_raw=false)"
    counts_out = {"chunks": len(out_rows), "rejected": len(rejects), "documents": ndocs,
                  "entities": sum(totals.values())}
    return StageResult(counts=counts_out, extra={"entities_by_type": dict(totals), "audit_log": AUDIT_FILE,
                                                 "use_name_analyser": bool(rc.use_name_analyser),
                                                 "executor": {"kind": "ray", "workers": pool.workers,
                                                              "shards": len(batches),
                                                              "audit": "driver appends in document order"}},
                       summary=summary)


def _audit_one(audit: Any, ch: Any, o: ChunkOut, doc_id: str, out_rows: list, rejects: list,
               totals: Counter, stable_id: Any, sha256_text: Any, RedactedChunk: Any) -> int:
    """The driver half of one chunk, in the local loop's order: clause entry, text entry, record/reject."""
    counts: Counter[str] = Counter()
    clause_text = ""
    if o.clause is not None:
        audit.append(ch.clause, o.clause, doc_id=doc_id, chunk_id=ch.id, extra={"field": "clause"})
        clause_text = o.clause.text
        counts.update(o.clause.counts)
    if o.error is not None:
        log.warning("chunk %s of %s rejected: %s", ch.id, doc_id, "redaction failed")
        rejects.append({"id": ch.id, "parent_id": ch.parent_id, "reason": o.error})
        return 0
    ahash = audit.append(ch.text, o.text, doc_id=doc_id, chunk_id=ch.id, extra={"field": "text"})
    counts.update(o.text.counts)
    totals.update(counts)
    out_rows.append(RedactedChunk(
        id=stable_id("rc", ch.id, o.text.text), parent_id=ch.id, doc_id=doc_id, index=ch.index,
        text=o.text.text, clause=clause_text, lang=ch.lang or "ko", raw_sha256=sha256_text(ch.text),
        entity_counts=dict(sorted(counts.items())), audit_hash=ahash))
    return len(ch.text)


def iter_local(cfg: dict[str, Any], batches: Iterable[Any]) -> Iterator[list[list[ChunkOut]]]:
    """The same shards in this process (the benchmark's baseline, and a check that shards change nothing)."""
    for b in batches:
        yield redact_documents(cfg, b)
