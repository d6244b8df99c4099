"""Check digits of Korean and international identifiers (pure functions, unit-tested)."""

from __future__ import annotations

import datetime


def digits_of(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def luhn_ok(number: str) -> bool:
    d = digits_of(number)
    if len(d) < 12:
        return False
    total = 0
    for i, ch in enumerate(reversed(d)):
        n = int(ch)
        if i % 2:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def rrn_date_ok(d13: str) -> bool:
    """First six digits form a real date for the century the 7th digit implies."""
    g = d13[6]
    century = {"1": 1900, "2": 1900, "5": 1900, "6": 1900, "3": 2000, "4": 2000, "7": 2000, "8": 2000,
               "9": 1800, "0": 1800}[g]
    try:
        datetime.date(century + int(d13[0:2]), int(d13[2:4]), int(d13[4:6]))
    except ValueError:
        return False
    return True


def rrn_checksum_ok(d13: str) -> bool:
    """주민/외국인등록번호 check digit (numbers issued before Oct 2020; newer ones have none)."""
    w = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    s = sum(int(a) * b for a, b in zip(d13[:12], w))
    if d13[6] in "5678":     # foreigner numbers: check digit is offset by 2
        return ((11 - s % 11) % 10 + 2) % 10 == int(d13[12])
    return (11 - s % 11) % 10 == int(d13[12])


def brn_checksum_ok(number: str) -> bool:
    """사업자등록번호 (10 digits)."""
    d = digits_of(number)
    if len(d) != 10:
        return False
    w = [1, 3, 7, 1, 3, 7, 1, 3, 5]
    s = sum(int(a) * b for a, b in zip(d[:9], w))
    s += int(d[8]) * 5 // 10
    return (10 - s % 10) % 10 == int(d[9])


def crn_checksum_ok(number: str) -> bool:
    """법인등록번호 (13 digits): weights 1,2 alternating, check = (10 - sum % 10) % 10."""
    d = digits_of(number)
    if len(d) != 13:
        return False
    s = sum(int(a) * (1 if i % 2 == 0 else 2) for i, a in enumerate(d[:12]))
    return (10 - s % 10) % 10 == int(d[12])


def iban_ok(iban: str) -> bool:
    s = "".join(c for c in iban if c.isalnum()).upper()
    if len(s) < 15 or len(s) > 34 or not s[:2].isalpha() or not s[2:4].isdigit():
        return False
    r = s[4:] + s[:4]
    num = "".join(str(int(c, 36)) for c in r)
    return int(num) % 97 == 1


def ssn_ok(number: str) -> bool:
    d = digits_of(number)
    if len(d) != 9 or len(set(d)) == 1:
        return False
    area, group, serial = d[:3], d[3:5], d[5:]
    return area not in ("000", "666") and not area.startswith("9") and group != "00" and serial != "0000"


def ipv4_ok(s: str) -> bool:
    parts = s.split(".")
    return len(parts) == 4 and all(p.isdigit() and int(p) <= 255 and (p == "0" or not p.startswith("0"))
                                   for p in parts)
