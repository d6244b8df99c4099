"""Typed records passed between stages.

Every record is a frozen dataclass with ``id`` and ``parent_id`` so any training row traces back to the
chunk (and document) it came from. Records serialise to one JSON object per line; ``kind`` is written so
a JSONL file can be checked against the record type it should hold.

Raw-zone records (``Document``, ``Chunk``) hold unredacted text and must never be handed to an LLM: the
LLM layer accepts only ``RedactedChunk`` (see ``onprem_sft.llm.engine``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self, TypeVar

SCHEMA_VERSION = 1

T = TypeVar("T", bound="Record")


ID_SHAPE = re.compile(r"\b[a-z]{1,8}-[0-9a-f]{16}\b")   # what stable_id writes; hex runs can look like phones


def stable_id(prefix: str, *parts: object) -> str:
    """Deterministic id from content, so reruns give the same ids (resume, dedup, lineage)."""
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]
    return f"{prefix}-{h}"


class RecordError(ValueError):
    """A JSONL line that does not match the record type it should hold."""


@dataclass(frozen=True)
class Record:
    id: str
    parent_id: str | None

    kind: ClassVar[str] = "record"

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["kind"] = self.kind
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Self:
        d = dict(d)
        got = d.pop("kind", cls.kind)
        if got != cls.kind:
            raise RecordError(f"expected a {cls.kind!r} record, got kind={got!r} (id={d.get('id')!r})")
        names = {f.name for f in dataclasses.fields(cls)}
        missing = [f.name for f in dataclasses.fields(cls)
                   if f.name not in d and f.default is dataclasses.MISSING
                   and f.default_factory is dataclasses.MISSING]  # type: ignore[misc]
        if missing:
            raise RecordError(f"{cls.kind} record id={d.get('id')!r} lacks field(s) {missing}")
        unknown = sorted(set(d) - names)
        if unknown:
            raise RecordError(f"{cls.kind} record id={d.get('id')!r} has unknown field(s) {unknown}")
        return cls(**d)


@dataclass(frozen=True)
class Document(Record):
    """One ingested source file (raw zone)."""

    path: str = ""            # path relative to the corpus root
    sha256: str = ""          # of the raw file bytes
    format: str = ""          # txt | md | pdf | docx
    encoding: str = ""        # detected text encoding ("" for pdf/docx)
    lang: str = ""            # ko | en
    title: str = ""
    text: str = ""            # NFC-normalised full text

    kind: ClassVar[str] = "document"


@dataclass(frozen=True)
class Chunk(Record):
    """A clause-aware slice of a document (raw zone). ``parent_id`` is the document id."""

    doc_id: str = ""
    index: int = 0
    text: str = ""
    start: int = 0            # char offsets in Document.text
    end: int = 0
    clause: str = ""          # e.g. "제3조(보험금의 지급사유)" or a markdown heading
    lang: str = ""

    kind: ClassVar[str] = "chunk"


@dataclass(frozen=True)
class RedactedChunk(Record):
    """A chunk after redaction: the only text that may reach an LLM. ``parent_id`` is the chunk id."""

    doc_id: str = ""
    index: int = 0
    text: str = ""            # redacted text with typed placeholders (<PERSON_1>, <KR_RRN_1>, ...)
    clause: str = ""          # redacted clause title
    lang: str = ""
    raw_sha256: str = ""      # sha256 of the raw chunk text (lineage without keeping raw text)
    entity_counts: dict[str, int] = field(default_factory=dict)
    audit_hash: str = ""      # hash of the audit-log record that covers this chunk

    kind: ClassVar[str] = "redacted_chunk"


@dataclass(frozen=True)
class CollectedQuestion(Record):
    """A customer question or QnA record read from ``questions.path`` (raw zone, like Chunk)."""

    source_file: str = ""     # path relative to questions.path
    row: int = 0              # 1-based data row (sheet rows count per file)
    ext_id: str = ""          # the file's own id column, if any (raw: may be a ticket number)
    question: str = ""
    answer: str = ""          # given answer ("" = none)
    hint: str = ""            # document / article hint
    date: str = ""            # ISO 8601 as given ("" = none)
    lang: str = ""

    kind: ClassVar[str] = "collected_question"


@dataclass(frozen=True)
class RedactedQuestion(Record):
    """A collected question after redaction (same redactor, same audit chain as the chunks).
    ``parent_id`` is the CollectedQuestion id."""

    question: str = ""
    answer: str = ""
    hint: str = ""
    date: str = ""
    lang: str = ""
    raw_sha256: str = ""      # sha256 of the raw question text
    entity_counts: dict[str, int] = field(default_factory=dict)
    audit_hash: str = ""      # audit record of the question text

    kind: ClassVar[str] = "redacted_question"


@dataclass(frozen=True)
class Question(Record):
    """A generated question. ``parent_id`` is the redacted chunk it was asked about."""

    doc_id: str = ""
    chunk_id: str = ""        # redacted chunk id
    question: str = ""
    qtype: str = "factual"    # factual | procedural | reasoning
    lang: str = ""
    request_id: str = ""      # LLM call that produced it

    kind: ClassVar[str] = "question"


@dataclass(frozen=True)
class QAPair(Record):
    """Question + context + answer. ``parent_id`` is the question id.

    For unanswerable pairs ``context_chunk_id`` is a distractor chunk and ``answer`` is the refusal
    string; ``verification`` keeps the LLM check that the distractor indeed does not answer.
    """

    doc_id: str = ""
    chunk_id: str = ""        # chunk the question was generated from
    context_chunk_id: str = ""  # chunk shown as context (== chunk_id when answerable)
    question: str = ""
    context: str = ""
    answer: str = ""
    qtype: str = "factual"
    lang: str = ""
    answerable: bool = True
    verification: dict[str, Any] | None = None
    request_ids: list[str] = field(default_factory=list)
    source: str = "generated"   # generated | collected (a customer question from questions.path)
    collected: dict[str, Any] | None = None   # collected only: date, retrieval, answer origin

    kind: ClassVar[str] = "qa_pair"


@dataclass(frozen=True)
class Judgement(Record):
    """LLM-judge verdict on a QAPair. ``parent_id`` is the QAPair id."""

    scores: dict[str, float] = field(default_factory=dict)
    overall: float = 0.0
    rationale: str = ""
    passed: bool = False
    request_id: str = ""

    kind: ClassVar[str] = "judgement"


@dataclass(frozen=True)
class SFTExample(Record):
    """A formatted training row. ``parent_id`` is the QAPair id."""

    doc_id: str = ""
    split: str = "train"      # train | eval
    prompt: str = ""          # template rendered without the answer
    completion: str = ""      # the answer (loss is computed on these tokens only)
    question: str = ""
    context: str = ""
    answerable: bool = True
    qtype: str = "factual"
    lang: str = ""
    judge_score: float | None = None
    source: str = "generated"   # generated | collected

    kind: ClassVar[str] = "sft_example"


@dataclass(frozen=True)
class LLMCall(Record):
    """One request/response pair sent to a local LLM: what the model saw, provably.

    ``parent_id`` is the main record the prompt was built from; ``source_ids`` lists every redacted
    record whose text went into the prompt.
    """

    stage: str = ""
    purpose: str = ""         # question | answer | verify_unanswerable | judge | domain | evaluate
    source_ids: list[str] = field(default_factory=list)
    prompt: str = ""          # the rendered prompt (redacted text only)
    prompt_sha256: str = ""
    response: str = ""
    model: str = ""
    model_checksum: str = ""
    adapter: str | None = None
    sampling: dict[str, Any] = field(default_factory=dict)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = ""

    kind: ClassVar[str] = "llm_call"


RECORD_TYPES: dict[str, type[Record]] = {
    c.kind: c for c in (Document, Chunk, RedactedChunk, Question, QAPair, Judgement, SFTExample, LLMCall,
                        CollectedQuestion, RedactedQuestion)
}


def record_from_dict(d: dict[str, Any]) -> Record:
    kind = d.get("kind")
    if kind not in RECORD_TYPES:
        raise RecordError(f"unknown record kind {kind!r} (id={d.get('id')!r})")
    return RECORD_TYPES[kind].from_dict(d)
