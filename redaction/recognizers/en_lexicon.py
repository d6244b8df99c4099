"""Given-name and surname lists as evidence for English NER tokens the small spaCy model leaves unlabelled.

Lists: ``probablepeople`` (MIT, already a dependency) ships a US given-name list (5,163 names with a female
share, ``gender.py``) and a surname list (~154k words with the share of bearers who use it as a first name,
``ratios.py``); its repository does not say where they come from, their content matches the US Census name
files. ``nomquamgender`` (requirements-nlp.txt) adds ~20k given names of many countries. Faker's en_US lists
are US census/SSA-like too, so they overlap (see docs/benchmarks.md). "Census" below means the US lists.

A list hit alone is no evidence in English prose: the census lists hold ``Will``, ``Grant``, ``Crystal``,
``White``, ``Green`` and place names. A word counts only when it is *not* an English word, i.e. absent from the
pipeline's WordNet lemma index (nouns, verbs, adjectives, adverbs; it lists London, Texas and Harvard as nouns).
Rules (``Lexicon.people``), on noun-tagged tokens of one line:

- a run of 2-4 name-case words (initials and particles inside) whose first word is a given name or last word a
  surname, not an English word, and no plain English word in it ("Edi Živković", "Elita B Desaulniers");
- a single given name that is no English word ("Celina"); a single such surname inside a sentence (0.5);
- a lower-case "given [initial] surname" when the surname is listed or the sentence is all lower case.

Beside them: ``companions`` (list items and speaker labels next to a found person), ``cued_names`` ("my name is
...", "Warrane, can I ...") and ``truecase`` (lines in one case re-cased before the model reads them).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import unicodedata
from collections.abc import Set as AbstractSet
from pathlib import Path

from presidio_analyzer import RecognizerResult

from redaction.recognizers.base import HANGUL_CJK

_FOLD = str.maketrans({"ø": "o", "ð": "d", "æ": "ae", "ł": "l", "đ": "d", "ß": "ss", "þ": "th", "œ": "oe",
                       "ı": "i"})
PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "del", "della", "du", "la", "le", "bin", "al", "ten", "ter"}
# the small tagger files rare names as common nouns, foreign words or adjectives too ("Danial, can I ...")
NOUN_TAGS = ("NNP", "NNPS", "NN", "NNS", "FW", "UH", "JJ")
INITIAL = re.compile(r"[A-Z]\.?")
# Title case as names are written: no inner capitals ("LoRA", "DeepSpeed", "GIL" are products), Mc/O' allowed.
NAME_CASE = re.compile(r"(?:Mc|O['’])?[^\W\d_][^\W\d_]+(?:[-'’][^\W\d_]+)?")
INFLECTIONS = (("s", ""), ("ses", "s"), ("xes", "x"), ("ches", "ch"), ("shes", "sh"), ("ies", "y"), ("ed", ""),
               ("ed", "e"), ("ing", ""), ("ing", "e"), ("ly", ""))


def name_case(w: str) -> bool:
    """Written as a name: a capital, then no capital except after Mc/O'/a hyphen ("McDowell", "Jean-Luc")."""
    if NAME_CASE.fullmatch(w) is None:
        return False
    body = re.sub(r"^(?:Mc|O['’])", "", w)
    return body[0].isupper() and not any(c.isupper() for part in re.split(r"[-'’]", body) for c in part[1:])


def fold(word: str) -> str:
    """Lower case without accents ("Živković" -> "zivkovic"), as the census lists are written."""
    w = unicodedata.normalize("NFKD", word.casefold().translate(_FOLD))
    return "".join(c for c in w if not unicodedata.combining(c))


@functools.cache
def census_given_names() -> frozenset[str]:
    from probablepeople.gender import gender_names

    from redaction.recognizers.data import EN_FIRST_NAMES
    return frozenset(n for n in (*gender_names, *EN_FIRST_NAMES) if len(n) >= 3)


@functools.cache
def given_names() -> frozenset[str]:
    """Census given names and, where installed, nomquamgender's given names of many countries."""
    return census_given_names() | world_given_names()


# A name must be attested by this many of nomquamgender's sources and people to count (drops one-off noise).
WORLD_MIN_SOURCES, WORLD_MIN_COUNT = 10, 100


