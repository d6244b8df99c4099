"""Deterministic noise gates: cheap form checks on every standardised pair, before any model judges it.

Why: a small generator writes rows nobody would train on (JSON debris, three questions in one, a question
that already states its answer, "True." for a "which documents" question, "extractive" answers found
nowhere in the context). A weak judge cannot be relied on to catch them, and the label style is learnt,
so these rows are dropped by rule. Each gate has its own reason code (``gates:<code>`` in rejects.jsonl,
a count in the stage summary); codes never quote the text. Thresholds are ``curate.gates.*`` keys,
checked at compose time by :func:`check_config`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from onprem_sft.evaluate.normalize import STOP_EN
from onprem_sft.records import QAPair

# Gate codes in check order: the first failing one is the reject reason, all failing ones are kept.
QUESTION_GATES = ("q_debris", "q_not_one_question", "q_placeholders", "q_length", "q_loop",
                  "q_copies_context", "q_contains_answer", "q_lang")
ANSWER_GATES = ("a_refusal_label", "a_loop", "a_repeats_question", "a_yes_no", "a_bare_number", "a_type_mismatch",
                "a_not_in_context", "a_not_from_context", "a_lang")
GATES = QUESTION_GATES + ANSWER_GATES

_SENTENCE = re.compile(r"(?<=[.!?。])\s+|\n+")
PLACEHOLDER = re.compile(r"<[A-Z][A-Z0-9_]*_\d+>")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
# Markup, JSON and prompt-template debris (placeholders <TYPE_N> are not markup).
_DEBRIS = re.compile(
    r"[{}\[\]\\`|]|</?[a-z][a-z0-9]*\s*/?>|&[a-z]+;|\"\s*:\s*|\b(question|answer|context|q|a)\s*:"
    r"|(질문|답변|내용|문맥)\s*:|^\W*(user|assistant|system)\b|\*\*|##",
    re.IGNORECASE)
_YN_EN = re.compile(r"^(is|are|was|were|do|does|did|can|could|will|would|should|shall|may|might|must|has|"
                    r"have|had|isn't|aren't|doesn't|don't|didn't|can't|won't)\b", re.IGNORECASE)
_WH_EN = re.compile(r"\b(what|which|who|whom|whose|when|where|why|how)\b", re.IGNORECASE)
_WH_KO = re.compile(r"(무엇|무슨|어떤|어떻게|어느|언제|어디|누구|누가|얼마|몇|며칠|뭐|뭘|왜|어떠한)")
# A question that states its answer ("The answer is ...", "정답은 ...").
_STATES_ANSWER = re.compile(r"\b(the )?(correct )?answer is\b|정답은|답은\s|답변은\s", re.IGNORECASE)
# Two asks joined in one sentence: "What is X, and how often is Y?" / "얼마이고, ... 얼마마다 ...?"
_TWO_ASKS_EN = re.compile(r"\b(what|which|who|whom|whose|when|where|why|how)\b[^?]*?[,;]?\s+(and|or)\s+"
                          r"(what|which|who|whom|whose|when|where|why|how)\b", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_YES_NO = re.compile(r"^(yes|no|true|false|correct|incorrect|right|wrong|아니요|아니오|아닙니다|아니|네|예|"
                     r"맞습니다|그렇습니다|틀립니다|참|거짓)\s*([.,!]|$)", re.IGNORECASE)
_NUMERIC_Q_EN = re.compile(
    r"\b(how (many|much|long|old|often|soon)|when|what (year|date|day|time|age|percentage|percent|rate|"
    r"number|amount|sum|limit|period|fee|price|cost)|which (article|section|clause|year|day|date|month|"
    r"chapter|paragraph|item|number)|number|amount|percentage|rate|age|date|deadline|period|limit|"
    r"maximum|minimum|at least|at most|up to|within)\b", re.IGNORECASE)
_NUMERIC_Q_KO = re.compile(r"(몇|얼마|언제|기간|금액|비율|날짜|일자|연령|나이|한도|최대|최소|이내|번호|조|항|호|"
                           r"년|개월|일|시간|퍼센트|%|원)")
# Expected answer type (wh-typing): "how much/many" and "what amount/rate/percentage" need a number; who /
# which documents / how can ... / why need more than a bare figure, period or date.
_NEEDS_NUMBER = re.compile(r"\bhow (much|many)\b|\bwhat (is the )?(amount|rate|percentage|percent|fee|sum|number)\b"
                           r"|\bwhat percentage\b|얼마|몇", re.IGNORECASE)
_NEEDS_ENTITY = re.compile(r"^\s*(who|whom|whose|why)\b|\b(by|to|from|with) whom\b|\b(which|what) (documents?|papers?|forms?|person|party|"
                           r"persons|parties|law|court|steps?|procedure)\b|^\s*how (can|do|does|should|must|is|are|may|"
                           r"will|to)\b|누구|누가|무슨 서류|어떤 서류|어떻게|왜", re.IGNORECASE)
_NUMBER_WORDS = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
                           r"thirty|forty|fifty|sixty|hundred|thousand|million|half|double|twice|all|none|no|full|"
                           r"entire|whole)\b|전액|전부|없|한 |두 |세 |네 |다섯|여섯|일곱|여덟|아홉|열 |절반", re.IGNORECASE)
_FIGURE_ONLY = re.compile(
    r"^(within|up to|at least|at most|no later than|more than|less than|for|after|before|every|about|approximately"
    r")?\s*(\$|usd ?|€|£)?[\d.,]+(\s?(%|percent|won|dollars|원|만원|%|일|개월|년|영업일|시간|세|회))?"
    r"(\s?(business |calendar |working )?(days?|weeks?|months?|years?|hours?|minutes?))?"
    r"(\s?(per|a) (day|year|month|claim))?\s*(이내|이상|이하|까지)?\.?$"
    r"|^(within|up to|at least|at most|no later than|more than|less than|for|after|every|about)?\s*(one|two|three|four|five|six|seven|eight|nine|ten|"
    r"twelve|thirty)\s+(business |calendar |working )?(days?|weeks?|months?|years?)\.?$"
    r"|^(january|february|march|april|may|june|july|august|september|october|november|december) \d{1,2}, \d{4}\.?$",
    re.IGNORECASE)


@dataclass(frozen=True)
class GateRules:
    enabled: bool = True
    answer_style: str = "extractive"
    refusal: str = ""
    min_question_words: int = 3
    min_question_words_ko: int = 2
    max_question_words: int = 60
    max_placeholder_share: float = 0.5
    copy_threshold: float = 0.8
    loop_ngram: int = 3
    loop_repeats: int = 3
    min_answer_in_question_chars: int = 4
    repeat_threshold: float = 0.85
    extractive_min_coverage: float = 0.9
    short_min_context_share: float = 0.75
    lang_min_share: float = 0.5
    skip: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, c: Any, *, answer_style: str, refusal: str) -> GateRules:
        g = c.gates
        return cls(enabled=bool(g.enabled), answer_style=answer_style, refusal=refusal,
                   min_question_words=int(g.min_question_words), min_question_words_ko=int(g.min_question_words_ko),
                   max_question_words=int(g.max_question_words), max_placeholder_share=float(g.max_placeholder_share),
                   copy_threshold=float(g.copy_threshold), loop_ngram=int(g.loop_ngram),
                   loop_repeats=int(g.loop_repeats), min_answer_in_question_chars=int(g.min_answer_in_question_chars),
                   repeat_threshold=float(g.repeat_threshold),
                   extractive_min_coverage=float(g.extractive_min_coverage),
                   short_min_context_share=float(g.short_min_context_share),
                   lang_min_share=float(g.lang_min_share), skip=tuple(g.skip))


def check_config(c: Any, problems: list[str]) -> None:
    """Compose-time checks of ``curate.gates`` (appends 'key: message' lines to ``problems``)."""
    g = c.gates
    for key in ("max_placeholder_share", "copy_threshold", "repeat_threshold", "extractive_min_coverage",
                "short_min_context_share", "lang_min_share"):
        if not 0.0 < float(g[key]) <= 1.0:
            problems.append(f"curate.gates.{key}: must be in (0, 1]")
    for key in ("min_question_words", "min_question_words_ko", "min_answer_in_question_chars"):
        if int(g[key]) < 1:
            problems.append(f"curate.gates.{key}: must be >= 1")
    if int(g.max_question_words) < max(int(g.min_question_words), int(g.min_question_words_ko)):
        problems.append("curate.gates.max_question_words: must be >= min_question_words(_ko)")
    if int(g.loop_ngram) < 1 or int(g.loop_repeats) < 2:
        problems.append("curate.gates.loop_ngram/loop_repeats: need loop_ngram >= 1 and loop_repeats >= 2")
    unknown = [s for s in g.skip if s not in GATES]
    if unknown:
        problems.append(f"curate.gates.skip: unknown gate(s) {unknown}; choose from {list(GATES)}")


# -- text helpers ----------------------------------------------------------------------------------
def squash(text: str) -> str:
    """Case-folded letters and digits only (whitespace and punctuation removed): "30,000 won." -> "30000won"."""
    t = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in t if ch.isalnum())


def words(text: str) -> list[str]:
    t = unicodedata.normalize("NFKC", text).casefold()
    return re.findall(r"<[a-z][a-z0-9_]*_\d+>|[^\W_]+", t)


def is_korean(lang: str) -> bool:
    return lang.lower().startswith("ko")


def script_share(text: str, lang: str) -> float | None:
    """Share of the corpus language's script among the letters (placeholders removed); None: no letters."""
    letters = [ch for ch in PLACEHOLDER.sub(" ", text) if ch.isalpha()]
    if not letters:
        return None
    if is_korean(lang):
        return sum(bool(_HANGUL.match(ch)) for ch in letters) / len(letters)
    return sum(ch.isascii() for ch in letters) / len(letters)


