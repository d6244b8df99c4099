"""Phone numbers by Google's ``phonenumbers`` (libphonenumber): numbering-plan validity, not digit-group shapes.

The regexes in ``en.py`` find numbers with a ``+``, the US 3-3-4 layout or a phone word before them; a national
number written without any of these ("They're not answering at 99 66 84 72", "0690 123 45 67") has no shape of
its own. libphonenumber knows every country's numbering plan, so a digit group that is a *valid* number in one
of ``REGIONS`` (length, leading digits and number type match a real allocation) is a phone without context.
Its matcher also skips dates, times and numbers glued to letters.

To keep amounts, IDs and legal citations ("48 C.F.R. 227.7202-3") out, a national match without a phone word
nearby must be written with separators (space, dot, dash, brackets) in one consistent style; a ``+`` number
always counts. Texts that are mostly Hangul are skipped: Korean numbers are the Korean recognizers' job, and
Korean documents must not pay for this.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult

from redaction.recognizers.en import PHONE_CTX

# Regions whose national formats English business text carries most (North America, the British Isles, the
# EU/EFTA, Oceania, and large trading partners). A number valid in any of them counts.
REGIONS = ("US", "CA", "GB", "IE", "AU", "NZ", "ZA", "IN", "SG", "DE", "AT", "CH", "FR", "BE", "LU", "NL", "IT",
           "ES", "PT", "SE", "NO", "DK", "FI", "IS", "PL", "CZ", "SK", "HU", "SI", "HR", "GR", "CY", "EE", "LV",
           "LT", "RO", "BG", "BR", "MX", "AR", "JP", "CN", "HK")
# A cheap filter: something with 6+ digits in phone punctuation; the matcher only runs on texts holding one.
CANDIDATE = re.compile(r"\+?\(?\d[\d \t().\-/]{4,22}\d")
HANGUL = re.compile(r"[가-힣ㄱ-ㅎㅏ-ㅣ\u3040-\u30ff\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
# Dates, amounts and versions a numbering plan can also accept.
NOT_PHONE = re.compile(r"(?:19|20)\d\d[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:19|20)?\d\d|"
                       r"\d+[.,]\d{2}|\d{1,3}(?:\.\d{1,3}){2,3}|\d{3}-\d{2}-\d{4}")   # the last: the US SSN layout


def _mostly_hangul(text: str) -> bool:
    h = len(HANGUL.findall(text))
    return h > 0.1 * (h + len(LATIN.findall(text)))


def _separators_ok(raw: str) -> bool:
    """Written like a phone: grouped by one kind of separator after an optional bracketed area code."""
    core = re.sub(r"^\s*(?:\+\d{1,3}[ .-]?)?(?:\([\d -]{1,6}\)[ .-]?)?", "", raw)
    bracketed = core != raw.strip()
    kinds = {c for c in core if c in " .-/()"}
    return (len(kinds) == 1 and kinds <= {" ", ".", "-"}) or (bracketed and not kinds)


class LibPhoneRecognizer(EntityRecognizer):
    """PHONE_NUMBER for any number libphonenumber calls valid in one of ``REGIONS``."""

    def __init__(self, regions: tuple[str, ...] = REGIONS) -> None:
        super().__init__(supported_entities=["PHONE_NUMBER"], name="LibPhoneRecognizer", supported_language="any")
        self.regions = regions

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str] | None = None,
                nlp_artifacts: object = None) -> list[RecognizerResult]:
        if entities and "PHONE_NUMBER" not in entities:
            return []
        if not any(sum(c.isdigit() for c in m.group()) >= 6 for m in CANDIDATE.finditer(text)):
            return []
        if _mostly_hangul(text):
            return []
        import phonenumbers
        found: dict[tuple[int, int], float] = {}
        leniency = phonenumbers.Leniency.VALID
        for region in self.regions:
            for m in phonenumbers.PhoneNumberMatcher(text, region, leniency=leniency):
                if (m.start, m.end) in found:
                    continue
                raw = m.raw_string
                digits = sum(c.isdigit() for c in raw)
                if NOT_PHONE.fullmatch(raw.strip()) or text[max(0, m.start - 1):m.start] in ("$", "€", "£", "¥"):
                    continue
                ctx = any(w in text[max(0, m.start - 24):m.start].casefold() for w in PHONE_CTX)
                if raw.lstrip().startswith("+"):
                    score = 0.85 if ctx else 0.7
                elif ctx and digits >= 6:
                    score = 0.8
                elif digits >= 7 and _separators_ok(raw):
                    score = 0.6
                else:
                    continue
                found[(m.start, m.end)] = score
        return [RecognizerResult("PHONE_NUMBER", s, e, sc, recognition_metadata={"recognizer_name": self.name})
                for (s, e), sc in sorted(found.items())]
