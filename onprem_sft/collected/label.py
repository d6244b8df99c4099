"""Collected questions -> QAPairs: merge near duplicates, retrieve context (BM25), label or keep the answer.

Runs inside the generate stage, with its engine and call log, so the labels use the same prompts, answer
style, JSON schema, retries and resume as generated pairs. A question whose retrieved context does not
answer it gets the refusal string (an unanswerable pair with real context, like the generated ones). A
given answer is kept as is (``questions.given_answers=keep``) and checked downstream by curate's gates
like any pair; ``relabel`` has the model label every question. Rejects name ids and reasons, never text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from onprem_sft.collected.retrieve import ChunkIndex, Hit
from onprem_sft.curate.dedup import dedup
from onprem_sft.generate.generator import QAGenerator, StepStats
from onprem_sft.generate.parsing import answer_in_context, parse_answer
from onprem_sft.generate.prompts import answer_schema, context_text
from onprem_sft.llm.engine import LLMRequest, LLMResponse
from onprem_sft.records import QAPair, RedactedChunk, RedactedQuestion, stable_id

log = logging.getLogger("onprem_sft.collected")

QTYPE = "collected"


@dataclass(frozen=True)
class _Proxy:               # what curate's dedup needs of a record
    id: str
    question: str
    answerable: bool = True


def merge_duplicates(qs: Sequence[RedactedQuestion], threshold: float
                     ) -> tuple[list[RedactedQuestion], list[dict[str, Any]]]:
    """Near-duplicate questions (MinHash over char 3-grams, as curate) merged; one with an answer wins."""
    if len(qs) < 2:
        return list(qs), []
    by_id = {q.id: q for q in qs}
    kept, drops = dedup([_Proxy(q.id, q.question) for q in qs], score=lambda p: float(bool(by_id[p.id].answer)),
                        threshold=threshold)
    rejects = [{"id": d.id, "parent_id": by_id[d.id].parent_id, "step": "collected_dedup",
                "reason": f"collected question {d.reason} of {d.kept_id} (similarity {d.similarity})",
                "kept_id": d.kept_id} for d in drops]
    return [by_id[p.id] for p in kept], rejects


def _context(hits: Sequence[Hit], max_chars: int) -> str:
    parts, used = [], 0
    for h in hits:
        t = context_text(h.chunk)
        if parts and used + len(t) + 2 > max_chars:
            break
        parts.append(t[: max_chars - used])
        used += len(parts[-1]) + 2
    return "\n\n".join(parts)


def label_collected(gen: QAGenerator, chunks: Sequence[RedactedChunk], questions: Sequence[RedactedQuestion],
                    qcfg: Any) -> list[QAPair]:
    """Append collected QAPairs (and rejects) to ``gen.out``; returns the new pairs."""
    out = gen.out
    stats = out.steps.setdefault("collected", StepStats())
    qs, dup_rejects = merge_duplicates(questions, float(qcfg.near_dup_threshold))
    out.rejects.extend(dup_rejects)
    stats.rejects += len(dup_rejects)
    index = ChunkIndex(chunks)
    r = qcfg.retrieval
    matched: list[tuple[RedactedQuestion, list[Hit], str, str]] = []
    for q in qs:
        hits, how = index.search(q.question, int(r.top_k), q.hint)
        hits = [h for h in hits if h.score >= float(r.min_score) or how == "filter"]
        if not hits:
            gen._reject(q.id, q.parent_id, "collected", "collected question: no redacted chunk shares a term with "
                        "it (off-topic, or its document is not in the corpus)", [])
            stats.rejects += 1
            continue
        matched.append((q, hits, how, _context(hits, int(r.max_context_chars))))
    keep_given = str(qcfg.given_answers) == "keep"
    given = [m for m in matched if keep_given and m[0].answer.strip()]
    ask = [m for m in matched if not (keep_given and m[0].answer.strip())]
    style = str(gen.g.answer_style)
    schema = answer_schema(int(gen.g.max_answer_chars))

    def make(m: tuple[RedactedQuestion, list[Hit], str, str], attempt: int) -> LLMRequest:
        q, hits, _, ctx = m
        return LLMRequest(id=f"gc-{q.id}-a{attempt}", purpose="answer",
                          messages=gen.prompts.answer_messages(ctx, q.question, style),
                          sources=(*(h.chunk for h in hits), q), json_schema=schema,
                          sampling=gen._sampling(float(gen.g.answer_temperature), int(gen.g.max_answer_tokens),
                                                 q.id, attempt))

    def parse(m: Any, resp: LLMResponse) -> tuple[bool, str]:
        return parse_answer(resp.text, resp.finish_reason)

    done, failed = gen._with_retries("collected_answer", ask, make, parse)
    pairs: list[QAPair] = []
    for i, m in enumerate(ask):
        q = m[0]
        if i in failed:
            reason, rids = failed[i]
            gen._reject(q.id, q.parent_id, "collected", f"collected answer: {reason}", rids)
            continue
        (found, answer), rids = done[i]
        pairs.append(_pair(m, answer if found else gen.prompts.refusal, found, "model", rids))
    for m in given:
        ans = m[0].answer.strip()
        refused = " ".join(ans.split()) == " ".join(gen.prompts.refusal.split())
        pairs.append(_pair(m, ans, not refused, "given", []))
    pairs.sort(key=lambda p: p.id)
    out.pairs.extend(pairs)
    log.info("collected: %d question(s), %d near-duplicate(s) merged, %d matched, %d labelled by the model, "
             "%d given answer(s) kept", len(questions), len(dup_rejects), len(matched), len(ask), len(given))
    return pairs


def _pair(m: tuple[RedactedQuestion, list[Hit], str, str], answer: str, answerable: bool, origin: str,
          rids: list[str]) -> QAPair:
    q, hits, how, ctx = m
    top = hits[0].chunk
    meta = {"question_id": q.id, "date": q.date, "answer_from": origin, "hint_used": how,
            "retrieval": [{"chunk_id": h.chunk.id, "score": round(h.score, 4)} for h in hits],
            "answer_in_context": bool(answerable and answer_in_context(answer, ctx))}
    return QAPair(id=stable_id("qa", q.id, top.id, origin), parent_id=q.id, doc_id=top.doc_id, chunk_id=top.id,
                  context_chunk_id=top.id, question=q.question, context=ctx, answer=answer, qtype=QTYPE,
                  lang=q.lang, answerable=answerable, request_ids=list(rids), source="collected", collected=meta)