def has_loop(tokens: Sequence[str], n: int, repeats: int) -> bool:
    """A token run repeated back to back ``repeats`` times (any length 1..n+2), or one n-gram ``repeats``
    times anywhere in the text."""
    for size in range(1, n + 3):
        for i in range(len(tokens) - size * repeats + 1):
            block = tokens[i:i + size]
            if all(tokens[i + k * size:i + (k + 1) * size] == block for k in range(1, repeats)):
                return True
    grams = Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    return bool(grams) and max(grams.values()) >= repeats


def char_loop(text: str, repeats: int) -> bool:
    """Character-level loop for scripts without spaces between repeats ("보험금보험금보험금보험금")."""
    m = re.search(r"(.{2,20}?)\1{" + str(repeats - 1) + r",}", squash(text))
    return m is not None and len(m.group(0)) >= 8


def placeholder_heavy(text: str, max_share: float) -> bool:
    """Mostly placeholders: their share of the words reaches ``max_share``, or no content word is left
    once placeholders, English stop words and one-syllable Korean particles are gone."""
    ws = words(text)
    n_ph = sum(1 for w in ws if w.startswith("<"))
    if not n_ph:
        return False
    content = [w for w in ws if not w.startswith("<") and w not in STOP_EN and not _WH_KO.fullmatch(w)
               and not (_HANGUL.match(w) and len(w) < 2)]
    return n_ph / len(ws) >= max_share or not content


