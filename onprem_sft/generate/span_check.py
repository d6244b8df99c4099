"""Does a question ask for its answer-first span? And, when the model's question does not, a question
built from the span's own sentence.

Why: a small generator (the embedded 135M model) writes a fluent question *near* its span but rarely
*for* it ("How did the steam engine change the world?" -> "Hero of Alexandria."); measured on SQuAD dev
articles, about 1 in 5 answer-first pairs asked for their label. A model trained on such pairs learns to
answer with some span of the context, not the span the question asks for. Two deterministic checks stand in
for a qualified round trip (``generate.span_check``):

- ``asks_for``: the question's wh-word fits the span's kind (who -> a person or group, when -> a date or
  period, how many/much -> a figure, where -> a place) and its content words come from the sentence that
  holds the span more than from any other sentence of the context;
- ``template_question``: otherwise the span's sentence, cut to a window around the span, with the span
  replaced by a wh-phrase of its kind ("... was first used to pump water out of mines when?"): the
  cloze-to-question baseline of Lewis et al. (ACL 2019, "Unsupervised Question Answering by Cloze
  Translation"). Always about the span; plain rather than fluent.

English only: Korean questions keep the model's wording (``span_check`` applies to ``lang=en``).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from onprem_sft.evaluate.normalize import STOP_EN

SPAN_CHECKS = ("template", "drop", "off")
TEMPLATE_FORMS = ("fronted", "cloze")

_SENT_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(<])|\n+")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")
# the gates' stop words and a few particles that carry no content in a question
_STOP = STOP_EN | {"into", "out", "up", "also"}
# a list item's marker ("4.", "(a)", "ii)", "-", "•") starts no question
_MARK = r"(\(?(\d{1,3}|[a-z]|[ivx]{1,4})[.)]|[-–•*·])"
_LIST_MARK = re.compile(rf"^{_MARK}$", re.IGNORECASE)           # one word of a cloze window
_LEAD_MARK = re.compile(rf"\s*{_MARK}\s+", re.IGNORECASE)       # the start of a sentence to front
# words that cannot end a question: a window cut after them leaves it dangling ("... from disclosing the?")
_DANGLING = frozenset({
    "the", "a", "an", "of", "to", "in", "on", "at", "for", "by", "with", "from", "into", "and", "or", "but", "nor",
    "as", "than", "that", "which", "whose", "its", "their", "his", "her", "our", "your", "this", "these", "those",
    "such", "any", "each", "every", "no"})

# a clause's opening word right before the span would give the question a second wh-word or a dangling "if"
_SUBORDINATORS = frozenset({"when", "where", "while", "which", "who", "whom", "whose", "whether", "if", "because",
                            "although", "though", "unless"})    # not "until"/"since": "until when?"

# the kind of thing a wh-phrase asks for; None = anything ("what", "which")
_WH = (
    (re.compile(r"\b(under|in) what (conditions?|circumstances?|cases?)\b", re.IGNORECASE), {"condition"}),
    (re.compile(r"^\s*(who|whom|whose)\b|\b(by|to|from|with|of) whom\b", re.IGNORECASE),
     {"person", "group", "named_item", "defined_term"}),
    (re.compile(r"\bhow (many|much)\b|\bwhat (percentage|percent|number|amount|proportion|share|fraction)\b",
                re.IGNORECASE), {"number", "amount", "period"}),
    (re.compile(r"\bhow (long|often|soon)\b", re.IGNORECASE), {"period", "date", "number"}),
    (re.compile(r"^\s*when\b|\b(what|which) (year|years|date|day|month|century|decade|time|period|era)\b"
                r"|\bsince when\b|\buntil when\b", re.IGNORECASE), {"date", "period", "year", "condition"}),
    (re.compile(r"^\s*where\b|\b(what|which) (city|country|place|region|state|town|location|area|continent)\b",
                re.IGNORECASE), {"place", "named_item", "group"}),
    (re.compile(r"^\s*(why|how)\b", re.IGNORECASE), {"condition", "list", "defined_term"}),
)
# a figure, date or period is asked for by its own wh-phrase ("how many", "when", "what year")
# (a condition clause, "after receiving the request", answers "when" or "under what condition", never a plain
# "which documents ...?")
_NEEDS_SPECIFIC_WH = frozenset({"date", "period", "number", "amount", "year", "condition"})
_ANY_WH = re.compile(r"\b(what|which|who|whom|whose|when|where|why|how)\b", re.IGNORECASE)

# wh-phrase per span kind for the template question
_WH_PHRASE = {"person": "who", "group": "what", "place": "where", "date": "when", "year": "when",
              "period": "how long", "amount": "how much", "condition": "under what condition",
              "list": "what", "defined_term": "what", "named_item": "what", "number": "how many",
              "noun_phrase": "what"}
# a preposition before a time or place folds into the wh-word ("in 1754" -> "when")
_FOLD_BEFORE = {"when": {"in", "on", "at", "during", "around", "circa"},
                "where": {"in", "at", "on", "near", "inside", "within"}}


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(context: str) -> list[Sentence]:
    out, pos = [], 0
    for m in list(_SENT_END.finditer(context)) + [None]:
        end = m.start() if m else len(context)
        if context[pos:end].strip():
            out.append(Sentence(pos, end, context[pos:end]))
        pos = m.end() if m else end
    return out


def sentence_of(context: str, start: int) -> Sentence | None:
    for s in sentences(context):
        if s.start <= start < s.end:
            return s
    return None


def content_words(text: str) -> set[str]:
    return {w.lower().strip("'’") for w in _WORD.findall(text) if w.lower() not in _STOP and len(w) > 1}


def _stem(w: str) -> str:
    return w[:5] if len(w) > 5 else w      # crude, enough to match "pumped" / "pumping"


def wh_fits(question: str, kind: str) -> bool:
    """The question's wh-phrase can be answered by a span of ``kind`` (unknown kinds fit anything)."""
    if not _ANY_WH.search(question):
        return False                       # a yes/no question cannot have a span as its label
    for pat, kinds in _WH:
        if pat.search(question):
            return kind in kinds
    return kind not in _NEEDS_SPECIFIC_WH  # plain "what ...?" / "which ...?" asks for a thing, not a figure


