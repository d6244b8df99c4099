"""Judge qualification: score the configured LLM judge against human-labelled pairs before trusting it.

Why: a small local judge may score everything alike (the embedded 135M model gives almost every pair the
same score), and a judge that does not agree with people must not drop data. The curate stage first runs
a small labelled set (bundled, or ``curate.judge.qualify.file``); when Cohen's kappa between judge-pass
and human-pass is below ``curate.judge.qualify.min_kappa`` the judge becomes advisory: verdicts are
recorded and shown, nothing is dropped on them. ``onprem-sft judge qualify FILE`` runs the same scoring.

File format: the eye-check CSV (``onprem-sft eyecheck export``, then labelled) works as is. Needed
columns: question, context, answer, human_label (pass/fail, as eye-check accepts); optional: answerable
(true/false; default: false when the answer is the refusal), lang, human_score (1-5), pair_id.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onprem_sft.curate import agreement as ag
from onprem_sft.curate import judge as jg
from onprem_sft.curate.eyecheck import _read_csv, parse_label, parse_score
from onprem_sft.curate.spec import QUALIFICATION
from onprem_sft.llm.engine import LLMRequest, LLMResponse
from onprem_sft.records import QAPair, stable_id

BUNDLED = Path(__file__).resolve().parent / "data" / "judge_qualify.csv"
REQUIRED = ("question", "context", "answer", "human_label")
RESULT_FILE = QUALIFICATION                   # in <run>/curate/
CALLS_DIR = "qualify"                          # <run>/curate/qualify/llm_calls.jsonl (not run records)


class QualifyError(ValueError):
    """A problem with the labelled file; the message names the row/column and the fix."""


@dataclass(frozen=True)
class Item:
    pair: QAPair
    human_pass: bool
    human_score: int | None


def _bool(v: str, default: bool) -> bool:
    v = (v or "").strip().casefold()
    if not v:
        return default
    if v in ("true", "1", "yes", "y"):
        return True
    if v in ("false", "0", "no", "n"):
        return False
    raise ValueError(v)


def load_items(path: Path, *, refusal: str, lang: str | None = None) -> list[Item]:
    """Labelled rows of ``path`` (rows without a human_label are skipped), only ``lang`` when given."""
    if not path.exists():
        raise QualifyError(f"{path}: file not found (curate.judge.qualify.file)")
    header, rows, _ = _read_csv(path)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise QualifyError(f"{path}: column(s) {missing} missing from the header row (found {header}); "
                           f"the eye-check CSV format works: question, context, answer, human_label")
    out, problems = [], []
    for lineno, r in enumerate(rows, 2):
        try:
            label = parse_label(r.get("human_label") or "")
        except ValueError:
            problems.append(f"row {lineno}, column human_label: not pass/fail")
            continue
        if label is None:
            continue
        row_lang = (r.get("lang") or "").strip()
        if lang and row_lang and row_lang != lang:
            continue
        answer = (r.get("answer") or "").strip()
        try:
            answerable = _bool(r.get("answerable") or "", default=answer.rstrip(".") != refusal.rstrip("."))
        except ValueError:
            problems.append(f"row {lineno}, column answerable: write true or false")
            continue
        try:
            score = parse_score(r.get("human_score") or "")
        except ValueError:
            problems.append(f"row {lineno}, column human_score: an integer 1-5 or empty")
            continue
        pid = (r.get("pair_id") or "").strip() or f"row{lineno}"
        out.append(Item(QAPair(id=stable_id("qual", path.name, pid), parent_id=None, question=r["question"].strip(),
                               context=(r.get("context") or "").strip(), answer=answer, lang=row_lang or (lang or ""),
                               qtype=(r.get("qtype") or "factual").strip() or "factual", answerable=answerable),
                        label, score))
    if problems:
        raise QualifyError(f"{path}: {len(problems)} problem(s):\n  - " + "\n  - ".join(problems[:20]))
    return out


def qualify(items: Sequence[Item], judge_cfg: Any, prompts: Any, *, refusal: str, seed: int,
            generate: Callable[[list[LLMRequest]], list[LLMResponse]]) -> dict[str, Any]:
    """Judge every item once (the curate rubric and keep rule); agreement with the human labels."""
    jp = jg.JudgePrompts.from_config(prompts)
    reqs = [jg.build_request(it.pair, jp, refusal=refusal, max_tokens=int(judge_cfg.max_tokens),
                             temperature=float(judge_cfg.temperature),
                             rationale_max_chars=int(judge_cfg.rationale_max_chars), seed=seed)
            for it in items]
    resps = generate(reqs)
    judge_pass, overall, unparsed = [], [], 0
    for it, resp in zip(items, resps):
        try:
            scores, _ = jg.parse_verdict(resp.text, jg.criteria_for(it.pair), int(judge_cfg.rationale_max_chars))
            o, passed, _ = jg.decide(scores, threshold=float(judge_cfg.threshold),
                                     min_scores=dict(judge_cfg.min_scores), weights=dict(judge_cfg.weights))
        except jg.JudgeParseError:
            unparsed += 1
            o, passed = 1.0, False             # no verdict: counted as a fail, as curate would drop it
        judge_pass.append(passed)
        overall.append(o)
    human = [it.human_pass for it in items]
    scored = [(o, it.human_score) for o, it in zip(overall, items) if it.human_score is not None]
    return {
        "n": len(items), "unparsed": unparsed,
        "human_pass_rate": ag.finite_or_none(sum(human) / len(human)) if human else None,
        "judge_pass_rate": ag.finite_or_none(sum(judge_pass) / len(judge_pass)) if judge_pass else None,
        "accuracy": ag.finite_or_none(ag.accuracy(judge_pass, human)) if items else None,
        "cohen_kappa": ag.finite_or_none(ag.cohen_kappa(judge_pass, human)) if items else None,
        "spearman": ag.finite_or_none(ag.spearman([a for a, _ in scored], [float(b) for _, b in scored]))
        if len(scored) >= 3 else None,
        "n_scored": len(scored), "confusion": ag.confusion(judge_pass, human),
        "threshold": float(judge_cfg.threshold),
    }


def decide_mode(result: dict[str, Any], min_kappa: float) -> tuple[str, str]:
    """("gating" | "advisory", why). A kappa that is undefined or below the bar makes the judge advisory."""
    k = result.get("cohen_kappa")
    if k is None or (isinstance(k, float) and math.isnan(k)):
        return "advisory", "kappa undefined"
    if k < min_kappa:
        return "advisory", f"kappa {k:.3f} < curate.judge.qualify.min_kappa {min_kappa:g}"
    return "gating", f"kappa {k:.3f} >= {min_kappa:g}"
