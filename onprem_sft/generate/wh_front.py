"""Wh-fronted template questions: "When did the war begin?" instead of the cloze "The war began when?".

Why: the cloze template (``span_check.template_question``) keeps the sentence's word order and puts the
wh-phrase where the span was. People ask with the wh-phrase first and the verb inverted. On SQuAD dev
articles a 135M model trained on cloze questions refused a third of the human (fronted) questions it
could answer: in its training data the few fronted questions (the model's own) were refusals twice as
often as the cloze ones, and the human form was out of distribution. This module moves the wh-phrase to
the front with subject-auxiliary inversion and do-support, read off the spaCy dependency parse: the
rule-based question transformation of Heilman & Smith (NAACL 2010, "Good Question! Statistical Ranking for
Question Generation"), reduced to a span that hangs on the sentence's main verb. Anything else (a span
inside a subordinate clause or a noun phrase) returns None and the caller keeps the cloze question.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from onprem_sft.generate.spans import PLACEHOLDER

_SUBJ = {"nsubj", "nsubjpass"}
_OBJ = {"dobj", "attr", "oprd", "dative", "npadvmod", "pobj", "acomp", "prep"}  # prep: "within 30 days"
_AUX = {"aux", "auxpass", "neg"}
_DO = {"VBD": "did", "VBZ": "does", "VBP": "do"}
# a preposition before a time or place folds into the wh-word ("in 1754" -> "when")
_FOLD = {"when": {"in", "on", "at", "during", "around"}, "where": {"in", "at", "on", "near", "inside", "within"}}
_CLAUSE_END = {";", ":", "—", "–", "(", "["}
_MAX_REST = 10
_MODIFIER_CLAUSES = ("relcl", "acl", "advcl", "appos")   # "engines [that could provide 10,000 hp]"

# a redaction placeholder (spans.PLACEHOLDER) splits into "<", "PERSON_1", ">" and wrecks the parse: a name
# stands in for it
Piece = Any        # a spaCy Token (rendered as written, with its own spacing) or an inserted word (str)


def front_question(nlp: Any, sentence: str, start: int, end: int, wh: str) -> str | None:
    """The question whose answer is ``sentence[start:end]``, wh-phrase first; None when the span is not
    the subject, object or prepositional complement of the sentence's main verb (or the parse is odd)."""
    if nlp is None or "parser" not in getattr(nlp, "pipe_names", ()):
        return None
    sentence, start, end, subs = _stand_ins(sentence, start, end)
    doc = nlp(sentence)
    inside = {t.i for t in doc if t.idx < end and t.idx + len(t) > start}
    heads = [doc[i] for i in inside if doc[i].head.i not in inside or doc[i].head.i == i]
    if len(heads) != 1:
        return None
    h = heads[0]
    if h.dep_ == "nummod" and wh == "how many" and h.head.tag_ in ("NNS", "NNPS"):
        wh, h = f"how many {h.head.text.lower()}", h.head          # "ten engines" -> "how many engines"
    prep = h.head if h.dep_ == "pobj" and h.head.dep_ in ("prep", "agent") else None
    verb = prep.head if prep is not None else h.head
    nested = prep is not None and verb.dep_ != "ROOT"
    if nested:                             # "a critic of [the Congress]": the phrase hangs on an object
        verb = _clause_verb(prep.head)
    if verb is None or verb.dep_ != "ROOT" or verb.pos_ not in ("VERB", "AUX") or h.i == verb.i:
        return None
    if wh in ("how many", "how much", "how long") and (prep is not None or verb.lemma_ == "be"):
        return None                        # "Near how many did ...", "How many is inflammation ..."
    if prep is None and wh in ("where", "when") and h.dep_ not in ("npadvmod", "prep"):
        wh = "what"                        # a place or date as subject/object: "What did they reach?"
    if prep is not None and prep.text.lower() in _FOLD.get(wh, ()):
        gone = set(range(prep.left_edge.i, prep.right_edge.i + 1))      # "in 1754" -> "when"
    elif nested:
        wh = "what" if wh in ("where", "when") else wh                  # stranded: "What was he a critic of?"
        gone = set(range(h.left_edge.i, h.right_edge.i + 1))
    elif prep is not None:
        wh = f"{prep.text.lower()} {'whom' if wh == 'who' else wh}"     # "By whom were they attacked?"
        gone = set(range(prep.left_edge.i, prep.right_edge.i + 1))
    else:
        gone = set(range(h.left_edge.i, h.right_edge.i + 1))
    if h.dep_ in _SUBJ and prep is None:
        pieces: list[Piece] | None = [wh, *_rest(doc, h.right_edge.i + 1, _side_clauses(verb))]
    elif h.dep_ in _OBJ:
        pieces = _inverted(doc, verb, wh, gone, english_words(nlp))
    else:
        pieces = None
    if pieces is None:
        return None
    q = _render(pieces, subs).strip(" ,")
    if sum(1 for w in q.split()[len(wh.split()):] if w.isalpha() and len(w) > 2) < 2:
        return None
    return q[0].upper() + q[1:] + "?"


