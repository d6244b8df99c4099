"""Generation prompts: loaded from ``cfg.prompts.generate`` (conf/prompts/<lang>/generate.yaml), checked,
and rendered into chat messages + JSON schemas for vLLM structured output.

The system prompt and few-shot turns come first and are identical for every request of a step, so the
prefix cache serves them; only the last user turn (context, question) varies.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from onprem_sft.records import RedactedChunk

ANSWER_STYLES = ("extractive", "short", "reasoning")


class PromptConfigError(ValueError):
    """conf/prompts/<lang>/generate.yaml lacks a key or has a bad placeholder."""


def _plain(obj: Any) -> Any:
    try:
        from omegaconf import OmegaConf

        if OmegaConf.is_config(obj):
            return OmegaConf.to_container(obj, resolve=True)
    except ImportError:  # pragma: no cover
        pass
    return obj


def _need(d: Mapping[str, Any], key: str, where: str) -> Any:
    if not isinstance(d, Mapping) or d.get(key) in (None, "", {}):
        raise PromptConfigError(f"prompts.{where}.{key} is missing; see conf/prompts/en/generate.yaml for the keys")
    return d[key]


def _fmt(template: str, where: str, **kw: Any) -> str:
    try:
        return template.format(**kw)
    except (KeyError, IndexError) as e:
        raise PromptConfigError(f"prompts.{where}: unknown placeholder {e}; allowed: {sorted(kw)}") from None


def context_text(chunk: RedactedChunk) -> str:
    """The context shown to the model (and kept in QAPair.context): clause title + redacted text."""
    text = chunk.text.strip()
    clause = chunk.clause.strip()
    if clause and clause not in text[: len(clause) + 40]:
        return f"{clause}\n{text}"
    return text


@dataclass(frozen=True)
class GeneratePrompts:
    raw: dict[str, Any]
    refusal: str

    @classmethod
    def from_config(cls, prompts_cfg: Any) -> GeneratePrompts:
        p = _plain(prompts_cfg) or {}
        g = _need(p, "generate", "") if isinstance(p, Mapping) else None
        q, a, v = _need(g, "question", "generate"), _need(g, "answer", "generate"), _need(g, "verify", "generate")
        for k in ("system", "user", "types"):
            _need(q, k, "generate.question")
        for k in ("system", "user"):
            _need(a, k, "generate.answer")
            _need(v, k, "generate.verify")
        for s in ANSWER_STYLES:
            _need(a["system"], s, "generate.answer.system")
        refusal = str(p.get("refusal") or "").strip()
        if not refusal:
            raise PromptConfigError("prompts.refusal is missing (the label of unanswerable pairs)")
        return cls(raw=g, refusal=refusal)

    # -- questions ---------------------------------------------------------------------------------
    def type_list(self, qtypes: Sequence[str]) -> str:
        types = self.raw["question"]["types"]
        counts: dict[str, int] = {}
        for t in qtypes:
            if t not in types:
                raise PromptConfigError(f"generate.qtypes has {t!r} but prompts.generate.question.types has "
                                        f"only {sorted(types)}")
            counts[t] = counts.get(t, 0) + 1
        item = str(self.raw["question"].get("type_item") or "{n} {desc}")
        return ", ".join(_fmt(item, "generate.question.type_item", n=n, desc=types[t]) for t, n in counts.items())

    def question_messages(self, context: str, qtypes: Sequence[str]) -> tuple[dict[str, str], ...]:
        q = self.raw["question"]
        msgs = [{"role": "system", "content": q["system"].strip()}]
        for ex in q.get("examples") or []:
            ex_types = [e["type"] for e in ex["questions"]]
            msgs.append({"role": "user", "content": _fmt(q["user"], "generate.question.user",
                                                         context=ex["context"].strip(), n=len(ex_types),
                                                         type_list=self.type_list(ex_types))})
            msgs.append({"role": "assistant", "content": compact({"questions": [
                {"type": e["type"], "question": e["question"]} for e in ex["questions"]]})})
        msgs.append({"role": "user", "content": _fmt(q["user"], "generate.question.user", context=context,
                                                     n=len(qtypes), type_list=self.type_list(qtypes))})
        return tuple(msgs)

    def example_questions(self) -> set[str]:
        """Few-shot questions: a model that parrots them produced nothing about the chunk."""
        return {norm(e["question"]) for ex in self.raw["question"].get("examples") or []
                for e in ex["questions"]}

    # -- answers -----------------------------------------------------------------------------------
    def answer_messages(self, context: str, question: str, style: str) -> tuple[dict[str, str], ...]:
        a = self.raw["answer"]
        if style not in ANSWER_STYLES:
            raise PromptConfigError(f"generate.answer_style={style!r}: choose {ANSWER_STYLES}")
        msgs = [{"role": "system", "content": a["system"][style].strip()}]
        for ex in a.get("examples") or []:
            msgs.append({"role": "user", "content": _fmt(a["user"], "generate.answer.user",
                                                         context=ex["context"].strip(), question=ex["question"])})
            msgs.append({"role": "assistant", "content": compact(
                {"found": bool(ex["found"]), "answer": ex.get("answer") or ""})})
        msgs.append({"role": "user", "content": _fmt(a["user"], "generate.answer.user", context=context,
                                                     question=question)})
        return tuple(msgs)

    # -- answer-first: one question for a given span ------------------------------------------------
    def check_span_question(self) -> None:
        """generate.strategy=answer_first needs prompts.generate.span_question (system, user)."""
        sq = _need(self.raw, "span_question", "generate")
        for k in ("system", "user"):
            _need(sq, k, "generate.span_question")
        for ph in ("{context}", "{answer}"):
            if ph not in sq["user"]:
                raise PromptConfigError(f"prompts.generate.span_question.user lacks {ph}")

    def span_question_messages(self, context: str, answer: str) -> tuple[dict[str, str], ...]:
        sq = self.raw["span_question"]
        msgs = [{"role": "system", "content": sq["system"].strip()}]
        for ex in sq.get("examples") or []:
            msgs.append({"role": "user", "content": _fmt(sq["user"], "generate.span_question.user",
                                                         context=ex["context"].strip(), answer=ex["answer"])})
            msgs.append({"role": "assistant", "content": compact({"question": ex["question"]})})
        msgs.append({"role": "user", "content": _fmt(sq["user"], "generate.span_question.user", context=context,
                                                     answer=answer)})
        return tuple(msgs)

    # -- distractor verification -------------------------------------------------------------------
    def verify_messages(self, context: str, question: str) -> tuple[dict[str, str], ...]:
        v = self.raw["verify"]
        msgs = [{"role": "system", "content": v["system"].strip()}]
        for ex in v.get("examples") or []:
            msgs.append({"role": "user", "content": _fmt(v["user"], "generate.verify.user",
                                                         context=ex["context"].strip(), question=ex["question"])})
            msgs.append({"role": "assistant", "content": compact({"contains_answer": bool(ex["contains_answer"])})})
        msgs.append({"role": "user", "content": _fmt(v["user"], "generate.verify.user", context=context,
                                                     question=question)})
        return tuple(msgs)


def compact(obj: Any) -> str:
    """JSON as the structured output produces it (no free whitespace), for few-shot turns."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def norm(text: str) -> str:
    return " ".join(text.lower().split())


# -- JSON schemas (vLLM structured output). Bounded lengths keep every output finite and parseable. ---
def question_schema(n: int, qtypes: Sequence[str], max_chars: int) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": ["questions"],
            "properties": {"questions": {
                "type": "array", "minItems": 1, "maxItems": n,
                "items": {"type": "object", "additionalProperties": False, "required": ["type", "question"],
                          "properties": {"type": {"type": "string", "enum": sorted(set(qtypes))},
                                         "question": {"type": "string", "minLength": 1,
                                                      "maxLength": max_chars}}}}}}


def span_question_schema(max_chars: int) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": ["question"],
            "properties": {"question": {"type": "string", "minLength": 1, "maxLength": max_chars}}}


def answer_schema(max_chars: int) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": ["found", "answer"],
            "properties": {"found": {"type": "boolean"},
                           "answer": {"type": "string", "maxLength": max_chars}}}


VERIFY_SCHEMA: dict[str, Any] = {"type": "object", "additionalProperties": False, "required": ["contains_answer"],
                                 "properties": {"contains_answer": {"type": "boolean"}}}
