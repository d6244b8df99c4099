"""Realistic surrogates instead of ``<PERSON_1>`` tags (``redaction.replace=surrogate``).

Each detected value becomes a fake of the same type and language, the same fake for every mention in a document,
chosen so it can never be a real value: phones from the ranges kept for fiction (US 555-0100..0199), e-mail at
``example.com``, IPs from TEST-NET (RFC 5737), cards that fail Luhn, RRNs/BRNs with a wrong check digit, SSNs with
area 000, plates and licences with region 00. Names and addresses come from short fixed lists of plainly
fictional forms ("Anytown", "가상구").

Digit-bearing surrogates also end in a *keyed tag*: the last digits are an HMAC (the run's audit key) of the
others. ``verify`` uses ``is_surrogate`` to tell our fakes from a fresh leak without any visible marker in the
text; an outsider without the key cannot tell them apart from ordinary fakes.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import random
import re

from redaction.placeholders import PlaceholderMap
from redaction.recognizers.checksums import brn_checksum_ok, digits_of, luhn_ok, rrn_checksum_ok

EN_FIRST = ("Alex", "Jordan", "Casey", "Morgan", "Robin", "Taylor", "Jamie", "Avery", "Quinn", "Riley", "Dana",
            "Kendall", "Emery", "Harper", "Rowan", "Sasha", "Toby", "Lena", "Marco", "Nina")
EN_LAST = ("Fairbanks", "Holloway", "Pemberton", "Ashdown", "Whitlock", "Carraway", "Delacroix", "Ellery",
           "Fenwick", "Galloway", "Hartwell", "Kingsley", "Lockhart", "Merriweather", "Northcott", "Oakridge")
KO_SURNAME = "김이박최정강조윤장임한오서신권황안송류홍"
KO_GIVEN = ("가온", "나래", "다온", "라희", "마루", "바다", "사랑", "아름", "자람", "하늘", "한결", "새봄", "도담", "은솔", "예솔",
            "시온", "하람", "누리", "보람", "다솜")
EN_STREETS = ("Sample Street", "Example Avenue", "Placeholder Road", "Fictional Lane", "Specimen Drive")
KO_ROADS = ("예시로", "가상로", "샘플길", "보기로", "모의길")
TEST_NETS = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
                                                "2001:db8::/32")]
RESERVED_MAIL = re.compile(r"@(?:[\w-]+\.)*(?:example\.(?:com|org|net)|[\w-]+\.(?:example|test|invalid))$", re.IGNORECASE)
TITLE = re.compile(r"(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sir|Madam|Judge|Justice)\.?\s+")
US_FICTION = re.compile(r"555[-.\s)]*01\d\d$")


def _tag(key: bytes, body: str, k: int) -> str:
    n = int.from_bytes(hmac.new(key, b"surrogate\x1f" + body.encode(), hashlib.sha256).digest()[:8], "big")
    return str(n % 10 ** k).zfill(k)


def _tag_len(n_digits: int) -> int:
    return 4 if n_digits >= 10 else 3


def tagged(key: bytes, rng: random.Random, prefix: str, total: int) -> str:
    """``total`` digits: ``prefix``, random digits, then the keyed tag of everything before it."""
    k = _tag_len(total)
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(total - k - len(prefix)))
    return body + _tag(key, body, k)


def _fill(key: bytes, rng: random.Random, pattern: str, prefix: str = "") -> str:
    """``pattern`` with every ``#`` a digit; the digits together carry the keyed tag."""
    return _fmt(pattern, tagged(key, rng, prefix, pattern.count("#")))


def is_surrogate(entity_type: str, value: str, key: bytes) -> bool:
    """True when ``value`` is one of our surrogates (reserved range, or digits ending in the keyed tag)."""
    v = value.strip()
    if entity_type == "EMAIL_ADDRESS" or "@" in v:
        return bool(RESERVED_MAIL.search(v))
    if entity_type == "IP_ADDRESS":
        try:
            ip = ipaddress.ip_address(v)
        except ValueError:
            return False
        return any(ip in n for n in TEST_NETS)
    if US_FICTION.search(v):
        return True
    if entity_type == "PERSON":
        words = TITLE.sub("", v).split()
        return bool(words) and (all(w in EN_FIRST or w in EN_LAST for w in words) or (
            len(v) == 3 and v[0] in KO_SURNAME and v[1:] in KO_GIVEN))
    if entity_type == "ADDRESS":
        return v.endswith(", Anytown") or v.startswith("서울특별시 가상구 ")
    d = digits_of(v)
    if len(d) < 6:
        return False
    k = _tag_len(len(d))
    return d[-k:] == _tag(key, d[:-k], k)


def _fmt(pattern: str, digits: str) -> str:
    """Fill the ``#`` of ``pattern`` with ``digits`` in order."""
    it = iter(digits)
    return "".join(next(it) if c == "#" else c for c in pattern)


