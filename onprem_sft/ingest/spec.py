"""What the ``ingest`` stage writes (see ``onprem_sft.layout``): raw text, read only by ``redact``."""

from onprem_sft.artifacts import RECORDS, REJECTS
from onprem_sft.layout import Output, StageSpec, Zone

DOCUMENTS = "documents.jsonl"
COLLECTED = "collected_questions.jsonl"   # collected customer questions (questions.path), raw

STAGE = StageSpec(
    name="ingest", inputs=(), config_keys=("corpus", "questions"), run="onprem_sft.ingest.stage:run",
    fingerprint="onprem_sft.ingest.stage:corpus_fingerprint",
    about="corpus files -> documents and chunks",
    outputs=(
        Output(DOCUMENTS, "document", Zone.RAW, records=True, raw_fields=("text", "title"),
               about="documents: raw text"),
        Output(RECORDS, "chunk", Zone.RAW, records=True, raw_fields=("text", "clause"), about="chunks: raw text"),
        Output(COLLECTED, "collected_question", Zone.RAW, records=True,
               raw_fields=("question", "answer", "hint", "ext_id"), about="collected questions: raw text"),
        Output(REJECTS, "reject", Zone.RAW, about="unreadable files (their names may be personal)"),
    ))
