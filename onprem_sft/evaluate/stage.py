"""The ``evaluate`` stage: does the tuned sLLM beat its base on held-out questions?

Answers the dataset's eval split (and optionally an external SQuAD v2 file) with the base model and
base + LoRA adapter in one vLLM engine, scores EM / token F1 / character F1 (answerable), refusal
precision/recall (unanswerable), an LLM-judge 1-5 score with rationale, answer lengths, and per-question
wins/losses. Writes records.jsonl (``EvalResult``), metrics.json and llm_calls.jsonl.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onprem_sft.artifacts import StageDir, atomic_write_json, sha256_tree
from onprem_sft.errors import InputError
from onprem_sft.evaluate import answer, judge
from onprem_sft.evaluate.records import EvalItem, EvalResult
from onprem_sft.evaluate.scoring import aggregate, compare, examples, score_answer
from onprem_sft.evaluate.spec import METRICS
from onprem_sft.evaluate.squad import load_squad
from onprem_sft.evaluate.template import check_renderer, prompt_renderer
from onprem_sft.llm.engine import Sampling
from onprem_sft.pipeline import StageContext, StageResult
from onprem_sft.records import SFTExample, stable_id
from onprem_sft.train.spec import ADAPTER

log = logging.getLogger("onprem_sft.evaluate")


class EvaluateError(InputError):
    """Nothing to evaluate, or no adapter to evaluate; the message names the fix."""


def clean_reference(completion: str, end_markers: Sequence[str] = ()) -> str:
    """The answer inside a completion: chat-template completions end with an end-of-turn marker
    (``<|im_end|>``) the model never prints as text; strip those and surrounding whitespace."""
    text = completion.strip()
    changed = True
    while changed:
        changed = False
        for m in end_markers:
            if m and text.endswith(m):
                text, changed = text[: -len(m)].rstrip(), True
    return text


def eval_items(rows: Sequence[SFTExample], refusal: str, max_examples: int = 0,
               end_markers: Sequence[str] = ()) -> list[EvalItem]:
    items = [EvalItem(example=r, references=(clean_reference(r.completion, end_markers) if r.answerable
                                             else refusal,), source="eval")
             for r in rows if r.split == "eval"]
    return items[:max_examples] if max_examples > 0 else items


def end_markers(cfg: Any) -> list[str]:
    """Special tokens of the base model's tokenizer (only needed for dataset.template=chat)."""
    if str(cfg.dataset.template) != "chat":
        return []
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(cfg.model.path))
    return sorted(set(tok.all_special_tokens), key=len, reverse=True)


def adapter_dir(train: StageDir) -> Path:
    """The adapter the (declared) train input wrote."""
    p = train.path / ADAPTER
    if not (p / "adapter_config.json").exists():
        raise EvaluateError(f"{p} has no PEFT adapter (adapter_config.json); run the train stage first "
                            f"(stages=[train,evaluate])")
    return p


def _too_long(items: list[EvalItem], model_path: str, limit: int) -> tuple[list[EvalItem], list[dict[str, Any]]]:
    """Drop prompts that leave no room for the answer in the engine's context, as rejects with a reason."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_path)
    keep, rejects = [], []
    for it in items:
        n = len(tok(it.example.prompt, add_special_tokens=True)["input_ids"])
        if n > limit:
            rejects.append({"id": it.id, "parent_id": it.example.parent_id, "source": it.source,
                            "reason": f"prompt has {n} tokens > llm.max_model_len - evaluate.max_tokens = "
                                      f"{limit}; raise llm.max_model_len or lower evaluate.max_tokens"})
        else:
            keep.append(it)
    return keep, rejects


def fit_judge_request(make: Any, render: Any, count: Any, limit: int, context_chars: int) -> Any:
    """Halve the context shown to the judge until the rendered prompt fits ``limit`` tokens (long Korean
    contexts on a 2k-context model); None when even an empty context does not fit."""
    chars = context_chars
    while True:
        req = make(chars)
        if count(render(req)) <= limit:
            return req
        if chars == 0:
            return None
        chars = chars // 2 if chars > 64 else 0


def _judge(calls: Any, items: list[EvalItem], scores: dict[str, list[dict[str, Any]]], cfg: Any,
           refusal: str) -> int:
    """Add judge_score/judge_rationale/judge_request_id to every scored answer, in place. Returns how
    many answers could not be judged because the prompt cannot fit the judge's context."""
    system, user = judge.templates(cfg.prompts)
    ecfg = cfg.evaluate
    limit = int(cfg.llm.max_model_len) - int(ecfg.judge_max_tokens)
    reqs, where, skipped = [], [], 0
    for name, rows in scores.items():
        for it, s in zip(items, rows):
            rid = f"judge-{name}:{it.id}"

            def make(chars: int, it: EvalItem = it, s: dict[str, Any] = s, rid: str = rid) -> Any:
                return judge.judge_request(rid, it.example, " / ".join(it.references), s["answer"], system=system,
                                       user=user, refusal=refusal, context_chars=chars,
                                       max_tokens=int(ecfg.judge_max_tokens), seed=int(cfg.run.seed))
            req = fit_judge_request(make, calls.engine.render, calls.engine.count_tokens, limit,
                                    int(ecfg.judge_context_chars))
            if req is None:
                s["judge_score"], s["judge_rationale"] = None, "not judged: prompt exceeds llm.max_model_len"
                skipped += 1
                continue
            reqs.append(req)
            where.append((s, rid))
    for (s, rid), resp in zip(where, calls.generate(reqs, desc="evaluate judge")):
        s["judge_score"], s["judge_rationale"] = judge.parse_verdict(resp.text)
        s["judge_request_id"] = rid
    return skipped


