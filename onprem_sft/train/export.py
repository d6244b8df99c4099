"""Model identity and export: weights checksum, and merging a LoRA adapter into its base.

The merge runs in the parent process from the saved adapter on disk (not inside the DeepSpeed ranks),
so it is the same code whatever the ZeRO stage was, and it proves the saved adapter reloads.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from onprem_sft.artifacts import sha256_file

WEIGHT_GLOBS = ("*.safetensors", "*.bin", "config.json")


def model_checksum(path: str | Path) -> str:
    """sha256 over the weight files and config.json (names + contents), not tokenizer/readme files."""
    root = Path(path)
    h = hashlib.sha256()
    files = sorted({p for g in WEIGHT_GLOBS for p in root.glob(g) if p.is_file()})
    for p in files:
        h.update(p.name.encode())
        h.update(sha256_file(p).encode())
    return h.hexdigest()


def load_adapter_model(base: str | Path, adapter: str | Path, dtype: str = "float32"):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(base), dtype=getattr(torch, dtype))
    return PeftModel.from_pretrained(model, str(adapter))


def merge_adapter(base: str | Path, adapter: str | Path, out: str | Path) -> Path:
    """Base + adapter -> a plain HF model dir (fp32 merge; what vLLM or a converter can load alone)."""
    from transformers import AutoTokenizer

    out = Path(out)
    merged = load_adapter_model(base, adapter).merge_and_unload()
    tmp = out.with_name(out.name + ".tmp")
    merged.save_pretrained(tmp, safe_serialization=True)
    AutoTokenizer.from_pretrained(str(adapter)).save_pretrained(tmp)
    if out.exists():
        import shutil

        shutil.rmtree(out)
    tmp.rename(out)
    return out


def answer_loss(model, tok, rows, max_length: int = 1024) -> float:
    """Mean cross-entropy over answer tokens only (the training objective) on ``rows``; no grad."""
    import torch

    from onprem_sft.train.data import Collator, Encoder, encode_rows, ensure_pad_token

    ensure_pad_token(tok)
    encoded, _ = encode_rows(Encoder(tok, max_length), rows)
    batch = Collator(tok.pad_token_id)(encoded)
    batch.pop("n_tokens")
    model.eval()
    with torch.no_grad():
        return float(model(**batch, use_cache=False).loss)
