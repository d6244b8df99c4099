#!/usr/bin/env bash
# Train-stage time of demo_en: in-process HF Trainer vs the DeepSpeed launcher (ZeRO-2, 1 and 2 ranks),
# on the same dataset, one after another on the same machine.
#   scripts/bench_train_launcher.sh RUN_WITH_DATASET OUT_DIR [STEPS]
# RUN_WITH_DATASET: a run dir whose stages up to dataset are complete (e.g. runs/demo_en after
# `make run`, or `onprem-sft experiment=demo_en 'stages=[ingest,redact,generate,curate,dataset]'`).
set -euo pipefail
SRC=${1:?run dir with a complete dataset stage}; OUT=${2:?output dir}; STEPS=${3:-20}
PY=${PY:-.venv/bin/python}
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 VLLM_NO_USAGE_STATS=1 DO_NOT_TRACK=1
mkdir -p "$OUT"
run() {
  local name=$1; shift
  rm -rf "${OUT:?}/$name"
  "$PY" -m onprem_sft.cli experiment=demo_en "run.dir=$OUT/$name" "run.reuse_from=$SRC" 'stages=[train]' \
    run.progress=false "train.max_steps=$STEPS" security.verify_after_run=false "$@" > "$OUT/$name.log" 2>&1
  "$PY" - "$OUT/$name/train/manifest.json" "$name" <<'PYEOF'
import json, sys
m = json.load(open(sys.argv[1])); e = m["extra"]
print(f"{sys.argv[2]}: stage {e['seconds']:.0f} s, trainer.train {e['train_seconds']:.0f} s, "
      f"{m['counts']['steps']} steps, loss {e['train_loss']:.4f}, {e.get('engine')}")
PYEOF
  echo "  load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
}
run ds1 deepspeed=zero2 train.launcher=deepspeed train.nproc=1
run inproc deepspeed=none train.launcher=inprocess train.nproc=1
run ds2 deepspeed=zero2 train.launcher=deepspeed train.nproc=2 train.per_device_batch_size=2