def asks_for(question: str, span: str, kind: str, context: str, start: int, *, min_anchor: int = 2) -> bool:
    """The question's wh-word fits the span kind and the question is anchored in the span's sentence:
    at least ``min_anchor`` of its content words (stems) occur there, and no other sentence shares more."""
    if not wh_fits(question, kind):
        return False
    sents = sentences(context)
    own = next((s for s in sents if s.start <= start < s.end), None)
    if own is None:
        return False
    qw = {_stem(w) for w in content_words(question)} - {_stem(w) for w in content_words(span)}
    if not qw:
        return False

    def shared(s: Sentence) -> int:
        return len(qw & {_stem(w) for w in content_words(s.text)})

    mine = shared(own)
    best_other = max((shared(s) for s in sents if s is not own), default=0)
    return mine >= min_anchor and mine >= best_other


def template_question(context: str, span: str, kind: str, start: int, *, left_words: int = 9,
                      right_words: int = 7) -> str | None:
    """The span's sentence cut to a window around it, the span replaced by a wh-phrase of its kind.
    None when the sentence leaves too little around the span to ask anything."""
    own = sentence_of(context, start)
    if own is None:
        return None
    rel = start - own.start
    left = own.text[:rel].split()
    right = own.text[rel + len(span):].split()
    wh = _WH_PHRASE.get(kind, "what")
    if kind == "number":
        nxt = right[0].strip(",.;:") if right else ""
        if nxt.isalpha() and nxt.lower() not in _STOP:
            wh, right = f"how many {nxt}", right[1:]
    if right and right[0].startswith(("'s", "’s")):
        wh = "whose" if kind in ("person", "group") else f"{wh}'s"
        right = [right[0][2:], *right[1:]] if right[0][2:] else right[1:]
    if left and left[-1].lower() in _FOLD_BEFORE.get(wh, ()):
        left = left[:-1]
    elif left and left[-1].lower() in ("the", "a", "an") and wh in ("where", "who", "when"):
        wh = "what"                        # "the <place>" -> "the what", not "the where"
    elif left and wh == "where":
        wh = "what place"                  # "the plague of Athens" -> "of what place"
    left = _clause_tail(left, left_words)
    while left and _LIST_MARK.match(left[0]):
        left = left[1:]
    while left and left[-1].lower().strip(",") in _SUBORDINATORS:
        left = left[:-1]                   # "... massacre, when how many were killed": one wh-word per question
    right = _clause_head(right)[:right_words]
    while right and right[-1].lower().strip(",;:") in _DANGLING:
        right = right[:-1]
    words = [*left, wh, *right]
    if len(content_words(" ".join(left + right))) < 2:
        return None
    q = " ".join(words).strip(" ,;:-")
    q = re.sub(r"\s+([,;:])", r"\1", q).rstrip(" ,;:.!?\"'")
    return q[0].upper() + q[1:] + "?"


