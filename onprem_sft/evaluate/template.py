"""The SFT prompt for questions that do not come from the dataset stage (external SQuAD v2 file).

Eval-split rows already carry their rendered ``prompt``; external questions must be rendered the same
way, so ``prompt_renderer`` follows ``dataset.template``: ``seed`` fills ``prompts.sft_template``,
``chat`` additionally wraps it in the base model's chat template. ``check_renderer`` compares against
real eval rows and warns when the dataset stage renders differently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from onprem_sft.records import SFTExample

log = logging.getLogger("onprem_sft.evaluate")


def fill(template: str, question: str, context: str) -> str:
    """Replace only {question} and {context} (other braces in a template stay literal)."""
    return template.replace("{question}", question).replace("{context}", context)


def prompt_renderer(cfg: Any) -> Callable[[str, str], str]:
    template = str(cfg.prompts.sft_template)
    if str(cfg.dataset.template) != "chat":
        return lambda q, c: fill(template, q, c)
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(cfg.model.path))

    def chat(q: str, c: str) -> str:
        return tok.apply_chat_template([{"role": "user", "content": fill(template, q, c)}], tokenize=False,
                                       add_generation_prompt=True)
    return chat


def check_renderer(render: Callable[[str, str], str], rows: Sequence[SFTExample]) -> bool:
    """True when ``render`` reproduces the dataset's prompt of the first eval row (or there is none)."""
    for r in rows:
        if r.split == "eval":
            if render(r.question, r.context) != r.prompt:
                log.warning("external questions are rendered differently from the dataset's eval prompts "
                            "(eval row %s); external scores may be less comparable", r.id)
                return False
            return True
    return True
