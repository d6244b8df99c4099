"""BM25 retrieval of redacted chunks for a collected question (``bm25s``, MIT).

Korean is tokenised into Kiwi morphemes (content words: nouns, verb/adjective stems, roots, foreign
words, numbers), since Korean words carry particles and endings ("보험금을", "보험금은" -> "보험금");
English into lower-cased words without stop words. A document/article hint narrows the search to the
chunks whose clause title contains it (e.g. "제3조", "Article 4"), else to those whose text does; when no
chunk matches, the hint's words are added to the query instead. Only redacted text is indexed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from onprem_sft.generate.prompts import context_text
from onprem_sft.records import RedactedChunk

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*_\d+>")
_KO_TAGS = ("NNG", "NNP", "NR", "VV", "VA", "XR", "SL", "SN", "SH", "MAG", "NNB")
_EN_STOP = frozenset({
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "by", "with", "from", "is", "are",
    "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those", "do", "does",
    "did", "what", "which", "who", "whom", "when", "where", "why", "how", "can", "could", "may", "might",
    "will", "would", "shall", "should", "i", "you", "he", "she", "we", "they", "me", "my", "your", "our",
    "their", "if", "as", "about", "into", "than", "then", "there", "here", "not", "no", "yes", "any",
    "all",
})
_ARTICLE_HINT = re.compile(r"(제\s*\d+\s*조(?:의\s*\d+)?|(?:article|section)\s+\d+[a-z]?)", re.IGNORECASE)


@lru_cache(maxsize=1)
def _kiwi():  # kiwipiepy.Kiwi, loaded once (~1 s)
    from kiwipiepy import Kiwi

    return Kiwi()


def tokenize(text: str) -> list[str]:
    """Text -> BM25 terms: Kiwi morphemes when it contains Hangul, else English words."""
    text = _PLACEHOLDER.sub(" ", unicodedata.normalize("NFKC", text))
    if _HANGUL.search(text):
        out = []
        for t in _kiwi().tokenize(text):
            if t.tag.startswith(_KO_TAGS):
                out.append(t.form.lower())
        return out
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in _EN_STOP]


def _stem(w: str) -> str:
    """Light English suffix folding (claims/claimed/claiming -> claim), enough for BM25 recall."""
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    for suf, n in (("ing", 6), ("ed", 5), ("es", 5), ("s", 4)):
        if len(w) >= n and w.endswith(suf) and not w.endswith("ss"):
            return w[: -len(suf)]
    return w


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s)).lower()


@dataclass(frozen=True)
class Hit:
    chunk: RedactedChunk
    score: float
    rank: int


class ChunkIndex:
    """BM25 over the redacted chunks (clause title + text, as the labelling context shows them)."""

    def __init__(self, chunks: Sequence[RedactedChunk]):
        import bm25s

        self.chunks = list(chunks)
        self._texts = [context_text(c) for c in self.chunks]
        self._compact = [_compact(t) for t in self._texts]
        self._clauses = [_compact(c.clause) for c in self.chunks]
        self._bm25 = bm25s.BM25()
        tokens = [tokenize(t) or ["\x00empty"] for t in self._texts]
        self._bm25.index(tokens, show_progress=False)

    def _scores(self, query: list[str]) -> list[float]:
        if not query:
            return [0.0] * len(self.chunks)
        return [float(x) for x in self._bm25.get_scores(query)]

    def search(self, question: str, k: int, hint: str = "") -> tuple[list[Hit], str]:
        """Top-k chunks with score > 0 and how the hint was used: "" | "filter" | "query"."""
        if not self.chunks:
            return [], ""
        query = tokenize(question)
        scores = self._scores(query)
        allowed = range(len(self.chunks))
        how = ""
        if hint.strip():
            m = _ARTICLE_HINT.search(hint)
            needle = _compact(m.group(1) if m else hint)
            # a clause title naming the hint first ("Article 6" is Article 6, not an article citing it)
            match = [i for i, t in enumerate(self._clauses) if needle and needle in t] or \
                [i for i, t in enumerate(self._compact) if needle and needle in t]
            if match:
                allowed, how = match, "filter"
            else:
                extra = tokenize(hint)
                if extra:
                    scores = self._scores(query + extra)
                    how = "query"
        ranked = sorted((i for i in allowed if scores[i] > 0), key=lambda i: (-scores[i], i))[:k]
        if not ranked and how == "filter":        # the hint matched but shares no term: best hinted chunk
            ranked = list(allowed)[:1]
        return [Hit(self.chunks[i], scores[i], r) for r, i in enumerate(ranked)], how
