"""Regex recognizer base on Presidio's ``EntityRecognizer``, with context windows that work for Korean.

Presidio's own context boosting needs spaCy lemmas (empty without an NLP model) and its ``\\b`` anchors fail
next to Hangul. Here context is a plain substring search in a window before (and optionally after) the match,
and every digit pattern is anchored with ``(?<!\\d)``/``(?!\\d)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from presidio_analyzer import EntityRecognizer, RecognizerResult

# Korean (and other CJK) letters: what the English recognizers leave to the Korean ones.
HANGUL_CJK = re.compile(r"[가-힣ㄱ-ㅎㅏ-ㅣ\u3040-\u30ff\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def mostly_hangul(text: str, share: float = 0.1) -> bool:
    """More than ``share`` of the text's letters are Hangul/CJK: Korean text, not English with a Korean word."""
    h = len(HANGUL_CJK.findall(text))
    return h > share * (h + len(_LATIN.findall(text)))

# validator(match_text, normalised_text, start, end) -> score or None (drop)
Validator = Callable[[str, str, int, int], "float | None"]


@dataclass(frozen=True)
class Pat:
    name: str
    regex: str
    score: float
    group: int = 0                 # capture group holding the value (context words stay outside)
    flags: int = 0
    needs_context: bool = False    # this pattern alone is too loose: keep only with a context word
    anchor: str = ""               # speed: a cheap regex every match contains; the pattern runs only near it
    before: int = 80               # ... from this many chars before an anchor hit
    after: int = 300               # ... to this many after


def anchored_finditer(rx: re.Pattern, anchor: re.Pattern, text: str, before: int = 80, after: int = 300):
    """``rx.finditer(text)`` restricted to windows around hits of a cheap ``anchor`` regex.

    A long pattern with optional leading parts (postal code, province, city) is tried by ``re`` at every
    position of the text; an anchor that every match must contain (``로 12``, ``동 3``) finds the few places
    worth trying. Matches are leftmost-first inside each window, as with ``finditer``.
    """
    searched = 0
    for a in anchor.finditer(text):
        ap = a.start()
        if ap < searched:
            continue
        pos = max(searched, ap - before)
        hi = min(len(text), ap + after)
        while True:
            m = rx.search(text, pos, hi)
            if m is None or m.start() > ap:
                break
            yield m
            pos = max(m.end(), pos + 1)
        searched = max(pos, ap + 1)


def has_context(text: str, start: int, end: int, words: Sequence[str], before: int = 24,
                after: int = 0) -> bool:
    if not words:
        return False
    window = text[max(0, start - before):start].casefold()
    if after:
        window += " " + text[end:end + after].casefold()
    return any(w in window for w in words)


class RegexRecognizer(EntityRecognizer):
    """Patterns + optional validator + context words (boost) and negative context (suppress)."""

    def __init__(self, entity: str, patterns: Sequence[Pat], *, name: str, context: Sequence[str] = (),
                 context_boost: float = 0.3, negative_context: Sequence[str] = (),
                 require_context: bool = False, validator: Validator | None = None,
                 window: int = 24, window_after: int = 0, language: str = "any"):
        self.patterns = list(patterns)
        self._compiled = [(p, re.compile(p.regex, p.flags)) for p in self.patterns]
        self._anchors = {p.name: re.compile(p.anchor) for p in self.patterns if p.anchor}
        self.context_words = [w.casefold() for w in context]
        self.negative = [w.casefold() for w in negative_context]
        self.context_boost = context_boost
        self.require_context = require_context
        self.validator = validator
        self.window, self.window_after = window, window_after
        super().__init__(supported_entities=[entity], name=name, supported_language=language,
                         context=list(context))
        self.entity = entity

    def load(self) -> None:  # patterns are compiled in __init__
        pass

    def analyze(self, text: str, entities: list[str] | None = None,
                nlp_artifacts: object = None) -> list[RecognizerResult]:
        if entities and self.entity not in entities:
            return []
        out: list[RecognizerResult] = []
        any_context: bool | None = None
        for pat, rx in self._compiled:
            if self.require_context or pat.needs_context:
                if any_context is None:        # no context word anywhere in the text: the pattern cannot hit
                    folded = text.casefold()
                    any_context = any(w in folded for w in self.context_words)
                if not any_context:
                    continue
            anchor = self._anchors.get(pat.name)
            matches = anchored_finditer(rx, anchor, text, pat.before, pat.after) if anchor else rx.finditer(text)
            for m in matches:
                s, e = m.span(pat.group)
                if s < 0 or s == e:
                    continue
                score: float | None = pat.score
                if self.validator is not None:
                    score = self.validator(m.group(pat.group), text, s, e)
                    if score is None:
                        continue
                    score = min(score, pat.score)
                ctx = has_context(text, s, e, self.context_words, self.window, self.window_after)
                if (self.require_context or pat.needs_context) and not ctx:
                    continue
                if ctx:
                    score = min(1.0, score + self.context_boost)
                if self.negative and has_context(text, s, e, self.negative, self.window, self.window_after):
                    score = min(score, 0.1)
                out.append(RecognizerResult(self.entity, s, e, round(score, 3),
                                            recognition_metadata={"recognizer_name": self.name}))
        return out
