"""Answer metrics: exact match, token/character F1, refusal detection, length statistics.

Every function is pure and deterministic so it can be checked against hand-computed cases. With several
references (SQuAD v2 lists several gold answers) a prediction scores the best over them, as in SQuAD.
"""

from __future__ import annotations

import difflib
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from onprem_sft.evaluate.normalize import content_tokens, normalize_text

# Phrases that mean "I cannot answer from the context", beyond the configured refusal string.
REFUSAL_VARIANTS = (
    "답변을 찾을 수 없습니다", "답을 찾을 수 없습니다", "답변할 수 없습니다", "답할 수 없습니다",
    "찾을 수 없습니다", "알 수 없습니다", "내용에 없습니다", "정보가 없습니다",
    "the answer cannot be found", "cannot be found", "can not be found", "cannot be answered",
    "not found in the context", "cannot find the answer", "can't find the answer", "unable to answer",
    "no answer", "not mentioned in the context", "does not contain the answer", "i don't know",
)


def _f1(pred: Sequence[str], gold: Sequence[str]) -> float:
    if not pred or not gold:
        return float(pred == gold)          # both empty -> 1, one empty -> 0 (SQuAD v2 convention)
    common = Counter(pred) & Counter(gold)
    same = sum(common.values())
    if same == 0:
        return 0.0
    p, r = same / len(pred), same / len(gold)
    return 2 * p * r / (p + r)


def exact_match(pred: str, refs: str | Sequence[str]) -> float:
    """1.0 when the content stems are equal, ignoring spacing (띄어쓰기), particles and punctuation."""
    refs = [refs] if isinstance(refs, str) else list(refs)
    p = "".join(content_tokens(pred))
    return float(any(p == "".join(content_tokens(r)) for r in refs))


def token_f1(pred: str, refs: str | Sequence[str]) -> float:
    """SQuAD-style F1 over content stems (particles/endings removed)."""
    refs = [refs] if isinstance(refs, str) else list(refs)
    pt = content_tokens(pred)
    return max((_f1(pt, content_tokens(r)) for r in refs), default=0.0)


def _chars(s: str) -> list[str]:
    return [c for c in normalize_text(s) if not c.isspace()]


def char_f1(pred: str, refs: str | Sequence[str]) -> float:
    """KorQuAD-style F1 over characters of the normalised text, whitespace removed (no stemming)."""
    refs = [refs] if isinstance(refs, str) else list(refs)
    pc = _chars(pred)
    return max((_f1(pc, _chars(r)) for r in refs), default=0.0)


def _squash(s: str) -> str:
    return "".join(normalize_text(s).split())


def is_refusal(answer: str, refusal: str, *, threshold: float = 0.8,
               variants: Iterable[str] = REFUSAL_VARIANTS) -> bool:
    """Does the answer decline to answer? Tolerant to punctuation, spacing, case, small typos and
    common rephrasings: the refusal (or a known variant) occurs in the answer, or the answer's opening
    is a close fuzzy match (difflib ratio >= threshold) of the refusal string."""
    a = _squash(answer)
    if not a:
        return False
    for phrase in (refusal, *variants):
        ph = _squash(phrase)
        if ph and ph in a:
            return True
    r = _squash(refusal)
    if not r:
        return False
    head = a[: len(r) + 2]
    return difflib.SequenceMatcher(None, head, r).ratio() >= threshold


def refusal_scores(gold_unanswerable: Sequence[bool], refused: Sequence[bool]) -> dict[str, Any]:
    """Refusal as a detection task: positive = the model refused. Precision = refused when it should
    have / all refusals; recall = refused when it should have / all unanswerable questions."""
    if len(gold_unanswerable) != len(refused):
        raise ValueError("gold and predicted refusal lists differ in length")
    tp = sum(g and r for g, r in zip(gold_unanswerable, refused))
    fp = sum((not g) and r for g, r in zip(gold_unanswerable, refused))
    fn = sum(g and (not r) for g, r in zip(gold_unanswerable, refused))
    tn = sum((not g) and (not r) for g, r in zip(gold_unanswerable, refused))
    prec = tp / (tp + fp) if tp + fp else None
    rec = tp / (tp + fn) if tp + fn else None
    f1 = (2 * prec * rec / (prec + rec) if prec and rec else 0.0) if prec is not None and rec is not None \
        else None
    n = tp + fp + fn + tn
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": prec, "recall": rec, "f1": f1,
            "accuracy": (tp + tn) / n if n else None,
            "false_refusal_rate": fp / (fp + tn) if fp + tn else None}


def length_stats(texts: Sequence[str]) -> dict[str, Any]:
    """Answer lengths in characters (whitespace excluded, fair to Korean) and whitespace words."""
    chars = [len("".join(t.split())) for t in texts]
    words = [len(t.split()) for t in texts]
    if not texts:
        return {"n": 0}

    def q(xs: list[int], f: float) -> float:
        s = sorted(xs)
        return float(s[min(len(s) - 1, round(f * (len(s) - 1)))])

    return {"n": len(texts), "chars_mean": round(statistics.fmean(chars), 2),
            "chars_median": float(statistics.median(chars)), "chars_p90": q(chars, 0.9),
            "chars_min": min(chars), "chars_max": max(chars),
            "words_mean": round(statistics.fmean(words), 2)}


def mean(xs: Iterable[float | None]) -> float | None:
    vals = [x for x in xs if x is not None]
    return round(statistics.fmean(vals), 4) if vals else None
