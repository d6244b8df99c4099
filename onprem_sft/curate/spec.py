"""What the ``curate`` stage writes (see ``onprem_sft.layout``)."""

from onprem_sft.artifacts import RECORDS, REJECTS
from onprem_sft.layout import Output, StageSpec, Zone
from onprem_sft.llm.calls import CALLS

JUDGEMENTS = "judgements.jsonl"
JUDGED_PAIRS = "judged_pairs.jsonl"
AGREEMENT = "eyecheck_agreement.json"
QUALIFICATION = "judge_qualification.json"

STAGE = StageSpec(
    name="curate", inputs=("generate",), config_keys=("curate", "prompts", "llm"),
    run="onprem_sft.curate.stage:run",
    about="standardise, noise gates, domain filter, round trip, qualified LLM judge, dedup",
    outputs=(
        Output(JUDGED_PAIRS, "judged_pair", Zone.REDACTED, records=True, scan=True,
               about="the pairs the judge saw (eye-check samples)"),
        Output(RECORDS, "qa_pair", Zone.REDACTED, records=True, scan=True, report=True, about="kept QnA pairs"),
        Output(CALLS, "llm_call", Zone.REDACTED, records=True, about="every judge request and response"),
        Output(JUDGEMENTS, "judgement", Zone.REDACTED, records=True, scan=True, report=True),
        Output(REJECTS, "reject", Zone.REDACTED, report=True),
        Output(QUALIFICATION, "judge_qualification", Zone.DERIVED, report=True,
               about="judge (and round-trip answerer) agreement with the human qualification set"),
        Output("qualify/", "qualify_calls", Zone.REDACTED,
               about="judge-qualification LLM calls (rows of the labelled set, not run records)"),
        Output(AGREEMENT, "eyecheck_agreement", Zone.DERIVED, report=True, added_by="onprem-sft eyecheck import",
               about="judge vs human agreement"),
    ))
