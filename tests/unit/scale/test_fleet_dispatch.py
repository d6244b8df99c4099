"""llm=fleet dispatch on loopback stand-in servers (tests/unit/scale/fakeserver.py; the real-vLLM version is
tests/integration/test_fleet_vllm.py): order kept, per-server concurrency limits held, a dying server's
requests requeued with nothing lost or duplicated, every server down is a clear error, a request's own
4xx fails the call instead of bouncing between servers."""

from __future__ import annotations

import pytest
from fakeserver import FakeServer, answer

from onprem_sft.artifacts import read_records
from onprem_sft.llm.calls import CALLS, CallLog
from onprem_sft.llm.engine import LLMRequest, Sampling
from onprem_sft.llm.fleet import FleetEngine, FleetError, Member, parallel_args, split_cores
from onprem_sft.llm.server import ServerEngine
from onprem_sft.records import LLMCall, RedactedChunk

RC = RedactedChunk(id="rc-1", parent_id="c-1", doc_id="d-1", text="Article 1. <PERSON_1> is paid 30,000 won.")


def _reqs(n: int) -> list[LLMRequest]:
    return [LLMRequest(id=f"r{i}", purpose="question", sources=(RC,), sampling=Sampling(max_tokens=8),
                       messages=({"role": "user", "content": f"question {i} about: {RC.text}"},))
            for i in range(n)]


def _fleet(model_dir, servers, conc=(2, 2), **kw) -> FleetEngine:
    members = [Member(f"server{k}", ServerEngine(str(model_dir), "sha-x", url=s.url, max_concurrency=c,
                                                 progress=False), c)
               for k, (s, c) in enumerate(zip(servers, conc))]
    return FleetEngine(members, progress=False, health_interval_s=0.2, health_tries=1, **kw)


@pytest.fixture
def servers(tiny_model_dir):
    made: list[FakeServer] = []

    def make(**kw):
        s = FakeServer(str(tiny_model_dir), **kw)
        made.append(s)
        return s
    yield make
    for s in made:
        s.stop()


def test_order_kept_and_per_server_limits_hold(tiny_model_dir, servers):
    a, b = servers(), servers()
    fleet = _fleet(tiny_model_dir, [a, b], conc=(3, 1))
    reqs = _reqs(16)
    out = fleet.generate(reqs)
    assert [o.request_id for o in out] == [r.id for r in reqs]
    assert [o.text for o in out] == [answer(fleet.render(r)) for r in reqs]
    assert a.max_inflight <= 3 and b.max_inflight <= 1
    assert a.completions + b.completions == 16 and a.completions >= b.completions   # timing decides the split; limits must hold


def test_server_dying_mid_run_loses_and_duplicates_nothing(tiny_model_dir, servers, tmp_path):
    a, b = servers(), servers(die_after=3)
    fleet = _fleet(tiny_model_dir, [a, b])
    reqs = _reqs(20)
    with CallLog(tmp_path, "generate", fleet) as calls:
        out = calls.generate(reqs)
    assert [o.text for o in out] == [answer(fleet.render(r)) for r in reqs]
    assert fleet.stats.taken_out == ["server1"] and fleet.stats.requeued >= 1
    # each response counted once, from the server that actually answered it (server1 answered <= 3)
    assert not fleet.members[1].alive and 1 <= len(b.answered) <= 3
    assert fleet.stats.served == {"server0": len(a.answered), "server1": len(b.answered)}
    assert len(a.answered) + len(b.answered) == 20
    logged = [c.id for c in read_records(tmp_path / CALLS, LLMCall)]
    assert sorted(logged) == sorted(r.id for r in reqs)          # each request logged exactly once


def test_every_server_down_is_an_error_naming_them(tiny_model_dir, servers):
    a, b = servers(die_after=1), servers(die_after=1)
    fleet = _fleet(tiny_model_dir, [a, b])
    with pytest.raises(FleetError, match="every fleet server is down"):
        fleet.generate(_reqs(8))


def test_request_error_fails_the_call_without_requeue(tiny_model_dir, servers):
    a, b = servers(), servers()
    fleet = _fleet(tiny_model_dir, [a, b])
    fleet.render = lambda r: "BAD" if r.id == "r2" else r.id          # the server rejects this prompt (400)
    import openai

    with pytest.raises(openai.BadRequestError):
        fleet.generate(_reqs(4))
    assert fleet.stats.requeued == 0 and all(m.alive for m in fleet.members)


def test_members_must_serve_the_same_model(tiny_model_dir, servers, tmp_path):
    a, b = servers(), FakeServer(str(tmp_path / "other-model"))
    try:
        with pytest.raises(FleetError, match="different models"):
            _fleet(tiny_model_dir, [a, b])
    finally:
        b.stop()


def test_parallel_args_and_core_split():
    assert parallel_args(2, 1) == [] and parallel_args(1, 4) == ["--data-parallel-size", "4"]
    assert split_cores([0, 1], 2) == ["0", "1"]
    assert split_cores([0, 1, 2, 3, 4], 2) == ["0-2", "3-4"]
    assert split_cores([0], 2) == ["0", "0"]
    assert split_cores([0, 2, 4, 6], 2) == ["0,2", "4,6"]
