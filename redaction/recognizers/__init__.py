"""The recognizer set: Korean + English, all language-independent regexes run on every text (over-redact)."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer

from redaction.recognizers.en import english_recognizers
from redaction.recognizers.en_names import EnglishNameRecognizer
from redaction.recognizers.ko import korean_recognizers
from redaction.recognizers.names import KoreanNameRecognizer

SUPPORTED_ENTITIES = (
    "PERSON", "KR_RRN", "KR_FRN", "PHONE_NUMBER", "KR_BANK_ACCOUNT", "CREDIT_CARD", "KR_PASSPORT",
    "KR_DRIVER_LICENSE", "KR_BRN", "KR_CRN", "KR_HEALTH_INSURANCE", "POLICY_NUMBER", "KR_VEHICLE_PLATE",
    "EMAIL_ADDRESS", "IP_ADDRESS", "ADDRESS", "DATE_OF_BIRTH", "US_SSN", "IBAN_CODE",
)


def build_recognizers(use_name_analyser: bool = True) -> list[EntityRecognizer]:
    return [*korean_recognizers(), *english_recognizers(), KoreanNameRecognizer(use_name_analyser),
            EnglishNameRecognizer()]


__all__ = ["SUPPORTED_ENTITIES", "build_recognizers"]