def coverage(needle: str, hay: str) -> float:
    """Fuzzy share of ``needle``'s characters found, in order, in the best-aligned window of ``hay``
    (both already squashed). 1.0 when it is a substring."""
    if not needle:
        return 0.0
    if needle in hay:
        return 1.0
    sm = SequenceMatcher(None, hay, needle, autojunk=False)
    blocks = sorted(sm.get_matching_blocks()[:-1], key=lambda b: -b.size)[:5]
    slack = len(needle) // 10 + 2
    best = 0.0
    for b in blocks:
        start = max(0, b.a - b.b - slack)
        window = hay[start:start + len(needle) + 2 * slack]
        got = sum(m.size for m in SequenceMatcher(None, window, needle, autojunk=False).get_matching_blocks())
        best = max(best, got / len(needle))
    return best


def copy_share(question: str, context: str) -> float:
    """Best similarity (difflib ratio of squashed text) between the question and one context sentence:
    1.0 for a sentence turned into a "question" by its "?"; a question reusing a phrase scores low."""
    q = squash(question)
    if not q:
        return 0.0
    best = 0.0
    for sent in _SENTENCE.split(context):
        s = squash(sent)
        if s:
            best = max(best, SequenceMatcher(None, s, q, autojunk=False).ratio())
    return best


