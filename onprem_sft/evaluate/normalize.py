"""Answer normalisation for EM/F1, Korean-aware.

Why: Korean attaches particles (조사: 은/는/이/가/을/를/의/에서 ...) and endings (어미, copula 입니다) to the
word, and spacing (띄어쓰기) varies between writers. "보험금은 90일입니다" and "90일" share the content
"90일", but whitespace tokens never match. So answers are reduced to *content stems*:

1. ``normalize_text``: Unicode NFKC, lower case, thousands separators dropped ("1,000" -> "1000"),
   every other punctuation/symbol character -> space (not deleted, so "지급사유)에" does not glue words
   together), spaces collapsed.
2. ``content_tokens``: per whitespace word (어절). Hangul words lose their trailing function morphemes
   (particles J*, endings E*, copula VCP, verb/adjective-deriving suffixes XSV/XSA, auxiliaries VX) as
   tagged by Kiwi (``kiwipiepy``, a declared dependency); the stem is the word's surface text up to its
   last content morpheme ("지급됩니다" -> "지급", "고양이가" -> "고양이"). A word made only of function
   morphemes ("입니다") is dropped. Without Kiwi a conservative suffix list is used instead (particle
   stripped only when a stem of >= 2 syllables remains). Latin words drop English articles (SQuAD).

See docs/evaluation.md for how EM, token F1 and character F1 use these.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

log = logging.getLogger("onprem_sft.evaluate")

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_WORD = re.compile(r"\S+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")   # "1,000" -> "1000"
_ARTICLES = frozenset({"a", "an", "the"})
# English function words (gates' and the span check's content words leave them out)
STOP_EN = frozenset([
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "from", "with", "and", "or", "but",
    "is", "are", "was", "were", "be", "been", "being", "it", "its", "this", "that", "these", "those",
    "as", "if", "then", "than", "so", "such", "which", "who", "whom", "whose", "what", "when", "where",
    "why", "how", "do", "does", "did", "has", "have", "had", "will", "would", "shall", "should", "can",
    "could", "may", "might", "must", "not", "no", "any", "all", "each", "every", "there", "their",
    "they", "them", "he", "she", "his", "her", "we", "our", "you", "your", "i", "me", "my", "about"])

# Kiwi tags that carry no content at the end of a word.
_FUNCTION_TAG_PREFIXES = ("J", "E")
_FUNCTION_TAGS = frozenset({"VCP", "XSV", "XSA", "VX", "SF", "SP", "SS", "SE", "SO", "SW"})

# Fallback suffixes (longest first): particles, copula and polite endings.
_KO_SUFFIXES = tuple(sorted({
    "입니다", "이었습니다", "였습니다", "이다", "이며", "이고", "이고요", "예요", "이에요", "에서는", "에서", "에게",
    "에는", "으로", "로는", "으로는", "부터", "까지", "이나", "이라", "라고", "처럼", "보다", "에도", "이", "가",
    "은", "는", "을", "를", "의", "에", "와", "과", "도", "만", "로", "요",
}, key=len, reverse=True))


def normalize_text(s: str) -> str:
    """NFKC, lower case, punctuation/symbols -> space, whitespace collapsed."""
    s = _THOUSANDS.sub("", unicodedata.normalize("NFKC", s or "").lower())
    out = [" " if unicodedata.category(ch)[0] in "PSZC" else ch for ch in s]
    return " ".join("".join(out).split())


@lru_cache(maxsize=1)
def _kiwi():
    try:
        from kiwipiepy import Kiwi
    except ImportError:  # pragma: no cover - kiwipiepy is a declared dependency
        log.warning("kiwipiepy not installed: Korean answers normalised with the suffix list only")
        return None
    return Kiwi()


def _is_function(tag: str) -> bool:
    tag = tag.split("-")[0]
    return tag.startswith(_FUNCTION_TAG_PREFIXES) or tag in _FUNCTION_TAGS


def _strip_suffix_rules(word: str) -> str:
    for suf in _KO_SUFFIXES:
        if word.endswith(suf) and len(word) - len(suf) >= 2:
            return word[: -len(suf)]
    return word


def _korean_stems_kiwi(text: str, spans: list[tuple[int, int]], kiwi) -> dict[int, str]:
    """Stem of every Hangul word (by word index) from one Kiwi pass over the whole text."""
    last_end = [-1] * len(spans)
    starts = [a for a, _ in spans]
    wi = 0
    for tok in kiwi.tokenize(text):
        while wi + 1 < len(spans) and tok.start >= starts[wi + 1]:
            wi += 1
        if not _is_function(tok.tag):
            last_end[wi] = max(last_end[wi], min(tok.start + tok.len, spans[wi][1]))
    return {i: text[spans[i][0]:last_end[i]] if last_end[i] > spans[i][0] else ""
            for i in range(len(spans))}


def content_tokens(s: str, *, use_kiwi: bool = True) -> list[str]:
    """Content stems of an answer (see module docstring); empty words are dropped."""
    return list(_content_tokens(s or "", use_kiwi))


@lru_cache(maxsize=8192)
def _content_tokens(s: str, use_kiwi: bool) -> tuple[str, ...]:
    """Cached: every metric stems the same prediction and reference again."""
    text = normalize_text(s)
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    if not spans:
        return ()
    words = [text[a:b] for a, b in spans]
    kiwi = _kiwi() if use_kiwi and any(_HANGUL.search(w) for w in words) else None
    stems = _korean_stems_kiwi(text, spans, kiwi) if kiwi is not None else {}
    out = []
    for i, w in enumerate(words):
        if _HANGUL.search(w):
            w = stems[i] if kiwi is not None else _strip_suffix_rules(w)
        elif w in _ARTICLES:
            w = ""
        if w:
            out.append(w)
    return tuple(out)
