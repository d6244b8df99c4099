"""CPU env defaults, dtype choice, cached model checksum, loopback-only server URLs, early path errors."""

from __future__ import annotations

import os
import shutil

import pytest

from onprem_sft.llm.adapters import AdapterError, adapter_int_id, adapter_name, check_adapter
from onprem_sft.llm.checksum import CACHE_NAME, model_checksum
from onprem_sft.llm.factory import build_engine
from onprem_sft.llm.runtime import cpu_env, resolve_dtype
from onprem_sft.llm.server import ServerError, base_url
from onprem_sft.models.prepare import ModelPathError


def test_cpu_env_sets_only_unset_values():
    env = {"VLLM_CPU_KVCACHE_SPACE": "4"}
    got = cpu_env(1.0, env)
    assert got["VLLM_CPU_KVCACHE_SPACE"] == "4"            # the user's value wins
    assert env["VLLM_CPU_NUM_OF_RESERVED_CPU"] == "0"
    cores = sorted(os.sched_getaffinity(0))
    assert env["VLLM_CPU_OMP_THREADS_BIND"].startswith(str(cores[0]))


def test_dtype_auto_is_float32_on_cpu():
    assert resolve_dtype("auto", cuda=False) == "float32"
    assert resolve_dtype("auto", cuda=True) == "auto"
    assert resolve_dtype("bfloat16", cuda=False) == "bfloat16"


def test_checksum_is_cached_and_follows_changes(tmp_path, tiny_model_dir):
    d = tmp_path / "m"
    shutil.copytree(tiny_model_dir, d)
    (d / CACHE_NAME).unlink(missing_ok=True)
    a = model_checksum(d)
    assert (d / CACHE_NAME).exists()
    assert model_checksum(d) == a
    with open(d / "config.json", "a") as f:
        f.write("\n")
    assert model_checksum(d) != a                       # changed file (size/mtime) is rehashed


def test_checksum_cache_falls_back_to_run_dir_when_model_dir_is_not_writable(tmp_path, tiny_model_dir):
    d = tmp_path / "ro"
    shutil.copytree(tiny_model_dir, d)
    (d / CACHE_NAME).unlink(missing_ok=True)
    (d / CACHE_NAME).mkdir()            # unwritable cache location (works as root too, unlike chmod)
    run = tmp_path / "run"
    a = model_checksum(d, cache_dir=run)
    assert len(list(run.glob(".checksum-*.json"))) == 1
    assert model_checksum(d, cache_dir=run) == a


@pytest.mark.parametrize("url,ok", [
    ("http://127.0.0.1:8000/v1", "http://127.0.0.1:8000"),
    ("http://localhost:9/v1/", "http://localhost:9"),
    ("http://10.0.0.5:8000/v1", None),
    ("https://api.openai.com/v1", None),
])
def test_server_url_must_be_loopback(url, ok):
    if ok:
        assert base_url(url) == ok
    else:
        with pytest.raises(ServerError, match="not on loopback"):
            base_url(url)


def test_missing_model_path_fails_before_any_work(tmp_path):
    with pytest.raises(ModelPathError, match="llm.model=.*does not exist"):
        build_engine({"model": str(tmp_path / "nope"), "backend": "offline"}, tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelPathError, match="no config.json"):
        build_engine({"model": str(tmp_path / "empty"), "backend": "server"}, tmp_path)
    assert not list(tmp_path.glob("*.log"))              # no server was started


def test_adapter_checks(tmp_path):
    (tmp_path / "a").mkdir()
    with pytest.raises(AdapterError, match="adapter_config.json"):
        check_adapter(str(tmp_path / "a"), 16)
    (tmp_path / "a" / "adapter_config.json").write_text('{"r": 32}')
    with pytest.raises(AdapterError, match="max_lora_rank=32"):
        check_adapter(str(tmp_path / "a"), 16)
    assert check_adapter(str(tmp_path / "a"), 32)
    assert adapter_name(str(tmp_path / "a")).startswith("a-") and adapter_int_id(str(tmp_path / "a")) > 0