def is_yes_no_question(question: str, lang: str) -> bool:
    """No wh-word anywhere (also "If ..., is the benefit paid?"), or an English auxiliary first."""
    q = question.strip()
    if is_korean(lang) or _HANGUL.search(q):
        return not _WH_KO.search(q)
    return bool(_YN_EN.match(q)) or not _WH_EN.search(q)


def is_yes_no_answer(answer: str) -> bool:
    """"Yes." / "No, the ..." / "아니요." -- a yes/no word standing alone ("No cost" is not one)."""
    return bool(_YES_NO.match(answer.strip()))


def two_asks(question: str) -> bool:
    if _HANGUL.search(question):
        hits = list(_WH_KO.finditer(question))
        return len(hits) >= 2 and re.search(r"(고|며|거나)\s*,", question[hits[0].end():hits[-1].start()]) is not None
    return _TWO_ASKS_EN.search(question) is not None


def type_mismatch(question: str, answer: str) -> bool:
    """The answer is not the kind of thing the question asks for: "How much ...?" without any figure, or
    "Which documents ...?" / "Who ...?" / "How can ...?" answered by a bare figure, period or date."""
    if _NEEDS_NUMBER.search(question) and not _NUMBER_WORDS.search(answer):
        return True
    return bool(_NEEDS_ENTITY.search(question)) and bool(_FIGURE_ONLY.match(answer.strip()))


def numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUMBER.findall(text)}


def states_answer(question: str, answer: str, lang: str, min_chars: int) -> bool:
    """The question already holds its answer: the answer text, every number of the answer, or every
    content word of an answer of 3+ words occurs in it, or it says "the answer is"."""
    if _STATES_ANSWER.search(question):
        return True
    sa, sq = squash(answer), squash(question)
    if len(sa) >= min_chars and sa in sq:
        return True
    nums = numbers(answer)
    if nums and nums <= numbers(question):
        return True
    cw = content_words(answer, lang)
    if len(cw) >= 3:
        qw = set(content_words(question, lang))
        return all(w in qw for w in cw)
    return False


def word_in(w: str, ctx_words: set[str], ctx_squashed: str) -> bool:
    """A content word found in the context, allowing an English inflection ("waived" ~ "waives")."""
    if w in ctx_words or squash(w) in ctx_squashed:
        return True
    if w.isascii() and len(w) >= 5:
        stem = w[:max(4, len(w) - 2)]
        return any(c.startswith(stem) for c in ctx_words)
    return False


def is_bare_number(answer: str) -> bool:
    """Only digits/punctuation (e.g. "2." or "3)"), no unit or word."""
    s = answer.strip().rstrip(".")
    return bool(s) and bool(re.fullmatch(r"[\d\s.,)(%-]+", s)) and any(ch.isdigit() for ch in s)


def content_words(text: str, lang: str) -> list[str]:
    """Words that carry content: stems for Korean (Kiwi via evaluate.normalize), no stop words for English."""
    from onprem_sft.evaluate.normalize import content_tokens

    out = []
    for w in content_tokens(PLACEHOLDER.sub(" ", text)):
        if w in STOP_EN:
            continue
        out.append(w)
    return out