def fronted_template(nlp, context: str, span: str, kind: str, start: int) -> str | None:
    """The span's question with the wh-phrase first ("When did the war begin?", ``wh_front``); None when the
    parse cannot front it (the caller falls back to ``template_question``)."""
    from onprem_sft.generate.wh_front import front_question

    own = sentence_of(context, start)
    if own is None or nlp is None:
        return None
    rel = start - own.start
    text = own.text
    mark = _LEAD_MARK.match(text)              # "(1) A policy ..." is parsed, and asked, without its marker
    if mark and mark.end() <= rel:
        text, rel = text[mark.end():], rel - mark.end()
    q = front_question(nlp, text, rel, rel + len(span), _WH_PHRASE.get(kind, "what"))
    if q is None or span.casefold() in q.casefold():
        return None
    return q if len(content_words(q)) >= 2 else None


def noisy(question: str, p: float, key: str) -> str:
    """Word dropout on a template question (the "noisy cloze" of Lewis et al., ACL 2019): each word outside
    the wh-phrase is left out with probability ``p``, at least three stay. Why: a template question copies
    its sentence word for word, and a small model trained on those learns to answer only questions that
    match the context verbatim and to refuse people's paraphrases. Deterministic per ``key``."""
    if p <= 0:
        return question
    body, mark = (question[:-1], "?") if question.endswith("?") else (question, "")
    words = body.split()
    rng = random.Random(key)
    wh = {i for i, w in enumerate(words) if _ANY_WH.fullmatch(w.strip(",'s"))}
    wh |= {i + 1 for i in wh if i + 1 < len(words) and words[i].lower() in ("how", "what", "which")}
    keep = [w for i, w in enumerate(words) if i in wh or rng.random() >= p]
    while keep and keep[-1].lower() in _DANGLING:
        keep.pop()
    if len(keep) < 3 or len(keep) == len(words):
        return question
    out = " ".join(keep)
    return out[0].upper() + out[1:] + mark


def _clause_tail(words: list[str], limit: int) -> list[str]:
    """At most ``limit`` words before the span, starting after a clause break (";", ":", "(", a dash) and,
    when the sentence is longer, after the last comma within the limit (a whole phrase, not a cut one)."""
    for i in range(len(words) - 1, -1, -1):
        w = words[i]
        if w.endswith((";", ":", ")")) or w in ("-", "–", "—") or w.startswith("("):
            opened = w.lstrip("(") if w.startswith("(") and not w.endswith(")") else ""
            words = ([opened] if opened else []) + words[i + 1:]       # "(the French church in" keeps "the"
            break
    if len(words) <= limit:
        return words
    for i in range(len(words) - limit, len(words) - 2):
        if words[i].endswith(","):
            return words[i + 1:]
    return words[-limit:]


def _clause_head(words: list[str]) -> list[str]:
    """Words up to the first clause break after the span (kept without its punctuation)."""
    out = []
    for w in words:
        if w in ("-", "–", "—") or w.startswith(("(", ")")):
            break                          # "(the French church in New Amsterdam)." ends at its bracket
        if w.endswith((";", ":", ",", ")")):
            out.append(w.rstrip(";:,)"))
            break
        out.append(w)
    return [w for w in out if w]
