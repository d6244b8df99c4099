"""Sensitive clauses: whole sentences that match a deny-list term or pattern (대외비, 영업비밀, rate tables).

A sentence, not just the term, is taken out: the rest of a confidential sentence is what leaks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from presidio_analyzer import RecognizerResult

# A sentence ends at . ! ? 。 followed by whitespace, at a line break, or at the end of the text.
SENTENCE_RX = re.compile(r"\S.*?(?:[.!?。](?=\s)|(?=\n)|$)")


def sentences(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in SENTENCE_RX.finditer(text)]


class SensitiveClauseRecognizer:
    name = "SensitiveClauseRecognizer"

    def __init__(self, terms: Sequence[str], patterns: Sequence[str]):
        self.terms = [t.casefold() for t in terms if t]
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
        if not self.terms and not self.patterns:
            return []
        low = text.casefold()
        if not any(t in low for t in self.terms) and not any(p.search(text) for p in self.patterns):
            return []
        out = []
        for s, e in sentences(text):
            sent = text[s:e]
            how = "term" if any(t in sent.casefold() for t in self.terms) else (
                "pattern" if any(p.search(sent) for p in self.patterns) else None)
            if how:
                out.append(RecognizerResult("SENSITIVE_CLAUSE", s, e, 1.0,
                                            recognition_metadata={"recognizer_name": f"{self.name}:{how}"}))
        return out
