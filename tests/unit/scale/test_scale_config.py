"""The scale-out settings compose and validate (issue 16): run.executor/run.ray, llm=fleet, and the
multi-node helpers (hostfile detection, the env file every node gets, the per-node no-ssh command)."""

from __future__ import annotations

import pytest

from onprem_sft.config import ConfigError, compose, validate
from onprem_sft.scale.redact import redact_batch, shards
from onprem_sft.train import multinode


def test_executor_and_ray_options_compose():
    cfg = compose(["run.executor=ray", "run.ray.address=10.0.0.5:6379", "run.ray.num_workers=8",
                   "security.allow_hosts=[10.0.0.0/24]"])
    validate(cfg)
    assert cfg.run.executor == "ray" and cfg.run.ray.num_workers == 8 and cfg.run.ray.include_dashboard is False
    assert compose([]).run.executor == "local"


@pytest.mark.parametrize("overrides, msg", [
    (["run.executor=spark"], "run.executor: must be local | ray"),
    (["run.ray.num_workers=0"], "run.ray.num_workers: must be >= 1"),
    (["run.ray.address=nowhere"], "run.ray.address"),
    (["run.executor=ray", "redaction.vault=true"], "redaction.vault=true"),
    (["llm=fleet", "llm.fleet.autostart=0"], "llm.fleet: no servers"),
    (["llm=fleet", "llm.fleet.max_attempts=0"], "llm.fleet.max_attempts"),
    (["llm=fleet", "llm.data_parallel_size=0"], "llm.tensor_parallel_size/llm.data_parallel_size"),
    (["llm=fleet", "llm.fleet.servers=[{url:'http://10.9.9.9:8000/v1'}]"], "not in security.allow_hosts"),
    (["llm=fleet", "llm.fleet.servers=[{url:'ftp://127.0.0.1/x'}]"], "not an http(s) URL"),
])
def test_bad_scale_values_fail_at_start(overrides, msg):
    with pytest.raises(ConfigError, match=msg.replace("|", r"\|").replace("(", r"\(").replace(")", r"\)")):
        validate(compose(overrides))


def test_unknown_backend_fails_at_compose():
    with pytest.raises(Exception, match="cloud"):       # a StrEnum: Hydra refuses it while composing
        compose(["llm.backend=cloud"])


def test_fleet_composes_with_servers_and_limits():
    servers = "llm.fleet.servers=[{url:'http://10.1.2.3:8000/v1',max_concurrency:64},{url:'http://127.0.0.1:8001/v1'}]"
    cfg = compose(["llm=fleet", servers, "security.allow_hosts=[10.1.0.0/16]",
                   "llm.tensor_parallel_size=4", "llm.data_parallel_size=2"])
    validate(cfg)
    assert cfg.llm.backend == "fleet" and [s.max_concurrency for s in cfg.llm.fleet.servers] == [64, 0]


def test_shards_keep_documents_whole_and_in_order():
    docs = [(f"d{i}", [(f"c{i}-{k}", "x", "", "en") for k in range(i % 3 + 1)]) for i in range(10)]
    b = shards(docs, 2)
    assert [d for s in b for d in s] == docs and [len(s) for s in b] == [2] * 5   # ~4 shards per worker
    assert [len(s) for s in shards(docs, 2, docs_per_task=1)] == [1] * 10


def test_worker_redaction_matches_the_stage_numbering():
    cfg = compose(["redaction=fast", "redaction.replace=placeholder"]).redaction   # the test reads tag numbers
    from onprem_sft.config import to_container

    docs = [("doc-a", [[("Clause on Margaret Thompson", "en"), ("Call Margaret Thompson at 010-1234-5678.", "en")],
                       [("Margaret Thompson paid 010-1234-5678 again.", "en")],
                       [(None, "en")]])]                     # a corrupt chunk: rejected, PII-free reason
    (res,) = redact_batch(to_container(cfg), docs)
    assert [type(o) for o in res] == [list, list, str]
    assert "<PHONE_NUMBER_1>" in res[0][-1].text and "<PHONE_NUMBER_1>" in res[1][-1].text
    assert "010-1234-5678" not in res[2]


def test_multinode_env_file_and_node_commands(tmp_path):
    hf = tmp_path / "hostfile"
    hf.write_text("localhost slots=1\n127.0.0.1 slots=2\n")
    spec = {"train": {"hostfile": str(hf), "launcher": "deepspeed"}}
    assert multinode.simulated(spec)
    hf2 = tmp_path / "hostfile2"
    hf2.write_text("gpu-node-1 slots=8\ngpu-node-2 slots=8\n")
    assert not multinode.simulated({"train": {"hostfile": str(hf2)}})
    env = multinode.env_for_nodes(spec, {"ONPREM_SFT_EGRESS_GUARD": "1", "HF_HUB_OFFLINE": "1",
                                         "OMP_NUM_THREADS": "4", "SECRET_TOKEN": "x", "PATH": "/bin"}, tmp_path)
    lines = (tmp_path / multinode.ENV_FILE).read_text().splitlines()
    assert lines == ["HF_HUB_OFFLINE=1", "OMP_NUM_THREADS=4", "ONPREM_SFT_EGRESS_GUARD=1"]
    assert env["DS_ENV_FILE"] == str((tmp_path / multinode.ENV_FILE).resolve())
    cmd = multinode.node_command(tmp_path / "spec.json", spec, 1, "127.0.0.1", 29500)
    assert cmd[1:3] == ["-m", "deepspeed.launcher.runner"] and "--no_ssh" in cmd and "--node_rank=1" in cmd
    assert cmd[-3:] == ["--module", "onprem_sft.train.worker", str(tmp_path / "spec.json")]


def test_dataflow_names_fleet_servers_and_ray_workers(tmp_path):
    from onprem_sft.security.dataflow import render

    cfg = compose(["llm=fleet", "llm.fleet.servers=[{url:'http://10.1.2.3:8000/v1'}]", "run.executor=ray",
                   "run.ray.address=10.1.2.4:6379", "security.allow_hosts=[10.1.0.0/16]"])
    doc = render(cfg, tmp_path)
    assert "vLLM server fleet: http://10.1.2.3:8000/v1" in doc
    assert "the Ray cluster at 10.1.2.4:6379" in doc and "10.1.0.0/16" in doc
