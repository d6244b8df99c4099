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

from redaction.recognizers.base import HANGUL_CJK
from redaction.recognizers.en import SUFFIXES

W = r"[^\W\d_][\w'’.-]*"                       # a word (any script), may end in '.'
NUM = r"\d{1,6}[A-Za-z]?"
# Street-type words standing before the name (Rue de Rivoli, Via Roma, ul. Zakrzowska).
PREFIX = (r"(?:C/|Rua|Rue|Via|Viale|Vicolo|Piazza|Piazzetta|Corso|Largo|Avenida|Avda\.?|Av\.?|Avenue|Calle|Carrer|"
          r"Paseo|Plaza|Praça|Travessa|Strada|Boulevard|Bd\.?|Blvd\.?|Chemin|Place|Allée|Impasse|Quai|Camino|"
          r"ul\.|ulica|Aleja|al\.|Odos|Leoforos)")
# Street-type endings glued to the name (Koskikatu, Hansinegata, Strickstrasse, Populierenstraat) or after it.
GLUED = (r"(?-i:katu|kuja|tie|tee|gata|gatan|gade|vej|veien|vegen|väg|vägen|gasse|strasse|straße|str\.|straat|"
         r"laan|weg|plein|allee|platz|damm|utca|ulice|útja|sokak|caddesi)")
_SUF = "|".join(sorted(set(SUFFIXES), key=len, reverse=True))
SUFFIX = rf"(?:{_SUF})\.?"

US_LINE = rf"{NUM}\s+(?:{W}\s+){{0,4}}?{W}\s+{SUFFIX}(?:[ \t]+{SUFFIX}(?!\w))?(?:\s+(?:and|&)\s+(?:{W}\s+){{0,3}}{SUFFIX})?"
PREFIX_LINE = (rf"(?:{NUM}\s+{PREFIX}\s+(?:{W}\s+){{0,3}}(?:{W}|{NUM})(?:\s+{NUM}\.?)?|"
               rf"(?-i:{PREFIX})\s+(?:{W}\s+){{0,3}}(?:{W}\s+{NUM}\.?|(?-i:[A-Z]){W}))")
GLUED_LINE = rf"(?:{NUM}\s+)?(?:{W}\s+){{0,2}}{W}{GLUED}\s+{NUM}\.?"
GLUED_SPACED = rf"(?:{NUM}\s+)?(?:{W}\s+){{0,2}}(?:útja|út|u\.|utca|ulice|gate|gata|vei|vej|street)\s+{NUM}\.?"
NUM_WORDS_NUM = rf"{NUM}\s+(?:{W}\s+){{0,3}}{W}\s+{NUM}\.?"
BOX = (r"(?:(?:P\.?\s?O\.?|Post\s+Office)\s*Box\s+\d{1,6}|(?:PSC|Unit|CMR)\s+\d{3,5},?\s+Box\s+\d{1,5})")
MIL_TAIL = r"(?:\s*\n?\s*(?:APO|FPO|DPO)\s+(?:AA|AE|AP)\s+\d{5})"
# a ship's address (USPS military format): "USS Ship Name\nFPO AE 09501"
SHIP = re.compile(rf"(?<![\w-])(?:USS|USNS|USNV|USCGC)\s+[A-Z]{W}(?:[ \t]+[A-Z]{W})?{MIL_TAIL}(?!\w)")
# (?<!\d[,.]): the "000" of "100,000 people" is no house number
STREET = re.compile(rf"(?<![\w-])(?<!\d[,.])(?:{BOX}{MIL_TAIL}?|{US_LINE}|{PREFIX_LINE}|{GLUED_LINE}|{GLUED_SPACED}|"
                    rf"{NUM_WORDS_NUM})(?![\w])", re.IGNORECASE)
# Parts that may follow a street line, each after a comma and/or line break.
APT = r"(?:Apt|Apartment|Suite|Ste|Unit|Flat|Room|Rm|Floor|Fl|Bldg|Building|No|#)\.?\s*#?\d{1,5}[A-Za-z]?"
PLACE = r"[^\W\d_][\w'’.()-]*(?:[ \t]+[^\W\d_(][\w'’.()-]*){0,3}"
# a line may start with a bullet ("• Apt. 050"; "???" is a bullet that lost its encoding)
_SEP = r"(?:[ \t]*,[ \t]*|[ \t]*\n[ \t]*(?:[?•·*▪►>-]{1,3}[ \t]+)?(?:,[ \t]*)?|[ \t]+)"
TAIL_PART = re.compile(
    rf"{_SEP}(?:{APT}(?=\s|[,.;?!)]|$)|(?:{BOX}|{PLACE}(?:,?[ \t]+[A-Z]{{2,3}})?(?:[ \t]+\d{{4,5}}(?:-\d{{4}})?)?"
    rf"|[A-Z]{{1,2}}[ \t]+\d{{5}}|\d{{4,5}}(?:-\d{{4}})?|[A-Z]{{1,2}}\d[A-Z\d]?[ \t]+\d[A-Z]{{2}})"
    rf"(?=[ \t]*(?:[,\n?.;!]|$)))",
    re.IGNORECASE)
# An intersection: "the corner of 3744 Retreat Avenue and Lahtinen Road".
CORNER = re.compile(r"(?i:\b(?:the\s+)?corner\s+of\s+)((?:[^\s,;?!]+[ \t]+){0,5}?)(?i:and|&)[ \t]+"
                    r"((?:[^\s,;?!]+)(?:[ \t]+[^\s,;?!]+){0,4})")