def _inverted(doc: Any, verb: Any, wh: str, gone: set[int], english: frozenset[str]) -> list[Piece] | None:
    """wh + auxiliary + subject + verb + the rest: "When did the war begin", "Under what condition is
    the response triggered", "What was the engine's purpose"."""
    subj = next((c for c in verb.children if c.dep_ in _SUBJ | {"expl"}), None)
    if subj is None or subj.i > verb.i:
        return None
    s0, s1 = subj.left_edge.i, subj.right_edge.i
    if gone & set(range(s0, s1 + 1)):
        return None
    auxes = [c for c in verb.children if c.dep_ in _AUX and s1 < c.i < verb.i]
    middle = [t for t in doc[s1 + 1:verb.i] if t.i not in {a.i for a in auxes} and not t.is_punct]
    if auxes and auxes[0].dep_ != "neg":
        lead, rest_aux, v = [auxes[0].text.lower()], list(auxes[1:]), [verb]
    elif auxes:
        return None
    elif verb.lemma_ == "be":
        lead, rest_aux, v = [verb.text.lower()], [], []
    elif verb.tag_ in _DO:
        lead, rest_aux, v = [_DO[verb.tag_]], [], [verb.lemma_.lower()]
    else:
        return None
    subject = _subject(doc, subj, english)
    if subject is None:
        return None
    return [wh, *lead, *subject, *rest_aux, *middle, *v,
            *_rest(doc, verb.i + 1, gone | _side_clauses(verb))]


def _clause_verb(tok: Any) -> Any | None:
    """The main verb an object's phrase hangs on, through objects and prepositions only (never out of the
    subject or a clause); None otherwise."""
    for _ in range(6):
        if tok.dep_ == "ROOT":
            return tok
        if tok.dep_ not in ("dobj", "attr", "pobj", "prep", "oprd", "npadvmod", "dative"):
            return None
        tok = tok.head
    return None


def _side_clauses(verb: Any) -> set[int]:
    """Tokens of a coordinated clause ("... began in 1754 and ended in 1763") and of the clauses that modify
    a word of the question ("engines that could provide 10,000 hp"): left out, so the question asks one
    thing in few words instead of restating its sentence (the gates drop a near copy of a sentence)."""
    out: set[int] = set()
    for c in verb.children:
        if c.dep_ in ("conj", "cc") and c.i > verb.i:
            out |= set(range(c.left_edge.i, c.right_edge.i + 1))
    for t in verb.subtree:
        if t.dep_ in _MODIFIER_CLAUSES and t.head.i != verb.i or (t.dep_ == "advcl" and t.i > verb.i):
            out |= set(range(t.left_edge.i, t.right_edge.i + 1))
    return out


