"""Street addresses in English text: US/UK/EU street lines, PO/military boxes, apartment parts, multi-line blocks.

A street line needs address evidence: a street-type word (Street, Ave, Rue, Via, -katu, -strasse, út ...), a
leading house number *and* a trailing number (``974 Via Roma 131``), or a PO/PSC box. Once a street line is
found, the block grows over the following parts separated by commas/newlines (Apt/Suite, city, ``ST 12345``,
``Country 12345``), so a multi-line address is one span. A bare ``Word 12`` ("Section 4", "Version 2") is never
an address on its own.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult

from redaction.recognizers.en import SUFFIXES

W = r"[^\W\d_][\w'’.-]*"                       # a word (any script), may end in '.'
NUM = r"\d{1,6}[A-Za-z]?"
# Street-type words standing before the name (Rue de Rivoli, Via Roma, ul. Zakrzowska).
PREFIX = (r"(?:Rua|Rue|Via|Viale|Vicolo|Piazza|Piazzetta|Corso|Largo|Avenida|Avda\.?|Av\.?|Avenue|Calle|Carrer|"
          r"Paseo|Plaza|Praça|Travessa|Strada|Boulevard|Bd\.?|Blvd\.?|Chemin|Place|Allée|Impasse|Quai|Camino|"
          r"ul\.|ulica|Aleja|al\.|Odos|Leoforos)")
# Street-type endings glued to the name (Koskikatu, Hansinegata, Strickstrasse, Populierenstraat) or after it.
GLUED = (r"(?-i:katu|kuja|tie|tee|gata|gatan|gade|vej|veien|vegen|väg|vägen|gasse|strasse|straße|str\.|straat|"
         r"laan|weg|plein|allee|platz|damm|utca|ulice|útja|sokak|caddesi)")
_SUF = "|".join(sorted(set(SUFFIXES), key=len, reverse=True))
SUFFIX = rf"(?:{_SUF})\.?"

US_LINE = rf"{NUM}\s+(?:{W}\s+){{0,4}}?{W}\s+{SUFFIX}(?:\s+(?:and|&)\s+(?:{W}\s+){{0,3}}{SUFFIX})?"
PREFIX_LINE = (rf"(?:{NUM}\s+{PREFIX}\s+(?:{W}\s+){{0,3}}(?:{W}|{NUM})(?:\s+{NUM}\.?)?|"
               rf"(?-i:{PREFIX})\s+(?:{W}\s+){{0,3}}(?:{W}\s+{NUM}\.?|(?-i:[A-Z]){W}))")
GLUED_LINE = rf"(?:{NUM}\s+)?(?:{W}\s+){{0,2}}{W}{GLUED}\s+{NUM}\.?"
GLUED_SPACED = rf"(?:{NUM}\s+)?(?:{W}\s+){{0,2}}(?:útja|út|u\.|utca|ulice|gate|gata|vei|vej|street)\s+{NUM}\.?"
NUM_WORDS_NUM = rf"{NUM}\s+(?:{W}\s+){{0,3}}{W}\s+{NUM}\.?"
BOX = (r"(?:(?:P\.?\s?O\.?|Post\s+Office)\s*Box\s+\d{1,6}|(?:PSC|Unit|CMR)\s+\d{3,5},?\s+Box\s+\d{1,5})")
MIL_TAIL = r"(?:\s*\n?\s*(?:APO|FPO|DPO)\s+(?:AA|AE|AP)\s+\d{5})"
STREET = re.compile(rf"(?<![\w-])(?:{BOX}{MIL_TAIL}?|{US_LINE}|{PREFIX_LINE}|{GLUED_LINE}|{GLUED_SPACED}|"
                    rf"{NUM_WORDS_NUM})(?![\w])", re.IGNORECASE)
# Parts that may follow a street line, each after a comma and/or line break.
APT = r"(?:Apt|Apartment|Suite|Ste|Unit|Flat|Room|Rm|Floor|Fl|Bldg|Building|No|#)\.?\s*#?\d{1,5}[A-Za-z]?"
PLACE = r"[^\W\d_][\w'’.()-]*(?:[ \t]+[^\W\d_(][\w'’.()-]*){0,3}"
TAIL_PART = re.compile(
    rf"(?:[ \t]*,[ \t]*|[ \t]*\n[ \t]*(?:,[ \t]*)?|[ \t]+)"
    rf"(?:{APT}|{BOX}|{PLACE}(?:,?[ \t]+[A-Z]{{2}})?(?:[ \t]+\d{{4,5}}(?:-\d{{4}})?)?|[A-Z]{{1,2}}[ \t]+\d{{5}}"
    rf"|\d{{4,5}}(?:-\d{{4}})?|[A-Z]{{1,2}}\d[A-Z\d]?[ \t]+\d[A-Z]{{2}})(?=[ \t]*(?:[,\n?.;]|$))",
    re.IGNORECASE)
STOP = {"and", "or", "of", "to", "the", "in", "on", "for", "from", "through", "per", "with", "by", "at", "than",
        "section", "sections", "article", "articles", "clause", "version", "chapter", "part", "page", "pages",
        "paragraph", "item", "schedule", "exhibit", "annex", "appendix", "table", "figure", "year", "years",
        "days", "day", "months", "month", "hours", "percent", "times", "copies", "license", "licence", "gpl",
        "step", "rule", "rules", "level", "phase", "edition", "volume", "no", "number", "usc", "u.s.c", "cfr",
        "c.f.r", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
        "dec", "am", "pm", "a.m", "p.m", "minutes", "seconds", "weeks", "euro", "eur", "usd", "dollars"}
CUES = ("address", "lives", "live on", "living", "located", "resides", "meet", "drops you off", "sent to", "ship",
        "deliver", "mail", "billing", "office is at", "is at", "corner of", "moved to", "here they are")


def _num_words_num_ok(text: str, m: re.Match, value: str, s: int) -> bool:
    words = value.split()[1:-1]
    if any(w.strip(".,").casefold() in STOP for w in words):
        return False
    after = text[m.end():m.end() + 12]
    before = text[max(0, s - 40):s].casefold()
    cap = any(w[0].isupper() or not w.isascii() for w in words)
    lead = value.split()[0]
    return ((cap and (len(lead) >= 2 or bool(re.match(r"\s*(?:\n|,)", after)))) or
            bool(re.match(r"\s+(?:st\b|street)", after, re.IGNORECASE)) or any(c in before for c in CUES))


class EnglishAddressRecognizer(EntityRecognizer):
    def __init__(self) -> None:
        super().__init__(supported_entities=["ADDRESS"], name="EnAddressBlockRecognizer", supported_language="any")

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str] | None = None,
                nlp_artifacts: object = None) -> list[RecognizerResult]:
        if entities and "ADDRESS" not in entities:
            return []
        out: list[RecognizerResult] = []
        for m in STREET.finditer(text):
            s, e = m.span()
            value = m.group(0)
            score = 0.8
            if re.fullmatch(NUM_WORDS_NUM, value, re.IGNORECASE) and not re.search(
                    rf"{PREFIX}|{GLUED}\b|{BOX}", value, re.IGNORECASE) and not re.search(
                    rf"\s{SUFFIX}$", value, re.IGNORECASE):
                if not _num_words_num_ok(text, m, value, s):
                    continue
                score = 0.65
            if all(w.strip(".,").casefold() in STOP for w in value.split() if not w[0].isdigit()):
                continue
            e = _extend(text, e)
            out.append(RecognizerResult("ADDRESS", s, e, score,
                                        recognition_metadata={"recognizer_name": self.name}))
        return out


def _extend(text: str, end: int, max_parts: int = 5) -> int:
    """Grow a street line over the Apt/city/region/postcode parts that follow it."""
    for _ in range(max_parts):
        m = TAIL_PART.match(text, end)
        if not m:
            break
        part = m.group(0).strip(" \t\n,")
        words = [w.strip(".,()").casefold() for w in part.split()]
        if not part or any(w in STOP for w in words) or len(part) > 45:
            break
        # a plain lower-case phrase after the street ends the address ("... Avenue and then we ...")
        if part[0].islower() and not re.match(APT, part, re.IGNORECASE):
            break
        end = m.end()
    return end
