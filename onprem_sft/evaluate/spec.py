"""What the ``evaluate`` stage writes (see ``onprem_sft.layout``)."""

from onprem_sft.artifacts import RECORDS, REJECTS
from onprem_sft.layout import Output, StageSpec, Zone
from onprem_sft.llm.calls import CALLS

METRICS = "metrics.json"

STAGE = StageSpec(
    name="evaluate", inputs=("dataset", "train"), config_keys=("evaluate", "llm", "prompts"),
    run="onprem_sft.evaluate.stage:run", about="base vs base+LoRA answers, EM/F1, refusal, judge (LLM)",
    outputs=(
        Output(CALLS, "llm_call", Zone.REDACTED, records=True, about="every answer and judge request"),
        Output(RECORDS, "eval_result", Zone.REDACTED, records=True, scan=True, report=True),
        Output(METRICS, "metrics", Zone.REDACTED, report=True, about="aggregates and a few examples"),
        Output(REJECTS, "reject", Zone.REDACTED, report=True),
    ))
