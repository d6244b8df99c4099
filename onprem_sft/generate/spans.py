"""Candidate answer spans for answer-first extractive generation (``generate.strategy=answer_first``).

Why: a small model asked to copy an answer often paraphrases or invents one, so an "extractive" label
may appear nowhere in the context. Taking the answer from the context first (numbers with units, dates,
periods, amounts, defined terms, conditions, named items, list items; Kiwi noun phrases for Korean) and asking the
model only for a question makes every label grounded by construction.

Spans are ranked by kind (figures first: they make the clearest factual questions), deduplicated,
never inside another chosen span, and never a redaction placeholder or the clause title alone.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*_\d+>")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_EN_PREFIX = r"(?:(?:within|up to|at least|at most|no later than|more than|less than|for|after|before|every)\s+)?"
_EN_UNIT = (r"(?:business |calendar |working |consecutive )?(?:days?|weeks?|months?|years?|hours?|minutes?)"
            r"(?: per (?:day|year|month|hospitalization|claim|person))?")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"

EN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("amount", re.compile(rf"(?:\$|USD ?|€|£)(?:{_NUM})(?: (?:million|billion))?(?: per (?:day|year|month|claim|person|hospitalization))?"
                          rf"|(?:{_NUM}) ?(?:%|percent|won|dollars)(?: (?:per|a) (?:year|month|day))?")),
    ("date", re.compile(rf"\b(?:{_MONTHS}) \d{{1,2}}, \d{{4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b"
                        rf"|\bthe \d{{1,2}}(?:st|nd|rd|th) (?:day )?of each month\b")),
    ("period", re.compile(rf"\b{_EN_PREFIX}(?:{_NUM}|one|two|three|four|five|six|seven|eight|nine|ten|twelve|"
                          rf"thirty) {_EN_UNIT}\b", re.IGNORECASE)),
    # a definition ("Policyholder" means the person who ...): the meaning is the answer, not the term
    ("defined_term", re.compile(r"\"[A-Z][^\"]{2,50}\" (?:means|refers to|is) ([^.;]{8,160})")),
    ("list", re.compile(r"\b(?:submits|submit|include|includes|including|following|are|is):? "
                        r"((?:(?:a|an|the) )?[a-z][\w' -]{2,60}?(?:, (?:(?:a|an|the) )?[a-z][\w' -]{2,60}?)+,? and "
                        r"(?:(?:a|an|the) )?[a-z][\w' -]{2,60}?)(?=[.;]|$)", re.MULTILINE)),
    # a condition clause ("if the Borrower misses two consecutive payments"): answers "When ...?" questions
    ("condition", re.compile(r"\b((?:if|when|unless|where|after|before|until) (?:the |a |an |any )?[a-z][^,.;:()]{12,110})"
                             r"(?=[,.;])")),
    ("named_item", re.compile(r"\b(?:[A-Z][a-z]+(?: (?:of|the|and|for) | ))+[A-Z][a-z]+\b")),
)

KO_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("amount", re.compile(rf"(?:1일당 |연 |월 )?(?:{_NUM}) ?(?:만 ?원|억 ?원|원|%|퍼센트)")),
    ("date", re.compile(r"\d{4}년 ?\d{1,2}월 ?\d{1,2}일|매월 \d{1,2}일")),
    ("period", re.compile(rf"(?:{_NUM}) ?(?:영업일|개월|년|일|시간|주|세|회)(?: ?(?:이내|이상|이하|미만|초과|까지|전|후))?")),
    ("defined_term", re.compile(r"[\"“'‘「]([^\"”'’」]{2,30})[\"”'’」]")),
)
_SENTENCE_START = frozenset([
    "the", "a", "an", "if", "with", "when", "where", "for", "in", "on", "at", "by", "to", "from", "this", "that",
    "these", "those", "each", "any", "all", "no", "not", "under", "after", "before", "during", "unless", "upon",
    "while"])
KIND_QTYPE = {"list": "procedural"}           # everything else is a factual question
KIND_ORDER = ("amount", "period", "date", "number", "person", "place", "group", "list", "defined_term", "condition",
              "named_item", "noun_phrase")
VAGUE_KINDS = ("named_item", "noun_phrase")   # only fill what the other kinds leave
# spaCy entity labels -> span kinds (ORDINAL and anything unlisted is no answer span)
NER_KINDS = {"PERSON": "person", "NORP": "group", "ORG": "group", "GPE": "place", "LOC": "place", "FAC": "place",
             "DATE": "date", "TIME": "date", "MONEY": "amount", "PERCENT": "amount", "QUANTITY": "number",
             "CARDINAL": "number", "EVENT": "named_item", "WORK_OF_ART": "named_item", "LAW": "named_item",
             "PRODUCT": "named_item", "LANGUAGE": "named_item"}


@dataclass(frozen=True)
class Span:
    text: str
    kind: str
    start: int

    @property
    def qtype(self) -> str:
        return KIND_QTYPE.get(self.kind, "factual")


def _usable(text: str, clause: str, before: str = "", kind: str = "") -> bool:
    t = text.strip(" ,.;:")
    if len(t) < 2 or PLACEHOLDER.search(t):
        return False
    if kind == "named_item" and (before.endswith("(") or t.split()[0].casefold() in _SENTENCE_START):
        return False                     # an article title "(Interest Rate)", "The Lender", "If the Company"
    return not (clause and t == clause.strip())


@lru_cache(maxsize=1)
def _kiwi():
    try:
        from kiwipiepy import Kiwi
    except ImportError:  # pragma: no cover - kiwipiepy is a declared dependency
        return None
    return Kiwi()


def korean_noun_phrases(text: str, min_morphs: int = 2, max_chars: int = 20) -> list[tuple[str, int]]:
    """Runs of nouns (NNG/NNP, number+unit, noun suffix) written together or with one space:
    compound terms such as "입원급여금" or "보험 계약자"."""
    kiwi = _kiwi()
    if kiwi is None:
        return []
    out: list[tuple[str, int]] = []
    run: list = []

    def flush() -> None:
        if len(run) >= min_morphs and run[0].len >= 2 and run[-1].len >= 2:
            a, b = run[0].start, run[-1].start + run[-1].len
            if b - a <= max_chars:
                out.append((text[a:b], a))
        run.clear()

    for tok in kiwi.tokenize(text):
        if tok.tag in ("NNG", "NNP", "XSN", "XPN") and (not run or tok.start - (run[-1].start + run[-1].len) <= 1):
            run.append(tok)
        else:
            flush()
            if tok.tag in ("NNG", "NNP"):
                run.append(tok)
    flush()
    return out


def load_span_nlp(name: str | None, *, parse: bool = False):
    """The spaCy pipeline ``name`` (``generate.span_nlp``, by default ``redaction.nlp.en``) for English entity
    spans, or None (the patterns alone) when unset or not installed. Only the tagger and NER run, unless
    ``parse`` (wh-fronted template questions need the dependency parse and verb lemmas)."""
    if not name:
        return None
    from redaction.nlp import NlpUnavailable, resolve_pipeline

    try:
        path = resolve_pipeline(str(name))
    except NlpUnavailable as e:
        logging.getLogger("onprem_sft.generate").warning("generate.span_nlp: %s; answer spans from patterns only", e)
        return None
    import warnings

    import spacy

    with warnings.catch_warnings():       # W095: the default md re-upload was trained with spaCy 3.7 (docs/airgap.md)
        warnings.filterwarnings("ignore", message=r"\[W095\]")
        return spacy.load(path, exclude=[] if parse else ["parser", "lemmatizer"])


def ner_spans(text: str, nlp) -> list[Span]:
    """Named entities, dates and figures of an English text (the answers reading-comprehension questions ask
    for), trimmed of a leading article."""
    out = []
    doc = nlp(text)
    for ent in doc.ents:
        kind = NER_KINDS.get(ent.label_)
        if kind is None:
            continue
        if ent.end < len(doc) and doc[ent.end].tag_.startswith("NN") and \
                (kind == "group" or doc[ent.end - 1].tag_.startswith("JJ")):
            continue                       # an adjective ("French Catholics", "equal monthly instalments")
        t, start = re.sub(r"['’]s$", "", ent.text), ent.start_char
        m = re.match(r"(?i)(the|a|an) ", t)
        if m and kind not in ("date", "number", "amount"):
            t, start = t[m.end():], start + m.end()
        out.append(Span(t, kind, start))
    return out


def candidate_spans(text: str, lang: str, *, clause: str = "", limit: int = 0, nlp=None) -> list[Span]:
    """Ranked, non-overlapping spans of ``text`` (the context shown with the question); with a spaCy
    pipeline (``nlp``) English texts add its entities."""
    ko = lang.startswith("ko") or (not lang and bool(_HANGUL.search(text)))
    found: list[Span] = []
    for kind, pat in (KO_PATTERNS if ko else EN_PATTERNS):
        for m in pat.finditer(text):
            g = m.group(1) if pat.groups and m.group(1) else m.group(0)
            start = m.start(1) if pat.groups and m.group(1) else m.start()
            found.append(Span(g.strip(" ,;:"), kind, start))
    if ko:
        found += [Span(t, "noun_phrase", s) for t, s in korean_noun_phrases(text)]
    elif nlp is not None:
        found += ner_spans(text, nlp)
    chosen: list[Span] = []
    taken: list[tuple[int, int]] = []
    seen: set[str] = set()
    for sp in sorted(found, key=lambda s: (KIND_ORDER.index(s.kind), s.start)):
        a, b = sp.start, sp.start + len(sp.text)
        key = sp.text.casefold()
        if key in seen or not _usable(sp.text, clause, text[max(0, a - 1):a], sp.kind) \
                or any(a < y and x < b for x, y in taken):
            continue
        seen.add(key)
        taken.append((a, b))
        chosen.append(sp)
    return chosen[:limit] if limit else chosen


def pick_spans(spans: list[Span], n: int) -> list[Span]:
    """``n`` spans spread over kinds (round robin in rank order), so a chunk full of numbers still gets
    a question about a definition or a list when it has one. Named items and noun phrases (vaguer answers)
    only fill what the figures, dates, lists and definitions leave."""
    out: list[Span] = []
    for kinds in (tuple(k for k in KIND_ORDER if k not in VAGUE_KINDS), VAGUE_KINDS):
        by_kind: dict[str, list[Span]] = {}
        for s in spans:
            if s.kind in kinds:
                by_kind.setdefault(s.kind, []).append(s)
        while len(out) < n and any(by_kind.values()):
            for k in kinds:
                if by_kind.get(k) and len(out) < n:
                    out.append(by_kind[k].pop(0))
    return out
