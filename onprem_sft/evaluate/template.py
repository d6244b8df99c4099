"""The SFT prompt for questions that do not come from the dataset stage (external SQuAD v2 file).

Eval-split rows already carry their rendered ``prompt``; external questions must be rendered the same
way, so ``prompt_renderer`` uses the dataset stage's formatters for ``dataset.template`` (``seed`` fills
``prompts.sft_template``; ``chat`` also wraps it in the base model's chat template).
``check_renderer`` compares against real eval rows and warns when they were rendered differently
(e.g. the dataset was built with another template than the current config).
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
    """(question, context) -> prompt, with the dataset stage's own formatters (``dataset.format``)."""
    from onprem_sft.dataset import format as dataset_format
    from onprem_sft.records import QAPair

    template = str(cfg.prompts.sft_template)
    if str(cfg.dataset.template) == "chat":
        tok = dataset_format.load_tokenizer(str(cfg.model.path), bool(cfg.model.get("trust_remote_code", False)))
        fmt = dataset_format.chat_formatter(template, tok, str(cfg.dataset.get("system_prompt", "") or ""))
    else:
        fmt = dataset_format.seed_formatter(template)

    def render(question: str, context: str) -> str:
        return fmt(QAPair(id="external", parent_id=None, question=question, context=context, answer=""))[0]
    return render


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
