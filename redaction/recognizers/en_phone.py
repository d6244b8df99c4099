"""Phone numbers by Google's ``phonenumbers`` (libphonenumber): numbering-plan validity, not digit-group shapes.

The regexes in ``en.py`` find numbers with a ``+``, the US 3-3-4 layout or a phone word before them; a national
number written without any of these ("They're not answering at 99 66 84 72", "0690 123 45 67") has no shape of
its own. libphonenumber knows every country's numbering plan, so a digit group that is a *valid* number in one
of ``REGIONS`` (length, leading digits and number type match a real allocation) is a phone without context.
Its matcher also skips dates, times and numbers glued to letters.

To keep amounts, IDs and legal citations ("48 C.F.R. 227.7202-3") out, a national match without a phone word
nearby must be written with separators (space, dot, dash, brackets) in one consistent style; a ``+`` number
always counts. Two bare forms count without a cue, because people write their own number that way: a valid
North American ten-digit run and a valid national number with its trunk 0 ("07700900123"), unless an ID word
("invoice", "order", "policy") stands before it; so do six digits in pairs valid in Greenland or the Faroes.
A clear phone layout counts even where libphonenumber knows no such range (random or fictional
numbers are still somebody's to dial): the North American 3-3-4 layout, ``+CC`` / ``00 CC`` with a known country
code, an area code and subscriber number split by a slash, and 9-15 digits in phone layout right after a phone
word ("Fax: 21 211 435 1482"). A phone word with a number sign ("Phone No.", "Cell #") makes the "No." or "#"
the phone's, not a citation or money. Texts that are mostly Hangul are skipped: Korean
numbers are the Korean recognizers' job, and Korean documents must not pay for this.
"""

from __future__ import annotations

import functools
import re

from presidio_analyzer import EntityRecognizer, RecognizerResult

from redaction.recognizers.base import mostly_hangul
from redaction.recognizers.en import PHONE_CTX

# Regions whose national formats English business text carries most (North America, the British Isles, the
# EU/EFTA, Oceania, and large trading partners incl. Russia/Ukraine/Turkey/Israel/UAE/Philippines). A number
# valid in any of them counts.
REGIONS = ("US", "CA", "GB", "IE", "AU", "NZ", "ZA", "IN", "SG", "DE", "AT", "CH", "FR", "BE", "LU", "NL", "IT",
           "ES", "PT", "SE", "NO", "DK", "FI", "IS", "PL", "CZ", "SK", "HU", "SI", "HR", "GR", "CY", "EE", "LV",
           "LT", "RO", "BG", "BR", "MX", "AR", "JP", "CN", "HK", "RU", "UA", "TR", "IL", "AE", "PH", "GL", "FO")
# Regions whose numbers are six digits, written in pairs ("32 45 67"): the only six-digit form taken without a cue.
SIX_DIGIT_REGIONS = ("GL", "FO")
PAIRS = re.compile(r"\d\d \d\d \d\d")
# Words right before a bare digit run that make it an identifier, not a phone.
ID_WORDS = re.compile(r"(?i)\b(?:order|invoice|ref|reference|tracking|ticket|case|serial|transaction|confirmation|"
                      r"customer|member|policy|claim|id|iban|account|acct|routing|sku|po|batch|lot|receipt|"
                      r"booking|shipment|parcel|patient|employee|student|tax|vat|licen[cs]e|passport|isbn)\b"
                      r"[\w .:#-]{0,12}$")
# Phone-shaped candidates: digits in phone punctuation on one line, not glued to letters or other numbers.
# An extension may be glued on ("12345x123"); a leading 00/011 is the exit code dialled before a country code.
# A dot or comma right before counts only after a letter or a bracket ("Tel.0201234567", a CSV field
# "Roe,0201234567"), never after a digit ("1.234", "1,234,567").
_BEFORE = r"(?<![\w+/-])(?<![\d.,][.,])(?<!^[.,])"
CANDIDATE = re.compile(_BEFORE + r"\+?\(?\d[\d ().\-]{4,22}\d(?=x\d)|" + _BEFORE
                       + r"\+?\(?\d[\d ().\-]{4,22}\d(?![\w/]|[.,]\d)")
