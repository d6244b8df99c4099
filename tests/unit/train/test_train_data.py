"""Label masking, counted truncation, packing and collation (pure logic + the real SmolLM2 tokenizer)."""

from __future__ import annotations

import pytest
import torch

from onprem_sft.train.data import (
    IGNORE,
    Collator,
    Encoded,
    Encoder,
    PadTokenError,
    encode_example,
    encode_rows,
    ensure_pad_token,
    pack,
)
from onprem_sft.train.synthetic import make_examples


def test_prompt_tokens_are_masked_and_answer_tokens_are_targets():
    e = encode_example([5, 6, 7], [8, 9, 2], max_length=16)
    assert e.input_ids == [5, 6, 7, 8, 9, 2]
    assert e.labels == [IGNORE, IGNORE, IGNORE, 8, 9, 2]
    assert not e.truncated and e.target_tokens == 3


def test_truncation_cuts_the_answer_tail_and_is_flagged():
    e = encode_example([1, 2, 3], [4, 5, 6, 7], max_length=5)
    assert e.input_ids == [1, 2, 3, 4, 5] and e.labels == [IGNORE] * 3 + [4, 5]
    assert e.truncated and e.completion_tokens == 4


def test_prompt_leaving_no_room_for_the_answer_is_refused():
    assert encode_example([1, 2, 3, 4], [5], max_length=4) is None
    assert encode_example([1, 2], [], max_length=8) is None


@pytest.fixture(scope="module")
def tok(tiny_model_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(tiny_model_dir))


def test_encoder_masks_exactly_the_prompt_and_ends_answers_with_eos(tok):
    enc = Encoder(tok, max_length=256)
    e = enc.encode("[Question]\nWhat is the grace period?\n[Answer]\n", "30 days.")
    n_prompt = sum(1 for lab in e.labels if lab == IGNORE)
    targets = [lab for lab in e.labels if lab != IGNORE]
    assert e.labels[:n_prompt] == [IGNORE] * n_prompt          # mask is a prefix: the prompt
    assert targets[-1] == tok.eos_token_id                        # the model learns to stop
    assert tok.decode(targets[:-1]) == "30 days."
    assert tok.decode(e.input_ids[:n_prompt]).endswith("[Answer]\n")


def test_encode_rows_counts_truncated_and_lists_too_long_prompts(tok):
    rows = make_examples(10, eval_every=0, filler=4)
    enc = Encoder(tok, max_length=60)
    kept, st = encode_rows(enc, rows)
    assert st.rows + len(st.prompt_too_long) == 10
    assert st.prompt_too_long, "long filler contexts must exceed 60 tokens"
    assert all(len(e) <= 60 for e in kept)
    assert st.truncated == sum(e.truncated for e in kept)
    assert st.longest_prompt >= 60
    _, st2 = encode_rows(Encoder(tok, max_length=4096), rows)
    assert st2.rows == 10 and st2.truncated == 0 and not st2.prompt_too_long


def test_pad_token_is_supplied_from_eos_or_unk(tiny_model_dir):
    from transformers import AutoTokenizer

    t = AutoTokenizer.from_pretrained(str(tiny_model_dir))
    t.pad_token = None
    assert ensure_pad_token(t) == "eos" and t.pad_token == t.eos_token
    t.pad_token = None
    t.eos_token = None
    assert ensure_pad_token(t) == "unk" and t.pad_token == t.unk_token
    t.pad_token = None
    t.unk_token = None
    with pytest.raises(PadTokenError, match="pad_token"):
        ensure_pad_token(t)


def _ex(n_prompt: int, n_answer: int, start: int) -> Encoded:
    return encode_example(list(range(start, start + n_prompt)),
                          list(range(start + 100, start + 100 + n_answer)), max_length=64)


def test_packing_keeps_every_example_whole_and_restarts_positions():
    exs = [_ex(5, 3, 0), _ex(10, 6, 1000), _ex(2, 2, 2000), _ex(20, 4, 3000), _ex(7, 1, 4000)]
    packed = pack(exs, max_length=30)
    assert all(len(p.input_ids) <= 30 for p in packed)
    assert sum(len(p.input_ids) for p in packed) == sum(len(e) for e in exs)
    assert len(packed) < len(exs)
    targets = sorted(t for p in packed for t in p.labels if t != IGNORE)
    assert targets == sorted(t for e in exs for t in e.labels if t != IGNORE)
    for p in packed:                                   # each block starts at position 0 with a prompt token
        starts = [i for i, pos in enumerate(p.position_ids) if pos == 0]
        assert all(p.labels[i] == IGNORE for i in starts)


def test_collator_pads_with_masked_labels_and_counts_real_tokens():
    col = Collator(pad_id=0, pad_to_multiple_of=8)
    b = col([_ex(3, 2, 10), _ex(5, 4, 20)])
    assert b["input_ids"].shape == (2, 16)
    assert b["attention_mask"].sum().item() == 5 + 9 == b["n_tokens"].item()
    assert (b["labels"][b["attention_mask"] == 0] == IGNORE).all()


def test_packed_batches_attend_only_within_each_example(tiny_model_dir):
    """Two examples packed in one row give the same logits as each alone (block-diagonal attention).

    Only without a KV cache (training sets ``use_cache=False``): with a cache transformers skips the
    packed-sequence detection."""
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir), dtype=torch.float32).eval()
    a, b = _ex(6, 3, 50), _ex(4, 5, 300)
    row = Collator(pad_id=0)(pack([a, b], max_length=64))
    assert "attention_mask" not in row and row["input_ids"].shape[0] == 1
    with torch.no_grad():
        packed = model(input_ids=row["input_ids"], position_ids=row["position_ids"],
                       use_cache=False).logits[0]
        alone = [model(input_ids=torch.tensor([e.input_ids])).logits[0] for e in (a, b)]
    torch.testing.assert_close(packed, torch.cat(alone), atol=1e-5, rtol=1e-5)
