"""English-locale identifiers: SSN, North-American phones, IBAN, street addresses."""

from __future__ import annotations

from redaction.recognizers.base import Pat, RegexRecognizer
from redaction.recognizers.checksums import iban_ok, ssn_ok

ND, NA = r"(?<!\d)", r"(?!\d)"


def ssn() -> RegexRecognizer:
    pats = [Pat("ssn", ND + r"\d{3}-\d{2}-\d{4}" + NA, 0.85),
            Pat("ssn_plain", ND + r"\d{9}" + NA, 0.4, needs_context=True)]
    return RegexRecognizer("US_SSN", pats, name="UsSsnRecognizer", context=["ssn", "social security"],
                           context_boost=0.15, validator=lambda v, t, s, e: 0.85 if ssn_ok(v) else None)


def us_phone() -> RegexRecognizer:
    rx = (r"(?<![\d+])(?:\+?1[-.\s]?)?(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[-.\s])\d{3}[-.\s]\d{4}"
          r"(?:\s?(?:x|ext\.?)\s?\d{1,5})?(?!\d)")
    plain = Pat("us_phone_plain", r"(?<![\d+])[2-9]\d{2}[2-9]\d{6}(?!\d)", 0.4, needs_context=True)
    return RegexRecognizer("PHONE_NUMBER", [Pat("us_phone", rx, 0.7), plain], name="UsPhoneRecognizer",
                           context=["phone", "tel", "call", "mobile", "cell", "fax", "contact"], context_boost=0.2,
                           negative_context=["ssn", "social security"], validator=_not_toll_free)


TOLL_FREE = {"800", "888", "877", "866", "855", "844", "833"}


def _not_toll_free(value: str, text: str, s: int, e: int) -> float | None:
    """Toll-free numbers are companies' call centres (like Korea's 1588-xxxx), not personal data."""
    d = "".join(c for c in value if c.isdigit())
    if d.startswith("1") and len(d) >= 11:
        d = d[1:]
    return None if d[:3] in TOLL_FREE else 1.0


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


def english_recognizers() -> list[RegexRecognizer]:
    return [ssn(), us_phone(), iban(), en_address()]
