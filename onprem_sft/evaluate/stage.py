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
from pathlib import Path
from typing import Any

from onprem_sft.artifacts import atomic_write_json, sha256_tree
from onprem_sft.errors import InputError
from onprem_sft.evaluate import answer as A
from onprem_sft.evaluate import judge as J
from onprem_sft.evaluate.records import EvalItem, EvalResult
from onprem_sft.evaluate.scoring import aggregate, compare, examples, score_answer
from onprem_sft.evaluate.squad import load_squad
from onprem_sft.evaluate.template import check_renderer, prompt_renderer
from onprem_sft.llm.engine import Sampling
from onprem_sft.pipeline import StageContext, StageResult, StageSpec
from onprem_sft.records import SFTExample, stable_id

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


def adapter_dir(run_dir: Path) -> Path:
    p = run_dir / "train" / "adapter"
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
    from transformers import AutoTokenizer

    system, user = J.templates(cfg.prompts)
    ecfg = cfg.evaluate
    tok = AutoTokenizer.from_pretrained(calls.engine.model_path)
    limit = int(cfg.llm.max_model_len) - int(ecfg.judge_max_tokens)

    def count(text: str) -> int:
        return len(tok(text, add_special_tokens=False)["input_ids"])

    reqs, where, skipped = [], [], 0
    for name, rows in scores.items():
        for it, s in zip(items, rows):
            rid = f"judge-{name}:{it.id}"

            def make(chars: int, it: EvalItem = it, s: dict[str, Any] = s, rid: str = rid) -> Any:
                return J.judge_request(rid, it.example, " / ".join(it.references), s["answer"], system=system,
                                       user=user, refusal=refusal, context_chars=chars,
                                       max_tokens=int(ecfg.judge_max_tokens), seed=int(cfg.run.seed))
            req = fit_judge_request(make, calls.engine.render, count, limit, int(ecfg.judge_context_chars))
            if req is None:
                s["judge_score"], s["judge_rationale"] = None, "not judged: prompt exceeds llm.max_model_len"
                skipped += 1
                continue
            reqs.append(req)
            where.append((s, rid))
    for (s, rid), resp in zip(where, calls.generate(reqs, desc="evaluate judge")):
        s["judge_score"], s["judge_rationale"] = J.parse_verdict(resp.text)
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


def run(ctx: StageContext) -> StageResult:
    cfg, ecfg = ctx.cfg, ctx.cfg.evaluate
    refusal = str(cfg.prompts.refusal)
    dataset_rows = ctx.input("dataset").read(SFTExample)
    items = eval_items(dataset_rows, refusal, int(ecfg.max_examples), end_markers(cfg))
    rejects: list[dict[str, Any]] = []
    ext: list[EvalItem] = []
    same_prompt = None
    if ecfg.external:
        render = prompt_renderer(cfg)
        same_prompt = check_renderer(render, dataset_rows)
        ext, rej = load_squad(ecfg.external, render=render, refusal=refusal,
                              lang=str(cfg.prompts.get("lang", "")), limit=int(ecfg.external_max))
        rejects += rej
    if not items and not ext:
        raise EvaluateError(f"{ctx.input('dataset').records_path} has no split=eval rows and no "
                            f"evaluate.external file: raise dataset.eval_fraction or pass evaluate.external=")
    adapter = adapter_dir(ctx.run_dir)
    limit = int(cfg.llm.max_model_len) - int(ecfg.max_tokens)
    all_items, rej = _too_long(items + ext, str(cfg.model.path), limit)
    rejects += rej
    systems = ["tuned", "base"] if ecfg.compare_base else ["tuned"]
    from onprem_sft.llm.calls import CallLog
    from onprem_sft.llm.factory import build_engine

    scores: dict[str, list[dict[str, Any]]] = {}
    timing: dict[str, dict[str, Any]] = {}
    with contextlib.ExitStack() as stack:
        engine = stack.enter_context(build_engine(A.base_llm_cfg(cfg), ctx.run_dir, adapters=[str(adapter)],
                                                  progress=ctx.progress))
        A.honour_raw(engine)
        calls = stack.enter_context(CallLog(ctx.out, "evaluate", engine))
        base_model = {"path": engine.model_path, "checksum": engine.model_checksum}
        for name in systems:
            reqs = A.answer_requests(all_items, adapter=str(adapter) if name == "tuned" else None, tag=name,
                                     max_tokens=int(ecfg.max_tokens), seed=int(cfg.run.seed), stop=list(ecfg.stop))
            t0, tok0 = time.perf_counter(), calls.stats.completion_tokens
            resps = calls.generate(reqs, desc=f"evaluate {name}")
            secs, toks = time.perf_counter() - t0, calls.stats.completion_tokens - tok0
            timing[name] = {"seconds": round(secs, 3), "completion_tokens": toks,
                            "tokens_per_s": round(toks / secs, 2) if secs > 0 else None}
            scores[name] = [score_answer(it, a, refusal) for it, a in zip(all_items, A.texts(resps))]
        judge_model: dict[str, Any] = {}
        if ecfg.judge and all_items:
            if not A.same_model(cfg):
                engine.close()
                engine = stack.enter_context(build_engine(cfg.llm, ctx.run_dir, progress=ctx.progress))
                calls.engine = engine          # one call log per stage: same llm_calls.jsonl
            judge_model = {"path": engine.model_path, "checksum": engine.model_checksum}
            t0 = time.perf_counter()
            judge_skipped = _judge(calls, all_items, scores, cfg, refusal)
            timing["judge"] = {"seconds": round(time.perf_counter() - t0, 3), "not_judged_too_long": judge_skipped}
        stats = calls.stats.to_dict()

    rows = _results(all_items, scores)
    eval_rows = [r for r in rows if r.source == "eval"]
    ext_rows = [r for r in rows if r.source == "external"]
    k = int(ecfg.examples_in_report)
    metrics: dict[str, Any] = {"eval": aggregate(eval_rows), "examples": {"eval": examples(eval_rows, k)},
                               "refusal": refusal, "systems": systems,
                               "base_model": base_model, "adapter": str(adapter), "judge_model": judge_model}
    if ecfg.external:
        metrics["external"] = aggregate(ext_rows)
        metrics["examples"]["external"] = examples(ext_rows, k)
        metrics["external_file"] = Path(str(ecfg.external)).name
        metrics["external_prompt_matches_dataset"] = same_prompt
    ctx.out.write_records(rows)
    ctx.out.write_rejects(rejects)
    atomic_write_json(ctx.out.path / "metrics.json", metrics)
    line = summary_line(metrics["eval"])
    if ext_rows:
        line += " | external " + summary_line(metrics["external"])
    answer_sampling = Sampling(temperature=0.0, max_tokens=int(ecfg.max_tokens), seed=int(cfg.run.seed),
                               stop=tuple(ecfg.stop)).to_dict()
    return StageResult(
        counts={"eval": len(eval_rows), "external": len(ext_rows), "rejects": len(rejects),
                "wins": sum(r.outcome == "win" for r in rows), "losses": sum(r.outcome == "loss" for r in rows)},
        model={"base": base_model, "adapter": {"path": str(adapter), "sha256": sha256_tree(adapter)},
               "judge": judge_model},
        sampling={"answer": answer_sampling},
        extra={"llm_calls": stats, "timing": timing, "headline": _headline(metrics["eval"])},
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


STAGE = StageSpec(name="evaluate", inputs=("dataset", "train"), config_keys=("evaluate", "llm", "prompts"),
                  run=run)
