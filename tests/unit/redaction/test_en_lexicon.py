"""Census name lists as evidence on English text: names found, English words and prose left alone."""

from __future__ import annotations

import pytest

from redaction import Redactor
from redaction.recognizers.en_lexicon import (
    Lexicon,
    companions,
    cued_names,
    fold,
    given_names,
    surnames,
    truecase,
)


def test_fold_and_lists():
    assert fold("Živković") == "zivkovic" and fold("Halldór") == "halldor" and fold("Søren") == "soren"
    assert {"patricia", "celina", "thaddeus"} <= given_names()
    assert {"becker", "vasquez", "zivkovic"} <= surnames()
    assert "aaron" not in surnames()                  # mostly a first name: not counted as a surname


def test_world_given_names_read_as_data_only():
    import importlib.util
    import sys

    from redaction.recognizers.en_lexicon import census_given_names, world_given_names
    if importlib.util.find_spec("nomquamgender") is None:
        pytest.skip("nomquamgender not installed (make setup installs it from requirements-nlp.txt)")
    world = world_given_names()
    assert {"aloisia", "virpi", "szabina", "tomomi", "krisztian"} <= world        # not in the US census list
    assert not {"aloisia", "virpi"} & census_given_names()
    assert "nomquamgender" not in sys.modules         # its module (pandas, Unidecode) is never imported
    assert 10_000 < len(world) < 40_000               # only names attested by >= 10 sources and >= 100 people


def test_english_words_are_no_evidence():
    lex = Lexicon(frozenset({"crystal", "stacker", "document", "grant", "white", "tale", "cautionary"}))
    assert lex.given("Celina") and not lex.given("Crystal") and not lex.given("Grant")
    assert lex.surname("Becker") and not lex.surname("White")
    assert lex.is_english("documents") and lex.is_english("Tales")          # inflections of a lemma
    assert lex.plain_word("Cautionary") and not lex.plain_word("Crystal")   # Crystal is a listed name


def test_companions_of_a_found_person():
    lex = Lexicon(frozenset({"associate", "idea"}))
    text = "Our 3 founders: Kónya, Becker and Associates. The idea was born."
    b = text.index("Becker")
    got = [text[s:e] for s, e in companions(text, [(b, b + 6)], lex, {"The"})]
    assert got == ["Kónya"]                      # "Associates" is an English word; Becker was already found
    assert companions("Apples, Pears and Plums are fruit.", [], lex, set()) == []   # no person, no list rule
    script = "Ubul: What a wife.\nNicole: Remember me, Mary?\nJohn: You saved my life!\nNote: fiction."
    found = [(script.index("Nicole"), script.index("Nicole") + 6), (script.index("John"), script.index("John") + 4)]
    got = [script[s:e] for s, e in companions(script, found, lex, {"Note"})]
    assert got == ["Ubul"]


@pytest.mark.parametrize("text,names", [
    ("my name is borna jerković but everyone calls me borna", ["borna jerković", "borna"]),
    ("She named him Luís", ["Luís"]),
    ("I'd like to join accounts with ms. Quinzia", ["Quinzia"]),
    ("Warrane, can I please speak to your boss?", ["Warrane"]),
    ("Don't go to town, Brandon!", ["Brandon"]),
    ("Luiza is from Xignite", ["Luiza"]),
    # English words and function words after the same cues stay
    ("The file is named the same. Please, can I go? This is from the manual. Thanks, Everyone!", []),
])
def test_cued_names(text, names):
    lex = Lexicon(frozenset({"file", "same", "manual", "everyone", "thanks", "please"}))
    assert [text[s:e] for s, e in cued_names(text, lex, {"The", "This"})] == names


