"""LLM judge for evaluation answers: rubric prompt (conf/prompts/<lang>/evaluate.yaml), structured
output, tolerant parsing. A verdict that cannot be parsed scores None and is counted, never guessed."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from onprem_sft.llm.engine import LLMRequest, Sampling
from onprem_sft.records import SFTExample

JUDGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "rationale": {"type": "string", "maxLength": 300},
        "score": {"type": "integer", "minimum": 1, "maximum": 5},
    },
    "required": ["rationale", "score"],
}
PLACEHOLDERS = ("question", "context", "reference", "answer", "refusal")
_SCORE = re.compile(r'"?score"?\s*[:=]\s*"?([1-5])(?![0-9])', re.IGNORECASE)


class PromptConfigError(KeyError):
    """conf/prompts/<lang>/evaluate.yaml lacks a judge template."""


def render(template: str, **values: str) -> str:
    """Substitute only the known ``{name}`` placeholders (JSON braces in the rubric stay as they are)."""
    return re.sub(r"\{(" + "|".join(PLACEHOLDERS) + r")\}", lambda m: str(values.get(m.group(1), m.group(0))),
                  template)


def templates(prompts: Mapping[str, Any]) -> tuple[str, str]:
    ev = (prompts or {}).get("evaluate") or {}
    missing = [k for k in ("judge_system", "judge_user") if not ev.get(k)]
    if missing:
        raise PromptConfigError(
            f"prompts.evaluate.{missing[0]} is not set: add it to conf/prompts/<lang>/evaluate.yaml "
            f"(or run with evaluate.judge=false)")
    return str(ev["judge_system"]), str(ev["judge_user"])


def judge_request(req_id: str, example: SFTExample, reference: str, answer: str, *, system: str, user: str,
                  refusal: str, context_chars: int, max_tokens: int, seed: int) -> LLMRequest:
    ctx = example.context if len(example.context) <= context_chars else example.context[:context_chars] + " ..."
    body = render(user, question=example.question, context=ctx, reference=reference, answer=answer.strip(),
                  refusal=refusal)
    return LLMRequest(id=req_id, purpose="evaluate_judge",
                      messages=({"role": "system", "content": system}, {"role": "user", "content": body}),
                      sources=(example,), sampling=Sampling(temperature=0.0, max_tokens=max_tokens, seed=seed),
                      json_schema=JUDGE_SCHEMA)


def parse_verdict(text: str) -> tuple[int | None, str]:
    """(score 1-5 or None, rationale) from the judge's reply; JSON first, then a ``score: N`` pattern."""
    t = text.strip()
    m = re.search(r"\{.*\}", t, re.DOTALL)
    if m:
        try:
            d = json.loads(m.group(0))
            s = d.get("score") if isinstance(d, dict) else None
            if isinstance(s, str) and s.strip().isdigit():
                s = int(s.strip())
            if isinstance(s, (int, float)) and not isinstance(s, bool) and float(s).is_integer() and 1 <= s <= 5:
                return int(s), str(d.get("rationale", "")).strip()
        except json.JSONDecodeError:
            pass
    m2 = _SCORE.search(t)
    if m2:
        return int(m2.group(1)), t[:300]
    return None, t[:300]