@functools.cache
def world_given_names() -> frozenset[str]:
    """Given names from many countries: ``nomquamgender``'s name table (MIT package; a name-gender table merged
    from many sources), names seen in >= 10 sources and >= 100 people. Read as data: its module is never imported
    (it would need pandas and Unidecode). Empty when the package is absent (requirements-nlp.txt installs it)."""
    spec = importlib.util.find_spec("nomquamgender")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / "name_data.json"
    if not path.is_file():
        return frozenset()
    data = json.loads(path.read_text(encoding="utf-8"))
    return frozenset(fold(k) for k, v in data.items()
                     if v[0] >= WORLD_MIN_SOURCES and v[1] >= WORLD_MIN_COUNT and k.isalpha() and len(k) >= 3)


@functools.cache
def surnames() -> frozenset[str]:
    """Census surnames mostly carried as a surname (under half of their bearers use it as a first name)."""
    from probablepeople.ratios import ratios
    return frozenset(k.lower() for k, v in ratios.items() if v < 0.5 and len(k) >= 3)


def sentence_at(text: str, i: int) -> str:
    """The sentence or line around position ``i`` (the pipeline's parser is off, so no doc.sents)."""
    a = max(text.rfind(c, 0, i) for c in ".!?\n") + 1
    ends = [j for j in (text.find(c, i) for c in ".!?\n") if j >= 0]
    return text[a:min(ends) if ends else len(text)]


class Lexicon:
    """Name evidence for one spaCy doc, given the pipeline's English vocabulary (WordNet lemma index)."""

    def __init__(self, english: frozenset[str]) -> None:
        self.english = english

    def is_english(self, w: str) -> bool:
        """In the lemma index as written or with an inflection removed ("documents", "granted")."""
        f = fold(w)
        return f in self.english or any(f.endswith(x) and f[:-len(x)] + y in self.english for x, y in INFLECTIONS)

    def given(self, w: str) -> bool:
        return fold(w) in given_names() and not self.is_english(w)

    def surname(self, w: str) -> bool:
        return fold(w) in surnames() and not self.is_english(w)

    def plain_word(self, w: str) -> bool:
        """An English word that is no listed name either ("Cautionary", "Weekly")."""
        f = fold(w)
        return self.is_english(w) and f not in given_names() and f not in surnames()

    def people(self, text: str, off: int, doc: object, skip: AbstractSet[str]) -> list[RecognizerResult]:
        """PERSON results (in ``text`` offsets) for tokens of ``doc`` backed by the lists; ``skip``: capitalised
        words that are never a name (sentence starts, legal and form vocabulary)."""
        out = []
        for run in _cap_runs(doc, skip):
            words = [t.text for t in run]
            names = [w for w in words if not INITIAL.fullmatch(w) and fold(w) not in PARTICLES]
            if len(names) > 4:
                continue
            if len(words) == 1:
                ok, score = self.given(words[0]) and len(words[0]) >= 3 and not run[0].is_stop, 0.6
                if not ok and run[0].tag_ == "NNP" and self.surname(words[0]) and len(words[0]) >= 4 \
                        and not run[0].is_sent_start and run[0].i > 0 and doc[run[0].i - 1].text not in ".!?:\n":
                    ok, score = True, 0.5       # a surname alone inside a sentence ("but Stanko just has")
            else:
                first, last = names[0], names[-1]
                ok = len(names) >= 2 and not any(self.plain_word(w) for w in names) and (
                    self.given(first) or self.surname(last)
                    or (fold(first) in given_names() and self.surname(last))   # "Grant Thornton": a listed pair
                    or (len(words) == 3 and INITIAL.fullmatch(words[1]) is not None   # "Szabina J Gelencsér"
                        and not self.is_english(first) and not self.is_english(last)))
                score = 0.8 if fold(first) in given_names() and self.surname(last) else 0.7
            if ok:
                out.append(_result(run, off, score))
        out += [_result(run, off, 0.7) for run in self._lower_names(doc)]
        return out

    def _lower_names(self, doc: object) -> list[list]:
        """Lower-case "given [initial] surname" ("patricia desrosiers", "benjamin a seiler")."""
        toks = list(doc)
        out = []
        for i, t in enumerate(toks[:-1]):
            if not (t.text.isalpha() and t.text.islower() and len(t.text) >= 4 and not t.is_stop
                    and (self.given(t.text) or fold(t.text) in census_given_names())):
                continue
            j = i + 1
            if len(toks[j].text) == 1 and toks[j].text.isalpha() and j + 1 < len(toks):
                j += 1                                          # a middle initial
            last = toks[j].text
            if (last.isalpha() and last.islower() and len(last) >= 3 and not self.is_english(last)
                    and not toks[j].is_stop and all(x.whitespace_ == " " for x in toks[i:j])
                    and (self.surname(last) or not any(c.isupper() for c in sentence_at(doc.text, t.idx)))):
                out.append(toks[i:j + 1])     # a listed surname, or a sentence written all in lower case
        return out


