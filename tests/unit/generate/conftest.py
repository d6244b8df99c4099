"""Composed configs (the real conf/ tree) and a few redacted chunks for generate-stage unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from onprem_sft.records import RedactedChunk

ROOT = Path(__file__).resolve().parents[3]


def compose_cfg(*overrides: str):
    from hydra import compose, initialize_config_dir

    from onprem_sft.config import register_configs

    register_configs()
    with initialize_config_dir(config_dir=str(ROOT / "conf"), version_base="1.3"):
        return compose(config_name="config", overrides=["llm.model=/unused", *overrides])


@pytest.fixture
def compose():
    return compose_cfg


@pytest.fixture
def chunks() -> list[RedactedChunk]:
    texts = [
        ("d1", "Article 5 (Payment) The Company pays a hospitalization benefit of 30,000 won per day to "
               "<PERSON_1> when hospitalized for 4 days or more."),
        ("d1", "Article 12 (Claims) The Beneficiary submits a claim form and a medical certificate; the "
               "Company pays within 3 business days."),
        ("d1", "Article 20 (Cancellation) The policyholder may cancel the contract within 30 days of receiving "
               "the policy and receives the premium back."),
        ("d2", "Loan terms 3 (Interest) The interest rate of the loan is 4.5 percent per year, fixed for the "
               "first three years."),
    ]
    return [RedactedChunk(id=f"rc-{i}", parent_id=f"c-{i}", doc_id=d, index=i, text=t, lang="en")
            for i, (d, t) in enumerate(texts)]
