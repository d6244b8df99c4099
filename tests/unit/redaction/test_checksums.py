from __future__ import annotations

from redaction.recognizers.checksums import (
    brn_checksum_ok,
    crn_checksum_ok,
    iban_ok,
    ipv4_ok,
    luhn_ok,
    rrn_checksum_ok,
    rrn_date_ok,
    ssn_ok,
)


def test_luhn():
    assert luhn_ok("4111 1111 1111 1111") and not luhn_ok("4111 1111 1111 1112")


def test_rrn():
    assert rrn_checksum_ok("9001011234568") and not rrn_checksum_ok("9001011234567")
    assert rrn_date_ok("9001011234567") and not rrn_date_ok("9013011234567")
    assert not rrn_date_ok("9002301234567")


def test_brn_crn():
    assert brn_checksum_ok("220-81-62517") and not brn_checksum_ok("220-81-62518")
    assert crn_checksum_ok("1101111234567") is (sum(int(a) * (1 if i % 2 == 0 else 2)
                                                     for i, a in enumerate("110111123456")) % 10 == 3)


def test_iban_ssn_ip():
    assert iban_ok("GB82 WEST 1234 5698 7654 32") and not iban_ok("GB82 WEST 1234 5698 7654 33")
    assert ssn_ok("536-22-1234") and not ssn_ok("666-22-1234") and not ssn_ok("536-00-1234")
    assert ipv4_ok("192.168.0.1") and not ipv4_ok("256.1.1.1") and not ipv4_ok("01.2.3.4")
