"""English NER through Presidio's SpacyNlpEngine: offline resolution, rules-only fallback, evidence filters."""

from __future__ import annotations

import logging

import pytest

from redaction import Redactor
from redaction.config import NlpConfig, RedactionConfig
from redaction.nlp import NlpUnavailable, build_english_ner, resolve_pipeline


def test_missing_pipeline_falls_back_and_says_so_once(caplog):
    with pytest.raises(NlpUnavailable):
        resolve_pipeline("no_such_pipeline_h13")
    with caplog.at_level(logging.WARNING, logger="redaction.nlp"):
        ner, status = build_english_ner("no_such_pipeline_h13")
        build_english_ner("no_such_pipeline_h13")
    assert ner is None and status.startswith("rules only")
    assert sum("falling back to rules" in r.getMessage() for r in caplog.records) == 1
    r = Redactor(RedactionConfig(use_name_analyser=False, nlp=NlpConfig(en="no_such_pipeline_h13")))
    assert r.nlp_status.startswith("rules only")
    # the rules still need evidence: a title finds the name, capital letters alone do not
    assert "<PERSON_1>" in r.redact("Please ask Dr. Okonkwo.", "en").text
    prose = "The Computer Fraud and Abuse Act of 1986 covers Contests, Sweepstakes, and Promotions."
    assert r.redact(prose, "en").text == prose


def test_folder_without_pipeline_is_refused(tmp_path):
    with pytest.raises(NlpUnavailable, match="holds no spaCy pipeline"):
        resolve_pipeline(str(tmp_path))


@pytest.fixture(scope="module")
def ner_redactor():
    try:
        resolve_pipeline("en_core_web_sm")
    except NlpUnavailable:
        pytest.skip("en_core_web_sm not installed (make setup installs it)")
    return Redactor(RedactionConfig(use_name_analyser=False, nlp=NlpConfig(en="en_core_web_sm")))


def test_ner_names_and_defined_terms(ner_redactor):
    assert ner_redactor.nlp_status.startswith("spaCy en_core_web_sm")
    out = ner_redactor.redact("Yesterday Barack Obama met the committee.", "en").text
    assert "Obama" not in out
    prose = ("The Licensor grants You a licence to Share the Licensed Material. Any use of the Licensed "
             "Material must keep this notice.")
    assert ner_redactor.redact(prose, "en").text == prose
    ko = "제3관의 규정은 특약에 준용한다. 원고의 청구를 기각하였다."
    assert ner_redactor.redact(ko, "ko").text == ko
