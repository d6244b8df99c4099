"""LLM judge: rubric prompts, the structured-output schema, verdict parsing and the keep/drop rule.

The rubric lives in ``conf/prompts/<lang>/judge.yaml`` (keys under ``judge:``). Answerable pairs are
scored on groundedness, relevance/clarity and correctness/completeness; unanswerable pairs on relevance
and on whether the refusal is right (the shown context really does not answer). Scores are 1-5 integers
forced by a JSON schema (vLLM guided decoding), so parsing is strict: no regex repair.

Bias controls: the rubric tells the judge that length earns nothing (verbosity bias) and the stage
measures the score/length correlation; each pair is graded alone against its own context, so there is
no answer order for position bias to act on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from onprem_sft.llm.engine import LLMRequest, Sampling
from onprem_sft.records import Judgement, QAPair, stable_id

ANSWERABLE_CRITERIA = ("groundedness", "relevance", "correctness")
UNANSWERABLE_CRITERIA = ("relevance", "refusal")
PROMPT_KEYS = {
    "system": (),
    "answerable": ("{question}", "{context}", "{answer}"),
    "unanswerable": ("{question}", "{context}", "{refusal}"),
}


class JudgeParseError(ValueError):
    """A verdict that is not the JSON the schema asked for. ``code`` is a short reason for rejects."""

    def __init__(self, code: str, msg: str):
        super().__init__(msg)
        self.code = code


@dataclass(frozen=True)
class JudgePrompts:
    system: str
    answerable: str
    unanswerable: str

    @classmethod
    def from_config(cls, prompts: Any) -> JudgePrompts:
        """``prompts`` is ``cfg.prompts``; checks every template has its placeholders."""
        j = (prompts or {}).get("judge") or {}
        lang = (prompts or {}).get("lang", "?")
        problems = []
        for key, needs in PROMPT_KEYS.items():
            t = j.get(key)
            if not t:
                problems.append(f"prompts.judge.{key} is missing")
                continue
            problems += [f"prompts.judge.{key} lacks {n}" for n in needs if n not in t]
        if problems:
            raise ValueError(f"judge prompts (prompts={lang}, conf/prompts/{lang}/judge.yaml): "
                             + "; ".join(problems))
        return cls(system=j["system"], answerable=j["answerable"], unanswerable=j["unanswerable"])


def render(template: str, **values: str) -> str:
    """Replace ``{name}`` placeholders literally (contexts may contain braces; str.format would break)."""
    for k, v in values.items():
        template = template.replace("{" + k + "}", v)
    return template


def criteria_for(pair: QAPair) -> tuple[str, ...]:
    return ANSWERABLE_CRITERIA if pair.answerable else UNANSWERABLE_CRITERIA


def verdict_schema(criteria: Sequence[str], rationale_max_chars: int) -> dict[str, Any]:
    props: dict[str, Any] = {c: {"type": "integer", "enum": [1, 2, 3, 4, 5]} for c in criteria}
    props["rationale"] = {"type": "string", "maxLength": rationale_max_chars}
    return {"type": "object", "properties": props, "required": [*criteria, "rationale"],
            "additionalProperties": False}


def build_request(pair: QAPair, prompts: JudgePrompts, *, refusal: str, max_tokens: int,
                  temperature: float, rationale_max_chars: int, seed: int = 0,
                  attempt: int = 0) -> LLMRequest:
    template = prompts.answerable if pair.answerable else prompts.unanswerable
    user = render(template, question=pair.question, context=pair.context, answer=pair.answer,
                  refusal=refusal)
    return LLMRequest(
        id=stable_id("judge", pair.id, attempt), purpose="judge",
        messages=({"role": "system", "content": prompts.system}, {"role": "user", "content": user}),
        sources=(pair,),
        sampling=Sampling(temperature=temperature, max_tokens=max_tokens, seed=seed + attempt),
        json_schema=verdict_schema(criteria_for(pair), rationale_max_chars))


def parse_verdict(text: str, criteria: Sequence[str], rationale_max_chars: int = 300
                  ) -> tuple[dict[str, float], str]:
    """Strict: a JSON object with every criterion an integer 1-5 and a string rationale."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError:
        raise JudgeParseError("judge_not_json", "judge output is not JSON (truncated? raise "
                              "curate.judge.max_tokens)") from None
    if not isinstance(obj, dict):
        raise JudgeParseError("judge_not_object", "judge output is not a JSON object")
    scores: dict[str, float] = {}
    for c in criteria:
        v = obj.get(c)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v != int(v) or not 1 <= v <= 5:
            raise JudgeParseError("judge_bad_score", f"criterion {c!r} must be an integer 1-5, got {v!r}")
        scores[c] = float(v)
    rationale = obj.get("rationale", "")
    if not isinstance(rationale, str):
        raise JudgeParseError("judge_bad_rationale", "rationale must be a string")
    return scores, " ".join(rationale.split())[:rationale_max_chars]


def overall_score(scores: Mapping[str, float], weights: Mapping[str, float] | None = None) -> float:
    """Weighted mean over the scored criteria (weight 1 unless configured)."""
    w = {c: float((weights or {}).get(c, 1.0)) for c in scores}
    total = sum(w.values())
    if total <= 0:
        raise ValueError("curate.judge.weights: the scored criteria have zero total weight")
    return round(sum(scores[c] * w[c] for c in scores) / total, 3)


def decide(scores: Mapping[str, float], *, threshold: float, min_scores: Mapping[str, float],
           weights: Mapping[str, float] | None = None) -> tuple[float, bool, list[str]]:
    """(overall, passed, failed checks). A pair passes when overall >= threshold and every scored
    criterion reaches its floor; floors for criteria the rubric did not ask are ignored."""
    overall = overall_score(scores, weights)
    failed = [f"{c}<{min_scores[c]:g}" for c in scores if c in min_scores and scores[c] < min_scores[c]]
    if overall < threshold:
        failed.insert(0, f"overall<{threshold:g}")
    return overall, not failed, failed


def judgement(pair: QAPair, scores: Mapping[str, float], rationale: str, *, request_id: str,
              threshold: float, min_scores: Mapping[str, float],
              weights: Mapping[str, float] | None = None) -> tuple[Judgement, list[str]]:
    overall, passed, failed = decide(scores, threshold=threshold, min_scores=min_scores, weights=weights)
    return Judgement(id=stable_id("jdg", pair.id), parent_id=pair.id, scores=dict(scores), overall=overall,
                     rationale=rationale, passed=passed, request_id=request_id), failed


def band(score: float) -> str:
    """Score band of an overall 1-5 score: 1-2, 2-3, 3-4, 4-5 (upper band closed)."""
    lo = min(4, max(1, int(score)))
    return f"{lo}-{lo + 1}"
