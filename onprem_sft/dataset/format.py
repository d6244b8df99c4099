"""Render curated QA pairs as prompt/completion rows: the seed template or the model's chat template.

Seed: ``prompt`` is ``prompts.sft_template`` with {question}/{context} filled plus a newline, the
``completion`` is the answer (the trainer appends EOS). Chat: the seed prompt becomes the user turn,
``prompt`` is the base model tokenizer's chat template rendered up to the assistant turn, and
``completion`` is the rest of the rendered conversation (answer + end-of-turn marker), so the model
learns where to stop exactly as the template frames it at inference time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from onprem_sft.records import QAPair


class TemplateError(ValueError):
    pass


def render_seed(template: str, question: str, context: str) -> str:
    for key in ("{question}", "{context}"):
        if key not in template:
            raise TemplateError(f"prompts.sft_template lacks {key}; the seed template needs {{question}} "
                                f"and {{context}} (see conf/prompts/<lang>.yaml)")
    # literal replacement: contexts may hold braces; context last so a "{question}" inside it stays text
    return template.replace("{question}", question).replace("{context}", context) + "\n"


def seed_formatter(template: str) -> Callable[[QAPair], tuple[str, str]]:
    render_seed(template, "", "")           # fail fast on a bad template

    def fmt(p: QAPair) -> tuple[str, str]:
        return render_seed(template, p.question, p.context), p.answer
    return fmt


def chat_formatter(template: str, tokenizer: Any, system_prompt: str = "") -> Callable[[QAPair], tuple[str, str]]:
    """``tokenizer`` is a HF tokenizer with a chat template (the base model's)."""
    if not getattr(tokenizer, "chat_template", None):
        raise TemplateError("dataset.template=chat but the base model's tokenizer has no chat template; "
                            "use dataset.template=seed or a model with a chat template")
    render_seed(template, "", "")

    def fmt(p: QAPair) -> tuple[str, str]:
        user = render_seed(template, p.question, p.context).rstrip("\n")
        msgs = ([{"role": "system", "content": system_prompt}] if system_prompt else []) + \
            [{"role": "user", "content": user}]
        prompt = tokenizer.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
        full = tokenizer.apply_chat_template(msgs + [{"role": "assistant", "content": p.answer}], tokenize=False)
        if not full.startswith(prompt):
            raise TemplateError("the chat template renders the conversation differently with and without "
                                "the answer, so prompt/completion cannot be split; use dataset.template=seed")
        return prompt, full[len(prompt):]
    return fmt


def load_tokenizer(path: str, trust_remote_code: bool = False) -> Any:
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(path, local_files_only=True, trust_remote_code=trust_remote_code)
    except OSError as e:
        raise TemplateError(f"dataset.template=chat needs the base model's tokenizer at model.path={path!r}: "
                            f"{type(e).__name__}; set model.path to a local HF model dir") from None