# A street named without a number after a preposition: "shows on Marina Fort Street were ...".
NAMED_SUFFIXES = ("Street", "Avenue", "Road", "Boulevard", "Lane", "Drive", "Court", "Terrace", "Highway",
                  "Parkway", "Square", "Crescent", "Close", "Place", "Way")
NAMED_STREET = re.compile(r"\b(?:on|at|along|off|onto|down|near|via)[ \t]+((?:[A-Z][\w'’-]+[ \t]+){1,3}"
                          rf"(?:{'|'.join(NAMED_SUFFIXES)}))\b")
LEGAL_BEFORE = re.compile(r"(?i)\b(?:article|section|clause|chapter|part|title|rule|paragraph|§)\s*$")
PARTICLES = {"de", "del", "da", "do", "di", "la", "le", "na", "van", "von", "der", "den", "y", "e", "ten", "ul.",
             "al.", "r"}
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
    # a lower-case word ending in "." is a sentence end, not an abbreviation (St., ul.): "...000 people. Amongst
    # them were 200 clergy" spans two sentences
    if any(w.endswith(".") and w[:-1].islower() and len(w) > 4 for w in words):
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
        lower_text = text.lower() == text            # no capital anywhere: case is no evidence
        for m in STREET.finditer(text):
            s, e = m.span()
            value = m.group(0)
            if HANGUL_CJK.search(value):          # Korean text: ko_address's job ("100분의 30 이하\n 4" is no street)
                continue
            score = 0.8
            if re.fullmatch(NUM_WORDS_NUM, value, re.IGNORECASE) and not re.search(
                    rf"{PREFIX}|{GLUED}\b|{BOX}", value, re.IGNORECASE) and not re.search(
                    rf"\s{SUFFIX}$", value, re.IGNORECASE):
                if not _num_words_num_ok(text, m, value, s):
                    continue
                score = 0.65
            words = value.split()
            if all(w.strip(".,").casefold() in STOP for w in words if not w[0].isdigit()):
                continue
            # in text with capitals, a street line with no capitalised word is prose: "in 1927 a zoological
            # garden", "12 national points" (a prefix street stays: "12 rue de la Paix")
            if not lower_text and not any(c.isupper() for c in value) and not re.match(
                    rf"{NUM}\s+{PREFIX}\s", value, re.IGNORECASE):
                continue
            # "Article 50 of the Treaty on European Union": a citation, not "50 ... Union"
            if LEGAL_BEFORE.search(text[max(0, s - 12):s]) or (not lower_text and any(
                    w.islower() and w in STOP for w in words[1:-1])):
                continue
            if b := re.search(r"(?<![\w,.-])\d{1,6}[A-Za-z]?[ \t]+$", text[max(0, s - 9):s]):
                s -= len(b.group())                    # a building or postal number before the street line
            e = _extend(text, e, lower_text)
            out.append(RecognizerResult("ADDRESS", s, e, score,
                                        recognition_metadata={"recognizer_name": self.name}))
        if "FPO" in text:
            out += [RecognizerResult("ADDRESS", m.start(), m.end(), 0.8,
                                     recognition_metadata={"recognizer_name": self.name}) for m in SHIP.finditer(text)]
        if "orner" in text:                      # cheap checks first: most texts hold neither form
            out += [RecognizerResult("ADDRESS", s, e, 0.7, recognition_metadata={"recognizer_name": self.name})
                    for s, e in _corners(text, lower_text)]
        for m in NAMED_STREET.finditer(text) if any(w in text for w in NAMED_SUFFIXES) else ():
            out.append(RecognizerResult("ADDRESS", m.start(1), m.end(1), 0.6,
                                        recognition_metadata={"recognizer_name": self.name}))
        return out


def _corners(text: str, lower_text: bool) -> list[tuple[int, int]]:
    """Intersections: "the corner of A and B", B cut at the first word that cannot be part of a street name."""
    out = []
    for m in CORNER.finditer(text):
        a = m.group(1).split()
        if not a or any(w.casefold() in STOP and w.islower() for w in a[:1]):
            continue
        end = m.start(2)
        for t in re.finditer(r"[^\s,;?!]+", m.group(2)):
            w = t.group().rstrip(".")
            if not lower_text and w.islower() and (w.casefold() in STOP or len(w) > 3) and w not in PARTICLES:
                break
            if lower_text and w.casefold() in STOP:
                break
            end = m.start(2) + t.end()
        if end > m.start(2):
            while text[end - 1] in ".":
                end -= 1
            out.append((m.start(), end))
    return out


def _extend(text: str, end: int, lower_text: bool = False, max_parts: int = 6) -> int:
    """Grow a street line over the Apt/city/region/postcode parts that follow it."""
    for _ in range(max_parts):
        m = TAIL_PART.match(text, end)
        if not m:
            break
        part = m.group(0).strip(" \t\n,?•·*▪►>-")
        # a STOP word ends the address, unless it is an upper-case region code ("SCHEIBBS, NO 14908")
        if not part or len(part) > 45 or any(w.strip(".,()").casefold() in STOP and not w.isupper()
                                             for w in part.split()):
            break
        if not lower_text and not re.match(APT, part, re.IGNORECASE):
            # a plain lower-case phrase after the street ends the address ("... Avenue and then we ...")
            if part[0].islower():
                break
            # with no comma or line break before it, a place part is capitalised throughout
            if "," not in m.group(0) and "\n" not in m.group(0) and any(
                    w[0].islower() and w not in PARTICLES for w in part.split()):
                break
        end = m.end()
    return end
