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

from typing import Any

_SUBJ = {"nsubj", "nsubjpass"}
_OBJ = {"dobj", "attr", "oprd", "dative", "npadvmod", "pobj", "acomp", "prep"}  # prep: "within 30 days"
_AUX = {"aux", "auxpass", "neg"}
_DO = {"VBD": "did", "VBZ": "does", "VBP": "do"}
# a preposition before a time or place folds into the wh-word ("in 1754" -> "when")
_FOLD = {"when": {"in", "on", "at", "during", "around"}, "where": {"in", "at", "on", "near", "inside", "within"}}
_CLAUSE_END = {";", ":", "—", "–", "-", "("}
_MAX_REST = 14


def front_question(nlp: Any, sentence: str, start: int, end: int, wh: str) -> str | None:
    """The question whose answer is ``sentence[start:end]``, wh-phrase first; None when the span is not
    the subject, object or prepositional complement of the sentence's main verb (or the parse is odd)."""
    if nlp is None or "parser" not in getattr(nlp, "pipe_names", ()):
        return None
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
    if verb.dep_ != "ROOT" or verb.pos_ not in ("VERB", "AUX") or h.i == verb.i:
        return None
    if prep is None and wh in ("where", "when") and h.dep_ not in ("npadvmod", "prep"):
        wh = "what"                        # a place or date as subject/object: "What did they reach?"
    if prep is not None:
        p = prep.text.lower()
        wh = wh if p in _FOLD.get(wh, ()) else f"{p} {'whom' if wh == 'who' else wh}"
        gone = set(range(prep.left_edge.i, prep.right_edge.i + 1))
    else:
        gone = set(range(h.left_edge.i, h.right_edge.i + 1))
    if h.dep_ in _SUBJ and prep is None:
        words = [wh, *_rest(doc, h.right_edge.i + 1, _side_clauses(verb))]
    elif h.dep_ in _OBJ:
        words = _inverted(doc, verb, wh, gone)
        if words is None:
            return None
    else:
        return None
    if sum(1 for w in words[1:] if w.isalpha() and len(w) > 2) < 2:
        return None
    q = " ".join(words)
    q = q.replace(" ,", ",").replace(" 's", "'s").replace(" n't", "n't").strip(" ,")
    return q[0].upper() + q[1:] + "?"


def _inverted(doc: Any, verb: Any, wh: str, gone: set[int]) -> list[str] | None:
    """wh + auxiliary + subject + verb + the rest: "When did the war begin", "Under what condition is
    the response triggered", "What was the engine's purpose"."""
    subj = next((c for c in verb.children if c.dep_ in _SUBJ | {"expl"}), None)
    if subj is None or subj.i > verb.i:
        return None
    s0, s1 = subj.left_edge.i, subj.right_edge.i
    if gone & set(range(s0, s1 + 1)):
        return None
    auxes = [c for c in verb.children if c.dep_ in _AUX and s1 < c.i < verb.i]
    subject = _subject(doc, subj)
    middle = [t.text for t in doc[s1 + 1:verb.i] if t.i not in {a.i for a in auxes} and not t.is_punct]
    if auxes and auxes[0].dep_ != "neg":
        lead, rest_aux, v = [auxes[0].text.lower()], [a.text for a in auxes[1:]], [verb.text]
    elif auxes:
        return None
    elif verb.lemma_ == "be":
        lead, rest_aux, v = [verb.text.lower()], [], []
    elif verb.tag_ in _DO:
        lead, rest_aux, v = [_DO[verb.tag_]], [], [verb.lemma_.lower()]
    else:
        return None
    return [wh, *lead, *subject, *rest_aux, *middle, *v, *_rest(doc, verb.i + 1, gone | _side_clauses(verb))]


def _side_clauses(verb: Any) -> set[int]:
    """Tokens of a coordinated clause ("... began in 1754 and ended in 1763"): not part of the question."""
    out: set[int] = set()
    for c in verb.children:
        if c.dep_ in ("conj", "cc") and c.i > verb.i:
            out |= set(range(c.left_edge.i, c.right_edge.i + 1))
    return out


def _rest(doc: Any, i: int, gone: set[int]) -> list[str]:
    """The words after ``i`` up to the clause's end, without the span; a long tail is cut at a comma."""
    out: list[str] = []
    for t in doc[i:]:
        if t.text in _CLAUSE_END or (t.is_punct and t.text in ".!?"):
            break
        if t.i in gone:
            continue
        out.append(t.text)
    if len(out) > _MAX_REST:
        cut = [k for k, w in enumerate(out[:_MAX_REST]) if w == ","]
        out = out[:cut[-1]] if cut and cut[-1] >= 3 else out[:_MAX_REST]
    while out and out[-1] in (",", "and", "or", "but"):
        out.pop()
    return out


def _subject(doc: Any, subj: Any) -> list[str]:
    """The subject's words without an apposition ("Hero of Alexandria, a Greek mathematician,"), its first
    word lower-cased when it is a determiner, pronoun or stop word ("The war" -> "the war"), never a name."""
    drop: set[int] = set()
    for t in subj.subtree:
        if t.dep_ == "appos":
            drop |= set(range(t.left_edge.i, t.right_edge.i + 1))
    words = [t for t in doc[subj.left_edge.i:subj.right_edge.i + 1] if t.i not in drop and t.text != ","]
    out = [t.text for t in words]
    first = words[0]
    if (first.is_stop or first.pos_ in ("DET", "PRON")) and first.text != "I":
        out[0] = first.text.lower()
    return out
