"""Text normalisation that keeps offsets into the ORIGINAL text.

Recognizers run on NFC text whose full-width digits/letters/hyphens are mapped to ASCII. NFKC would change
lengths, so full-width mapping uses a same-length table; NFC (which can shorten decomposed Hangul) is done per
segment and an index map records, for each normalised character, where it came from. Literal escape sequences
(a backslash then n, r or t, as in text exported from JSON, CSV or logs) read as the line break or space they
stand for: otherwise "Phone:\\n022 656 53 65" glues the number to the letter n and no recognizer sees it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Same-length map: full-width ASCII block, ideographic space, the many dashes people type into numbers.
_FW = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FW.update({0x3000: 0x20, 0x00A0: 0x20, 0x2010: 0x2D, 0x2011: 0x2D, 0x2012: 0x2D, 0x2013: 0x2D,
            0x2014: 0x2D, 0x2015: 0x2D, 0x2212: 0x2D, 0xFE63: 0x2D, 0x30FC: 0x2D, 0x2027: 0x2E})
_TABLE = str.maketrans(_FW)
# same length: "\\n" -> " \n", "\\r" / "\\t" -> two spaces; an escaped backslash ("\\\\n") is left alone
_ESCAPE = re.compile(r"(?<!\\)\\[nrt]")
_ESCAPED = {"\\n": " \n", "\\r": "  ", "\\t": "  "}


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: _ESCAPED[m.group()], text) if "\\" in text else text


def _starts_segment(ch: str) -> bool:
    cp = ord(ch)
    if 0x1160 <= cp <= 0x11FF or 0xD7B0 <= cp <= 0xD7FF:   # conjoining jamo vowel/final: joins the previous
        return False
    return unicodedata.combining(ch) == 0


@dataclass(frozen=True)
class Normalized:
    text: str
    index: list[int] | None   # normalised char i came from original index[i]; None = identity
    orig_len: int

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised [start, end) span to the original text (covering whole source segments)."""
        if self.index is None:
            return start, end
        s = self.index[start] if start < len(self.index) else self.orig_len
        e = self.index[end] if end < len(self.index) else self.orig_len
        return s, max(e, s)


def normalize(text: str) -> Normalized:
    if unicodedata.is_normalized("NFC", text):
        return Normalized(_unescape(text.translate(_TABLE)), None, len(text))
    out: list[str] = []
    index: list[int] = []
    seg_start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or _starts_segment(text[i]):
            seg = unicodedata.normalize("NFC", text[seg_start:i])
            out.append(seg)
            index.extend([seg_start] * len(seg))
            seg_start = i
    return Normalized(_unescape("".join(out).translate(_TABLE)), index, len(text))


def normalize_value(value: str) -> str:
    """Canonical form of a detected value, shared by placeholders and audit fingerprints.

    Type-agnostic on purpose: a re-scan that labels a value differently still gets the same fingerprint.
    Identifier-like values (mostly digits) keep only letters and digits: 900101-1234567 == 9001011234567.
    """
    v = unicodedata.normalize("NFC", value).translate(_TABLE).strip()
    digits = sum(c.isdigit() for c in v)
    if digits >= 4 and digits >= 0.5 * sum(not c.isspace() for c in v):
        return "".join(c for c in v if c.isalnum()).upper()
    return " ".join(v.split()).casefold()
