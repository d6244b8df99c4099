"""External MRC file in SQuAD v2 JSON format (KorQuAD 1.0/2.0-style files too) -> eval items.

``{"data": [{"title", "paragraphs": [{"context", "qas": [{"id", "question", "answers": [{"text",
"answer_start"}], "is_impossible"}]}]}]}``. A question with ``is_impossible: true`` (or no answers)
is unanswerable and its reference is the refusal string. Questions are rendered with the same prompt
template as the eval split. Malformed questions are returned as rejects with a reason, not dropped
silently.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from onprem_sft.evaluate.records import EvalItem
from onprem_sft.records import SFTExample, stable_id


class ExternalFileError(ValueError):
    """The external evaluation file cannot be read as SQuAD v2 JSON."""


def load_squad(path: str | Path, *, render: Callable[[str, str], str], refusal: str, lang: str,
               limit: int = 0) -> tuple[list[EvalItem], list[dict[str, Any]]]:
    """Items (at most ``limit`` when > 0, file order) and rejects ({id, reason}) of a SQuAD v2 file."""
    p = Path(path)
    if not p.is_file():
        raise ExternalFileError(f"evaluate.external={p} does not exist; pass a SQuAD v2 JSON file path")
    try:
        doc = json.loads(p.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ExternalFileError(f"evaluate.external={p} is not UTF-8 JSON ({e}); expected SQuAD v2 format") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise ExternalFileError(f"evaluate.external={p}: top-level 'data' list missing; expected SQuAD v2 "
                                f'format {{"data": [{{"paragraphs": [{{"context", "qas"}}]}}]}}')
    items: list[EvalItem] = []
    rejects: list[dict[str, Any]] = []
    for ai, article in enumerate(doc["data"]):
        title = str(article.get("title", f"article-{ai}")) if isinstance(article, dict) else f"article-{ai}"
        doc_id = stable_id("ext", p.name, title, ai)
        for pi, para in enumerate(article.get("paragraphs", []) if isinstance(article, dict) else []):
            context = para.get("context") if isinstance(para, dict) else None
            for qi, qa in enumerate(para.get("qas", []) if isinstance(para, dict) else []):
                qid = str(qa.get("id") or f"{ai}.{pi}.{qi}") if isinstance(qa, dict) else f"{ai}.{pi}.{qi}"
                why = _problem(qa, context)
                if why:
                    rejects.append({"id": qid, "parent_id": doc_id, "reason": f"external: {why}",
                                    "source": "external"})
                    continue
                golds = [a["text"] for a in qa.get("answers", [])
                         if isinstance(a, dict) and str(a.get("text", "")).strip()]
                answerable = not qa.get("is_impossible", False) and bool(golds)
                ex = SFTExample(id=stable_id("ext", p.name, qid), parent_id=qid, doc_id=doc_id,
                                split="external", prompt=render(qa["question"], context),
                                completion=golds[0] if answerable else refusal, question=qa["question"],
                                context=context, answerable=answerable, lang=lang)
                items.append(EvalItem(example=ex, references=tuple(golds) if answerable else (refusal,),
                                      source="external"))
                if limit and len(items) >= limit:
                    return items, rejects
    return items, rejects


def _problem(qa: Any, context: Any) -> str:
    if not isinstance(context, str) or not context.strip():
        return "paragraph has no 'context' text"
    if not isinstance(qa, dict):
        return "question entry is not an object"
    if not isinstance(qa.get("question"), str) or not qa["question"].strip():
        return "question has no 'question' text"
    if not isinstance(qa.get("answers", []), list):
        return "'answers' is not a list"
    return ""
