"""Hard distractors for unanswerable pairs: a different chunk that looks related to the question but
(verified by the LLM afterwards) does not answer it.

Similarity is TF-IDF cosine over word tokens plus character bigrams of Hangul runs (Korean words carry
particles, so whole-token matching alone misses most overlap). Chunks that largely overlap the source
chunk (neighbours sharing ``overlap_chars``, duplicates) are excluded: they likely hold the answer. With
answer-first generation the answer is known before any distractor is chosen, so a chunk that contains it is
skipped too (``contains_answer``): a refusal label on a context that holds the answer teaches the model to
refuse answerable questions, and the 135M model cannot verify distractors itself (``demo_en``).
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from onprem_sft.generate.schema import Distractor
from onprem_sft.records import RedactedChunk

STRATEGIES = tuple(d.value for d in Distractor)      # generate.distractor, one list with the config schema
PAIRINGS = ("twin", "split")       # generate.distractor_pairing (see QAGenerator.run)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_HANGUL = re.compile(r"[\uac00-\ud7a3]+")
_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*_\d+>")


def features(text: str) -> list[str]:
    text = _PLACEHOLDER.sub(" ", text.lower())
    toks = [w for w in _WORD.findall(text) if len(w) > 1 or not w.isascii()]
    for run in _HANGUL.findall(text):
        toks += [run[i:i + 2] for i in range(len(run) - 1)]
    return toks


def contains_answer(text: str, answer: str) -> bool:
    """``answer`` occurs in ``text`` after case, punctuation and whitespace folding: as whole words, or
    anywhere for Hangul (Korean words carry particles: 보험금 in 보험금을)."""
    a = " ".join(_WORD.findall(answer.lower()))
    if not a:
        return False
    t = " ".join(_WORD.findall(text.lower()))
    return a in t if _HANGUL.search(a) else f" {a} " in f" {t} "


def overlap(a: str, b: str) -> float:
    """Jaccard of feature sets (near-duplicate / overlapping-chunk test)."""
    fa, fb = set(features(a)), set(features(b))
    return len(fa & fb) / len(fa | fb) if fa and fb else 0.0


@dataclass(frozen=True)
class Candidate:
    chunk: RedactedChunk
    similarity: float      # cosine(question, chunk)
    same_document: bool


class DistractorIndex:
    """TF-IDF index over the redacted chunks of a run."""

    def __init__(self, chunks: Sequence[RedactedChunk], *, max_overlap: float = 0.5):
        self.chunks = list(chunks)
        self.pos = {c.id: i for i, c in enumerate(self.chunks)}
        self.max_overlap = max_overlap
        feats = [Counter(features(c.text)) for c in self.chunks]
        df: Counter[str] = Counter()
        for f in feats:
            df.update(f.keys())
        n = max(1, len(self.chunks))
        self.vocab = {t: i for i, t in enumerate(sorted(df))}
        self.idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in sorted(df)], dtype=np.float64)
        self.matrix = self._vectors(feats)
        self._overlap_cache: dict[tuple[int, int], float] = {}

    def _vectors(self, feats: Sequence[Counter[str]]) -> sparse.csr_matrix:
        rows, cols, vals = [], [], []
        for r, f in enumerate(feats):
            for t, c in f.items():
                j = self.vocab.get(t)
                if j is not None:
                    rows.append(r)
                    cols.append(j)
                    vals.append((1.0 + math.log(c)) * self.idf[j])
        m = sparse.csr_matrix((vals, (rows, cols)), shape=(len(feats), len(self.vocab)), dtype=np.float64)
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.diags(1.0 / norms) @ m

    def similarities(self, question: str) -> np.ndarray:
        q = self._vectors([Counter(features(question))])
        return np.asarray((self.matrix @ q.T).todense()).ravel() if self.chunks else np.zeros(0)

    def _too_close(self, i: int, j: int) -> bool:
        key = (min(i, j), max(i, j))
        if key not in self._overlap_cache:
            self._overlap_cache[key] = overlap(self.chunks[i].text, self.chunks[j].text)
        return self._overlap_cache[key] > self.max_overlap

    def candidates(self, question: str, source_id: str, *, strategy: str = "same_document", k: int = 3,
                   rng: random.Random | None = None, answer: str | None = None) -> list[Candidate]:
        """Up to ``k`` distractor chunks for a question asked about ``source_id``, best first.

        same_document: other chunks of the same document by similarity, then other documents (the near miss);
        other_document: the most similar chunks of other documents, then the same document (a question asked
        against the wrong document, as when retrieval picks the wrong file); similar: the most similar chunks
        anywhere; random: uniformly random other chunks. ``mixed`` is resolved per question by the caller
        (``strategy_for``). With ``answer`` (the label of an answer-first question), chunks containing it are
        skipped."""
        if strategy not in STRATEGIES or strategy == "mixed":
            raise ValueError(f"generate.distractor={strategy!r}: choose {STRATEGIES} (mixed: per question)")
        src = self.pos[source_id]
        doc = self.chunks[src].doc_id
        sims = self.similarities(question)
        idx = [i for i in range(len(self.chunks)) if i != src]
        if strategy == "random":
            (rng or random.Random(0)).shuffle(idx)
        else:
            first = {"same_document": lambda i: -(self.chunks[i].doc_id == doc),
                     "other_document": lambda i: -(self.chunks[i].doc_id != doc)}.get(strategy, lambda i: 0)
            idx.sort(key=lambda i: (first(i), -sims[i], self.chunks[i].id))
        out: list[Candidate] = []
        for i in idx:
            if self._too_close(src, i) or (answer and contains_answer(self.chunks[i].text, answer)):
                continue
            out.append(Candidate(self.chunks[i], float(sims[i]), self.chunks[i].doc_id == doc))
            if len(out) >= k:
                break
        return out


def strategy_for(strategy: str, i: int) -> str:
    """The strategy for the ``i``-th unanswerable question: ``mixed`` alternates the near miss (same document)
    and the wrong document, so the model learns to refuse both a close paragraph and an unrelated one."""
    if strategy == "mixed":
        return "same_document" if i % 2 == 0 else "other_document"
    return strategy


def pick_unanswerable(n: int, ratio: float, rng: random.Random) -> set[int]:
    """Indices (of ``n`` questions) that become unanswerable pairs: round(ratio * n), seeded."""
    k = min(n, round(ratio * n))
    return set(rng.sample(range(n), k)) if k else set()