def _results(items: list[EvalItem], scores: dict[str, list[dict[str, Any]]]) -> list[EvalResult]:
    out = []
    for i, it in enumerate(items):
        b = scores["base"][i] if "base" in scores else None
        t = scores["tuned"][i]
        outcome, delta = compare(b, t, it.example.answerable)
        ex = it.example
        out.append(EvalResult(id=stable_id("ev", it.source, it.id), parent_id=ex.id, source=it.source,
                              doc_id=ex.doc_id, lang=ex.lang, qtype=ex.qtype, answerable=ex.answerable,
                              question=ex.question, references=list(it.references), base=b, tuned=t,
                              outcome=outcome, delta=delta))
    return out


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def summary_line(m: dict[str, Any]) -> str:
    t, b = m.get("tuned") or {}, m.get("base") or {}

    def pair(path: tuple[str, ...]) -> str:
        def get(d: dict[str, Any]) -> float | None:
            for k in path:
                d = (d or {}).get(k)  # type: ignore[assignment]
            return d  # type: ignore[return-value]
        return f"{_fmt(get(b))}->{_fmt(get(t))}" if b else _fmt(get(t))

    c = m.get("comparison") or {}
    return (f"eval n={m['n']}: F1 {pair(('answerable', 'f1_token'))}, EM {pair(('answerable', 'em'))}, "
            f"refusal R {pair(('refusal', 'recall'))}, judge {pair(('judge', 'mean'))}"
            + (f", wins {c['wins']} losses {c['losses']} ties {c['ties']}" if c else ""))


@dataclass
class Work:
    """What the steps of ``run`` pass along: the items, their scores per system, and every drop."""

    items: list[EvalItem]
    rejects: list[dict[str, Any]] = field(default_factory=list)
    same_prompt: bool | None = None             # external prompts rendered like the dataset's
    scores: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    timing: dict[str, dict[str, Any]] = field(default_factory=dict)
    models: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)


def _collect_items(ctx: StageContext, refusal: str) -> Work:
    """The eval split (and the external file), over-long prompts moved to rejects."""
    cfg, ecfg = ctx.cfg, ctx.cfg.evaluate
    dataset_rows = ctx.input("dataset").read(SFTExample)
    items = eval_items(dataset_rows, refusal, int(ecfg.max_examples), end_markers(cfg))
    work = Work(items=[])
    ext: list[EvalItem] = []
    if ecfg.external:
        render = prompt_renderer(cfg)
        work.same_prompt = check_renderer(render, dataset_rows)
        ext, rej = load_squad(ecfg.external, render=render, refusal=refusal,
                              lang=str(cfg.prompts.get("lang", "")), limit=int(ecfg.external_max))
        work.rejects += rej
    if not items and not ext:
        raise EvaluateError(f"{ctx.input('dataset').records_path} has no split=eval rows and no "
                            f"evaluate.external file: raise dataset.eval_fraction or pass evaluate.external=")
    limit = int(cfg.llm.max_model_len) - int(ecfg.max_tokens)
    work.items, rej = _too_long(items + ext, str(cfg.model.path), limit)
    work.rejects += rej
    return work


def _answer(calls: Any, work: Work, systems: list[str], adapter: Path, cfg: Any, refusal: str) -> None:
    """Greedy answers of each system (tuned = base + adapter), scored against the references."""
    ecfg = cfg.evaluate
    for name in systems:
        reqs = answer.answer_requests(work.items, adapter=str(adapter) if name == "tuned" else None, tag=name,
                                      max_tokens=int(ecfg.max_tokens), seed=int(cfg.run.seed), stop=list(ecfg.stop))
        t0, tok0 = time.perf_counter(), calls.stats.completion_tokens
        resps = calls.generate(reqs, desc=f"evaluate {name}")
        secs, toks = time.perf_counter() - t0, calls.stats.completion_tokens - tok0
        work.timing[name] = {"seconds": round(secs, 3), "completion_tokens": toks,
                             "tokens_per_s": round(toks / secs, 2) if secs > 0 else None}
        work.scores[name] = [score_answer(it, a, refusal) for it, a in zip(work.items, answer.texts(resps))]


