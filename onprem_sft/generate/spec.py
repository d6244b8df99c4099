"""What the ``generate`` stage writes (see ``onprem_sft.layout``)."""

from onprem_sft.artifacts import RECORDS, REJECTS
from onprem_sft.layout import Output, StageSpec, Zone
from onprem_sft.llm.calls import CALLS

QUESTIONS = "questions.jsonl"

STAGE = StageSpec(
    name="generate", inputs=("redact",), config_keys=("llm", "prompts", "generate", "questions"),
    run="onprem_sft.generate.stage:run", about="answer-first spans -> questions (or questions -> answers), unanswerable pairs (LLM)",
    outputs=(
        Output(CALLS, "llm_call", Zone.REDACTED, records=True, about="every LLM request and response"),
        Output(QUESTIONS, "question", Zone.REDACTED, records=True, scan=True),
        Output(RECORDS, "qa_pair", Zone.REDACTED, records=True, scan=True, about="QnA pairs"),
        Output(REJECTS, "reject", Zone.REDACTED, report=True),
    ))
