"""What the ``dataset`` stage writes (see ``onprem_sft.layout``)."""

from onprem_sft.artifacts import RECORDS, REJECTS
from onprem_sft.layout import Output, StageSpec, Zone

TRAIN = "train.jsonl"
EVAL = "eval.jsonl"
HF_DIR = "hf/"
CARD = "card.md"

STAGE = StageSpec(
    name="dataset", inputs=("curate",), config_keys=("dataset", "prompts", "model"),
    run="onprem_sft.dataset.stage:run", about="prompt template, split by document",
    outputs=(
        Output(RECORDS, "sft_example", Zone.REDACTED, records=True, scan=True, about="SFT rows"),
        Output(TRAIN, "sft_train", Zone.REDACTED, scan=True),
        Output(EVAL, "sft_eval", Zone.REDACTED, scan=True),
        Output(HF_DIR, "hf_dataset", Zone.REDACTED, about="datasets.load_from_disk copy"),
        Output(CARD, "card", Zone.REDACTED),
        Output(REJECTS, "reject", Zone.REDACTED, report=True),
    ))
