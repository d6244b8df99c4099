"""Clause-aware chunking: never straddles articles, respects the budget, offsets index the text."""

from __future__ import annotations

import re

from onprem_sft.ingest.chunking import chunk_text

DOC = """# 가상보험 약관

## 제1관 목적 및 용어의 정의

제1조(목적) 이 보험계약은 보험계약자와 회사 사이에 피보험자의 질병에 대한 위험을 보장하기 위하여 체결됩니다.

제2조(용어의 정의) 이 계약에서 사용되는 용어의 정의는 다음과 같습니다.
① 계약자: 회사와 계약을 체결하고 보험료를 납입할 의무를 지는 사람
② 피보험자: 보험사고의 대상이 되는 사람
③ 보험수익자: 보험금을 받는 사람

## 제2관 보험금의 지급

제3조(보험금의 지급사유) 회사는 피보험자에게 다음 중 어느 하나의 사유가 발생한 경우에는 보험금을 지급합니다.
""" + "".join(f"{'①②③④⑤⑥⑦⑧'[i]} 보험기간 중 질병으로 입원한 경우 입원일수에 따라 입원급여금을 지급합니다. 단, 제{i + 1}항의 경우는 제외합니다.\n"
              for i in range(8)) + """
제3조의2(보험금 지급의 특칙) 회사는 제3조 제2항에도 불구하고 다음의 경우 보험금을 지급합니다.

제4조(보험금을 지급하지 않는 사유) 회사는 피보험자가 고의로 자신을 해친 경우 보험금을 지급하지 않습니다.
"""

ART = re.compile(r"제\d+조(?:의\d+)?\(")


def test_chunks_never_straddle_articles_and_keep_titles():
    spans = chunk_text(DOC, max_chars=300, overlap_chars=30, min_chars=20)
    clauses = [s.clause for s in spans]
    for t in ("제1조(목적)", "제2조(용어의 정의)", "제3조(보험금의 지급사유)", "제3조의2(보험금 지급의 특칙)",
              "제4조(보험금을 지급하지 않는 사유)"):
        assert t in clauses
    for s in spans:
        body = DOC[s.start:s.end]
        # at most one article header per chunk, and it is the chunk's own clause
        heads = ART.findall(body)
        assert len(heads) <= 1
        if heads:
            assert s.clause.startswith(heads[0][:-1])


def test_budget_offsets_and_overlap():
    spans = chunk_text(DOC, max_chars=300, overlap_chars=30, min_chars=20)
    assert all(s.end - s.start <= 300 for s in spans)
    art3 = [s for s in spans if s.clause == "제3조(보험금의 지급사유)"]
    assert len(art3) >= 2, "long article must be split"
    assert art3[1].start < art3[0].end, "pieces of one article overlap"
    # split at paragraph marks where possible
    assert DOC[art3[1].start] in "①②③④⑤⑥⑦⑧" or DOC[art3[1].start - 1] in ".\n "


def test_headings_merge_forward_not_alone():
    spans = chunk_text(DOC, max_chars=300, overlap_chars=30, min_chars=20)
    first_art = next(s for s in spans if s.clause == "제1조(목적)")
    assert "제1관 목적 및 용어의 정의" in DOC[first_art.start:first_art.end]


def test_english_articles():
    doc = "Article 1 (Purpose)\nThese terms govern the policy.\n\nArticle 2 (Definitions)\n(1) Insured: the person covered.\n"
    spans = chunk_text(doc, max_chars=500, overlap_chars=50, min_chars=5)
    assert [s.clause for s in spans] == ["Article 1 (Purpose)", "Article 2 (Definitions)"]


def test_sample_korean_policy_keeps_clause_boundaries(sample_corpus_dir):
    files = sorted((sample_corpus_dir / "ko").glob("*.md"))
    assert files, "the bundled Korean sample policy is missing"
    text = files[0].read_text(encoding="utf-8")
    spans = chunk_text(text, max_chars=1200, overlap_chars=120, min_chars=40)
    n_articles = len(set(re.findall(r"^\s*(?:#+\s*)?(제\d+조(?:의\d+)?)", text, re.MULTILINE)))
    assert n_articles >= 15
    assert len({s.clause.split("(")[0].strip() for s in spans if s.clause.startswith("제")}) == n_articles
    for s in spans:
        assert len(ART.findall(text[s.start:s.end])) <= 1


def test_nested_parentheses_in_article_title():
    doc = "제10조(개인(신용)정보의 처리) 회사는 다음과 같이 처리합니다.\n\n제11조(준용) 이 약관에 없는 사항은 관계 법령을 따릅니다."
    assert [s.clause for s in chunk_text(doc, 500, 50, 5)] == ["제10조(개인(신용)정보의 처리)", "제11조(준용)"]
