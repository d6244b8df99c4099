"""Benchmark: cost of Korean-aware answer scoring (Kiwi content stems) vs the suffix-list baseline.

    .venv/bin/python scripts/bench_evaluate_metrics.py [--n 2000]

Scores N synthetic (prediction, reference) pairs of Korean policy-style answers with exact match +
token F1 + character F1, once with Kiwi stems and once with the suffix-list fallback (the baseline), in
the same process. Prints pairs/s for both and how often the two normalisations disagree on EM.
"""

from __future__ import annotations

import argparse
import random
import time

from onprem_sft.evaluate import metrics, normalize

NOUNS = ["보험금", "계약자", "피보험자", "보험료", "해지환급금", "납입기간", "고양이", "나이", "청구서류", "영업일"]
# (after a final consonant, after a vowel): grammatical particle pairs, as a real answer would use
PARTICLES = [("", ""), ("은", "는"), ("이", "가"), ("을", "를"), ("의", "의"), ("에", "에"), ("에서", "에서"),
             ("으로", "로"), ("과", "와"), ("도", "도")]
ENDINGS = ["", "입니다", "이다", "이에요"]


def attach(word: str, rng: random.Random) -> str:
    batchim = (ord(word[-1]) - 0xAC00) % 28 != 0
    return word + rng.choice(PARTICLES)[0 if batchim else 1]


def pair(rng: random.Random) -> tuple[str, str, bool]:
    """Same content as the reference (EM should be 1) half of the time, with particles/endings added."""
    words = rng.sample(NOUNS, 2)
    days = rng.randint(1, 90)
    ref = " ".join(words) + f" {days}일"
    same = rng.random() < 0.5
    if not same:
        words = words + [rng.choice(NOUNS)]
        days += 1
    pred = " ".join(attach(w, rng) for w in words) + f" {days}일" + rng.choice(ENDINGS)
    return pred, ref, same


def score(pairs: list[tuple[str, str]], use_kiwi: bool) -> tuple[float, list[float]]:
    orig = normalize.content_tokens
    metrics.content_tokens = lambda s, use_kiwi=use_kiwi: orig(s, use_kiwi=use_kiwi)   # this run only
    normalize._content_tokens.cache_clear()
    try:
        t0 = time.perf_counter()
        ems = [metrics.exact_match(p, r) + 0 * metrics.token_f1(p, r) + 0 * metrics.char_f1(p, r) for p, r in pairs]
        return time.perf_counter() - t0, ems
    finally:
        metrics.content_tokens = orig


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    a = ap.parse_args()
    rng = random.Random(0)
    triples = [pair(rng) for _ in range(a.n)]
    pairs = [(p, r) for p, r, _ in triples]
    same = sum(t[2] for t in triples)
    t0 = time.perf_counter()
    normalize._kiwi()
    load = time.perf_counter() - t0
    base_s, base_em = score(pairs, use_kiwi=False)
    kiwi_s, kiwi_em = score(pairs, use_kiwi=True)
    disagree = sum(x != y for x, y in zip(base_em, kiwi_em))
    print(f"pairs={a.n} kiwi_load_s={load:.2f}")
    print(f"baseline suffix-list: {a.n / base_s:,.0f} pairs/s ({base_s:.2f}s)")
    print(f"kiwi stems:           {a.n / kiwi_s:,.0f} pairs/s ({kiwi_s:.2f}s)")
    print(f"EM=1 expected {same}/{a.n} (same content by construction): suffix-list {sum(base_em):.0f}, "
          f"kiwi {sum(kiwi_em):.0f}; EM disagreements {disagree}/{a.n}")


if __name__ == "__main__":
    main()
