"""English-locale identifiers: SSN, North-American phones, IBAN, street addresses."""

from __future__ import annotations

import re

from redaction.recognizers.base import Pat, RegexRecognizer
from redaction.recognizers.checksums import iban_ok, luhn_ok, ssn_ok

ND, NA = r"(?<!\d)", r"(?!\d)"


def ssn() -> RegexRecognizer:
    pats = [Pat("ssn", ND + r"\d{3}-\d{2}-\d{4}" + NA, 0.85),
            Pat("ssn_plain", ND + r"\d{9}" + NA, 0.4, needs_context=True)]
    return RegexRecognizer("US_SSN", pats, name="UsSsnRecognizer", context=["ssn", "social security"],
                           context_boost=0.15, validator=lambda v, t, s, e: 0.85 if ssn_ok(v) else None)


PHONE_CTX = ["phone", "tel", "call", "mobile", "cell", "fax", "desk", "contact", "reach", "answering",
             "messages to", "registered", "text me", "sms", "whatsapp", "number", "전화", "연락처", "휴대폰"]


def us_phone() -> RegexRecognizer:
    """North-American and international numbers: +CC, (area), dots, spaces, extensions, 1-800 toll-free.

    A number with a country code or the US 3-3-4 layout stands alone; other digit groups need a phone word
    just before them (Phone:, call me at, Fax:) so amounts, dates and section numbers stay.
    """
    ext = r"(?:\s?(?:x|ext\.?|extension)\s?\d{1,5})?"
    us = (r"(?<![\d+])(?:(?:\+?1|001)[-.\s]?)?(?:\([2-9]\d{2}\)\s?\d{3}[-.\s]|[2-9]\d{2}([-.\s])\d{3}\1)\d{4}" +
          ext + r"(?!\d)")
    tollfree = r"(?<![\d+])1[-.\s]?8(?:00|88|77|66|55|44|33)[-.\s]?[A-Z0-9]{3}[-.\s]?[A-Z0-9]{4}(?![\dA-Z])"
    intl = (r"(?<![\w+])\+\d{1,3}[-.\s]?(?:\(0\)\s?)?(?:\(\d{1,4}\)\s?)?\d{1,5}(?:[-.\s]\d{1,5}){1,4}" + ext +
            r"(?!\d)")
    grouped = r"(?<![\w+.,-])(?:\(\d{1,4}\)\s?)?\d{2,5}(?:[-.\s]\d{2,5}){1,4}" + ext + r"(?![\d,])"
    pats = [Pat("us_phone", us, 0.7), Pat("toll_free", tollfree, 0.7), Pat("intl_phone", intl, 0.75),
            Pat("grouped_phone", grouped, 0.5, needs_context=True),
            Pat("plain_phone", r"(?<![\w+])\d{7,12}(?!\d)", 0.4, needs_context=True),
            # national numbers with a trunk 0 or a bracketed area code are phone-shaped without a phone word
            Pat("trunk_phone", r"(?<![\w+.,/-])0\d{1,4}[-.\s]\d{2,8}(?:[-.\s]\d{2,4}){0,3}" + ext + r"(?![\d,/-])",
                0.5),
            Pat("area_phone", r"(?<![\w+.,/-])\(\d{2,4}\)\s?\d{3,4}[-.\s]?\d{3,4}" + ext + r"(?![\d,/-])", 0.5)]
    return RegexRecognizer("PHONE_NUMBER", pats, name="UsPhoneRecognizer", context=PHONE_CTX, context_boost=0.2,
                           negative_context=["ssn", "social security", "card", "account", "iban", "date"],
                           validator=_phone_digits, window=24)


def _phone_digits(value: str, text: str, s: int, e: int) -> float | None:
    d = "".join(c for c in re.split(r"x|ext", value)[0] if c.isdigit())
    if not 6 <= len(d) <= 15 or (d.startswith("0") and " " not in value and len(d) < 8):
        return None
    if re.fullmatch(r"(?:19|20)\d\d[-./](?:0?[1-9]|1[0-2])[-./]\d{1,2}", value.strip()):
        return None                                   # an ISO date
    return 1.0


CARD_CTX = ["card", "cc", "visa", "mastercard", "amex", "credit", "debit", "카드"]


def card_en() -> RegexRecognizer:
    """Every major card layout (Visa/MC/Discover 4-4-4-4, Amex 4-6-5, Diners 4-6-4, Maestro/UnionPay 12-19
    digits, JCB 15) with Luhn. A Luhn pass alone is weak (1 in 10 random numbers pass): it needs a card word or
    a known issuer prefix to score high."""
    def v(value: str, text: str, s: int, e: int) -> float | None:
        d = "".join(c for c in value if c.isdigit())
        if not 12 <= len(d) <= 19:
            return None
        ctx = any(w in text[max(0, s - 30):s].casefold() for w in CARD_CTX)
        if luhn_ok(d):
            return 1.0 if ctx or re.match(r"4|5[0-5]|2[2-7]|3[0-9]|6|1800|2131", d) else 0.5
        return 0.45 if ctx else None
    pats = [Pat("card_grouped", r"(?<![\d-])\d{4}(?:[-\s]\d{4}){2}[-\s]\d{1,7}(?![\d-])", 1.0),
            Pat("card_amex", r"(?<![\d-])3[47]\d{2}[-\s]\d{6}[-\s]\d{5}(?![\d-])", 1.0),
            Pat("card_diners", r"(?<![\d-])3[0689]\d{2}[-\s]\d{6}[-\s]\d{4}(?![\d-])", 1.0),
            Pat("card_plain", r"(?<![\d+-])\d{12,19}(?![\d-])", 1.0)]    # "+441212345678" is a phone
    return RegexRecognizer("CREDIT_CARD", pats, name="EnCardRecognizer", validator=v)