def test_truecase_recases_one_case_lines_only():
    lex = Lexicon(frozenset({"heard", "speak", "yet", "software", "provided", "warranty", "kind", "liable"}))
    assert truecase("have you heard nijito asano speak yet?", lex) == "Have you heard Nijito Asano speak yet?"
    assert truecase("HAVE YOU HEARD NIJITO ASANO SPEAK YET?", lex) == "Have you heard Nijito Asano speak yet?"
    shout = "THE SOFTWARE IS PROVIDED WITHOUT WARRANTY OF ANY KIND. CNRI SHALL NOT BE LIABLE."
    assert truecase(shout, lex) == "The software is provided without warranty of any kind. CNRI shall not be liable."
    # a word WordNet lacks but English by its ending stays lower case
    assert truecase("FITNESS AND NONINFRINGEMENT ARE DISCLAIMED", lex) == "Fitness and noninfringement are disclaimed"
    for same in ("Mixed Case stays as it is", "README", "IBAN GB00WEST12345698765432", "피보험자 TRAN VAN LONG 씨",
                 "python -m venv venv", "async def main(): return vocab_dict", "einops pytest oneflow backend"):
        assert truecase(same, lex) == same                # mixed case, short, codes, Korean, code, no stop word
    assert len(truecase("STRASSE GROß ÖFFNUNG", lex)) == len("STRASSE GROß ÖFFNUNG")   # offsets kept


def _people(r: Redactor, text: str) -> set[str]:
    return {text[s.start:s.end] for s in r.redact(text, "en").spans if s.entity_type == "PERSON"}


@pytest.mark.parametrize("text,name", [
    ("He's injured from the waist down, but Celina just has to get laid.", "Celina"),
    ("They were singing the verses from Edi Živković's Cautionary Tales.", "Edi Živković"),
    ("Maybe it's under Elita B Desaulniers", "Elita B Desaulniers"),
    ("follow up with patricia desrosiers in a couple of months.", "patricia desrosiers"),
    ("Leif, can I please speak to your boss?", "Leif"),
    ("We met in Bergen last year, but Stanko just has to get laid.", "Stanko"),     # a surname alone, mid-sentence
    ("Verdafero is the brainchild of our 3 founders: Kónya, Becker and Vasquez.", "Kónya"),  # two listed names
])
def test_listed_names_found(ner_redactor, text, name):
    assert name in _people(ner_redactor, text)


def test_enumeration_labels_and_stop_words_are_no_names(ner_redactor):
    from redaction.nlp import LIST_MARKER

    assert LIST_MARKER.match("i.\tShare means").end() == 3 and LIST_MARKER.match("(a) Nothing").end() == 4
    assert LIST_MARKER.match("Ivan Petrov") is None
    prose = "d.\tNothing in this Public License constitutes a waiver.\n i.\tShare means to provide material."
    assert _people(ner_redactor, prose) == set()


def test_names_in_one_case_text(ner_redactor):
    assert "NIJITO ASANO" in _people(ner_redactor, "HAVE YOU HEARD NIJITO ASANO SPEAK YET?")
    assert _people(ner_redactor, "THE SOFTWARE IS PROVIDED AS IS. CNRI SHALL NOT BE LIABLE FOR ANY DAMAGES.") == set()


def test_part_of_a_full_name_spreads(ner_redactor):
    text = "They sang the verses from Emmie Ström's Cautionary Tales. Nothing beats early Ström."
    assert "Ström" in _people(ner_redactor, text) and "Tales" not in " ".join(_people(ner_redactor, text))


@pytest.mark.parametrize("prose", [
    "The Crystal Stacker software is freeware. Grant of Copyright License follows.",
    "Les parties ont exigé que tous les documents connexes soient rédigés en anglais.",
    "However, nothing else grants you permission to modify or distribute the Work.",
    "Apples, Pears and Plums are listed under Section 2, Schedule B and Exhibit C.",
    # technical text: products in name case, identifiers, lower-case package names
    "Fine-tune with LoRA on DeepSpeed; the GIL is released. See `annotated_types.Len` for details.",
    "FastAPI depends on Pydantic and Starlette. Install it on Sun Solaris first.",
    "To install it, run pip install lora deepspeed and restart the kernel.",
])
def test_prose_without_people_stays(ner_redactor, prose):
    assert "Crystal" in prose or _people(ner_redactor, prose) == set()
    if "Crystal" in prose:
        assert "Grant" not in " ".join(_people(ner_redactor, prose))
