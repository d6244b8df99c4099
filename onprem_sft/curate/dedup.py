"""Exact and near-duplicate questions, within and across documents; the best-judged pair of a cluster stays.

Exact: sha256 of an aggressive normalisation (NFKC, casefold, no whitespace or punctuation), so
"보험금은 언제 지급되나요?" and "보험금은  언제 지급되나요" collide. Near: MinHash over character n-grams
(no tokenizer needed; Korean agglutination defeats word shingles) with LSH candidate search, then the
estimated Jaccard is checked against the threshold and candidates are joined with union-find.

An answerable pair and the unanswerable pair built from the same question (other context, refusal as
answer) are a deliberate contrast, not a duplicate: pairs are only compared within the same
``answerable`` value.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from datasketch import MinHash, MinHashLSH

from onprem_sft.records import QAPair

_NON_WORD = re.compile(r"[\W_]+")


def dedup_text(text: str) -> str:
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str, n: int) -> set[str]:
    t = dedup_text(text)
    if len(t) <= n:
        return {t} if t else set()
    return {t[i:i + n] for i in range(len(t) - n + 1)}


def _key_text(p: QAPair, key: str) -> str:
    if key == "question":
        return p.question
    if key == "question_context":
        return p.question + "\x1f" + p.context
    raise ValueError(f"curate.dedup.key={key!r}: must be question | question_context")


@dataclass(frozen=True)
class DupDrop:
    id: str
    kept_id: str
    reason: str                     # exact_duplicate | near_duplicate
    similarity: float


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _best(members: list[int], pairs: Sequence[QAPair], score: Callable[[QAPair], float]) -> int:
    """Highest score wins; ties go to the earlier pair (input order is chunk order: deterministic)."""
    return max(members, key=lambda i: (score(pairs[i]), -i))


def signature(text: str, ngram: int, num_perm: int, seed: int) -> MinHash:
    """The MinHash of one key text (per record, so ``run.executor=ray`` can compute them on workers)."""
    m = MinHash(num_perm=num_perm, seed=seed)
    for s in sorted(shingles(text, ngram)):
        m.update(s.encode("utf-8"))
    return m


def dedup(pairs: Sequence[QAPair], *, score: Callable[[QAPair], float], key: str = "question",
          exact: bool = True, near: bool = True, threshold: float = 0.85, ngram: int = 3,
          num_perm: int = 128, seed: int = 1, mapper: Callable[..., Iterable[MinHash]] = map,
          ) -> tuple[list[QAPair], list[DupDrop]]:
    """Return (kept pairs in input order, drops naming the pair kept instead). ``mapper`` computes the
    signatures (``map``, or the Ray executor's ordered map)."""
    n = len(pairs)
    uf = _UnionFind(n)
    texts = [_key_text(p, key) for p in pairs]
    copy_of: dict[int, int] = {}       # exact duplicate -> its first occurrence (same shingles, same MinHash)
    if exact:
        seen: dict[tuple[bool, str], int] = {}
        for i, (p, t) in enumerate(zip(pairs, texts)):
            h = (p.answerable, hashlib.sha256(dedup_text(t).encode()).hexdigest())
            if h in seen:
                uf.union(seen[h], i)
                copy_of[i] = seen[h]
            else:
                seen[h] = i
    mhs: dict[int, MinHash] = {}
    if near and n > 1:
        sigs = list(mapper(partial(signature, ngram=ngram, num_perm=num_perm, seed=seed), texts))
        for answerable in (True, False):
            idx = [i for i in range(n) if pairs[i].answerable == answerable]
            lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
            for i in idx:
                m = mhs[i] = sigs[i]
                if i in copy_of:    # already joined to its first occurrence, which the index holds: k copies
                    continue        # no longer cost k^2/2 Jaccard checks
                for j in lsh.query(m):
                    if m.jaccard(mhs[j]) >= threshold:
                        uf.union(j, i)
                lsh.insert(i, m)
    clusters: dict[int, list[int]] = {}
    for i in range(n):
        clusters.setdefault(uf.find(i), []).append(i)
    keep: set[int] = set()
    drops: list[DupDrop] = []
    for members in clusters.values():
        best = _best(members, pairs, score)
        keep.add(best)
        for i in members:
            if i != best:
                if dedup_text(texts[i]) == dedup_text(texts[best]):
                    kind, sim = "exact_duplicate", 1.0
                else:   # similarity to the kept pair (may be below threshold: joined through a chain)
                    kind = "near_duplicate"
                    sim = mhs[i].jaccard(mhs[best]) if i in mhs and best in mhs else 0.0
                drops.append(DupDrop(id=pairs[i].id, kept_id=pairs[best].id, reason=kind,
                                     similarity=round(float(sim), 3)))
    return [pairs[i] for i in range(n) if i in keep], sorted(drops, key=lambda d: d.id)