def _result(run: list, off: int, score: float) -> RecognizerResult:
    s, e = run[0].idx + off, run[-1].idx + len(run[-1].text) + off
    return RecognizerResult("PERSON", s, e, score, recognition_metadata={"recognizer_name": "EnNerRecognizer:lexicon"})


def _cap_runs(doc: object, skip: AbstractSet[str]) -> list[list]:
    """Maximal runs of capitalised proper-noun tokens joined by one space (initials and particles inside)."""
    out: list[list] = []
    cur: list = []
    for t in doc:
        w = t.text
        name_like = (name_case(w) and t.tag_ in NOUN_TAGS and w not in skip) or \
            bool(INITIAL.fullmatch(w)) or (bool(cur) and fold(w) in PARTICLES)
        joined = bool(cur) and cur[-1].whitespace_ == " "
        if cur and (not name_like or not joined):
            out.append(cur)
            cur = []
        if name_like:
            cur.append(t)
    if cur:
        out.append(cur)
    res = []
    for r in out:                      # a run neither ends in a particle nor is a lone initial
        while r and (fold(r[-1].text) in PARTICLES or (len(r) > 1 and INITIAL.fullmatch(r[0].text))):
            r = r[:-1] if fold(r[-1].text) in PARTICLES else r[1:]
        if r and not (len(r) == 1 and INITIAL.fullmatch(r[0].text)):
            res.append(r)
    return res


# "A, B and C" / "A, B, or C": single capitalised words in one coordination.
COORDINATION = re.compile(r"(?<![\w-])[A-Z][^\W\d_]+(?:[ \t]*,[ \t]*[A-Z][^\W\d_]+)*,?[ \t]+(?:and|or|&)[ \t]+"
                          r"[A-Z][^\W\d_]+(?![\w-])")
SPEAKER = re.compile(r"(?m)^[ \t]*([A-Z][^\W\d_]+):[ \t]+\S")


def _item_spans(m: re.Match) -> list[tuple[int, int]]:
    return [(m.start() + w.start(), m.start() + w.end()) for w in re.finditer(r"[^\W\d_]+", m.group())
            if w.group() not in ("and", "or")]


def companions(text: str, found: list[tuple[int, int]], lexicon: Lexicon, skip: AbstractSet[str]) -> list[tuple[int, int]]:
    """Words that stand with a detected person, as that person does: the other items of a list ("our founders:
    Kónya, Becker and Vasquez" with Becker found, or with two of three items listed names), and the other speaker labels of a transcript where two labels
    are people ("Ubul: What a wife.\\nNicole: Remember me ..."). Plain English words and ``skip`` words stay."""
    def hit(s: int, e: int) -> bool:
        return any(fs < e and fe > s for fs, fe in found)

    def ok(s: int, e: int) -> bool:            # name-shaped ("NumPy", "JAX" are products), no English word
        w = text[s:e]
        return (w not in skip and name_case(w) and not hit(s, e)
                and (not lexicon.is_english(w) or fold(w) in given_names()))

    def listed(s: int, e: int) -> bool:
        return lexicon.given(text[s:e]) or lexicon.surname(text[s:e])

    out = []
    for m in COORDINATION.finditer(text):
        items = _item_spans(m)
        # a detected person among the items, or a list of three or more of which two are listed names
        if len(items) >= 3 and (any(hit(s, e) for s, e in items) or sum(listed(s, e) for s, e in items) >= 2):
            out += [(s, e) for s, e in items if ok(s, e)]
        elif any(hit(s, e) for s, e in items):       # "Pydantic and Starlette": two items need a listed name
            out += [(s, e) for s, e in items if ok(s, e) and listed(s, e)]
    labels = [m.span(1) for m in SPEAKER.finditer(text)]
    if sum(hit(s, e) for s, e in labels) >= 2:
        out += [(s, e) for s, e in labels if ok(s, e)]
    return out


# Constructions that introduce a person by name, read with the vocabulary so any casing works:
# "my name is borna jerković", "She named him Luís", "her maiden name is nyberg", "ms. Quinzia".
NAME_CUE = re.compile(r"(?i:\b(?:my|his|her|maiden|first|last|full) name is|\bcalls? me|\bnamed(?: him| her)?|"
                      r"\b(?:mr|mrs|ms|dr)\.)[ \t]+([^\W\d_]+(?:[ \t][^\W\d_]+)?)")
