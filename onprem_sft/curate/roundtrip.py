"""Round-trip consistency (Alberti et al., ACL 2019, "Synthetic QA Corpora Generation with Roundtrip
Consistency"): the local model answers each generated question from the pair's context without seeing
the label, and the pair is kept only when that answer agrees with the label.

Agreement: for an answerable pair, the model finds an answer and its token F1 (content stems, as in
evaluation) against the label reaches ``curate.roundtrip.min_f1``; for a distractor (unanswerable) pair,
the model must decline too. The request is the generate stage's answer prompt (same style, JSON schema,
greedy). A question-first label was itself produced by exactly that request, so it agrees by
construction: such pairs are counted as ``by_construction`` and not re-asked (the check bites on
answer-first spans and on every distractor pair).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from onprem_sft.evaluate.metrics import is_refusal, token_f1
from onprem_sft.generate.prompts import GeneratePrompts, answer_schema
from onprem_sft.llm.engine import LLMRequest, LLMResponse, Sampling
from onprem_sft.records import QAPair, stable_id

ANSWER_STEP_PREFIX = "ga-"          # request ids of generate's answer step (QAPair.request_ids)


@dataclass(frozen=True)
class Verdict:
    agrees: bool
    reason: str                     # "" when it agrees; else a reason code
    f1: float | None = None


def by_construction(p: QAPair) -> bool:
    """The label is the model's own answer to this very prompt (question-first, answerable)."""
    return p.answerable and any(r.startswith(ANSWER_STEP_PREFIX) for r in p.request_ids)


def build_request(p: QAPair, prompts: GeneratePrompts, *, style: str, max_tokens: int, seed: int,
                  max_chars: int = 600) -> LLMRequest:
    return LLMRequest(id=stable_id("rt", p.id), purpose="roundtrip",
                      messages=prompts.answer_messages(p.context, p.question, style), sources=(p,),
                      sampling=Sampling(temperature=0.0, max_tokens=max_tokens, seed=seed),
                      json_schema=answer_schema(max_chars))


def model_answer(resp: LLMResponse) -> tuple[bool, str] | None:
    """(found, answer) from the structured output; None when it does not parse."""
    try:
        obj = json.loads(resp.text)
    except (json.JSONDecodeError, TypeError):
        return None
    if not isinstance(obj, dict) or not isinstance(obj.get("found"), bool):
        return None
    return obj["found"], " ".join(str(obj.get("answer") or "").split())


def agree(p: QAPair, found: bool, answer: str, *, refusal: str, min_f1: float) -> Verdict:
    refused = not found or not answer or is_refusal(answer, refusal)
    if not p.answerable:
        return Verdict(True, "") if refused else Verdict(False, "distractor_answered")
    if refused:
        return Verdict(False, "model_refused", 0.0)
    f1 = round(token_f1(answer, p.answer), 4)
    return Verdict(f1 >= min_f1, "" if f1 >= min_f1 else "label_disagrees", f1)