def _rest(doc: Any, i: int, gone: set[int]) -> list[Piece]:
    """The tokens after ``i`` up to the clause's end, without the span; a long tail is cut at a comma.
    A hyphen inside a word ("low-pressure") is no clause end; a spaced dash is."""
    out: list[Any] = []
    for t in doc[i:]:
        spaced_dash = t.text in ("-", "--") and t.i > 0 and doc[t.i - 1].whitespace_
        if t.text in _CLAUSE_END or spaced_dash or t.text in ".!?":
            break
        if t.i not in gone and (out or not t.is_punct):       # no quote left over from the span
            out.append(t)
    if len(out) > _MAX_REST:
        cut = [k for k, t in enumerate(out[:_MAX_REST]) if t.text == ","]
        out = out[:cut[-1]] if cut and cut[-1] >= 3 else out[:_MAX_REST]
    # never end inside a phrase: no dangling word whose head was cut off, no dangling preposition
    def dangling(t: Any) -> bool:
        stranded = any(c.i in gone for c in t.children)          # "a critic of?" asks for its object
        return (t.is_punct or t.lower_ in ("and", "or", "but") or (t.pos_ == "ADP" and not stranded)
                or (t.head.i > t.i and t.head.i not in {x.i for x in out}))

    while out and dangling(out[-1]):
        out.pop()
    return out


def _subject(doc: Any, subj: Any, english: frozenset[str]) -> list[Piece] | None:
    """The subject's tokens without an apposition ("Hero of Alexandria, a Greek mathematician,"); its first
    word lower-cased when it is a determiner, pronoun, stop word or a common noun outside any entity
    ("The war" -> "the war", "Steam engines" -> "steam engines"), never a name."""
    drop: set[int] = set()
    for t in subj.subtree:
        if t.dep_ in _MODIFIER_CLAUSES:
            drop |= set(range(t.left_edge.i, t.right_edge.i + 1))
    toks = [t for t in doc[subj.left_edge.i:subj.right_edge.i + 1] if t.i not in drop]
    while toks and toks[-1].is_punct:
        toks.pop()
    if not toks or len(toks) > _MAX_REST:
        return None                        # a subject this long reads as the sentence, not a question
    first = toks[0]
    common = first.tag_ in ("NN", "NNS", "JJ") and not first.ent_type_ and \
        (first.lemma_.lower() or first.lower_) in english
    if (first.is_stop or first.pos_ in ("DET", "PRON") or common) and first.text != "I":
        return [first.text.lower(), *toks[1:]]
    return toks


@lru_cache(maxsize=4)
def english_words(nlp: Any) -> frozenset[str]:
    """English nouns and adjectives (WordNet's lemma index in the pipeline's lemmatizer: "steam" is one,
    "newcomen" is not). Built once per pipeline: every fronted question asks."""
    from redaction.nlp import wordnet_lemmas

    return wordnet_lemmas(nlp, ("noun", "adj"))


def _stand_ins(sentence: str, start: int, end: int) -> tuple[str, int, int, dict[int, str]]:
    """``sentence`` with each placeholder replaced by a stand-in name ("Alice", "Acme"), the span's offsets
    moved along, and {stand-in offset: placeholder} to put them back when the question is written."""
    subs: dict[int, str] = {}
    out, pos, shift_a, shift_b = [], 0, 0, 0
    for m in PLACEHOLDER.finditer(sentence):
        out.append(sentence[pos:m.start()])
        word = "Alice" if m.group()[1:].rsplit("_", 1)[0] == "PERSON" else "Acme"
        subs[sum(map(len, out))] = m.group()
        out.append(word)
        delta = len(word) - len(m.group())
        shift_a += delta if m.end() <= start else 0
        shift_b += delta if m.end() <= end else 0
        pos = m.end()
    out.append(sentence[pos:])
    return "".join(out), start + shift_a, end + shift_b, subs


def _render(pieces: list[Piece], subs: dict[int, str] | None = None) -> str:
    """Tokens that were neighbours in the sentence keep their own spacing ("<PERSON_1>", "low-pressure",
    "engine's"); everything else is joined by one space."""
    out = []
    for k, p in enumerate(pieces):
        if isinstance(p, str):
            out.append(p + " ")
            continue
        nxt = pieces[k + 1] if k + 1 < len(pieces) else None
        joined = nxt is not None and not isinstance(nxt, str) and nxt.i == p.i + 1
        text = (subs or {}).get(p.idx, p.text)
        out.append(text + p.whitespace_ if joined else text + " ")
    q = "".join(out)
    q = q.replace(" ,", ",").replace(" 's", "'s")
    return " ".join(q.split())
