"""Clause-aware chunking for Korean (and English) legal/policy text.

Policy terms are organised in articles (제N조(제목), 제N조의2), paragraphs (① ② …) and items; questions
are asked about one clause, so a chunk never straddles two articles. Headings (#, 제N관/장/절/편) are
merged forward into the article that follows. An article over the budget is split at paragraph marks,
then at blank lines / sentence ends, with a char overlap between its pieces. Offsets always index the
document text, so ``text[start:end] == chunk text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# An article header at the start of a line: 제3조(보험금의 지급사유), 제3조의2 (…), Article 3 (…), Section 4.
ARTICLE_RE = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*)?"
    r"(?P<title>(?:제[ \t]*\d+[ \t]*조(?:의[ \t]*\d+)?(?:[ \t]*[(（](?:[^()（）\n]|[(（][^()（）\n]{0,40}[)）]){0,80}[)）])?)"
    r"|(?:(?:Article|ARTICLE|Section|SECTION)[ \t]+\d+[A-Za-z]?(?:[ \t]*[(（.:][^\n]{0,80})?))",
    re.MULTILINE,
)
# A heading that groups articles: markdown headings and 제N관/장/절/편, Part/Chapter.
HEADING_RE = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]+\S[^\n]*|제[ \t]*\d+[ \t]*[관장절편](?:[ \t]+[^\n]*)?|(?:Part|PART|Chapter|CHAPTER)[ \t]+\w+[^\n]*)$",
    re.MULTILINE,
)
PARAGRAPH_RE = re.compile(rf"^[ \t]*(?:\*\*)?(?:[{_CIRCLED}]|\(\d+\)|\d+\.[ \t])", re.MULTILINE)
SENTENCE_END_RE = re.compile(r"(?:다\.|요\.|[.!?。])(?=\s)|\n\s*\n")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    clause: str


def _clean_title(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("**", "").strip().lstrip("#").strip())[:120]


def _sections(text: str) -> list[Span]:
    """Spans between article boundaries; a heading before an article is kept with that article."""
    marks: list[tuple[int, str, bool]] = []  # (pos, title, is_article)
    for m in ARTICLE_RE.finditer(text):
        marks.append((m.start(), _clean_title(m.group("title")), True))
    for m in HEADING_RE.finditer(text):
        if not ARTICLE_RE.match(m.group(0)):
            marks.append((m.start(), _clean_title(m.group(0)), False))
    marks.sort()
    spans: list[Span] = []
    pos, title = 0, ""
    pending_heading: int | None = None
    for start, t, is_article in marks:
        if not is_article:
            if pending_heading is None:
                pending_heading = start
            continue
        cut = pending_heading if pending_heading is not None else start
        if cut > pos and text[pos:cut].strip():
            spans.append(Span(pos, cut, title))
        pos, title, pending_heading = cut, t, None
    if pending_heading is not None and text[pos:pending_heading].strip():
        # trailing headings with no article after them (e.g. 부칙) start their own section
        spans.append(Span(pos, pending_heading, title))
        pos = pending_heading
        m = HEADING_RE.match(text, pending_heading)
        title = _clean_title(m.group(0)) if m else title
    if text[pos:].strip():
        spans.append(Span(pos, len(text), title))
    return spans


def _cut_points(text: str, start: int, end: int) -> list[int]:
    """Preferred split positions inside [start, end): paragraph marks, then sentence ends/blank lines."""
    seg = text[start:end]
    pts = {start + m.start() for m in PARAGRAPH_RE.finditer(seg) if m.start() > 0}
    pts |= {start + m.end() for m in SENTENCE_END_RE.finditer(seg)}
    return sorted(p for p in pts if start < p < end)


def _split_long(text: str, span: Span, max_chars: int, overlap: int) -> list[Span]:
    out: list[Span] = []
    cuts = _cut_points(text, span.start, span.end)
    s = span.start
    while span.end - s > max_chars:
        limit = s + max_chars
        cands = [c for c in cuts if s + max_chars // 3 <= c <= limit]
        e = cands[-1] if cands else limit
        out.append(Span(s, e, span.clause))
        nxt = max(e - overlap, s + 1)
        if overlap:
            # start the overlap at a sentence/paragraph/whitespace boundary, never mid-word
            back = [c for c in cuts if e - overlap <= c < e]
            if back:
                nxt = back[0]
            else:
                ws = text.rfind(" ", e - overlap, e)
                nxt = ws + 1 if ws > s else e
        s = nxt
    out.append(Span(s, span.end, span.clause))
    return out


def _trim(text: str, span: Span) -> Span | None:
    s, e = span.start, span.end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return Span(s, e, span.clause) if e > s else None


def chunk_text(text: str, max_chars: int = 1200, overlap_chars: int = 120, min_chars: int = 40) -> list[Span]:
    """Split a document into clause-aligned spans of at most ``max_chars`` characters."""
    if overlap_chars >= max_chars:
        raise ValueError("overlap_chars must be smaller than max_chars")
    spans: list[Span] = []
    for sec in _sections(text):
        for piece in _split_long(text, sec, max_chars, overlap_chars):
            t = _trim(text, piece)
            if t is not None:
                spans.append(t)
    # merge a tiny leftover into its neighbour from the same clause (never across articles)
    merged: list[Span] = []
    for sp in spans:
        prev = merged[-1] if merged else None
        if (prev is not None and (sp.end - sp.start < min_chars or prev.end - prev.start < min_chars)
                and prev.clause == sp.clause and sp.end - prev.start <= max_chars):
            merged[-1] = Span(prev.start, max(prev.end, sp.end), prev.clause)
        else:
            merged.append(sp)
    return merged
