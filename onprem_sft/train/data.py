"""Tokenisation for SFT: loss on answer tokens only, counted truncation, optional packing.

Prompt and completion are tokenised separately so the label mask is exact: every prompt token gets
label -100 and every completion token (plus EOS, so the model learns to stop) is a target. When a row
is longer than ``max_length`` the completion is cut from the right and the row is *counted* as
truncated (reported in the manifest, never silent). A prompt that leaves no room for a single answer
token cannot be trained on at all; :func:`encode_rows` reports those rows so the caller can fail or
reject them with a reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

IGNORE = -100


class PadTokenError(ValueError):
    """A tokenizer with neither pad, eos nor unk token: there is nothing safe to pad with."""


@dataclass(frozen=True)
class Encoded:
    input_ids: list[int]
    labels: list[int]
    truncated: bool = False           # completion cut to fit max_length
    prompt_tokens: int = 0
    completion_tokens: int = 0        # before truncation (incl. EOS)

    def __len__(self) -> int:
        return len(self.input_ids)

    @property
    def target_tokens(self) -> int:
        return sum(1 for t in self.labels if t != IGNORE)


@dataclass
class EncodeStats:
    rows: int = 0
    truncated: int = 0
    prompt_too_long: list[str] = field(default_factory=list)   # row ids
    longest_prompt: int = 0
    tokens: int = 0                   # real (non-pad) tokens over the kept rows
    target_tokens: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"rows": self.rows, "truncated": self.truncated, "prompt_too_long": len(self.prompt_too_long),
                "longest_prompt": self.longest_prompt, "tokens": self.tokens, "target_tokens": self.target_tokens}


def ensure_pad_token(tok: Any) -> str:
    """Give a tokenizer without a pad token one (eos, else unk). Returns which one was used.

    Padding positions are masked in both attention and labels, so reusing EOS is safe: the EOS that
    ends each answer is labelled explicitly, never inferred from the pad id.
    """
    if tok.pad_token is not None:
        return "pad"
    for name in ("eos_token", "unk_token"):
        if getattr(tok, name, None) is not None:
            tok.pad_token = getattr(tok, name)
            return name.removesuffix("_token")
    raise PadTokenError(
        "the tokenizer of model.path has no pad, eos or unk token; add a pad token to its "
        "tokenizer_config.json (e.g. \"pad_token\": \"<pad>\") or choose another base model")


def _adds_bos(tok: Any) -> bool:
    bos = getattr(tok, "bos_token_id", None)
    if bos is None:
        return False
    ids = tok("a", add_special_tokens=True)["input_ids"]
    return bool(ids) and ids[0] == bos


def encode_example(prompt_ids: Sequence[int], completion_ids: Sequence[int], max_length: int) -> Encoded | None:
    """Concatenate, mask the prompt, cut the completion to fit. None when the prompt leaves no room."""
    p, c = list(prompt_ids), list(completion_ids)
    if len(p) >= max_length or not c:
        return None
    room = max_length - len(p)
    kept = c[:room]
    return Encoded(input_ids=p + kept, labels=[IGNORE] * len(p) + kept, truncated=len(c) > room,
                   prompt_tokens=len(p), completion_tokens=len(c))


class Encoder:
    """Tokenises (prompt, completion) pairs the same way for training, eval and the tests."""

    def __init__(self, tok: Any, max_length: int, add_eos: bool = True):
        if max_length < 2:
            raise ValueError(f"train.max_length={max_length} must be >= 2")
        self.tok = tok
        self.max_length = max_length
        self.bos = [tok.bos_token_id] if _adds_bos(tok) else []
        self.eos = [tok.eos_token_id] if add_eos and tok.eos_token_id is not None else []

    def ids(self, prompt: str, completion: str) -> tuple[list[int], list[int]]:
        p = self.bos + self.tok(prompt, add_special_tokens=False)["input_ids"]
        c = self.tok(completion, add_special_tokens=False)["input_ids"] + self.eos
        return p, c

    def encode(self, prompt: str, completion: str) -> Encoded | None:
        return encode_example(*self.ids(prompt, completion), self.max_length)


def encode_rows(enc: Encoder, rows: Sequence[Any]) -> tuple[list[Encoded], EncodeStats]:
    """Encode records having ``id``, ``prompt`` and ``completion``; too-long prompts are listed, not kept."""
    out: list[Encoded] = []
    st = EncodeStats()
    for r in rows:
        p, c = enc.ids(r.prompt, r.completion)
        st.longest_prompt = max(st.longest_prompt, len(p))
        e = encode_example(p, c, enc.max_length)
        if e is None:
            st.prompt_too_long.append(r.id)
            continue
        out.append(e)
        st.rows += 1
        st.truncated += int(e.truncated)
        st.tokens += len(e)
        st.target_tokens += e.target_tokens
    return out, st


@dataclass(frozen=True)
class Packed:
    """Several examples in one row; ``position_ids`` restart at 0 per example (block-diagonal attention)."""

    input_ids: list[int]
    labels: list[int]
    position_ids: list[int]


def pack(examples: Sequence[Encoded], max_length: int) -> list[Packed]:
    """First-fit-decreasing bin packing; examples are never split, so no answer loses its prompt."""
    order = sorted(range(len(examples)), key=lambda i: (-len(examples[i]), i))
    bins: list[list[int]] = []
    free: list[int] = []
    for i in order:
        n = len(examples[i])
        for b, room in enumerate(free):
            if n <= room:
                bins[b].append(i)
                free[b] -= n
                break
        else:
            bins.append([i])
            free.append(max_length - n)
    out = []
    for b in bins:
        ids: list[int] = []
        labels: list[int] = []
        pos: list[int] = []
        for i in sorted(b):
            e = examples[i]
            ids += e.input_ids
            labels += e.labels
            pos += list(range(len(e)))
        out.append(Packed(ids, labels, pos))
    return out


class Collator:
    """Right-pads a batch; pads get label -100. ``n_tokens`` counts real tokens (tokens/s, tokens seen).

    Packed rows carry ``position_ids`` and no attention mask: transformers then builds a block-diagonal
    mask from the position resets, so packed examples never attend to each other. The padding tail of a
    packed row is its own block with labels -100.
    """

    def __init__(self, pad_id: int, pad_to_multiple_of: int = 0):
        self.pad_id = pad_id
        self.mult = pad_to_multiple_of

    def _width(self, n: int) -> int:
        return -(-n // self.mult) * self.mult if self.mult else n

    def __call__(self, batch: Sequence[Encoded | Packed | dict[str, Any]]) -> dict[str, Any]:
        import torch

        rows = [b if isinstance(b, dict) else b.__dict__ for b in batch]
        width = self._width(max(len(r["input_ids"]) for r in rows))
        packed = "position_ids" in rows[0]
        ids, labels, extra = [], [], []
        n_tokens = 0
        for r in rows:
            n = len(r["input_ids"])
            pad = width - n
            n_tokens += n
            ids.append(list(r["input_ids"]) + [self.pad_id] * pad)
            labels.append(list(r["labels"]) + [IGNORE] * pad)
            extra.append(list(r["position_ids"]) + list(range(pad)) if packed else [1] * n + [0] * pad)
        out = {"input_ids": torch.tensor(ids), "labels": torch.tensor(labels),
               "n_tokens": torch.tensor(n_tokens)}
        out["position_ids" if packed else "attention_mask"] = torch.tensor(extra)
        return out
