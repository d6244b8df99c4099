"""QnA generation logic, engine-agnostic: questions per chunk, grounded answers, verified unanswerables.

Every step goes through ``CallLog`` (logged, resumable) in whole batches. Invalid or empty output is
retried up to ``generate.max_retries`` times with a fresh seed (and at least ``retry_temperature``, since
a greedy retry would repeat itself), then rejected with the reason.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from onprem_sft.artifacts import sha256_text
from onprem_sft.generate.distractors import DistractorIndex, pick_unanswerable, strategy_for
from onprem_sft.generate.parsing import (
    ParseFailure,
    answer_in_context,
    parse_answer,
    parse_questions,
    parse_span_question,
    parse_verify,
)
from onprem_sft.generate.prompts import (
    VERIFY_SCHEMA,
    GeneratePrompts,
    answer_schema,
    context_text,
    question_schema,
    span_question_schema,
)
from onprem_sft.generate.span_check import asks_for, fronted_template, noisy, template_question
from onprem_sft.generate.spans import Span, candidate_spans, pick_spans
from onprem_sft.llm.calls import CallLog
from onprem_sft.llm.engine import LLMRequest, LLMResponse, Sampling
from onprem_sft.records import QAPair, Question, RedactedChunk, stable_id

log = logging.getLogger("onprem_sft.generate")

STRATEGY_CHOICES = ("auto", "answer_first", "question_first")

T = TypeVar("T")
R = TypeVar("R")


def resolve_strategy(g: Any) -> str:
    """generate.strategy with auto resolved: answer_first for extractive labels, else question_first."""
    st = str(getattr(g, "strategy", "auto") or "auto")
    if st == "auto":
        return "answer_first" if str(g.answer_style) == "extractive" else "question_first"
    return st


def seed_for(base: int, key: str, attempt: int) -> int:
    """Per-request seed: deterministic, independent of batch composition, new on every retry."""
    return int(sha256_text(f"{base}:{key}:{attempt}")[:8], 16) & 0x7FFFFFFF


@dataclass
class StepStats:
    retries: int = 0
    rejects: int = 0


@dataclass
class GenerateOutput:
    questions: list[Question] = field(default_factory=list)
    pairs: list[QAPair] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    steps: dict[str, StepStats] = field(default_factory=dict)
    answers_not_in_context: int = 0
    span_kinds: dict[str, int] = field(default_factory=dict)    # answer-first: spans asked, by kind
    # answer-first, English: whose question went into the pair (generate.span_check)
    question_sources: dict[str, int] = field(default_factory=dict)

    @property
    def retries(self) -> int:
        return sum(s.retries for s in self.steps.values())


class QAGenerator:
    def __init__(self, calls: CallLog, prompts: GeneratePrompts, gcfg: Any, *, lang: str = "", seed: int = 0,
                 top_p: float = 1.0, span_nlp: Any = None):
        self.calls = calls
        self.prompts = prompts
        self.g = gcfg
        self.lang = lang
        self.seed = seed
        self.top_p = top_p
        self.examples = prompts.example_questions()
        self.span_nlp = span_nlp
        self._sources: dict[str, str] = {}       # answer-first question id -> "model" | "template"
        self.out = GenerateOutput()

    # -- generic retry loop ---------------------------------------------------------------------------
    def _sampling(self, temperature: float, max_tokens: int, key: str, attempt: int) -> Sampling:
        t = temperature if attempt == 0 else max(temperature, float(self.g.retry_temperature))
        return Sampling(temperature=t, top_p=self.top_p if t > 0 else 1.0, max_tokens=max_tokens,
                        seed=seed_for(self.seed, key, attempt))

    def _with_retries(self, step: str, items: Sequence[T], make: Callable[[T, int], LLMRequest],
                      parse: Callable[[T, LLMResponse], R], *, retry: bool = True
                      ) -> tuple[dict[int, tuple[R, list[str]]], dict[int, tuple[str, list[str]]]]:
        """Run ``make``/``parse`` over items until each parses or the budget is spent.
        Returns (index -> (result, request ids), index -> (last failure reason, request ids))."""
        stats = self.out.steps.setdefault(step, StepStats())
        done: dict[int, tuple[R, list[str]]] = {}
        failed: dict[int, tuple[str, list[str]]] = {}
        tried: dict[int, list[str]] = {i: [] for i in range(len(items))}
        pending = list(range(len(items)))
        budget = int(self.g.max_retries) if retry else 0
        for attempt in range(budget + 1):
            if not pending:
                break
            if attempt:
                stats.retries += len(pending)
            reqs, idx = [], []
            for i in pending:
                r = make(items[i], attempt)
                if not self.calls.engine.fits(r):
                    failed[i] = ("prompt + max_tokens exceed llm.max_model_len; raise it or use smaller "
                                 "chunks (corpus.chunk.max_chars)", tried[i])
                    continue
                reqs.append(r)
                idx.append(i)
            suffix = f" (retry {attempt})" if attempt else ""
            resps = self.calls.generate(reqs, desc=f"{step}{suffix}")
            pending = []
            for i, r, resp in zip(idx, reqs, resps):
                tried[i].append(r.id)
                try:
                    done[i] = (parse(items[i], resp), tried[i])
                    failed.pop(i, None)
                except ParseFailure as e:
                    failed[i] = (f"{e.reason} after {attempt + 1} attempt(s)", tried[i])
                    pending.append(i)
        stats.rejects += len(failed)
        return done, failed

    # -- step 1: questions ----------------------------------------------------------------------------
    def assigned_types(self, chunk_no: int) -> list[str]:
        qt, n = list(self.g.qtypes), int(self.g.questions_per_chunk)
        return [qt[(chunk_no * n + j) % len(qt)] for j in range(n)]

    def questions(self, chunks: Sequence[RedactedChunk]) -> list[Question]:
        types = {c.id: self.assigned_types(k) for k, c in enumerate(chunks)}
        schema = question_schema(int(self.g.questions_per_chunk), list(self.g.qtypes),
                                 int(self.g.max_question_chars))
        seen: set[str] = set()

        def make(c: RedactedChunk, attempt: int) -> LLMRequest:
            return LLMRequest(id=f"gq-{c.id}-a{attempt}", purpose="question",
                              messages=self.prompts.question_messages(context_text(c), types[c.id]), sources=(c,),
                              sampling=self._sampling(float(self.g.temperature), int(self.g.max_question_tokens),
                                                      c.id, attempt), json_schema=schema)

        def parse(c: RedactedChunk, resp: LLMResponse) -> list[Any]:
            return parse_questions(resp.text, resp.finish_reason, assigned=types[c.id],
                                   min_chars=int(self.g.min_question_chars), examples=self.examples, seen=seen)

        done, failed = self._with_retries("question", chunks, make, parse)
        out: list[Question] = []
        for i, c in enumerate(chunks):
            if i in done:
                parsed, rids = done[i]
                for j, pq in enumerate(parsed):
                    seen.add(" ".join(pq.text.lower().split()))
                    out.append(Question(id=stable_id("q", c.id, j, pq.text), parent_id=c.id, doc_id=c.doc_id,
                                        chunk_id=c.id, question=pq.text, qtype=pq.qtype, lang=c.lang or self.lang,
                                        request_id=rids[-1]))
            else:
                reason, rids = failed[i]
                self._reject(c.id, c.parent_id, "question", f"question generation: {reason}", rids)
        self.out.questions.extend(out)
        return out

    # -- step 1 (answer-first): spans from the context, one question per span ---------------------------
    def span_questions(self, chunks: Sequence[RedactedChunk]) -> tuple[list[Question], dict[str, Span]]:
        """Returns the questions and, per question id, the span that is its label."""
        items: list[tuple[RedactedChunk, int, Span]] = []
        for c in chunks:
            ctx = context_text(c)
            spans = pick_spans(candidate_spans(ctx, c.lang or self.lang, clause=c.clause, nlp=self.span_nlp),
                               int(self.g.questions_per_chunk))
            if not spans:
                self._reject(c.id, c.parent_id, "question", "answer-first: no candidate answer span in the chunk", [])
                self.out.steps.setdefault("question", StepStats()).rejects += 1
            items += [(c, j, sp) for j, sp in enumerate(spans)]
        for _, _, sp in items:
            self.out.span_kinds[sp.kind] = self.out.span_kinds.get(sp.kind, 0) + 1
        schema = span_question_schema(int(self.g.max_question_chars))
        seen: set[str] = set()

        def make(it: tuple[RedactedChunk, int, Span], attempt: int) -> LLMRequest:
            c, j, sp = it
            return LLMRequest(id=f"gs-{c.id}-{j}-a{attempt}", purpose="question",
                              messages=self.prompts.span_question_messages(context_text(c), sp.text), sources=(c,),
                              sampling=self._sampling(float(self.g.temperature), int(self.g.max_question_tokens),
                                                      f"{c.id}-{j}", attempt), json_schema=schema)

        def parse(it: tuple[RedactedChunk, int, Span], resp: LLMResponse) -> Any:
            return parse_span_question(resp.text, resp.finish_reason, qtype=it[2].qtype,
                                       min_chars=int(self.g.min_question_chars), examples=self.examples, seen=seen)

        done, failed = self._with_retries("question", items, make, parse)
        out: list[Question] = []
        labels: dict[str, Span] = {}
        dropped = 0
        for i, (c, j, sp) in enumerate(items):
            text, rids, source = self._span_question(c, sp, done.get(i), failed.get(i))
            if text is None:
                dropped += 1
                continue
            seen.add(" ".join(text.lower().split()))
            self.out.question_sources[source] = self.out.question_sources.get(source, 0) + 1
            q = Question(id=stable_id("q", c.id, j, text), parent_id=c.id, doc_id=c.doc_id, chunk_id=c.id,
                         question=text, qtype=sp.qtype, lang=c.lang or self.lang, request_id=rids[-1] if rids else "")
            out.append(q)
            labels[q.id] = sp
            self._sources[q.id] = source
        self.out.steps["question"].rejects += dropped - len(failed)   # failed ones a template rescued are kept
        self.out.questions.extend(out)
        return out, labels

    def _span_question(self, c: RedactedChunk, sp: Span, done: Any, failed: Any
                       ) -> tuple[str | None, list[str], str]:
        """The model's question when it asks for its span; else (``generate.span_check``) the template
        question of the span's sentence, or a reject. Korean questions are taken as the model wrote them."""
        check = str(getattr(self.g, "span_check", "off") or "off")
        lang = c.lang or self.lang
        ctx = context_text(c)
        english = check != "off" and not lang.startswith("ko")
        if done is not None:
            pq, rids = done
            if not english or asks_for(pq.text, sp.text, sp.kind, ctx, sp.start):
                return pq.text, rids, "model"
            why = "span question: the model's question does not ask for its span (wh-word or sentence)"
        else:
            why, rids = failed
            why = f"span question: {why}"
        if english and check == "template":
            noise = float(getattr(self.g, "template_noise", 0.0) or 0.0)
            if str(getattr(self.g, "template_form", "cloze")) == "fronted":
                t = fronted_template(self.span_nlp, ctx, sp.text, sp.kind, sp.start)
                if t is not None:
                    return noisy(t, noise, f"{c.id}:{sp.start}"), rids, "fronted"
            t = template_question(ctx, sp.text, sp.kind, sp.start)
            if t is not None:
                return noisy(t, noise, f"{c.id}:{sp.start}"), rids, "template"
            why += "; no template question (too little around the span)"
        self._reject(c.id, c.parent_id, "question", why, rids)
        return None, rids, ""

    def span_pairs(self, questions: Sequence[Question], labels: dict[str, Span],
                   chunks: dict[str, RedactedChunk]) -> list[QAPair]:
        """Answerable pairs whose label is the span itself: grounded by construction, no answer step."""
        pairs = []
        for q in questions:
            c, sp = chunks[q.chunk_id], labels[q.id]
            pairs.append(QAPair(
                id=stable_id("qa", q.id, c.id), parent_id=q.id, doc_id=q.doc_id, chunk_id=q.chunk_id,
                context_chunk_id=c.id, question=q.question, context=context_text(c), answer=sp.text,
                qtype=q.qtype, lang=q.lang, answerable=True,
                verification={"method": "answer_first", "span_kind": sp.kind,
                              "question_source": self._sources.get(q.id, "model")},
                request_ids=[q.request_id] if q.request_id else []))
        self.out.pairs.extend(pairs)
        return pairs

    # -- step 2: grounded answers ---------------------------------------------------------------------
    def answers(self, questions: Sequence[Question], chunks: dict[str, RedactedChunk]) -> list[QAPair]:
        schema = answer_schema(int(self.g.max_answer_chars))
        style = str(self.g.answer_style)

        def make(q: Question, attempt: int) -> LLMRequest:
            c = chunks[q.chunk_id]
            return LLMRequest(id=f"ga-{q.id}-a{attempt}", purpose="answer",
                              messages=self.prompts.answer_messages(context_text(c), q.question, style),
                              sources=(c, q), json_schema=schema,
                              sampling=self._sampling(float(self.g.answer_temperature),
                                                      int(self.g.max_answer_tokens), q.id, attempt))

        def parse(q: Question, resp: LLMResponse) -> tuple[bool, str]:
            return parse_answer(resp.text, resp.finish_reason)

        done, failed = self._with_retries("answer", questions, make, parse)
        pairs: list[QAPair] = []
        for i, q in enumerate(questions):
            if i not in done:
                reason, rids = failed[i]
                self._reject(q.id, q.parent_id, "answer", f"answer: {reason}", [q.request_id, *rids])
                continue
            (found, answer), rids = done[i]
            c = chunks[q.chunk_id]
            ctx = context_text(c)
            if not found and self.g.unfound != "refusal":
                self._reject(q.id, q.parent_id, "answer", "answer: the model found no answer in the question's "
                             "own chunk (generate.unfound=reject)", [q.request_id, *rids])
                self.out.steps["answer"].rejects += 1
                continue
            if found and style == "extractive" and not answer_in_context(answer, ctx):
                self.out.answers_not_in_context += 1
            pairs.append(QAPair(
                id=stable_id("qa", q.id, c.id), parent_id=q.id, doc_id=q.doc_id, chunk_id=q.chunk_id,
                context_chunk_id=c.id, question=q.question, context=ctx,
                answer=answer if found else self.prompts.refusal, qtype=q.qtype, lang=q.lang, answerable=found,
                verification=None if found else {"method": "answer_step", "found": False},
                request_ids=[q.request_id, *rids]))
        self.out.pairs.extend(pairs)
        return pairs

    # -- step 3: unanswerable pairs with verified hard distractors ------------------------------------
    def unanswerables(self, questions: Sequence[Question], index: DistractorIndex,
                      labels: Mapping[str, Span] | None = None) -> tuple[list[QAPair], list[Question]]:
        """Returns (pairs, questions with no distractor candidate at all: answer them normally). ``labels``
        (answer-first) keeps chunks that contain a question's answer out of its candidates."""
        labels = labels or {}
        rng = random.Random(self.seed)
        tries = max(1, int(self.g.distractor_tries))
        strategy = {q.id: strategy_for(str(self.g.distractor), i) for i, q in enumerate(questions)}
        cands = {q.id: index.candidates(q.question, q.chunk_id, strategy=strategy[q.id], k=tries, rng=rng,
                                        answer=labels[q.id].text if q.id in labels else None)
                 for q in questions}
        no_cand = [q for q in questions if not cands[q.id]]
        pending = [q for q in questions if cands[q.id]]
        pairs: list[QAPair] = []
        history: dict[str, list[dict[str, Any]]] = {q.id: [] for q in pending}
        for t in range(tries):
            todo = [q for q in pending if t < len(cands[q.id])]
            if not todo:
                break
            if not self.g.verify_unanswerable:
                done = {i: (False, []) for i in range(len(todo))}
                failed: dict[int, tuple[str, list[str]]] = {}
            else:
                def make(q: Question, attempt: int, t: int = t) -> LLMRequest:
                    d = cands[q.id][t].chunk
                    return LLMRequest(id=f"gv-{q.id}-{d.id}-a{attempt}", purpose="verify_unanswerable",
                                      messages=self.prompts.verify_messages(context_text(d), q.question),
                                      sources=(d, q), json_schema=VERIFY_SCHEMA,
                                      sampling=self._sampling(0.0, int(self.g.max_verify_tokens),
                                                              f"{q.id}-{d.id}", attempt))

                done, failed = self._with_retries("verify", todo, make,
                                                  lambda q, resp: parse_verify(resp.text, resp.finish_reason))
                self.out.steps["verify"].rejects -= len(failed)    # counted once per question below
            pending = []
            for i, q in enumerate(todo):
                cand = cands[q.id][t]
                if i in failed:
                    history[q.id].append({"chunk_id": cand.chunk.id, "outcome": "invalid", "request_ids": failed[i][1]})
                    pending.append(q)
                    continue
                contains, rids = done[i]
                history[q.id].append({"chunk_id": cand.chunk.id, "contains_answer": contains, "request_ids": rids})
                if contains:
                    pending.append(q)
                    continue
                d = cand.chunk
                verification = {
                    "method": "llm" if self.g.verify_unanswerable else "none", "contains_answer": False,
                    "answer_excluded": q.id in labels,
                    "strategy": strategy[q.id], "same_document": cand.same_document,
                    "similarity": round(cand.similarity, 4), "candidates_tried": t + 1, "history": history[q.id],
                    **({"question_source": self._sources[q.id]} if q.id in self._sources else {})}
                pairs.append(QAPair(
                    id=stable_id("qa", q.id, d.id), parent_id=q.id, doc_id=q.doc_id, chunk_id=q.chunk_id,
                    context_chunk_id=d.id, question=q.question, context=context_text(d),
                    answer=self.prompts.refusal, qtype=q.qtype, lang=q.lang, answerable=False,
                    verification=verification, request_ids=[q.request_id, *rids]))
        for q in pending:
            self._reject(q.id, q.parent_id, "unanswerable",
                         f"unanswerable: no verified distractor among {len(history[q.id])} candidate(s) "
                         f"(each contained the answer or gave invalid output)",
                         [q.request_id, *(r for h in history[q.id] for r in h["request_ids"])])
            self.out.steps.setdefault("verify", StepStats()).rejects += 1
        self.out.pairs.extend(pairs)
        return pairs, no_cand

    # -- whole step sequence --------------------------------------------------------------------------
    def run(self, chunks: Sequence[RedactedChunk], all_chunks: Sequence[RedactedChunk] | None = None
            ) -> GenerateOutput:
        pool = list(all_chunks) if all_chunks is not None else list(chunks)
        by_id = {c.id: c for c in pool}
        by_id.update({c.id: c for c in chunks})
        answer_first = resolve_strategy(self.g) == "answer_first"
        labels: dict[str, Span] = {}
        if answer_first:
            qs, labels = self.span_questions(chunks)
        else:
            qs = self.questions(chunks)
        un_idx = pick_unanswerable(len(qs), float(self.g.unanswerable_ratio), random.Random(self.seed))
        un_qs = [q for i, q in enumerate(qs) if i in un_idx]
        # twin: a question paired with a distractor is also answered from its own chunk, so refusal and answer
        # rows share their questions and only the context tells them apart (no question-form shortcut)
        twin = str(getattr(self.g, "distractor_pairing", "split")) == "twin"
        to_answer = list(qs) if twin else [q for i, q in enumerate(qs) if i not in un_idx]
        if un_qs:
            _, no_cand = self.unanswerables(un_qs, DistractorIndex(list(by_id.values()),
                                                                   max_overlap=float(self.g.max_overlap)), labels)
            if no_cand:
                log.info("%d question(s) had no distractor chunk (a single chunk, or the answer in every other "
                         "chunk): answered instead",
                         len(no_cand))
                to_answer += [] if twin else no_cand
        if answer_first:
            self.span_pairs(to_answer, labels, by_id)
        else:
            self.answers(to_answer, by_id)
        self.out.pairs.sort(key=lambda p: (p.chunk_id, p.parent_id or "", p.id))
        return self.out

    def _reject(self, rid: str, parent: str | None, step: str, reason: str, request_ids: Sequence[str]) -> None:
        self.out.rejects.append({"id": rid, "parent_id": parent, "step": step, "reason": reason,
                                 "request_ids": [r for r in request_ids if r]})
