"""Per-answer scores, base-vs-tuned outcome, and the aggregate metrics written to metrics.json."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from onprem_sft.evaluate import metrics
from onprem_sft.evaluate.records import SYSTEMS, EvalItem, EvalResult

EPS = 1e-9


def score_answer(item: EvalItem, answer: str, refusal: str) -> dict[str, Any]:
    """EM/F1 against the references (answerable only) and refusal correctness (all questions)."""
    refused = metrics.is_refusal(answer, refusal)
    answerable = item.example.answerable
    out: dict[str, Any] = {
        "answer": answer,
        "refused": refused,
        "refusal_correct": refused != answerable,
        "chars": len("".join(answer.split())),
    }
    if answerable:
        out["em"] = metrics.exact_match(answer, item.references)
        out["f1_token"] = round(metrics.token_f1(answer, item.references), 4)
        out["f1_char"] = round(metrics.char_f1(answer, item.references), 4)
    else:
        out["em"] = out["f1_token"] = out["f1_char"] = None
    return out


def primary(s: dict[str, Any], answerable: bool) -> float:
    """The score wins/losses are decided on: token F1 when answerable, refusal correctness otherwise."""
    return float(s["f1_token"] or 0.0) if answerable else float(s["refusal_correct"])


def compare(base: dict[str, Any] | None, tuned: dict[str, Any] | None,
            answerable: bool) -> tuple[str, float | None]:
    """win/loss/tie of tuned over base; equal primaries are split by the judge score when both exist."""
    if base is None or tuned is None:
        return "", None
    d = primary(tuned, answerable) - primary(base, answerable)
    if abs(d) <= EPS:
        jb, jt = base.get("judge_score"), tuned.get("judge_score")
        if jb is not None and jt is not None and jb != jt:
            return ("win" if jt > jb else "loss"), 0.0
        return "tie", 0.0
    return ("win" if d > 0 else "loss"), round(d, 4)


def _system_metrics(rows: Sequence[EvalResult], system: str) -> dict[str, Any] | None:
    scored = [(r, getattr(r, system)) for r in rows if getattr(r, system) is not None]
    if not scored:
        return None
    ans = [s for r, s in scored if r.answerable]
    judge = [s.get("judge_score") for _, s in scored]
    dist = Counter(int(j) for j in judge if j is not None)
    return {
        "n": len(scored),
        "answerable": {"n": len(ans), "em": metrics.mean(s["em"] for s in ans),
                       "f1_token": metrics.mean(s["f1_token"] for s in ans),
                       "f1_char": metrics.mean(s["f1_char"] for s in ans)},
        "refusal": metrics.refusal_scores([not r.answerable for r, _ in scored], [s["refused"] for _, s in scored]),
        "judge": {"mean": metrics.mean(judge), "n_scored": sum(j is not None for j in judge),
                  "n_failed": sum("judge_score" in s and s["judge_score"] is None for _, s in scored),
                  "histogram": {str(k): dist.get(k, 0) for k in range(1, 6)}},
        "length": {"all": metrics.length_stats([s["answer"] for _, s in scored]),
                   "answerable": metrics.length_stats([s["answer"] for s in ans])},
    }


def _breakdown(rows: Sequence[EvalResult]) -> dict[str, Any]:
    """Compact per-group figures (question type): token F1, refusal accuracy, judge mean per system."""
    out: dict[str, Any] = {"n": len(rows)}
    for system in SYSTEMS:
        scored = [(r, getattr(r, system)) for r in rows if getattr(r, system) is not None]
        if scored:
            out[system] = {"f1_token": metrics.mean(s["f1_token"] for r, s in scored if r.answerable),
                           "refusal_accuracy": metrics.mean(float(s["refusal_correct"]) for _, s in scored),
                           "judge_mean": metrics.mean(s.get("judge_score") for _, s in scored)}
    return out


def aggregate(rows: Sequence[EvalResult]) -> dict[str, Any]:
    """metrics.json body for one evaluation set (eval split or external file)."""
    out: dict[str, Any] = {
        "n": len(rows),
        "n_answerable": sum(r.answerable for r in rows),
        "n_unanswerable": sum(not r.answerable for r in rows),
        "reference_length": metrics.length_stats([r.references[0] for r in rows if r.answerable and r.references]),
    }
    for system in SYSTEMS:
        out[system] = _system_metrics(rows, system)
    out["by_qtype"] = {q: _breakdown([r for r in rows if r.qtype == q]) for q in sorted({r.qtype for r in rows})}
    outcomes = Counter(r.outcome for r in rows if r.outcome)
    if outcomes:
        n = sum(outcomes.values())
        out["comparison"] = {"wins": outcomes.get("win", 0), "losses": outcomes.get("loss", 0),
                             "ties": outcomes.get("tie", 0), "win_rate": round(outcomes.get("win", 0) / n, 4)}
    return out


def examples(rows: Sequence[EvalResult], k: int) -> dict[str, list[str]]:
    """Ids of the k clearest wins and losses (largest primary-score change first)."""
    wins = sorted((r for r in rows if r.outcome == "win"), key=lambda r: -(r.delta or 0.0))
    losses = sorted((r for r in rows if r.outcome == "loss"), key=lambda r: (r.delta or 0.0))
    return {"wins": [r.id for r in wins[:k]], "losses": [r.id for r in losses[:k]]}