EXIT_CODE = re.compile(r"\(?(?:00|011(?= ))\)?[ .-]?(?=\(?[1-9])")
# The North American layout (3-3-4 with one kind of separator, "312 345-6789", or a bracketed area code, an optional
# +1 / 1 / 001
# before it): written like this it is a phone even when the area or exchange code is unallocated (0xx, 1xx,
# N11, 555 ranges), which libphonenumber rightly calls invalid.
NANP = re.compile(r"(?:(?:\+1|1|001)[ .-]?)?(?:\(\d{3}\)[ ]?\d{3}[ .-]?|\d{3}([ .-])\d{3}\1|\d{3} \d{3}-)\d{4}")
# An area code and subscriber number split by one slash, after a trunk 0 or a country code ("030/1234567",
# "+49 (0)89/123456"): the German-speaking countries' way of writing a phone number.
SLASHED = re.compile(r"(?<![\w+./-])(?:\+\d{1,3}[ ]?(?:\(0\)[ ]?)?|00\d{1,3}[ ]|0)[1-9]\d{1,4}/\d{4,8}"
                     r"(?![\w/]|[.,]\d)")
# An exit code and a country code written as their own group ("0044 7683 659848", "011 49 30 ..."): such a number
# counts like "+44 ..." even where libphonenumber knows no such range.
EXIT_CC = re.compile(r"\(?(?:00|011 ?)\)?[ .-]?(\d{1,3})\)?[ .-]")
EXT = re.compile(r"[ ]?(?:x|ext\.?|extension|#)[ ]?\d{1,6}(?!\w)", re.IGNORECASE)
MONEY = ("$", "€", "£", "¥", "#")
# Words right before a number that make it a citation or an identifier, not a phone.
CITATION = ("section", "§", "article", "clause", "c.f.r", "u.s.c", "cfr", "dfar", "far ", "isbn", "doi",
            "version", "patent", "no.", "chapter", "rule", "issn", "eprint", "arxiv")
# Dates, year ranges ("2004-2025", "1609–1626"), amounts, decimals ("0.994629", "1365519115.0") and versions a
# numbering plan can also accept.
NOT_PHONE = re.compile(r"(?:19|20)\d\d[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:19|20)?\d\d|"
                       r"(?:1\d|20)\d\d ?-{1,2} ?(?:1\d|20)\d\d|\d+[.,]\d{1,2}|\d{1,3}\.\d+|"
                       r"\d{1,3}(?:\.\d{1,3}){2,3}|\d{3}-\d{2}-\d{4}")   # the last: the US SSN layout


# Words that name a phone: its kinds, calling verbs, kinds of line, messaging apps.
_PHONE_WORDS = (r"tele?phone[sd]?|phone[sd]?|tel|call(?:s|ed|ing)?|mobile|mob|cell(?:phone)?|fax|"
                r"dial(?:l?ed|l?ing)?|hotline|helpline|landline|switchboard|whatsapp|viber|telegram")
# Phone words matched as words, a wider set than PHONE_CTX (shared with the regex recognizer): the words above plus
# ones that name other things too ("number", "line", "text", "desk", "contact").
CUE_WORDS = re.compile(r"(?i)\b(?:" + _PHONE_WORDS + r"|desk|contact(?:s|ed|ing)?|reach(?:ed|ing)?|answering|ring|"
                       r"line|voicemail|pager|toll[- ]free|ext|extension|sms|text(?:s|ed|ing)?|messages?|number)\b")
