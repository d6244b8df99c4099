"""Parse and check structured LLM output. A failure is a ``ParseFailure`` with a short reason that
never quotes the generated text (rejects.jsonl reasons must not carry document content)."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from onprem_sft.generate.prompts import norm

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*_\d+>")


class ParseFailure(ValueError):
    """Output that is invalid or empty; ``reason`` goes to rejects.jsonl after the retry budget."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _load(text: str, finish_reason: str) -> Any:
    try:
        return json.loads(text)
    except (json.JSONDecodeError, TypeError):
        if finish_reason == "length":
            raise ParseFailure("output truncated at max_tokens (invalid JSON)") from None
        raise ParseFailure("invalid JSON") from None


@dataclass(frozen=True)
class ParsedQuestion:
    qtype: str
    text: str


def clean_text(s: str) -> str:
    return " ".join(str(s).split())


def parse_questions(text: str, finish_reason: str, *, assigned: Sequence[str], min_chars: int,
                    examples: Collection[str] = (), seen: Collection[str] = ()) -> list[ParsedQuestion]:
    """Valid, distinct questions from ``{"questions": [{"type", "question"}]}`` (a bare list of strings
    is accepted too, for servers without structured output). Raises ParseFailure when none is valid."""
    data = _load(text, finish_reason)
    items = data.get("questions") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ParseFailure("no 'questions' list in the output")
    if not items:
        raise ParseFailure("empty question list")
    out: list[ParsedQuestion] = []
    keys = set(seen)
    dropped: dict[str, int] = {}
    for j, it in enumerate(items):
        if isinstance(it, dict):
            q, t = clean_text(it.get("question", "")), str(it.get("type", ""))
        elif isinstance(it, str):
            q, t = clean_text(it), ""
        else:
            dropped["not a string"] = dropped.get("not a string", 0) + 1
            continue
        qtype = t if t in assigned else assigned[min(j, len(assigned) - 1)]
        why = _question_problem(q, min_chars, examples, keys)
        if why:
            dropped[why] = dropped.get(why, 0) + 1
            continue
        keys.add(norm(q))
        out.append(ParsedQuestion(qtype, q))
    if not out:
        raise ParseFailure("no valid question (" + ", ".join(f"{k}: {v}" for k, v in sorted(dropped.items())) + ")")
    return out


def _question_problem(q: str, min_chars: int, examples: Collection[str], seen: Collection[str]) -> str:
    if len(q) < min_chars:
        return "too short"
    if len(_LETTER.findall(_PLACEHOLDER.sub("", q))) < 3:
        return "no words"
    key = norm(q)
    if key in examples:
        return "copied from the few-shot examples"
    if key in seen:
        return "duplicate"
    return ""


def parse_span_question(text: str, finish_reason: str, *, qtype: str, min_chars: int,
                        examples: Collection[str] = (), seen: Collection[str] = ()) -> ParsedQuestion:
    """One question from ``{"question": str}`` (answer-first), checked like any generated question."""
    data = _load(text, finish_reason)
    if not isinstance(data, dict) or not isinstance(data.get("question"), str):
        raise ParseFailure("no 'question' string in the output")
    q = clean_text(data["question"])
    why = _question_problem(q, min_chars, examples, seen)
    if why:
        raise ParseFailure(f"no valid question ({why})")
    return ParsedQuestion(qtype, q)


def parse_answer(text: str, finish_reason: str, *, min_chars: int = 1) -> tuple[bool, str]:
    """``(found, answer)`` from ``{"found": bool, "answer": str}``; found with an empty answer is invalid."""
    data = _load(text, finish_reason)
    if not isinstance(data, dict) or not isinstance(data.get("found"), bool):
        raise ParseFailure("no boolean 'found' in the output")
    ans = clean_text(data.get("answer") or "")
    if data["found"] and len(ans) < min_chars:
        raise ParseFailure("answer marked found but empty")
    return data["found"], ans if data["found"] else ""


def parse_verify(text: str, finish_reason: str) -> bool:
    """True when the model says the context contains the answer."""
    data = _load(text, finish_reason)
    if not isinstance(data, dict) or not isinstance(data.get("contains_answer"), bool):
        raise ParseFailure("no boolean 'contains_answer' in the output")
    return data["contains_answer"]


def answer_in_context(answer: str, context: str) -> bool:
    """Extractive check: the answer's text occurs in the context (whitespace/case-insensitive)."""
    return bool(answer) and norm(answer).strip(" .\"'") in norm(context)
