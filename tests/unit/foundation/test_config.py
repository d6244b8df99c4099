"""Config composition: every group option composes; typos and bad values fail before any work."""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra.errors import ConfigCompositionException
from omegaconf.errors import ConfigKeyError, ValidationError

from onprem_sft.config import ConfigError, compose, config_dir, validate

CONF = Path(config_dir())
GROUPS = sorted(p.name for p in CONF.iterdir() if p.is_dir())
OPTIONS = [(g, f.stem) for g in GROUPS for f in sorted((CONF / g).glob("*.yaml"))]
MODEL = CONF.parent / "models" / "smollm2-135m-instruct"     # `make model`; paths are checked at compose
FILL = [f"llm.model={MODEL}", f"model.path={MODEL}", f"corpus.path={CONF.parent / 'data' / 'sample'}"]


def test_groups_cover_every_concern():
    for g in ("corpus", "redaction", "llm", "prompts", "generate", "curate", "dataset", "model", "lora",
              "deepspeed", "train", "evaluate", "experiment", "debug"):
        assert g in GROUPS


@pytest.mark.parametrize(("group", "option"), OPTIONS, ids=[f"{g}={o}" for g, o in OPTIONS])
def test_every_group_option_composes_and_validates(group, option):
    cfg = compose([f"{group}={option}", *FILL])
    validate(cfg)
    if group not in ("experiment", "debug", "prompts"):
        assert cfg[group].get("name", option) == option


def test_misspelled_key_fails_naming_it():
    with pytest.raises((ConfigCompositionException, ConfigKeyError)) as e:
        compose(["trian.max_steps=1"])
    assert "trian" in str(e.value) + str(e.value.__cause__)


def test_unknown_distractor_strategy_fails_at_compose():
    with pytest.raises((ConfigCompositionException, ValidationError)) as e:
        compose(["generate.distractor=nearest"])
    assert "distractor" in str(e.value) + str(e.value.__cause__)
    assert compose(["generate.distractor=mixed"]).generate.distractor == "mixed"


def test_wrong_type_fails_at_compose():
    with pytest.raises((ConfigCompositionException, ValidationError)) as e:
        compose(["train.max_steps=lots"])
    assert "max_steps" in str(e.value) + str(e.value.__cause__)


@pytest.mark.parametrize(("override", "key"), [
    ("generate.unanswerable_ratio=1.5", "generate.unanswerable_ratio"),
    ("curate.judge.threshold=9", "curate.judge.threshold"),
    ("corpus.chunk.overlap_chars=5000", "corpus.chunk.overlap_chars"),
    ("train.global_batch_size=7", "train.global_batch_size"),
    ("train.nproc=2", "train.nproc"),
    ("stages=[ingest,tarin]", "stages"),
    ("redaction.replace=fake", "redaction.replace"),
    ("generate.span_check=maybe", "generate.span_check"),
    ("generate.template_form=inverted", "generate.template_form"),
    ("generate.template_noise=0.7", "generate.template_noise"),
    ("generate.distractor_pairing=both", "generate.distractor_pairing"),
])
def test_cross_field_checks_name_the_key(override, key):
    with pytest.raises(ConfigError) as e:
        validate(compose([override]))
    assert key in str(e.value)


def test_missing_model_path_is_named():
    with pytest.raises(ConfigError) as e:
        validate(compose(["llm=local", "model=local"]))
    assert "llm.model" in str(e.value) and "model.path" in str(e.value)


def test_default_prompt_template_is_the_source_design_one():
    cfg = compose(["prompts=ko"])
    t = cfg.prompts.sft_template
    assert t.startswith("아래 [내용]을 참고해서 [질문]에 대해 답변해주세요.")
    assert "{question}" in t and "{context}" in t and t.rstrip().endswith("[답변]")
    assert cfg.prompts.refusal == "답변을 찾을 수 없습니다."


def test_redaction_workers_and_custom_recognizers_checked_at_compose(tmp_path):
    with pytest.raises(ConfigError, match="redaction.workers"):
        validate(compose(["redaction.workers=0", *FILL]))
    with pytest.raises(ConfigError, match="redaction.workers"):
        validate(compose(["redaction.workers=2", "redaction.vault=true", *FILL]))
    with pytest.raises(ConfigError, match="does not exist"):
        validate(compose([f"redaction.custom_recognizers={tmp_path / 'missing.yaml'}", *FILL]))
    bad = tmp_path / "bad.yaml"
    bad.write_text("recognizers:\n  - name: x\n    supported_entity: EMP_ID\n    patterns:\n"
                   "      - {name: p, regex: '(unclosed', score: 0.9}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"recognizers\[0\]"):
        validate(compose([f"redaction.custom_recognizers={bad}", *FILL]))
    good = tmp_path / "good.yaml"
    good.write_text("recognizers:\n  - name: Employee id\n    supported_entity: EMP_ID\n    patterns:\n"
                    "      - {name: emp, regex: 'EMP-\\d{6}', score: 0.9}\n", encoding="utf-8")
    validate(compose([f"redaction.custom_recognizers={good}", "redaction.workers=2", *FILL]))


def test_security_residue_mode_checked():
    validate(compose(["security.residue=fail", *FILL]))
    with pytest.raises(ConfigError, match="security.residue"):
        validate(compose(["security.residue=maybe", *FILL]))