def iban() -> RegexRecognizer:
    rx = r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)(?![A-Za-z0-9])"
    return RegexRecognizer("IBAN_CODE", [Pat("iban", rx, 1.0)], name="IbanRecognizer",
                           validator=lambda v, t, s, e: 1.0 if iban_ok(v) else None)


SUFFIXES = ["Alley", "Avenue", "Ave", "Branch", "Bridge", "Brook", "Brooks", "Burg", "Bypass", "Camp", "Canyon", "Cape", "Causeway", "Center", "Centers", "Circle", "Cir", "Circles", "Cliff", "Cliffs", "Club", "Common", "Corner", "Corners", "Course", "Court", "Ct", "Courts", "Cove", "Coves", "Creek", "Crescent", "Crest", "Crossing", "Crossroad", "Curve", "Dale", "Dam", "Divide", "Drive", "Dr", "Drives", "Estate", "Estates", "Expressway", "Extension", "Extensions", "Fall", "Falls", "Ferry", "Field", "Fields", "Flat", "Flats", "Ford", "Fords", "Forest", "Forge", "Forges", "Fork", "Forks", "Fort", "Freeway", "Garden", "Gardens", "Gateway", "Glen", "Glens", "Green", "Greens", "Grove", "Groves", "Harbor", "Harbors", "Haven", "Heights", "Highway", "Hwy", "Hill", "Hills", "Hollow", "Inlet", "Island", "Islands", "Isle", "Junction", "Junctions", "Key", "Keys", "Knoll", "Knolls", "Lake", "Lakes", "Land", "Landing", "Lane", "Ln", "Light", "Lights", "Loaf", "Lock", "Locks", "Lodge", "Loop", "Mall", "Manor", "Manors", "Meadow", "Meadows", "Mews", "Mill", "Mills", "Mission", "Motorway", "Mount", "Mountain", "Mountains", "Neck", "Orchard", "Oval", "Overpass", "Park", "Parks", "Parkway", "Pkwy", "Parkways", "Pass", "Passage", "Path", "Pike", "Pine", "Pines", "Place", "Pl", "Plain", "Plains", "Plaza", "Point", "Points", "Port", "Ports", "Prairie", "Radial", "Ramp", "Ranch", "Rapid", "Rapids", "Rest", "Ridge", "Ridges", "River", "Road", "Rd", "Roads", "Route", "Row", "Rue", "Run", "Shoal", "Shoals", "Shore", "Shores", "Skyway", "Spring", "Springs", "Spur", "Spurs", "Square", "Sq", "Squares", "Station", "Stravenue", "Stream", "Street", "St", "Streets", "Summit", "Terrace", "Throughway", "Trace", "Track", "Trafficway", "Trail", "Trailer", "Tunnel", "Turnpike", "Underpass", "Union", "Unions", "Valley", "Valleys", "Via", "Viaduct", "View", "Views", "Village", "Villages", "Ville", "Vista", "Walk", "Walks", "Wall", "Way", "Ways", "Well", "Wells", "Blvd", "Boulevard"]
_SUF = "|".join(sorted(set(SUFFIXES), key=len, reverse=True))
_TAIL = r"(?:,?\s+[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2},\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?)"
EN_ADDRESS_RX = (rf"(?<![\w-])\d{{1,6}}\s+(?:[A-Z][a-z]+\s+){{1,3}}(?:{_SUF})\.?"
                 rf"(?:,?\s+(?:Apt|Suite|Unit|Ste|#)\.?\s*[\w-]+)?{_TAIL}?(?![\w])")


def en_address() -> RegexRecognizer:
    pats = [Pat("street", EN_ADDRESS_RX, 0.75),
            Pat("city_state_zip", r"(?<![\w])[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2},\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?(?!\d)",
                0.6)]
    return RegexRecognizer("ADDRESS", pats, name="EnAddressRecognizer",
                           context=["address", "resides", "located", "living"], context_boost=0.15)


def english_recognizers() -> list:
    from redaction.recognizers.en_address import EnglishAddressRecognizer
    from redaction.recognizers.en_phone import LibPhoneRecognizer
    return [ssn(), us_phone(), iban(), en_address(), card_en(), EnglishAddressRecognizer(), LibPhoneRecognizer()]