def _generate(ctx: StageContext, work: Work, systems: list[str], adapter: Path, refusal: str) -> None:
    """Answer with the base model (+ adapter), then judge: with the same engine when the judge model is the
    base model, else with a second engine after closing the first (one call log either way)."""
    from onprem_sft.llm.calls import CallLog

    cfg = ctx.cfg
    with contextlib.ExitStack() as stack:
        engine = stack.enter_context(ctx.engine(model=str(cfg.model.path), adapters=[str(adapter)]))
        calls = stack.enter_context(CallLog(ctx.out, "evaluate", engine))
        work.models["base"] = {"path": engine.model_path, "checksum": engine.model_checksum}
        _answer(calls, work, systems, adapter, cfg, refusal)
        work.models["judge"] = {}
        if cfg.evaluate.judge and work.items:
            if not answer.same_model(cfg):
                engine.close()
                engine = stack.enter_context(ctx.engine())
                calls.engine = engine          # one call log per stage: same llm_calls.jsonl
            work.models["judge"] = {"path": engine.model_path, "checksum": engine.model_checksum}
            t0 = time.perf_counter()
            skipped = _judge(calls, work.items, work.scores, cfg, refusal)
            work.timing["judge"] = {"seconds": round(time.perf_counter() - t0, 3), "not_judged_too_long": skipped}
        work.stats = calls.stats.to_dict()


def _metrics(work: Work, rows: list[EvalResult], systems: list[str], adapter: Path, ecfg: Any,
             refusal: str) -> dict[str, Any]:
    eval_rows = [r for r in rows if r.source == "eval"]
    ext_rows = [r for r in rows if r.source == "external"]
    k = int(ecfg.examples_in_report)
    metrics: dict[str, Any] = {"eval": aggregate(eval_rows), "examples": {"eval": examples(eval_rows, k)},
                               "refusal": refusal, "systems": systems, "base_model": work.models["base"],
                               "adapter": str(adapter), "judge_model": work.models["judge"]}
    if ecfg.external:
        metrics["external"] = aggregate(ext_rows)
        metrics["examples"]["external"] = examples(ext_rows, k)
        metrics["external_file"] = Path(str(ecfg.external)).name
        metrics["external_prompt_matches_dataset"] = work.same_prompt
    return metrics


def run(ctx: StageContext) -> StageResult:
    cfg, ecfg = ctx.cfg, ctx.cfg.evaluate
    refusal = str(cfg.prompts.refusal)
    work = _collect_items(ctx, refusal)
    adapter = adapter_dir(ctx.input("train"))
    systems = ["tuned", "base"] if ecfg.compare_base else ["tuned"]
    _generate(ctx, work, systems, adapter, refusal)
    rows = _results(work.items, work.scores)
    metrics = _metrics(work, rows, systems, adapter, ecfg, refusal)
    ctx.out.write_records(rows)
    ctx.out.write_rejects(work.rejects)
    atomic_write_json(ctx.out.path / METRICS, metrics)
    line = summary_line(metrics["eval"])
    if "external" in metrics and any(r.source == "external" for r in rows):
        line += " | external " + summary_line(metrics["external"])
    answer_sampling = Sampling(temperature=0.0, max_tokens=int(ecfg.max_tokens), seed=int(cfg.run.seed),
                               stop=tuple(ecfg.stop)).to_dict()
    return StageResult(
        counts={"eval": sum(r.source == "eval" for r in rows), "external": sum(r.source == "external" for r in rows),
                "rejects": len(work.rejects), "wins": sum(r.outcome == "win" for r in rows),
                "losses": sum(r.outcome == "loss" for r in rows)},
        model={"base": work.models["base"], "adapter": {"path": str(adapter), "sha256": sha256_tree(adapter)},
               "judge": work.models["judge"]},
        sampling={"answer": answer_sampling},
        extra={"llm_calls": work.stats, "timing": work.timing, "headline": _headline(metrics["eval"])},
        summary=line)


def _headline(m: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for s in ("base", "tuned"):
        d = m.get(s)
        if d:
            out[s] = {"em": d["answerable"]["em"], "f1_token": d["answerable"]["f1_token"],
                      "f1_char": d["answerable"]["f1_char"], "refusal_precision": d["refusal"]["precision"],
                      "refusal_recall": d["refusal"]["recall"], "judge_mean": d["judge"]["mean"]}
    return out


