from __future__ import annotations

import pytest

from redaction import Redactor
from redaction.config import RedactionConfig


@pytest.fixture(scope="session")
def redactor() -> Redactor:
    """Fast set: no morphological analyser (the name tests build their own)."""
    return Redactor(RedactionConfig(use_name_analyser=False))


@pytest.fixture(scope="session")
def ner_redactor() -> Redactor:
    """The rules plus the small English spaCy pipeline (NER, name lists, true-casing)."""
    from redaction.config import NlpConfig
    from redaction.nlp import NlpUnavailable, resolve_pipeline

    try:
        resolve_pipeline("en_core_web_sm")
    except NlpUnavailable:
        pytest.skip("en_core_web_sm not installed (make setup installs it)")
    return Redactor(RedactionConfig(use_name_analyser=False, nlp=NlpConfig(en="en_core_web_sm")))


@pytest.fixture(scope="session")
def redactor_kiwi() -> Redactor:
    return Redactor(RedactionConfig(use_name_analyser=True))


def _found(r: Redactor, text: str) -> list[tuple[str, str]]:
    return [(s.entity_type, text[s.start:s.end]) for s in r.analyze(text)]


@pytest.fixture(scope="session")
def found():
    """found(redactor, text) -> [(entity_type, matched original text), ...]"""
    return _found