# -- the gates -------------------------------------------------------------------------------------
def question_gates(p: QAPair, r: GateRules) -> list[str]:
    q, lang = p.question, p.lang or ""
    failed = []
    if _DEBRIS.search(q) or q.count("(") != q.count(")"):
        failed.append("q_debris")          # a stray bracket is a cut-off fragment ("French church where )?")
    body = q.rstrip().rstrip("\"')]")
    if q.count("?") != 1 or not body.endswith("?") or two_asks(q):
        failed.append("q_not_one_question")
    if placeholder_heavy(q, r.max_placeholder_share):
        failed.append("q_placeholders")
    n_words = len(words(q))
    lo = r.min_question_words_ko if (is_korean(lang) or _HANGUL.search(q)) else r.min_question_words
    if not lo <= n_words <= r.max_question_words:
        failed.append("q_length")
    if has_loop(words(q), r.loop_ngram, r.loop_repeats) or char_loop(q, r.loop_repeats + 1):
        failed.append("q_loop")
    if len(squash(q)) >= 12 and (copy_share(q, p.context) >= r.copy_threshold
                                 or (len(words(q)) >= 4 and squash(q) in squash(p.context))):
        failed.append("q_copies_context")
    if p.answerable and p.answer != r.refusal and not is_yes_no_answer(p.answer) and \
            states_answer(q, p.answer, lang, r.min_answer_in_question_chars):
        failed.append("q_contains_answer")
    share = script_share(q, lang)
    if lang and share is not None and share < r.lang_min_share:
        failed.append("q_lang")
    return failed


def answer_gates(p: QAPair, r: GateRules) -> list[str]:
    a, q, lang = p.answer, p.question, p.lang or ""
    failed: list[str] = []
    if not p.answerable:
        if a != r.refusal:
            failed.append("a_refusal_label")
        return failed
    from onprem_sft.evaluate.metrics import is_refusal

    if is_refusal(a, r.refusal):
        failed.append("a_refusal_label")       # an answerable pair whose label is a refusal variant
        return failed
    if has_loop(words(a), r.loop_ngram, r.loop_repeats) or char_loop(a, r.loop_repeats + 1):
        failed.append("a_loop")
    sa, sq = squash(a), squash(q)
    if sa and (sa == sq or (len(sq) >= 8 and sq in sa)
               or SequenceMatcher(None, sa, sq, autojunk=False).ratio() >= r.repeat_threshold):
        failed.append("a_repeats_question")
    yn_answer = is_yes_no_answer(a)
    yn_question = is_yes_no_question(q, lang)
    if yn_answer and not yn_question:
        failed.append("a_yes_no")
    if is_bare_number(a):
        numeric = _NUMERIC_Q_KO if (is_korean(lang) or _HANGUL.search(q)) else _NUMERIC_Q_EN
        if not numeric.search(q):
            failed.append("a_bare_number")
    if not yn_answer and type_mismatch(q, a):
        failed.append("a_type_mismatch")
    if not (yn_answer and yn_question):        # a yes/no label to a yes/no question needs no span
        if r.answer_style == "extractive":
            if coverage(sa, squash(p.context)) < r.extractive_min_coverage:
                failed.append("a_not_in_context")
        elif r.answer_style == "short":
            cw = content_words(a, lang)
            ctx_words = set(words(p.context))
            ctx_sq = squash(p.context)
            if cw:
                found = sum(1 for w in cw if word_in(w, ctx_words, ctx_sq))
                if found / len(cw) < r.short_min_context_share:
                    failed.append("a_not_from_context")
    share = script_share(a, lang)
    if lang and share is not None and share < r.lang_min_share:
        failed.append("a_lang")
    return failed


def check_pair(p: QAPair, r: GateRules) -> list[str]:
    """Every gate the pair fails, in ``GATES`` order (minus ``curate.gates.skip``)."""
    failed = set(question_gates(p, r)) | set(answer_gates(p, r))
    return [g for g in GATES if g in failed and g not in r.skip]
