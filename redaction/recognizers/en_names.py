"""English person names from evidence, not from capital letters alone.

A run of capitalised words is a name only with evidence: a title before it (Mr, Dr), a form label or role word
before it (Name:, Borrower, Dear), or a known given name as its first word. Title-case phrases in ordinary prose
("Computer Fraud and Abuse Act", "Contests, Sweepstakes, and Promotions") have none of these and stay. NER hits
(redaction/nlp.py) are a separate kind of evidence and go through ``name_shaped`` below.
"""

from __future__ import annotations

import re

from presidio_analyzer import EntityRecognizer, RecognizerResult

from redaction.recognizers.data import EN_FIRST_NAMES, EN_NOT_NAME, EN_TITLES

# Role words and form labels that introduce a person (not "and", "by", "call": too common in prose).
EN_STRONG_ROLES = (
    "name", "full name", "insured", "policyholder", "policy holder", "borrower", "co-borrower", "applicant",
    "plaintiff", "defendant", "claimant", "beneficiary", "guarantor", "patient", "employee", "tenant", "landlord",
    "appellant", "respondent", "petitioner", "witness", "account holder", "cardholder", "dear", "attn",
    "attention", "signed", "signature", "adjuster", "examiner", "underwriter", "physician", "attorney", "notary",
    "handled by", "reviewed by", "approved by", "prepared by", "signed by", "customer", "contact person",
    "spouse", "loan officer", "hi", "hello", "thanks", "regards", "sincerely", "insured person", "policy owner")
# Given names that are also ordinary words: as a single word they are no evidence.
AMBIGUOUS_FIRST = {"mark", "will", "bill", "grace", "april", "june", "joy", "art", "rich", "frank", "don", "ray",
                   "guy", "rose", "dawn", "angel", "victor", "chad", "sue", "pat", "jack", "amber", "crystal",
                   "holly", "tim", "tom", "dan", "ben", "sam", "max", "kim", "lee", "jean", "gary", "bob", "charity",
                   "hope", "faith", "summer", "autumn", "page", "paige", "miles", "major", "dean", "earl", "king",
                   "grant", "lane", "ruby", "daisy", "lily", "ivy", "may", "august", "christian", "morgan", "taylor",
                   "hunter", "mason", "jordan", "austin", "carter", "cooper", "parker", "bailey", "avery", "cameron",
                   "dakota", "quinn", "riley", "casey", "jamie", "kelly", "sandy"}
PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "del", "della", "du", "la", "le", "bin", "al", "y", "st."}
# Verbs of speaking, naming and meeting around a capitalised word make it a person ("said Gladys",
# "my name is Aantje", "Ubul Csonka said"); weaker than a role word, so such names are not spread.
_CUE_BEFORE = re.compile(r"(?i:\b(?:said|says|asked|told|tell|telling|thank|thanked|named|name is|name's|"
                         r"calls? me|speak (?:to|with)|talk (?:to|with)|talked (?:to|with)|met|meet with|"
                         r"married|follow up with|assistant to|according to|directed by|written by|"
                         r"sung by|starring|featuring))[ \t]+$")
_CUE_AFTER = re.compile(r"[ \t]+(?:said|says|asked|told|replied|wrote|smiled|laughed|nodded|spent|lives|lived|"
                        r"was born)\b")
TOKEN = re.compile(r"[^\W\d_][\w'’-]*\.?")
_TITLE_RX = re.compile(rf"(?:{'|'.join(EN_TITLES)})\.?$")
_ROLE_RX = re.compile(r"(?i:\b(?:" + "|".join(re.escape(r) for r in sorted(EN_STRONG_ROLES, key=len, reverse=True))
                      + r"))\s*(?:[:,]|\bis|\bwas|\bnamed)?\s*$")


def is_cap(word: str) -> bool:
    w = word.rstrip(".")
    return bool(w) and w[0].isupper() and not (len(w) > 3 and w.isupper())


def _ends_sentence(word: str) -> bool:
    """A word with a full stop that is no initial or particle ("Mitchell." in "Mr Mitchell. Case No. 3")."""
    return word.endswith(".") and len(word) > 2 and word.casefold() not in PARTICLES


def runs(text: str) -> list[list[tuple[int, int]]]:
    """Maximal runs of capitalised words on one line, joined by single spaces (initials and particles kept)."""
    out: list[list[tuple[int, int]]] = []
    cur: list[tuple[int, int]] = []
    for m in TOKEN.finditer(text):
        w = m.group(0)
        ok = is_cap(w) and w.rstrip(".") not in EN_NOT_NAME and not _TITLE_RX.match(w)
        ok = ok or (cur and w.casefold() in PARTICLES)
        if ok and cur and (not re.fullmatch(r"[ \t]{1,2}", text[cur[-1][1]:m.start()]) or _ends_sentence(
                text[cur[-1][0]:cur[-1][1]])):
            out.append(cur)
            cur = []
        if ok:
            cur.append(m.span())
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    # a run may not end in a particle
    return [[t for t in r] for r in out if r]


