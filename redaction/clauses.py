"""Sensitive clauses: whole sentences that match a deny-list term or pattern (대외비, 영업비밀, rate tables).

A sentence, not just the term, is taken out: the rest of a confidential sentence is what leaks.

A term entry says what it matches: ``sentence:`` (default, any sentence holding the term: 대외비, 요율표) or
``marking:`` (only a document marking: a line or header that is the term, an all-capitals stamp, or a
classification field ``Classification: CONFIDENTIAL``), so "we keep your information confidential" stays.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from presidio_analyzer import RecognizerResult

# A sentence ends at . ! ? 。 followed by whitespace, at a line break, or at the end of the text.
SENTENCE_RX = re.compile(r"\S.*?(?:[.!?。](?=\s)|(?=\n)|$)")


def sentences(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in SENTENCE_RX.finditer(text)]


STAMP = r"[\s\[\]【】()<>*※#=|_~-]*"


def _marking_rx(term: str) -> list[re.Pattern[str]]:
    """A line that is the marking (optionally stamped/boxed, optionally a short tail such as '- do not
    distribute'), a classification field, or the term in capitals inside a line (a stamp)."""
    t = re.escape(term)
    out = [re.compile(rf"(?im)^({STAMP}{t}\b[^\n]{{0,60}})$"),
           re.compile(rf"(?im)((?:classification|security\s+level|sensitivity|보안\s*등급|문서\s*등급|분류)\s*[:：]"
                      rf"\s*{t}\b[^\n]*)")]
    if term.upper() != term.lower():
        out.append(re.compile(rf"(?<![A-Za-z])({re.escape(term.upper())})(?![A-Za-z])"))
    return out


class SensitiveClauseRecognizer:
    name = "SensitiveClauseRecognizer"

    def __init__(self, terms: Sequence[str], patterns: Sequence[str]):
        self.terms, self.markings = [], []
        for t in terms:
            mode, _, term = t.partition(":") if t.startswith(("marking:", "sentence:")) else ("sentence", "", t)
            if term.strip():
                (self.markings if mode == "marking" else self.terms).append(term.strip().casefold())
        self._marking_rx = [rx for m in self.markings for rx in _marking_rx(m)]
        bad = []
        self.patterns = []
        for p in patterns:
            try:
                self.patterns.append(re.compile(p, re.IGNORECASE))
            except re.error as e:
                bad.append(f"{p!r} ({e})")
        if bad:
            raise ValueError(f"redaction.sensitive_clauses.patterns: invalid regex {', '.join(bad)}; fix the pattern")

    def analyze(self, text: str) -> list[RecognizerResult]:
        out = [RecognizerResult("SENSITIVE_CLAUSE", m.start(1), m.end(1), 1.0,
                                recognition_metadata={"recognizer_name": f"{self.name}:marking"})
               for rx in self._marking_rx for m in rx.finditer(text)]
        if not self.terms and not self.patterns:
            return out
        low = text.casefold()
        if not any(t in low for t in self.terms) and not any(p.search(text) for p in self.patterns):
            return out
        for s, e in sentences(text):
            sent = text[s:e]
            how = "term" if any(t in sent.casefold() for t in self.terms) else (
                "pattern" if any(p.search(sent) for p in self.patterns) else None)
            if how:
                out.append(RecognizerResult("SENSITIVE_CLAUSE", s, e, 1.0,
                                            recognition_metadata={"recognizer_name": f"{self.name}:{how}"}))
        return out
