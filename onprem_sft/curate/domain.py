"""Domain filter: drop QA pairs off the configured domain (real-estate chatter in insurance data).

Lexical: a TF-IDF centroid over character n-grams of the corpus (the distinct contexts the pairs were
generated from) plus the configured domain description and keywords; a pair scores the cosine of its
question+answer to that centroid. Character n-grams need no tokenizer and work for Korean. The LLM
method asks the local model to classify (structured output); ``both`` lets the lexical score flag
candidates and the LLM decide only those (cheap, and the LLM never overrides a clear lexical pass).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

from onprem_sft.records import QAPair

_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*_\d+>")
_NON_WORD = re.compile(r"[\W_]+")


def _clean(text: str) -> str:
    t = _PLACEHOLDER.sub(" ", unicodedata.normalize("NFKC", text))
    return " ".join(_NON_WORD.sub(" ", t.casefold()).split())


def char_ngrams(text: str, n: int) -> Counter[str]:
    t = _clean(text)
    if not t:
        return Counter()
    t = f" {t} "
    return Counter(t[i:i + n] for i in range(max(1, len(t) - n + 1)))


class LexicalDomain:
    """Char n-gram TF-IDF centroid. ``score(text)`` is a cosine in [0, 1]."""

    def __init__(self, corpus: Iterable[str], *, items: Iterable[str] = (), description: str = "",
                 keywords: Sequence[str] = (), ngram: int = 3, trim: float = 0.2):
        self.n = ngram
        self.trimmed = 0
        docs = [char_ngrams(t, ngram) for t in corpus]
        anchor = [char_ngrams(t, ngram) for t in [description, *keywords] if t.strip()]
        background = [char_ngrams(t, ngram) for t in items]
        if not [d for d in docs + anchor if d]:
            raise ValueError("domain filter: no corpus text and no curate.domain.description/keywords to "
                             "build the domain centroid from; set curate.domain.description")
        # IDF also counts the texts being scored: n-grams every question shares ("what", "나요") carry
        # no domain signal and must not make an off-domain question look close to the corpus.
        all_docs = [d for d in docs + anchor + background if d]
        df: Counter[str] = Counter()
        for d in all_docs:
            df.update(d.keys())
        n_docs = len(all_docs)
        self.idf = {g: math.log((1 + n_docs) / (1 + c)) + 1.0 for g, c in df.items()}
        self.centroid = self._centroid(docs, anchor)
        if trim > 0 and len(docs) >= 3:
            # Trimmed centroid: the corpus may itself hold a few off-domain chunks (an annex, a canteen
            # notice); drop the corpus texts least like the first centroid and build it again.
            sims = [self._cos(self._vec(d)) for d in docs]
            n_drop = min(len(docs) - 1, round(trim * len(docs)))
            drop = set(sorted(range(len(docs)), key=lambda i: sims[i])[:n_drop])
            self.centroid = self._centroid([d for i, d in enumerate(docs) if i not in drop], anchor)
            self.trimmed = len(drop)

    def _centroid(self, docs: list[Counter[str]], anchor: list[Counter[str]]) -> dict[str, float]:
        # Corpus texts and the description/keywords weigh half each: a small corpus cannot drown the
        # user's statement of the domain, and a terse description cannot drown the corpus.
        centroid: Counter[str] = Counter()
        for group in (docs, anchor):
            vecs = [self._vec(d) for d in group if d]
            for v in vecs:
                for g, w in v.items():
                    centroid[g] += w / len(vecs)
        return _normalise(dict(centroid))

    def _cos(self, v: dict[str, float]) -> float:
        return sum(w * self.centroid.get(g, 0.0) for g, w in v.items())

    def _vec(self, counts: Counter[str]) -> dict[str, float]:
        return _normalise({g: (1 + math.log(c)) * self.idf.get(g, 1.0) for g, c in counts.items()})

    def score(self, text: str) -> float:
        return round(self._cos(self._vec(char_ngrams(text, self.n))), 4)


def _normalise(v: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in v.values()))
    return {g: w / norm for g, w in v.items()} if norm else {}


def pair_text(p: QAPair, refusal: str) -> str:
    """What is classified: the question, plus the answer unless it is the refusal."""
    return p.question if p.answer == refusal else f"{p.question}\n{p.answer}"


def corpus_texts(pairs: Sequence[QAPair]) -> list[str]:
    """Distinct contexts, one per context chunk, in first-seen order."""
    seen: dict[str, str] = {}
    for p in pairs:
        seen.setdefault(p.context_chunk_id or p.chunk_id or p.id, p.context)
    return list(seen.values())


DOMAIN_SCHEMA = {
    "type": "object",
    "properties": {
        "in_domain": {"type": "boolean"},
        "reason": {"type": "string", "maxLength": 200},
    },
    "required": ["in_domain", "reason"],
    "additionalProperties": False,
}