class SurrogateMap(PlaceholderMap):
    """Like ``PlaceholderMap`` (one replacement per value per document) but hands out realistic fakes."""

    def __init__(self, doc_id: str = "", key: bytes = b""):
        super().__init__(doc_id)
        self.key = key or b"\x00" * 32
        self._used: set[str] = set()

    def _rng(self, entity_type: str, n: int, attempt: int) -> random.Random:
        seed = hmac.new(self.key, f"{self.doc_id}\x1f{entity_type}\x1f{n}\x1f{attempt}".encode(),
                        hashlib.sha256).digest()
        return random.Random(seed)

    def make(self, entity_type: str, value: str, n: int) -> str:
        ko = bool(re.search("[가-힣]", value))
        for attempt in range(50):
            s = surrogate(entity_type, value, ko, self._rng(entity_type, n, attempt), self.key)
            if s not in self._used and s.strip() != value.strip():
                self._used.add(s)
                return s
        return s  # pragma: no cover - 50 collisions in a row

    def get(self, entity_type: str, value: str) -> str:
        from redaction.normalize import normalize_value
        title = TITLE.match(value) if entity_type == "PERSON" else None
        if title:                      # "Mr. John Smith" -> "Mr. <fake>", the same fake as plain "John Smith"
            return value[:title.end()] + self.get(entity_type, value[title.end():])
        key = (entity_type, normalize_value(value))
        out = self._by_value.get(key)
        if out is None:
            n = self._counts.get(entity_type, 0) + 1
            self._counts[entity_type] = n
            out = self.make(entity_type, value, n)
            self._by_value[key] = out
        if entity_type == "PERSON":
            self.person_surfaces.add(value.strip())
        return out


def surrogate(entity_type: str, value: str, ko: bool, rng: random.Random, key: bytes) -> str:
    """One fake of ``entity_type`` (Korean forms when the original was Korean)."""
    t = entity_type
    if t == "PERSON":
        if ko:
            return rng.choice(KO_SURNAME) + rng.choice(KO_GIVEN)
        return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}" if " " in value.strip() else rng.choice(EN_FIRST)
    if t == "EMAIL_ADDRESS":
        return f"{rng.choice(EN_FIRST).lower()}.{rng.choice(EN_LAST).lower()}{rng.randrange(100)}@example.com"
    if t == "IP_ADDRESS":
        return f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randrange(1, 255)}"
    if t == "PHONE_NUMBER":
        if ko or digits_of(value).startswith(("01", "82", "02", "0")) and not value.strip().startswith("+1"):
            return _fill(key, rng, "###-####-####", "0100")   # 010-0xxx is never assigned
        return f"555-01{rng.randrange(100):02d}" if len(digits_of(value)) < 10 else \
            f"({rng.choice(('202', '312', '415', '617'))}) 555-01{rng.randrange(100):02d}"
    if t == "CREDIT_CARD":
        while True:
            d = _fill(key, rng, "####-####-####-####", "4000")
            if not luhn_ok(d):
                return d
    if t in ("KR_RRN", "KR_FRN"):
        while True:
            date = f"{rng.randrange(60, 99)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
            g = rng.choice("12") if t == "KR_RRN" else rng.choice("56")
            d = tagged(key, rng, date + g, 13)
            if not rrn_checksum_ok(d):
                return _fmt("######-#######", d)
    if t == "US_SSN":
        return _fill(key, rng, "###-##-####", "000")
    if t == "KR_BRN":
        while True:
            d = _fill(key, rng, "###-##-#####", "000")
            if not brn_checksum_ok(d):
                return d
    if t == "KR_CRN":
        return _fill(key, rng, "######-#######", "000000")
    if t == "KR_BANK_ACCOUNT":
        return _fill(key, rng, "###-####-####-##", "9990000")
    if t == "KR_PASSPORT":
        return _fill(key, rng, "M########", "0000")
    if t == "KR_DRIVER_LICENSE":
        return _fill(key, rng, "##-##-######-##", "00")
    if t == "KR_HEALTH_INSURANCE":
        return _fill(key, rng, "#-##########", "000000")
    if t == "KR_VEHICLE_PLATE":
        return f"000{rng.choice('가나다라마')} {rng.randrange(1000, 9999)}"
    if t == "POLICY_NUMBER":
        return _fill(key, rng, "TEST-##########", "0000")
    if t == "IBAN_CODE":
        return _fill(key, rng, "XX## TEST #### #### ##", "000000")
    if t == "DATE_OF_BIRTH":
        return f"{rng.randrange(1950, 2000)}-01-01" if not ko else f"{rng.randrange(1950, 2000)}년 1월 1일"
    if t == "ADDRESS":
        if ko:
            return f"서울특별시 가상구 {rng.choice(KO_ROADS)} {rng.randrange(1, 99)}"
        return f"{rng.randrange(10, 999)} {rng.choice(EN_STREETS)}, Anytown"
    if t == "SENSITIVE_CLAUSE":
        return "[omitted]"
    return f"[{t.lower()}]"
