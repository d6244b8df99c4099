"""What the ``train`` stage writes (see ``onprem_sft.layout``)."""

from onprem_sft.artifacts import REJECTS
from onprem_sft.layout import Output, StageSpec, Zone

ADAPTER = "adapter"
MERGED = "merged"
CHECKPOINTS = "checkpoints"
LOG = "train_log.jsonl"
RESULT = "train_result.json"
SPEC = "train_spec.json"
LAUNCHER_LOG = "launcher.log"

STAGE = StageSpec(
    name="train", inputs=("dataset",), config_keys=("model", "lora", "deepspeed", "train"),
    run="onprem_sft.train.stage:run", about="PEFT LoRA, HF Trainer, DeepSpeed",
    outputs=(
        Output(ADAPTER + "/", "adapter", Zone.DERIVED, tree=True, about="LoRA adapter"),
        Output(MERGED + "/", "merged", Zone.DERIVED, tree=True, about="merged model (train.merge)"),
        Output(CHECKPOINTS + "/", "checkpoints", Zone.DERIVED),
        Output(LOG, "train_log", Zone.DERIVED, report=True, about="loss per step"),
        Output(RESULT, "train_result", Zone.DERIVED, report=True),
        Output(SPEC, "train_spec", Zone.DERIVED),
        Output(LAUNCHER_LOG, "launcher_log", Zone.DERIVED),
        Output(REJECTS, "reject", Zone.DERIVED, report=True),
    ))