def _no_particles(text: str, run: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The words of a run that are no particle ("Maika van de Noort" has two)."""
    return [t for t in run if text[t[0]:t[1]].casefold() not in PARTICLES]


def name_shaped(text: str, s: int, e: int) -> bool:
    """An NER span looks like a name: 1-4 words, no digits, no prose vocabulary, not shouted."""
    words = text[s:e].split()
    if not 1 <= len(words) <= 4 or any(c.isdigit() for c in text[s:e]):
        return False
    if any((len(w.strip(".,")) > 1 and w.strip(".,'’s").rstrip(".") in EN_NOT_NAME)
           or w.strip(".,").casefold() in NOT_NAME_LOWER for w in words):
        return False
    return not (len(text[s:e]) > 4 and text[s:e].isupper())


# Prose words spaCy's small model sometimes tags PERSON (licence and policy vocabulary).
NOT_NAME_LOWER = {"licensor", "licensee", "contributor", "contributors", "author", "authors", "software", "work",
                  "works", "program", "library", "copyright", "holder", "holders", "you", "your", "recipient",
                  "distributor", "original", "covered", "code", "source", "object", "license", "licence", "notice",
                  "agreement", "section", "warranty", "liability", "user", "users", "party", "parties",
                  "derivative", "modifications", "modification", "executable", "larger", "initial", "developer",
                  "affero", "lesser", "general", "public", "gnu", "free", "foundation", "apache", "mozilla", "eclipse",
                  "artistic", "package", "standard", "version", "exhibit", "schedule", "trademark", "patent",
                  "office", "team", "department", "center", "centre", "division", "unit", "group", "committee",
                  "board", "service", "services", "relations", "support", "desk", "bureau", "period", "scope",
                  "purpose", "definitions", "terms", "conditions", "lapse", "coverage", "plan"}


PRONOUNS = {"i", "he", "she", "we", "they", "it", "you", "one", "someone", "everyone", "nobody", "who"}


def _defined_term(text: str, surface: str) -> bool:
    """The text uses ``surface`` after a determiner somewhere ("such Respondent", "the Licensed Product")."""
    return bool(re.search(r"(?i:\b(?:the|a|an|this|that|such|any|each|every|our|your|its|their))\s+"
                          + re.escape(surface) + r"\b", text))


class EnglishNameRecognizer(EntityRecognizer):
    def __init__(self) -> None:
        super().__init__(supported_entities=["PERSON"], name="EnNameRecognizer", supported_language="any")

    def load(self) -> None:
        pass

    def analyze(self, text: str, entities: list[str] | None = None,
                nlp_artifacts: object = None) -> list[RecognizerResult]:
        if entities and "PERSON" not in entities:
            return []
        out: list[RecognizerResult] = []
        for run in runs(text):
            while run and text[run[-1][0]:run[-1][1]].casefold() in PARTICLES:
                run = run[:-1]
            if not run:
                continue
            s, e = run[0][0], run[-1][1]
            if text[e - 1] == "." and e - run[-1][0] > 2:
                e -= 1                                   # a sentence's full stop, not an initial
            if text[e - 2:e] in ("'s", "’s"):
                e -= 2                                   # possessive: "Emily Carter's" is "Emily Carter"
            line_start = text.rfind("\n", 0, s) + 1
            before = text[max(line_start, s - 30):s]
            first = text[run[0][0]:run[0][1]].rstrip(".").casefold()
            how, score = "", 0.0
            if _TITLE_RX.search(before.rstrip().split(" ")[-1] if before.strip() else ""):
                how, score = "title", 0.85
            elif (rm := _ROLE_RX.search(before)) and len(run) <= 4 and (
                    before[rm.start()].islower() or re.search(r"[:,]\s*$", before)):
                how, score = "role", 0.8
            elif first in EN_FIRST_NAMES and len(run) >= 2 and first not in AMBIGUOUS_FIRST:
                how, score = "first_name", 0.75
            elif len(run) <= 3 and (_CUE_BEFORE.search(before) or _CUE_AFTER.match(text, e)) and \
                    text[s:e].casefold() not in NOT_NAME_LOWER | PRONOUNS and not _defined_term(text, text[s:e]):
                how, score = "cue", 0.65
            elif first in EN_FIRST_NAMES and first not in AMBIGUOUS_FIRST:
                how, score = "given_name", 0.6
            elif (2 <= len(_no_particles(text, run)) <= 3 and text[:s].strip() == "" and re.match(r"[ \t]*\n", text[e:])
                  and text.count("\n") >= 2):
                how, score = "header", 0.6       # the first line of a letter / contact card
            if not how or len(run) > 4 or not name_shaped(text, s, e):
                continue
            if how == "title":
                # a title covers the title word too (Mr. Smith -> one span)
                t = re.search(rf"(?:{'|'.join(EN_TITLES)})\.?\s*$", before)
                s = s - (len(before) - t.start()) if t else s
            out.append(RecognizerResult("PERSON", s, e, score,
                                        recognition_metadata={"recognizer_name": f"{self.name}:{how}"}))
        return out
