"""The `curate` stage: standardise -> gates -> domain filter -> round trip -> LLM judge -> dedup, every
drop with its reason.

Dedup runs last so that, within a cluster of duplicate questions, the best-judged pair is the one kept
(and a pair the judge failed cannot knock out a good duplicate). Outputs in ``curate/``:
records.jsonl (kept QAPairs), judgements.jsonl (every verdict), judged_pairs.jsonl (the standardised
pairs the judge saw: the eye-check samples from them), rejects.jsonl (step, reason, verdict where
judged), llm_calls.jsonl.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from omegaconf import DictConfig
from tqdm import tqdm

from onprem_sft.artifacts import atomic_write_json, write_jsonl
from onprem_sft.config import to_container
from onprem_sft.curate import domain as dom
from onprem_sft.curate import gates as gt
from onprem_sft.curate import judge as jg
from onprem_sft.curate import qualify as qf
from onprem_sft.curate import roundtrip as rt
from onprem_sft.curate.agreement import finite_or_none, spearman
from onprem_sft.curate.dedup import dedup
from onprem_sft.curate.spec import JUDGED_PAIRS, JUDGEMENTS
from onprem_sft.curate.standardise import StandardiseRules, standardise_pair
from onprem_sft.generate.prompts import GeneratePrompts
from onprem_sft.llm.calls import CACHE, CALLS, CallLog
from onprem_sft.llm.engine import LLMEngine, LLMRequest, LLMResponse, Sampling
from onprem_sft.pipeline import StageContext, StageResult
from onprem_sft.records import Judgement, QAPair, stable_id
from onprem_sft.scale.executor import executor_name, mapper_for

log = logging.getLogger("onprem_sft.curate")


@dataclass
class Outcome:
    kept: list[QAPair]
    judgements: list[Judgement] = field(default_factory=list)
    judged_pairs: list[QAPair] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    filters: list[dict[str, Any]] = field(default_factory=list)   # per step: enabled, in, dropped, reasons
    qualification: dict[str, Any] | None = None                   # judge vs human labels, and the mode

    def reject(self, p: QAPair, step: str, reason: str, **detail: Any) -> None:
        self.rejects.append({"id": p.id, "parent_id": p.parent_id, "doc_id": p.doc_id, "step": step,
                             "reason": f"{step}:{reason}", **detail})

    def step_done(self, step: str, enabled: bool, n_in: int, **info: Any) -> None:
        reasons = Counter(r["reason"].split(":", 1)[1] for r in self.rejects if r["step"] == step)
        self.filters.append({"step": step, "enabled": enabled, "in": n_in, "dropped": sum(reasons.values()),
                             "reasons": dict(sorted(reasons.items())), **info})


class LazyLLM:
    """Engine + shared call log, built on first use only (a lexical-only, judge-off run loads no model).

    Calls go through ``onprem_sft.llm.calls.CallLog``: every call logged to ``curate/llm_calls.jsonl``,
    and a resumed stage reuses the verdicts an interrupted run already paid for."""

    def __init__(self, factory: Callable[[], LLMEngine], stage_dir: Any):
        self._factory = factory
        self._dir = stage_dir
        self.engine: LLMEngine | None = None
        self.calls: CallLog | None = None
        self.qual_calls: CallLog | None = None

    def _ensure(self) -> None:
        if self.calls is None:
            self.engine = self._factory()
            self.calls = CallLog(self._dir, "curate", self.engine)

    def generate(self, requests: Sequence[LLMRequest], *, desc: str) -> list[LLMResponse]:
        if not requests:
            return []
        self._ensure()
        return self.calls.generate(requests, desc=desc)          # type: ignore[union-attr]

    def generate_qualify(self, requests: Sequence[LLMRequest]) -> list[LLMResponse]:
        """Judge-qualification calls go to ``curate/qualify/llm_calls.jsonl``: their sources are the
        labelled file's rows, not records of this run, so they stay out of the run's call log."""
        if not requests:
            return []
        self._ensure()
        if self.qual_calls is None:
            base = Path(getattr(self._dir, "path", self._dir))
            self.qual_calls = CallLog(base / qf.CALLS_DIR, "curate", self.engine)   # type: ignore[arg-type]
        return self.qual_calls.generate(requests, desc="judge qualification")

    def close(self, success: bool = True) -> None:
        for c in (self.qual_calls, self.calls):
            if c is not None:
                c.close(success=success)
        if self.engine is not None:
            self.engine.close()


def _standardise(pairs: Sequence[QAPair], c: Any, refusal: str, out: Outcome, progress: bool) -> list[QAPair]:
    rules = StandardiseRules.from_config(c, refusal)
    kept = []
    for p in tqdm(pairs, desc="standardise", disable=not progress, unit="pair"):
        q, reason, detail = standardise_pair(p, rules)
        if q is None:
            out.reject(p, "standardise", reason, **({"detail": detail} if detail else {}))
        else:
            kept.append(q)
    out.step_done("standardise", True, len(pairs))
    return kept


def _gates(pairs: list[QAPair], cfg: DictConfig, refusal: str, out: Outcome, mapper: Any = map) -> list[QAPair]:
    rules = gt.GateRules.from_config(cfg.curate, answer_style=str(cfg.generate.answer_style), refusal=refusal)
    if not rules.enabled or not pairs:
        out.step_done("gates", rules.enabled, len(pairs))
        return pairs
    kept = []
    for p, failed in zip(pairs, mapper(partial(gt.check_pair, r=rules), pairs), strict=True):
        if failed:
            out.reject(p, "gates", failed[0], **({"also": failed[1:]} if failed[1:] else {}))
        else:
            kept.append(p)
    out.step_done("gates", True, len(pairs), answer_style=rules.answer_style)
    return kept


def _domain(pairs: list[QAPair], corpus: list[str], c: Any, prompts: Any, refusal: str, llm: LazyLLM,
            seed: int, out: Outcome) -> list[QAPair]:
    d = c.domain
    if not d.enabled or not pairs:
        out.step_done("domain", bool(d.enabled), len(pairs))
        return pairs
    if d.method not in ("lexical", "llm", "both"):
        raise ValueError(f"curate.domain.method={d.method!r}: must be lexical | llm | both")
    texts = [dom.pair_text(p, refusal) for p in pairs]
    scores: list[float | None] = [None] * len(pairs)
    flagged = list(range(len(pairs)))
    cut, trimmed = 0.0, 0
    if d.method in ("lexical", "both"):
        lex = dom.LexicalDomain(corpus, items=texts, description=d.description, keywords=list(d.keywords),
                                ngram=d.ngram, trim=d.trim_fraction)
        trimmed = lex.trimmed
        scores = [lex.score(t) for t in texts]
        cut = max(d.min_score, d.min_relative * sorted(scores)[len(scores) // 2])
        flagged = [i for i, s in enumerate(scores) if s < cut]
    llm_says: dict[int, tuple[bool, str]] = {}
    if d.method in ("llm", "both") and flagged:
        j = prompts.get("judge") or {}
        if not j.get("domain") or not j.get("domain_system"):
            raise ValueError(f"curate.domain.method={d.method} needs prompts.judge.domain and "
                             f"prompts.judge.domain_system (conf/prompts/{prompts.get('lang')}/judge.yaml)")
        reqs = [LLMRequest(
            id=stable_id("domain", pairs[i].id), purpose="domain",
            messages=({"role": "system", "content": j.domain_system},
                      {"role": "user", "content": jg.render(j.domain, description=d.description,
                                                            question=pairs[i].question, answer=pairs[i].answer)}),
            sources=(pairs[i],), sampling=Sampling(temperature=0.0, max_tokens=d.max_tokens, seed=seed),
            json_schema=dom.DOMAIN_SCHEMA) for i in flagged]
        for i, resp in zip(flagged, llm.generate(reqs, desc="domain")):
            try:
                obj = json.loads(resp.text)
                llm_says[i] = (bool(obj["in_domain"]), " ".join(str(obj.get("reason", "")).split())[:200])
            except (json.JSONDecodeError, KeyError, TypeError):
                log.warning("domain classifier output for pair %s did not parse; pair kept", pairs[i].id)
    kept = []
    flagged_set = set(flagged)
    for i, p in enumerate(pairs):
        if i in llm_says and not llm_says[i][0]:
            out.reject(p, "domain", "llm_off_domain", domain_score=scores[i], domain_rationale=llm_says[i][1])
        elif d.method == "lexical" and i in flagged_set:
            out.reject(p, "domain", "lexical_below_min", domain_score=scores[i], cutoff=round(cut, 4))
        else:
            kept.append(p)
    known = [s for s in scores if s is not None]
    out.step_done("domain", True, len(pairs), method=d.method, min_score=d.min_score,
                  min_relative=d.min_relative, cutoff=round(cut, 4) if known else None,
                  flagged=len(flagged), llm_checked=len(llm_says), corpus_trimmed=trimmed,
                  score_min=min(known) if known else None,
                  score_median=sorted(known)[len(known) // 2] if known else None)
    return kept


def _roundtrip_qualify(items: list[qf.Item] | None, cfg: DictConfig, prompts: GeneratePrompts, style: str,
                       refusal: str, llm: LazyLLM, seed: int) -> tuple[str, dict[str, Any] | None]:
    """Can the answering model reproduce human answers? Share of the qualification set's good answerable
    items (human pass, score >= 4 when scored) it answers with token F1 >= min_f1."""
    rc = cfg.curate.roundtrip
    if not items or float(rc.min_qualify) <= 0:
        return "gating", None
    good = [it for it in items if it.pair.answerable and it.human_pass and (it.human_score or 5) >= 4]
    reqs = [rt.build_request(it.pair, prompts, style=style, max_tokens=int(rc.max_tokens), seed=seed,
                             max_chars=int(cfg.generate.max_answer_chars)) for it in good]
    agree = 0
    for it, resp in zip(good, llm.generate_qualify(reqs)):
        got = rt.model_answer(resp)
        agree += got is not None and rt.agree(it.pair, got[0], got[1], refusal=refusal,
                                             min_f1=float(rc.min_f1)).agrees
    rate = round(agree / len(good), 4) if good else None
    mode = "gating" if rate is not None and rate >= float(rc.min_qualify) else "advisory"
    (log.warning if mode == "advisory" else log.info)(
        "round trip qualification: the model reproduces %s of %d human answers (min %s) -> round trip is %s",
        rate, len(good), rc.min_qualify, mode.upper())
    return mode, {"n": len(good), "agree_rate": rate, "min_qualify": float(rc.min_qualify), "mode": mode}


def _roundtrip(pairs: list[QAPair], cfg: DictConfig, refusal: str, llm: LazyLLM, seed: int,
               out: Outcome, qual_items: list[qf.Item] | None = None) -> list[QAPair]:
    rc = cfg.curate.roundtrip
    if not rc.enabled or not pairs:
        out.step_done("roundtrip", bool(rc.enabled), len(pairs))
        return pairs
    prompts = GeneratePrompts.from_config(cfg.prompts)
    style = str(cfg.generate.answer_style)
    ask = [p for p in pairs if not rt.by_construction(p) and (p.answerable or rc.unanswerable)]
    mode, qual = _roundtrip_qualify(qual_items, cfg, prompts, style, refusal, llm, seed) if ask else ("gating", None)
    reqs = [rt.build_request(p, prompts, style=style, max_tokens=int(rc.max_tokens), seed=seed,
                             max_chars=int(cfg.generate.max_answer_chars)) for p in ask]
    verdicts: dict[str, rt.Verdict] = {}
    for p, resp in zip(ask, llm.generate(reqs, desc="round trip")):
        got = rt.model_answer(resp)
        verdicts[p.id] = rt.Verdict(False, "unparsed") if got is None else \
            rt.agree(p, got[0], got[1], refusal=refusal, min_f1=float(rc.min_f1))
    kept, would_drop = [], 0
    for p in pairs:
        v = verdicts.get(p.id)
        if v is None or v.agrees:
            kept.append(p)
        elif mode == "advisory":            # an unqualified answerer only advises, like an unqualified judge
            would_drop += 1
            kept.append(p)
        else:
            out.reject(p, "roundtrip", v.reason, **({"f1": v.f1} if v.f1 is not None else {}))
    f1s = [v.f1 for v in verdicts.values() if v.f1 is not None]
    out.step_done("roundtrip", True, len(pairs), mode=mode, advisory_would_drop=would_drop, qualification=qual,
                  min_f1=float(rc.min_f1), asked=len(ask), agreed=sum(v.agrees for v in verdicts.values()),
                  by_construction=sum(rt.by_construction(p) for p in pairs),
                  unanswerable_checked=sum(not p.answerable for p in ask),
                  mean_f1=round(sum(f1s) / len(f1s), 4) if f1s else None)
    return kept


def _qualify(c: Any, prompts: Any, refusal: str, llm: LazyLLM, seed: int, out: Outcome,
             items: list[qf.Item] | None) -> str:
    """Run the qualification set through the judge; returns "gating" or "advisory"."""
    q = c.judge.qualify
    if not q.enabled or items is None:
        return "gating"
    res = qf.qualify(items, c.judge, prompts, refusal=refusal, seed=seed, generate=llm.generate_qualify)
    mode, why = qf.decide_mode(res, float(q.min_kappa))
    path = Path(q.file) if q.file else qf.BUNDLED
    from onprem_sft.artifacts import sha256_file

    out.qualification = {**res, "mode": mode, "why": why, "min_kappa": float(q.min_kappa),
                         "file": "bundled" if not q.file else path.name, "file_sha256": sha256_file(path)}
    (log.warning if mode == "advisory" else log.info)(
        "judge qualification on %d labelled pairs: accuracy %s, kappa %s -> judge is %s (%s)",
        res["n"], res["accuracy"], res["cohen_kappa"], mode.upper(), why)
    return mode


def load_qualification(c: Any, prompts: Any, refusal: str) -> list[qf.Item] | None:
    """The labelled items (checked before any model starts), or None when neither the judge nor the round
    trip is qualified on them."""
    q = c.judge.qualify
    judge_q = bool(c.judge.enabled and q.enabled)
    if not (judge_q or (c.roundtrip.enabled and float(c.roundtrip.min_qualify) > 0)):
        return None
    path = Path(q.file) if q.file else qf.BUNDLED
    lang = str(prompts.get("lang") or "") if q.same_lang else None
    items = qf.load_items(path, refusal=refusal, lang=lang or None)
    if judge_q and len(items) < int(q.min_items):
        raise qf.QualifyError(f"{path}: {len(items)} labelled item(s){f' in {lang}' if lang else ''}, fewer than "
                              f"curate.judge.qualify.min_items={q.min_items}; label more rows or point "
                              f"curate.judge.qualify.file at a larger set")
    return items


def _judge(pairs: list[QAPair], c: Any, prompts: Any, refusal: str, llm: LazyLLM, seed: int,
           out: Outcome, qual_items: list[qf.Item] | None = None) -> list[QAPair]:
    jc = c.judge
    if not jc.enabled or not pairs:
        out.step_done("judge", bool(jc.enabled), len(pairs))
        return pairs
    mode = _qualify(c, prompts, refusal, llm, seed, out, qual_items)
    advisory = mode == "advisory"
    would_drop = 0
    jp = jg.JudgePrompts.from_config(prompts)
    min_scores = dict(jc.min_scores)
    weights = dict(jc.weights)
    verdicts: dict[str, tuple[dict[str, float], str, str]] = {}
    errors: dict[str, str] = {}
    todo = list(pairs)
    for attempt in range(jc.max_retries + 1):
        if not todo:
            break
        reqs = [jg.build_request(p, jp, refusal=refusal, max_tokens=jc.max_tokens, temperature=jc.temperature,
                                 rationale_max_chars=jc.rationale_max_chars, seed=seed, attempt=attempt)
                for p in todo]
        resps = llm.generate(reqs, desc=f"judge{' retry' if attempt else ''}")
        retry = []
        for p, req, resp in zip(todo, reqs, resps):
            try:
                scores, rationale = jg.parse_verdict(resp.text, jg.criteria_for(p), jc.rationale_max_chars)
                verdicts[p.id] = (scores, rationale, req.id)
                errors.pop(p.id, None)
            except jg.JudgeParseError as e:
                errors[p.id] = e.code
                retry.append(p)
        todo = retry
    kept = []
    for p in pairs:
        if p.id not in verdicts:
            if advisory:                     # no verdict from an advisory judge: nothing to act on
                would_drop += 1
                kept.append(p)
            else:
                out.reject(p, "judge", errors[p.id], attempts=jc.max_retries + 1)
            continue
        scores, rationale, rid = verdicts[p.id]
        j, failed = jg.judgement(p, scores, rationale, request_id=rid, threshold=jc.threshold,
                                 min_scores=min_scores, weights=weights)
        out.judgements.append(j)
        out.judged_pairs.append(p)
        if j.passed:
            kept.append(p)
        elif advisory:                       # an unqualified judge only advises: verdict kept, pair too
            would_drop += 1
            kept.append(p)
        else:
            out.reject(p, "judge", "below_threshold", failed=failed, verdict=j.to_dict())
    overall = [j.overall for j in out.judgements]
    by_id = {p.id: p for p in pairs}
    ans = [(len(by_id[j.parent_id].answer), j.overall) for j in out.judgements if by_id[j.parent_id].answerable]
    rho = finite_or_none(spearman([a for a, _ in ans], [s for _, s in ans])) if len(ans) >= 3 else None
    if rho is not None and rho > jc.verbosity_warn_rho:
        log.warning("judge scores rise with answer length (Spearman rho=%.2f > %.2f): possible verbosity "
                    "bias; eye-check long answers", rho, jc.verbosity_warn_rho)
    out.step_done("judge", True, len(pairs), mode=mode, advisory_would_drop=would_drop,
                  threshold=jc.threshold, min_scores=min_scores,
                  judged=len(out.judgements), unparsed=len(pairs) - len(verdicts),
                  score_bands=dict(sorted(Counter(jg.band(s) for s in overall).items())),
                  mean_overall=round(sum(overall) / len(overall), 3) if overall else None,
                  verbosity_rho=rho)
    return kept


def _dedup(pairs: list[QAPair], c: Any, out: Outcome, mapper: Any = map) -> list[QAPair]:
    dc = c.dedup
    if not dc.enabled or not pairs:
        out.step_done("dedup", bool(dc.enabled), len(pairs))
        return pairs
    overall = {j.parent_id: j.overall for j in out.judgements}
    kept, drops = [], []
    for answerable in (True, False):       # a question answered in one pair and refused in another is a
        group = [p for p in pairs if p.answerable is answerable]     # contrast, not a duplicate
        k, d = dedup(group, score=lambda p: overall.get(p.id, 0.0), key=dc.key, exact=dc.exact,
                     near=dc.near, threshold=c.near_dup_threshold, ngram=dc.ngram, num_perm=dc.num_perm,
                     seed=dc.seed, mapper=mapper)
        kept += k
        drops += d
    order = {p.id: i for i, p in enumerate(pairs)}
    kept.sort(key=lambda p: order[p.id])
    by_id = {p.id: p for p in pairs}
    for d in drops:
        p = by_id[d.id]
        out.reject(p, "dedup", d.reason, kept_id=d.kept_id, similarity=d.similarity,
                   cross_document=by_id[d.kept_id].doc_id != p.doc_id,
                   **({"judge_overall": overall[p.id]} if p.id in overall else {}))
    out.step_done("dedup", True, len(pairs), key=dc.key, near_dup_threshold=c.near_dup_threshold)
    return kept


def curate(pairs: Sequence[QAPair], cfg: DictConfig, *, llm: LazyLLM, progress: bool = False) -> Outcome:
    """All curation steps on ``pairs`` (pure apart from the logged LLM calls)."""
    c, prompts = cfg.curate, cfg.prompts
    if c.judge.enabled:
        jg.JudgePrompts.from_config(prompts)    # bad prompts fail before any model starts
    refusal = str(prompts.refusal)
    if c.roundtrip.enabled:
        GeneratePrompts.from_config(prompts)
    qual_items = load_qualification(c, prompts, refusal)
    seed = int(cfg.run.seed)
    out = Outcome(kept=[])
    cur = _standardise(pairs, c, refusal, out, progress)
    mapper = mapper_for(cfg.run)          # run.executor: gates and dedup signatures here or on Ray
    cur = _gates(cur, cfg, refusal, out, mapper)
    corpus = dom.corpus_texts(pairs)      # every context generate saw, also of pairs dropped above
    cur = _domain(cur, corpus, c, prompts, refusal, llm, seed, out)
    cur = _roundtrip(cur, cfg, refusal, llm, seed, out, qual_items)
    cur = _judge(cur, c, prompts, refusal, llm, seed, out, qual_items)
    out.kept = _dedup(cur, c, out, mapper)
    return out


def run(ctx: StageContext) -> StageResult:
    pairs = ctx.input("generate").read(QAPair)
    llm = LazyLLM(ctx.engine, ctx.out)          # the engine starts only if a step needs the LLM
    ok = False
    try:
        out = curate(pairs, ctx.cfg, llm=llm, progress=ctx.progress)
        ok = True
    finally:
        llm.close(success=ok)
    if llm.calls is None:                       # no LLM this time: no stale log from an earlier run
        for name in (CALLS, CACHE):
            (ctx.out.path / name).unlink(missing_ok=True)
    if llm.qual_calls is None:                  # no qualification this time: no stale log either
        for name in (CALLS, CACHE):
            (ctx.out.path / qf.CALLS_DIR / name).unlink(missing_ok=True)
    ctx.out.write_records(out.kept)
    write_jsonl(ctx.out.path / JUDGEMENTS, out.judgements)
    write_jsonl(ctx.out.path / JUDGED_PAIRS, out.judged_pairs)
    ctx.out.write_rejects(out.rejects)
    qpath = ctx.out.path / qf.RESULT_FILE
    if out.qualification is not None:
        atomic_write_json(qpath, out.qualification)
    else:
        qpath.unlink(missing_ok=True)
    dropped = {f"dropped_{f['step']}": f["dropped"] for f in out.filters}
    counts = {"input": len(pairs), "kept": len(out.kept), "judged": len(out.judgements), **dropped,
              "unanswerable_kept": sum(not p.answerable for p in out.kept)}
    model: dict[str, Any] = {}
    gate_counts = next((f["reasons"] for f in out.filters if f["step"] == "gates"), {})
    counts.update({f"gate_{k}": v for k, v in gate_counts.items()})
    if out.qualification is not None:
        counts["judge_advisory"] = int(out.qualification["mode"] == "advisory")
    extra: dict[str, Any] = {"filters": out.filters, "thresholds": to_container(ctx.cfg.curate),
                             "judge_qualification": out.qualification, "executor": executor_name(ctx.cfg.run)}
    if llm.engine is not None and llm.calls is not None:
        model = {"path": llm.engine.model_path, "checksum": llm.engine.model_checksum,
                 "engine": type(llm.engine).__name__}
        extra["llm"] = llm.calls.stats.to_dict()
        counts.update(llm_requests=llm.calls.stats.requests, llm_cached=llm.calls.stats.cached)
    jc = ctx.cfg.curate.judge
    summary = (f"curate: {len(pairs)} pairs in, {len(out.kept)} kept; dropped "
               + ", ".join(f"{f['step']} {f['dropped']}" for f in out.filters)
               + (f"; judge {out.qualification['mode']} (kappa {out.qualification['cohen_kappa']})"
                  if out.qualification else ""))
    return StageResult(counts=counts, model=model,
                       sampling={"judge": {"temperature": jc.temperature, "max_tokens": jc.max_tokens}},
                       extra=extra, summary=summary)