# A sentence opened by a name and a comma before a request or question ("Warrane, can I please speak to ..."),
# closed by one ("Don't go to town, Mark!"), or a name "is from" somewhere ("Luiza is from Xignite").
VOCATIVE = re.compile(r"(?:^|(?<=[.!?]\s))([^\W\d_]+),[ \t]+(?:can|could|would|will|do|did|are|have|please|"
                      r"I|you|we)\b|,[ \t]+([^\W\d_]+)[!?](?:\s|$)|(?:^|(?<=[.!?]\s))([^\W\d_]+) (?:is|was) from\b")


def cued_names(text: str, lexicon: Lexicon, skip: AbstractSet[str]) -> list[tuple[int, int]]:
    """Spans named by a cue above; each word must be a name-case or lower-case non-English word."""
    def word_ok(w: str) -> bool:
        from spacy.lang.en.stop_words import STOP_WORDS
        return (w not in skip and (name_case(w) or w.islower()) and len(w) >= 2 and w.casefold() not in STOP_WORDS
                and (not lexicon.is_english(w) or (w[0].isupper() and fold(w) in given_names())))

    out = []
    for m in NAME_CUE.finditer(text):
        s = m.start(1)
        words = list(re.finditer(r"[^\W\d_]+", m.group(1)))
        keep = []
        for w in words:
            if not word_ok(w.group()):
                break
            keep.append(w)
        if keep:
            out.append((s + keep[0].start(), s + keep[-1].end()))
    for m in VOCATIVE.finditer(text):
        g = next(i for i in (1, 2, 3) if m.group(i))
        if name_case(m.group(g)) and word_ok(m.group(g)):
            out.append(m.span(g))
    return out


# Derivational endings of English words WordNet may lack ("noninfringement", "sublicensable").
ENGLISH_SUFFIX = re.compile(r"(?:ment|tion|sion|ness|ity|able|ible|ive|ous|ism|ize|ise|ful|less|ship|ance|ence|"
                            r"ally|ing|ed)$")
# Characters of code and command lines ("python -m venv venv", "async def f():"), never re-cased.
CODE = re.compile(r"[={}\[\]<>_\\$;|`]|\w\(|\w/\w+/|(?:^|\s)--?[a-z]|^\s*(?:pip|python|git|cd|def|import|from)\s")
_WORD = re.compile(r"(?<!\w)[^\W\d_]+(?:['’][^\W\d_]+)?(?!\w)")     # whole words: not "WEST" in "GB00WEST12"


def truecase(text: str, lexicon: Lexicon) -> str:
    """``text`` with every line written in one case (all capitals or all lower case) re-cased as English is
    usually written, same length and offsets: the NER model and these rules read capital letters as evidence.

    In such a line (of three or more words, one of them a stop word, no code characters) a word is lower-cased, then capitalised when it opens a sentence or
    is no English word (a listed name, or an unknown word: a proper noun as often as not); "I" stays, and so do
    short capitals that are no listed name (acronyms). Mixed-case lines are returned as they are.
    """
    from spacy.lang.en.stop_words import STOP_WORDS
    out = []
    for line in text.splitlines(keepends=True):
        letters = [c for c in line if c.isalpha() and c.lower() != c.upper()]
        words = [w.lower() for w in _WORD.findall(line)]
        if len(words) < 3 or HANGUL_CJK.search(line) or CODE.search(line) or not STOP_WORDS & set(words) or not (
                all(c.isupper() for c in letters) or all(c.islower() for c in letters)):
            out.append(line)           # mixed case, a heading / file name ("README"), code, or no sentence
            continue
        chars = list(line)
        for m in _WORD.finditer(line):
            w = m.group().lower()
            plain = (w in STOP_WORDS or w in ("shall", "hereby", "thereof") or lexicon.is_english(w)
                     or (ENGLISH_SUFFIX.search(w) is not None and fold(w) not in given_names() | surnames()))
            if m.group().isupper() and len(w) <= 4 and not plain and fold(w) not in given_names():
                continue                             # an acronym in a capitals line ("CNRI SHALL ...")
            start = not line[:m.start()].strip() or re.search(r"(?<!\d)[.!?]\s+$", line[:m.start()]) is not None
            cap = start or w == "i" or (not plain and len(w) >= 2)
            for i in range(m.start(), m.end()):
                c = chars[i]
                new = c.upper() if (cap and i == m.start()) else c.lower()
                chars[i] = new if len(new) == 1 else c        # 'ß'.upper() is two letters: keep the offsets
        out.append("".join(chars))
    return "".join(out)
