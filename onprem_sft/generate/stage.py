"""``generate`` stage: redacted chunks -> questions -> grounded answers + verified unanswerable pairs.

Outputs in ``<run>/generate/``: records.jsonl (QAPair), questions.jsonl (Question), llm_calls.jsonl
(LLMCall, every request/response), rejects.jsonl (chunk/question id + step + reason, no text).
Only ``RedactedChunk`` records are read and only they (and questions generated from them) reach the
LLM; ``LLMRequest`` refuses anything else.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from onprem_sft.artifacts import read_records, write_jsonl
from onprem_sft.collected.label import label_collected
from onprem_sft.generate.distractors import PAIRINGS, STRATEGIES
from onprem_sft.generate.generator import STRATEGY_CHOICES, GenerateOutput, QAGenerator, resolve_strategy
from onprem_sft.generate.prompts import ANSWER_STYLES, GeneratePrompts
from onprem_sft.generate.span_check import SPAN_CHECKS, TEMPLATE_FORMS
from onprem_sft.generate.spans import load_span_nlp
from onprem_sft.generate.spec import QUESTIONS
from onprem_sft.llm.calls import CallLog
from onprem_sft.llm.engine import LLMEngine
from onprem_sft.pipeline import StageContext, StageResult
from onprem_sft.records import RedactedChunk, RedactedQuestion
from onprem_sft.redact.spec import REDACTED_QUESTIONS

log = logging.getLogger("onprem_sft.generate")


class GenerateConfigError(ValueError):
    pass


def check_config(g: Any) -> None:
    problems = []
    if g.answer_style not in ANSWER_STYLES:
        problems.append(f"generate.answer_style={g.answer_style!r}: choose {ANSWER_STYLES}")
    if g.distractor not in STRATEGIES:
        problems.append(f"generate.distractor={g.distractor!r}: choose {STRATEGIES}")
    if g.unfound not in ("reject", "refusal"):
        problems.append(f"generate.unfound={g.unfound!r}: choose reject | refusal")
    if g.strategy not in STRATEGY_CHOICES:
        problems.append(f"generate.strategy={g.strategy!r}: choose {STRATEGY_CHOICES}")
    if str(g.get("span_check", "off")) not in SPAN_CHECKS:
        problems.append(f"generate.span_check={g.span_check!r}: choose {SPAN_CHECKS}")
    if str(g.get("distractor_pairing", "split")) not in PAIRINGS:
        problems.append(f"generate.distractor_pairing={g.distractor_pairing!r}: choose {PAIRINGS}")
    if str(g.get("template_form", "cloze")) not in TEMPLATE_FORMS:
        problems.append(f"generate.template_form={g.template_form!r}: choose {TEMPLATE_FORMS}")
    if not 0.0 <= float(g.get("template_noise", 0.0)) < 0.5:
        problems.append(f"generate.template_noise={g.template_noise!r}: must be in [0, 0.5)")
    if not list(g.qtypes):
        problems.append("generate.qtypes is empty: list at least one of factual, procedural, reasoning")
    if problems:
        raise GenerateConfigError("; ".join(problems))


def generate_with_engine(ctx: StageContext, engine: LLMEngine) -> StageResult:
    """The stage body with a given engine (tests and benchmarks reuse one engine across runs)."""
    cfg, g = ctx.cfg, ctx.cfg.generate
    check_config(g)
    prompts = GeneratePrompts.from_config(cfg.prompts)
    t0 = time.perf_counter()
    all_chunks = ctx.input("redact").read(RedactedChunk)
    chunks = all_chunks[: int(g.max_chunks)] if int(g.max_chunks) > 0 else list(all_chunks)
    usable = [c for c in chunks if len(c.text.strip()) >= int(g.min_chunk_chars)]
    short = [{"id": c.id, "parent_id": c.parent_id, "step": "input",
              "reason": f"redacted chunk shorter than generate.min_chunk_chars={g.min_chunk_chars}"}
             for c in chunks if len(c.text.strip()) < int(g.min_chunk_chars)]
    lang = str((cfg.prompts or {}).get("lang", "") or "")
    collected = collected_questions(ctx)
    only = bool((cfg.get("questions") or {}).get("only", False))        # label collected questions only
    with CallLog(ctx.out, "generate", engine) as calls:
        fronted = str(g.get("template_form", "cloze")) == "fronted" and str(g.get("span_check", "off")) == "template"
        span_nlp = load_span_nlp(g.get("span_nlp"), parse=fronted) if resolve_strategy(g) == "answer_first" else None
        gen = QAGenerator(calls, prompts, g, lang=lang, seed=int(cfg.llm.seed), top_p=float(cfg.llm.top_p),
                          span_nlp=span_nlp)
        out = gen.out if only else gen.run(usable, all_chunks)
        if collected:
            label_collected(gen, all_chunks, collected, cfg.questions)    # questions.path: real questions
    out.rejects = short + out.rejects
    write_jsonl(ctx.out.path / QUESTIONS, out.questions)
    ctx.out.write_records(out.pairs)
    ctx.out.write_rejects(out.rejects)
    return _result(out, calls, engine, len(chunks), time.perf_counter() - t0, gen)


def collected_questions(ctx: StageContext) -> list[RedactedQuestion]:
    """The redacted collected questions (redact/questions.jsonl), or [] when the run has none."""
    path = ctx.input("redact").path / REDACTED_QUESTIONS
    return read_records(path, RedactedQuestion) if path.exists() else []


def _result(out: GenerateOutput, calls: CallLog, engine: LLMEngine, n_chunks: int, seconds: float,
            gen: QAGenerator) -> StageResult:
    st = calls.stats
    n_un = sum(1 for p in out.pairs if not p.answerable)
    n_col = sum(1 for p in out.pairs if p.source == "collected")
    # where the refusal rows' contexts come from (generate.distractor): the report and console show the split
    n_same, n_other = (sum(1 for p in out.pairs if not p.answerable and (p.verification or {}).get("same_document")
                           is same) for same in (True, False))
    counts = {"chunks": n_chunks, "questions": len(out.questions), "pairs": len(out.pairs),
              "generated_pairs": len(out.pairs) - n_col, "collected_pairs": n_col,
              "answerable": len(out.pairs) - n_un, "unanswerable": n_un, "distractor_same_document": n_same,
              "distractor_other_document": n_other, "rejects": len(out.rejects),
              "llm_requests": st.requests, "llm_cached": st.cached, "retries": out.retries}
    g = gen.g
    sampling = {
        "question": {"temperature": float(g.temperature), "max_tokens": int(g.max_question_tokens),
                     "top_p": gen.top_p},
        "answer": {"temperature": float(g.answer_temperature), "max_tokens": int(g.max_answer_tokens)},
        "verify": {"temperature": 0.0, "max_tokens": int(g.max_verify_tokens)},
        "retry_temperature": float(g.retry_temperature), "seed": gen.seed, "per_request_seeds": True}
    extra = {"llm": st.to_dict(), "steps": {k: vars(v) for k, v in out.steps.items()},
             "strategy": resolve_strategy(g), "span_kinds": out.span_kinds,
             "question_sources": out.question_sources, "span_check": str(g.get("span_check", "off")),
             "template_form": str(g.get("template_form", "cloze")),
             "template_noise": float(g.get("template_noise", 0.0)),
             "distractor_pairing": str(g.get("distractor_pairing", "split")),
             "span_nlp": g.get("span_nlp") if gen.span_nlp is not None else None,
             "answers_not_in_context": out.answers_not_in_context, "generate_seconds": round(seconds, 3)}
    summary = (f"{n_chunks} chunks -> {len(out.questions)} questions -> {len(out.pairs)} pairs "
               f"({n_un} unanswerable: {n_same} same-document, {n_other} other-document distractors); "
               f"{st.requests} LLM requests ({st.cached} cached), {out.retries} retries, "
               f"{len(out.rejects)} rejects, {st.prompt_tokens}+{st.completion_tokens} tokens, "
               f"{st.tokens_per_s:.1f} tok/s out, {seconds:.1f}s")
    if out.question_sources:
        summary += "; span questions: " + ", ".join(f"{n} {k}" for k, n in sorted(out.question_sources.items()))
    log.info("generate: %s", summary)
    model = {"path": engine.model_path, "checksum": engine.model_checksum, "engine": type(engine).__name__}
    return StageResult(counts=counts, model=model, sampling=sampling, extra=extra, summary=summary)


def run(ctx: StageContext) -> StageResult:
    check_config(ctx.cfg.generate)
    prompts = GeneratePrompts.from_config(ctx.cfg.prompts)   # bad prompts fail before the engine starts
    if resolve_strategy(ctx.cfg.generate) == "answer_first":
        prompts.check_span_question()
    with ctx.engine() as engine:
        return generate_with_engine(ctx, engine)

