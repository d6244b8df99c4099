"""Curate test helpers: a recorded-response LLM engine (raises on a miss) and small QA tables."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from onprem_sft.llm.engine import LLMEngine, LLMRequest, LLMResponse
from onprem_sft.records import QAPair


class RecordedEngine(LLMEngine):
    """Answers from a table keyed by (purpose, first source id). A value may be a list: one response per
    call, in order (retries). Any request not in the table raises: no silent default verdicts."""

    model_path = "recorded"
    model_checksum = "recorded-0"

    def __init__(self, table: dict[tuple[str, str], str | list[str]]):
        self.table = {k: list(v) if isinstance(v, list) else [v] for k, v in table.items()}
        self.seen: list[LLMRequest] = []
        self.closed = False

    def generate(self, requests: Sequence[LLMRequest], *, desc: str = "generate") -> list[LLMResponse]:
        out = []
        for r in requests:
            key = (r.purpose, r.sources[0].id)
            if key not in self.table or not self.table[key]:
                raise KeyError(f"no recorded response for {key} (request {r.id})")
            text = self.table[key].pop(0) if len(self.table[key]) > 1 else self.table[key][0]
            self.seen.append(r)
            prompt = "\n".join(m["content"] for m in r.messages)
            out.append(LLMResponse(request_id=r.id, text=text, prompt=prompt, prompt_tokens=len(prompt.split()),
                                   completion_tokens=len(text.split()), finish_reason="stop"))
        return out

    def close(self) -> None:
        self.closed = True


def qa(i: int | str, question: str, answer: str, *, doc: str = "d1", context: str = "",
       answerable: bool = True, qtype: str = "factual", lang: str = "en") -> QAPair:
    ctx = context or ("Article 3 (Payment of insurance benefits) The insurer pays the hospitalisation benefit "
                      "to the beneficiary when the insured is hospitalised for an accident within 30 days.")
    return QAPair(id=f"qa-{i}", parent_id=f"q-{i}", doc_id=doc, chunk_id=f"{doc}-c{i}",
                  context_chunk_id=f"{doc}-c{i}", question=question, context=ctx, answer=answer,
                  qtype=qtype, lang=lang, answerable=answerable)


@pytest.fixture
def recorded_engine() -> type[RecordedEngine]:
    return RecordedEngine


@pytest.fixture
def make_pair():  # noqa: ANN201
    return qa