# A phone word with a number sign right before the number ("Phone No. ", "Tel. No.: ", "Cell #", "Mobile No."):
# the "No." or "#" is the phone's, so neither the citation nor the money check applies.
PHONE_NO = re.compile(r"(?i)\b(?:tele?phone|phone|ph|tel|mobile|mob|cell(?:phone)?|fax|contact|whatsapp|hotline|"
                      r"helpline)\.?[ \t]*(?:no|nr|num|number|#)?\.?[ \t]*[:#.]?[ \t]*$")
# A strong cue: a word that names a phone, or "my number" ("number" alone names other things too).
STRONG_CUE = re.compile(r"(?i)\b(?:" + _PHONE_WORDS + r"|(?:my|your|his|her|their|our)[ \t]+"
                        r"(?:new[ \t]+|old[ \t]+|home[ \t]+|work[ \t]+)?number)\b")
# A one- or two-letter label right before the number, as on letterheads and cards ("T: ", "M.", "Ph: ", "Tlf.").
LABEL = re.compile(r"(?i)(?:^|[\s(,;|/])(?:ph|phn|tlf|tfn|tel|mob|cel|fax|hm|wk|t|m|f|p|h|w|o|c)\.?[ \t]*[:.][ \t]*$")
# A kind of line right after it: "020 7946 0018 (mobile)", "... - landline".
AFTER = re.compile(r"(?i)[ \t]*(?:\((?:mobile|mob|cell|home|work|office|fax|landline|tel|phone|direct|main|m|h|w|o)\)"
                   r"|[-–—,][ \t]*(?:mobile|cell|landline|fax)\b)")
LIST_GAP = re.compile(r"(?i)[ \t]*(?:,|;|/|or|and|,[ \t]*or|,[ \t]*and)[ \t]*")


def phone_cue(text: str, start: int, end: int, found: dict[tuple[int, int], float]) -> bool:
    """A phone word in the 40 characters before the number (same paragraph), a label right before it, a kind
    of line right after it, or a phone found just before it in a list ("555 0101 or 555 0102")."""
    before = text[max(0, start - 40):start]
    before = before[before.rfind("\n\n") + 1:] if "\n\n" in before else before
    if CUE_WORDS.search(before) or any(w in before[-24:].casefold() for w in PHONE_CTX) or LABEL.search(before):
        return True
    if AFTER.match(text, end):
        return True
    return any(LIST_GAP.fullmatch(text[e:start]) for (_s, e) in found if e <= start)


def _separators_ok(raw: str) -> bool:
    """Written like a phone: grouped by one kind of separator after an optional bracketed area code, or the
    Nordic area code - number in spaced groups ("08-123 45 67")."""
    if re.fullmatch(r"0\d{1,3}-\d{2,4}(?: \d{2,3}){1,3}", raw.strip()):
        return True
    core = re.sub(r"^\s*(?:\+\d{1,3}[ .-]?|\d[ .-]?(?=\())?(?:\([\d -]{1,6}\)[ .-]?)?", "", raw)   # "8 (495) ..."
    bracketed = core != raw.strip()
    kinds = {c for c in core if c in " .-/()"}
    return (len(kinds) == 1 and kinds <= {" ", ".", "-"}) or (bracketed and not kinds)


def _valid(cc: int, nat: str, region: str) -> bool:
    import phonenumbers
    if len(nat) < 4:
        return False
    n = phonenumbers.PhoneNumber(country_code=cc, national_number=int(nat))
    zeros = len(nat) - len(nat.lstrip("0"))
    if zeros:
        n.italian_leading_zero = True
        n.number_of_leading_zeros = zeros if zeros > 1 else None
    return phonenumbers.is_valid_number_for_region(n, region)


def _valid_international(raw: str) -> bool:
    """Valid with its country code: ``+44 ...``, or ``0044 ...`` / ``011 44 ...`` (an exit code for the ``+``)."""
    import phonenumbers
    if not raw.startswith("+"):
        x = EXIT_CODE.match(raw)
        if x is None:
            return False
        raw = "+" + raw[x.end():].replace("(", "").replace(")", "")
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(raw, None))
    except phonenumbers.NumberParseException:
        return False


