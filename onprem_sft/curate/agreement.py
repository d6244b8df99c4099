"""Judge-human agreement maths: accuracy, Cohen's kappa, Spearman's rho (average ranks for ties).

Written out rather than imported so the definitions the report quotes are the ones in this file.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence


def accuracy(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    _same_length(a, b)
    return sum(x == y for x, y in zip(a, b)) / len(a) if a else float("nan")


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """kappa = (p_o - p_e) / (1 - p_e); p_e from each rater's marginals. 1.0 when both raters give one
    identical constant label (p_e = 1: perfect but uninformative agreement); nan for no items."""
    _same_length(a, b)
    n = len(a)
    if n == 0:
        return float("nan")
    labels = set(a) | set(b)
    p_o = sum(x == y for x, y in zip(a, b)) / n
    p_e = sum((sum(x == k for x in a) / n) * (sum(y == k for y in b) / n) for k in labels)
    if p_e == 1.0:
        return 1.0 if p_o == 1.0 else 0.0
    return (p_o - p_e) / (1.0 - p_e)


def ranks(x: Sequence[float]) -> list[float]:
    """1-based ranks; tied values share the mean of the ranks they span."""
    order = sorted(range(len(x)), key=lambda i: x[i])
    r = [0.0] * len(x)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and x[order[j + 1]] == x[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    _same_length(x, y)
    n = len(x)
    if n < 2:
        return float("nan")
    mx, my = sum(x) / n, sum(y) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx == 0 or syy == 0:
        return float("nan")   # a constant series has no rank order to agree with
    return sxy / math.sqrt(sxx * syy)


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Pearson correlation of the ranks (the tie-correct form)."""
    return pearson(ranks(x), ranks(y))


def confusion(judge: Sequence[bool], human: Sequence[bool]) -> dict[str, int]:
    _same_length(judge, human)
    return {
        "both_pass": sum(j and h for j, h in zip(judge, human)),
        "both_fail": sum(not j and not h for j, h in zip(judge, human)),
        "judge_pass_human_fail": sum(j and not h for j, h in zip(judge, human)),
        "judge_fail_human_pass": sum(h and not j for j, h in zip(judge, human)),
    }


def _same_length(a: Sequence[object], b: Sequence[object]) -> None:
    if len(a) != len(b):
        raise ValueError(f"rater sequences differ in length: {len(a)} vs {len(b)}")


def finite_or_none(x: float) -> float | None:
    """JSON has no NaN: undefined statistics are written as null."""
    return None if x is None or math.isnan(x) else round(x, 4)


def shown(x: float | None) -> str:
    """A statistic for people: ``None`` (a constant score on one side: rank correlation and kappa have no
    value) is said in words instead of printed as "None"."""
    return "undefined (one side gives a constant score)" if x is None else str(x)
