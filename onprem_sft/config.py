"""Structured config: the schema Hydra composes ``conf/`` against, and start-up cross-field checks.

The top-level ``Config`` is registered in Hydra's ConfigStore as ``config_schema`` and is the first entry
of ``conf/config.yaml``'s defaults list, so a misspelled key or a wrong type fails at compose time with
Hydra naming the key (``Key 'trian' is not in struct``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf, open_dict

from onprem_sft.curate.schema import CurateConfig
from onprem_sft.dataset.schema import DatasetConfig
from onprem_sft.evaluate.schema import EvaluateConfig
from onprem_sft.generate.schema import GenerateConfig
from onprem_sft.ingest.schema import CorpusConfig
from onprem_sft.llm.schema import LLMConfig
from onprem_sft.scale.schema import RayConfig
from onprem_sft.security.schema import SecurityConfig
from onprem_sft.train.schema import DeepSpeedConfig, LoraConfig, ModelConfig, TrainConfig
from redaction.config import RedactionConfig

STAGES = ("ingest", "redact", "generate", "curate", "dataset", "train", "evaluate", "report")


@dataclass
class RunConfig:
    dir: str = "runs/${experiment_name}"
    log_level: str = "INFO"
    seed: int = 0
    progress: bool = True
    reuse_from: Optional[str] = None   # another run dir whose complete upstream stages this run links to
    executor: str = "local"            # local | ray: where per-record CPU stages run (onprem_sft/scale, issue 16)
    ray: RayConfig = field(default_factory=RayConfig)


@dataclass
class Config:
    experiment_name: str = "default"
    stages: list[str] = field(default_factory=list)   # [] = every stage, in order
    force: list[str] = field(default_factory=list)    # stages to rerun even when complete
    run: RunConfig = field(default_factory=RunConfig)
    corpus: CorpusConfig = field(default_factory=CorpusConfig)
    redaction: RedactionConfig = field(default_factory=RedactionConfig)
    llm: LLMConfig = field(default_factory=LLMConfig)
    prompts: Any = None                                # free-form templates, checked by the prompt loader
    generate: GenerateConfig = field(default_factory=GenerateConfig)
    curate: CurateConfig = field(default_factory=CurateConfig)
    dataset: DatasetConfig = field(default_factory=DatasetConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    lora: LoraConfig = field(default_factory=LoraConfig)
    deepspeed: DeepSpeedConfig = field(default_factory=DeepSpeedConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    evaluate: EvaluateConfig = field(default_factory=EvaluateConfig)
    security: SecurityConfig = field(default_factory=SecurityConfig)


def register_configs() -> None:
    ConfigStore.instance().store(name="config_schema", node=Config)


class ConfigError(ValueError):
    """A config that composes but makes no sense; the message names the key and the fix."""


def _check(cond: bool, key: str, msg: str, problems: list[str]) -> None:
    if not cond:
        problems.append(f"{key}: {msg}")


def validate(cfg: DictConfig | Config) -> None:
    """Cross-field checks at start-up, before any work. Raises ConfigError listing every problem."""
    c: Any = cfg
    p: list[str] = []
    if isinstance(cfg, DictConfig):
        for key in sorted(OmegaConf.missing_keys(cfg)):
            p.append(f"{key}: not set (it is ??? in the chosen config group); pass {key}=...")
        if p:
            raise ConfigError("invalid configuration:\n  - " + "\n  - ".join(p))
    for s in list(c.stages) + list(c.force):
        _check(s in STAGES, "stages", f"unknown stage {s!r}; choose from {list(STAGES)}", p)
    _check(0.0 <= c.generate.unanswerable_ratio < 1.0, "generate.unanswerable_ratio", "must be in [0, 1)", p)
    _check(c.generate.questions_per_chunk >= 1, "generate.questions_per_chunk", "must be >= 1", p)
    _check(c.generate.max_retries >= 0, "generate.max_retries", "must be >= 0", p)
    _check(c.generate.answer_style in ("extractive", "short", "reasoning"), "generate.answer_style",
           "must be extractive | short | reasoning", p)
    _check(0.0 < c.dataset.eval_fraction < 1.0, "dataset.eval_fraction", "must be in (0, 1)", p)
    _check(c.dataset.template in ("seed", "chat"), "dataset.template", "must be seed | chat", p)
    _check(1.0 <= c.curate.judge.threshold <= 5.0, "curate.judge.threshold", "must be in [1, 5]", p)
    _check(0.0 < c.curate.near_dup_threshold <= 1.0, "curate.near_dup_threshold", "must be in (0, 1]", p)
    _check(c.curate.min_question_chars <= c.curate.max_question_chars, "curate.min_question_chars",
           "must be <= curate.max_question_chars", p)
    _check(0.0 <= c.redaction.score_threshold <= 1.0, "redaction.score_threshold", "must be in [0, 1]", p)
    ch = c.corpus.chunk
    _check(ch.max_chars > 0, "corpus.chunk.max_chars", "must be > 0", p)
    _check(0 <= ch.overlap_chars < ch.max_chars, "corpus.chunk.overlap_chars",
           "must be >= 0 and < corpus.chunk.max_chars", p)
    t = c.train
    _check(t.launcher in ("inprocess", "deepspeed", "torchrun"), "train.launcher",
           "must be inprocess | deepspeed | torchrun", p)
    _check(t.nproc >= 1, "train.nproc", "must be >= 1", p)
    _check(t.per_device_batch_size >= 1 and t.grad_accum >= 1, "train.per_device_batch_size/grad_accum",
           "must be >= 1", p)
    if t.global_batch_size:
        denom = t.per_device_batch_size * t.nproc
        _check(t.global_batch_size % denom == 0, "train.global_batch_size",
               f"{t.global_batch_size} is not divisible by per_device_batch_size*nproc={denom}", p)
        _check(t.global_batch_size == denom * t.grad_accum, "train.global_batch_size",
               f"{t.global_batch_size} != per_device_batch_size*nproc*grad_accum={denom * t.grad_accum}; "
               f"set train.grad_accum={max(1, t.global_batch_size // denom)}", p)
    _check(t.launcher != "inprocess" or t.nproc == 1, "train.nproc",
           "nproc > 1 needs train.launcher=deepspeed or torchrun", p)
    _check(t.precision in ("auto", "fp32", "bf16", "fp16"), "train.precision", "must be auto|fp32|bf16|fp16", p)
    _check(c.lora.r >= 1, "lora.r", "must be >= 1", p)
    _check(0.0 <= c.lora.dropout < 1.0, "lora.dropout", "must be in [0, 1)", p)
    _check(c.llm.backend in ("offline", "server", "fleet"), "llm.backend", "must be offline | server | fleet", p)
    from onprem_sft.scale.checks import scale_problems  # issue 16: executor, ray, fleet, allow_hosts

    p += scale_problems(c)
    if p:
        raise ConfigError("invalid configuration:\n  - " + "\n  - ".join(p))


def to_container(cfg: DictConfig | Any) -> Any:
    """Plain resolved dict/list (what DeepSpeed, hashing and manifests need; never a DictConfig)."""
    if isinstance(cfg, DictConfig) or OmegaConf.is_config(cfg):
        return OmegaConf.to_container(cfg, resolve=True)
    return cfg


def config_dir() -> str:
    from onprem_sft.cli import _config_dir

    return _config_dir()


def compose(overrides: list[str] | None = None) -> DictConfig:
    """Compose the config outside ``@hydra.main`` (tests, notebooks, tools), resolving like the CLI does."""
    from hydra import compose as _compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    register_configs()
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=config_dir(), version_base="1.3"):
        cfg = _compose(config_name="config", overrides=list(overrides or []), return_hydra_config=True)
    from hydra.core.hydra_config import HydraConfig

    HydraConfig.instance().set_config(cfg)
    OmegaConf.set_readonly(cfg, False)
    with open_dict(cfg):
        cfg.pop("hydra")
    OmegaConf.resolve(cfg)
    return cfg