def _known_cc(cc: str) -> bool:
    import phonenumbers
    return int(cc) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE


def _possible_international(raw: str) -> bool:
    """A known country code and 8-15 digits (E.164's limit): a ``+`` number libphonenumber cannot call valid (a
    new or unlisted range, a mistyped digit) is still written as a phone number, never as a card or an ID."""
    import phonenumbers
    try:
        phonenumbers.parse(raw, None)              # raises on an unknown country code
    except phonenumbers.NumberParseException:
        return False
    return 8 <= sum(c.isdigit() for c in raw) <= 15


class LibPhoneRecognizer(EntityRecognizer):
    """PHONE_NUMBER for any number libphonenumber calls valid in one of ``REGIONS``."""

    def __init__(self, regions: tuple[str, ...] = REGIONS) -> None:
        super().__init__(supported_entities=["PHONE_NUMBER"], name="LibPhoneRecognizer", supported_language="any")
        self.regions = regions

    def load(self) -> None:
        pass

    @functools.cached_property
    def _plans(self) -> list[tuple[str, int, str]]:
        """(region, country code, national trunk prefix) of each region, from libphonenumber's metadata."""
        import phonenumbers
        out = []
        for r in self.regions:
            meta = phonenumbers.PhoneMetadata.metadata_for_region(r)
            out.append((r, meta.country_code, meta.national_prefix or ""))
        return out

    def _valid_national(self, raw: str, digits: str) -> bool:
        """Valid as a national number in one of the regions, written as that country writes it.

        Checked on the digits directly (``phonenumbers.parse`` per region costs ~4x more); a number valid only
        without the region's trunk prefix ("1588 1234" in Belgium) goes to libphonenumber's own matcher, which
        knows where the prefix may be left out.
        """
        import phonenumbers
        for region, cc, trunk in self._plans:
            if trunk and digits.startswith(trunk) and _valid(cc, digits[len(trunk):], region):
                return True
            if _valid(cc, digits, region) and (not trunk or cc == 1 or any(phonenumbers.PhoneNumberMatcher(
                    raw, region, leniency=phonenumbers.Leniency.VALID))):
                return True
        return False

    @staticmethod
    def _cued_layout(raw: str, digits: str, text: str, start: int, labelled: bool) -> bool:
        """A number in phone layout (9-15 digits grouped by one kind of separator) right after a phone word
        ("Phone: 21 211 435 1482"): a plan outside ``REGIONS`` or a new range is still somebody's number. A ``+``
        number has its own check (a known country code); eight digits and fewer stay a service number's
        ("1588-1234") unless a plan knows them."""
        if raw.startswith("+") or not (9 <= len(digits) <= 15 and _separators_ok(raw)):
            return False
        return labelled or STRONG_CUE.search(text[max(0, start - 40):start]) is not None

    def _bare_form(self, raw: str, digits: str, before: str) -> bool:
        """A number without a cue or phone separators that is still a phone: an unseparated run people write
        their own number as (``_bare_run_phone``) with no ID word before it, or six digits in pairs valid
        where numbers have six digits (Greenland, the Faroes)."""
        if raw.isdigit():
            return self._bare_run_phone(digits) and not ID_WORDS.search(before)
        return PAIRS.fullmatch(raw) is not None and any(_valid(cc, digits, r) for r, cc, _t in self._plans
                                                        if r in SIX_DIGIT_REGIONS)

    def _bare_run_phone(self, digits: str) -> bool:
        """The two forms people write their own number in without any separator: a North American ten-digit
        number ("2025550143") and a ten- or eleven-digit national number with its trunk 0 ("07700900123"),
        valid by the numbering plan. Other bare runs (Indian or Chinese mobiles share their shape with
        timestamps and IDs) still need a cue."""
        if len(digits) == 10 and digits[0] != "0":
            return any(_valid(cc, digits, r) for r, cc, _t in self._plans if cc == 1)
        if len(digits) in (10, 11) and digits[0] == "0" and digits[1] != "0":
            return any(trunk == "0" and _valid(cc, digits[1:], r) for r, cc, trunk in self._plans)
        return False

    def analyze(self, text: str, entities: list[str] | None = None,
                nlp_artifacts: object = None) -> list[RecognizerResult]:
        if entities and "PHONE_NUMBER" not in entities:
            return []
        if not re.search(r"\d[\d ().-]{5}", text) or mostly_hangul(text):
            return []
        found: dict[tuple[int, int], float] = {}
        for m in CANDIDATE.finditer(text):
            raw = m.group().rstrip(" .-(")
            start, end = m.start(), m.start() + len(raw)
            if raw.startswith("(") and raw.count("(") > raw.count(")"):
                raw, start = raw[1:], start + 1        # "(call 555.013.2345)": the text's bracket, not the number's
            digits = re.sub(r"\D", "", raw)
            labelled = PHONE_NO.search(text[max(0, start - 24):start]) is not None
            if not 6 <= len(digits) <= 15 or NOT_PHONE.fullmatch(raw) or (
                    not labelled and text[max(0, start - 1):start] in MONEY):
                continue
            plus_sign = raw.startswith("+")
            exit_valid = not plus_sign and EXIT_CODE.match(raw) is not None and _valid_international(raw)
            intl = plus_sign or exit_valid
            possible = False
            if not (exit_valid or (_valid_international(raw) if plus_sign else self._valid_national(raw, digits))):
                cc = EXIT_CC.match(raw)
                plus = "+" + cc.group(1) + raw[cc.end(1):] if cc and _known_cc(cc.group(1)) else raw
                if not (NANP.fullmatch(raw) or plus.startswith("+") and len(digits) >= 8 and
                        _possible_international(plus) or self._cued_layout(raw, digits, text, start, labelled)):
                    continue
                possible = True                        # "+49 ..." with a known country code, not (yet) allocated,
                intl = False                           # or the North American layout with unallocated codes
            if not labelled and any(w in text[max(0, start - 16):start].casefold() for w in CITATION):
                continue
            ctx = labelled or phone_cue(text, start, end, found)
            if possible and NANP.fullmatch(raw):
                score = 0.8 if ctx else 0.6
            elif possible:
                score = 0.7 if ctx else 0.5
            elif raw.startswith("+"):
                score = 0.85 if ctx else 0.7
            elif intl:                                 # "0044 ...": like a national number, a bare
                if not ctx and not re.search(r"\D", raw[EXIT_CODE.match(raw).end():]):   # digit run is an ID
                    continue
                score = 0.8 if ctx else 0.6
            elif ctx:
                score = 0.8
            elif len(digits) >= 7 and (_separators_ok(raw) or NANP.fullmatch(raw)):
                score = 0.6
            elif self._bare_form(raw, digits, text[max(0, start - 40):start]):
                score = 0.5
            else:
                continue
            x = EXT.match(text, end)                   # an extension belongs to the number
            found[(start, x.end() if x else end)] = score
        for m in SLASHED.finditer(text):
            labelled = PHONE_NO.search(text[max(0, m.start() - 24):m.start()]) is not None
            if not 7 <= sum(c.isdigit() for c in m.group()) <= 15 or not labelled and (
                    text[max(0, m.start() - 1):m.start()] in MONEY
                    or any(w in text[max(0, m.start() - 16):m.start()].casefold() for w in CITATION)):
                continue
            ctx = labelled or phone_cue(text, m.start(), m.end(), found)
            found[(m.start(), m.end())] = 0.8 if ctx else 0.6
        return [RecognizerResult("PHONE_NUMBER", s, e, sc, recognition_metadata={"recognizer_name": self.name})
                for (s, e), sc in sorted(found.items())]
