"""Structured config: the schema Hydra composes ``conf/`` against, and start-up cross-field checks.

The top-level ``Config`` is registered in Hydra's ConfigStore as ``config_schema`` and is the first entry
of ``conf/config.yaml``'s defaults list, so a misspelled key or a wrong type fails at compose time with
Hydra naming the key (``Key 'trian' is not in struct``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf, open_dict

from onprem_sft import layout
from onprem_sft.collected.schema import QuestionsConfig, validate_questions
from onprem_sft.curate.schema import CurateConfig
from onprem_sft.dataset.schema import DatasetConfig, validate_mix
from onprem_sft.errors import ConfigError
from onprem_sft.evaluate.schema import EvaluateConfig
from onprem_sft.generate.schema import GenerateConfig
from onprem_sft.ingest.schema import CorpusConfig
from onprem_sft.llm.schema import LLMConfig
from onprem_sft.scale.schema import RayConfig
from onprem_sft.security.schema import SecurityConfig
from onprem_sft.train.schema import DeepSpeedConfig, LoraConfig, ModelConfig, TrainConfig
from redaction.config import RedactionConfig

STAGES = layout.STAGES   # the one stage list lives in onprem_sft.layout


@dataclass
class RunConfig:
    dir: str = "runs/${experiment_name}"
    log_level: str = "INFO"
    seed: int = 0
    progress: bool = True
    reuse_from: str | None = None   # another run dir whose complete upstream stages this run links to
    executor: str = "local"            # local | ray: where per-record CPU stages run (onprem_sft/scale, issue 16)
    ray: RayConfig = field(default_factory=RayConfig)


@dataclass
class Config:
    experiment_name: str = "default"
    stages: list[str] = field(default_factory=list)   # [] = every stage, in order
    force: list[str] = field(default_factory=list)    # stages to rerun even when complete
    run: RunConfig = field(default_factory=RunConfig)
    corpus: CorpusConfig = field(default_factory=CorpusConfig)
    questions: QuestionsConfig = field(default_factory=QuestionsConfig)   # collected questions (optional)
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


__all__ = ["STAGES", "Config", "ConfigError", "compose", "register_configs", "to_container", "validate"]


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
    validate_questions(c.questions, p)
    validate_mix(c.dataset, bool(c.questions.path), p)
    _check(1.0 <= c.curate.judge.threshold <= 5.0, "curate.judge.threshold", "must be in [1, 5]", p)
    _check(0.0 < c.curate.near_dup_threshold <= 1.0, "curate.near_dup_threshold", "must be in (0, 1]", p)
    _check(c.curate.min_question_chars <= c.curate.max_question_chars, "curate.min_question_chars",
           "must be <= curate.max_question_chars", p)
    from onprem_sft.curate.gates import check_config as check_gates

    check_gates(c.curate, p)
    _check(0.0 <= c.curate.roundtrip.min_f1 <= 1.0, "curate.roundtrip.min_f1", "must be in [0, 1]", p)
    _check(-1.0 <= c.curate.judge.qualify.min_kappa <= 1.0, "curate.judge.qualify.min_kappa",
           "must be in [-1, 1]", p)
    _check(c.generate.span_check in ("template", "drop", "off"), "generate.span_check", "must be template | drop | off", p)
    _check(c.generate.template_form in ("fronted", "cloze"), "generate.template_form", "must be fronted | cloze", p)
    _check(0.0 <= c.generate.template_noise < 0.5, "generate.template_noise", "must be in [0, 0.5)", p)
    _check(c.generate.distractor_pairing in ("twin", "split"), "generate.distractor_pairing", "must be twin | split", p)
    _check(c.generate.strategy in ("auto", "answer_first", "question_first"), "generate.strategy",
           "must be auto | answer_first | question_first", p)
    _check(0.0 <= c.redaction.score_threshold <= 1.0, "redaction.score_threshold", "must be in [0, 1]", p)
    _check(c.redaction.workers >= 1, "redaction.workers", "must be >= 1 (1 = no process pool)", p)
    _check(c.redaction.workers == 1 or not c.redaction.vault, "redaction.workers",
           "a process pool cannot share the vault file: set redaction.workers=1 or redaction.vault=false", p)
    if c.redaction.custom_recognizers:
        from redaction.registry import CustomRecognizerError, load_custom_recognizers
        try:
            load_custom_recognizers(c.redaction.custom_recognizers)
        except CustomRecognizerError as e:
            p.append(str(e))
    _check(c.security.residue in ("warn", "fail", "off"), "security.residue", "must be warn | fail | off", p)
    _check(c.redaction.replace in ("placeholder", "surrogate"), "redaction.replace", "must be placeholder | surrogate",
           p)
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
    _ranges(c, p)
    _paths(c, p)
    from onprem_sft.scale.checks import scale_problems  # issue 16: executor, ray, fleet, allow_hosts

    p += scale_problems(c)
    if p:
        raise ConfigError("invalid configuration:\n  - " + "\n  - ".join(p))


def _ranges(c: Any, p: list[str]) -> None:
    """Numeric ranges that would otherwise fail (or silently do nothing) inside a stage."""
    _check(c.corpus.max_file_mb > 0, "corpus.max_file_mb", "must be > 0 (MiB per file)", p)
    _check(c.corpus.max_docs >= 0, "corpus.max_docs", "must be >= 0 (0 = all)", p)
    _check(c.corpus.chunk.min_chars >= 0, "corpus.chunk.min_chars", "must be >= 0", p)
    g = c.generate
    _check(g.max_chunks >= 0, "generate.max_chunks", "must be >= 0 (0 = all)", p)
    for k in ("temperature", "answer_temperature", "retry_temperature"):
        _check(g[k] >= 0, f"generate.{k}", "must be >= 0", p)
    for k in ("max_question_tokens", "max_answer_tokens", "max_verify_tokens", "distractor_tries"):
        _check(g[k] >= 1, f"generate.{k}", "must be >= 1", p)
    _check(g.min_question_chars <= g.max_question_chars, "generate.min_question_chars",
           "must be <= generate.max_question_chars", p)
    _check(0.0 <= g.max_overlap <= 1.0, "generate.max_overlap", "must be in [0, 1]", p)
    cu = c.curate
    _check(cu.min_answer_chars <= cu.max_answer_chars, "curate.min_answer_chars",
           "must be <= curate.max_answer_chars", p)
    _check(cu.dedup.num_perm >= 16, "curate.dedup.num_perm", "must be >= 16", p)
    _check(cu.dedup.ngram >= 1 and cu.domain.ngram >= 1, "curate.dedup.ngram/curate.domain.ngram", "must be >= 1", p)
    _check(cu.eyecheck_sample >= 0, "curate.eyecheck_sample", "must be >= 0", p)
    _check(c.dataset.min_eval_docs >= 0, "dataset.min_eval_docs", "must be >= 0", p)
    lm = c.llm
    _check(lm.max_model_len >= 16, "llm.max_model_len", "must be >= 16", p)
    _check(lm.max_num_seqs >= 1 and lm.request_batch_size >= 1, "llm.max_num_seqs/llm.request_batch_size",
           "must be >= 1", p)
    _check(lm.tensor_parallel_size >= 1, "llm.tensor_parallel_size", "must be >= 1", p)
    _check(lm.kv_cache_gb > 0, "llm.kv_cache_gb", "must be > 0", p)
    _check(0.0 < lm.gpu_memory_utilization <= 1.0, "llm.gpu_memory_utilization", "must be in (0, 1]", p)
    _check(0.0 < lm.top_p <= 1.0, "llm.top_p", "must be in (0, 1]", p)
    _check(lm.max_lora_rank >= c.lora.r, "llm.max_lora_rank", f"must be >= lora.r={c.lora.r}", p)
    _check(0 <= lm.server.port <= 65535, "llm.server.port", "must be in [0, 65535] (0 = a free port)", p)
    _check(lm.server.startup_timeout_s > 0, "llm.server.startup_timeout_s", "must be > 0", p)
    t = c.train
    _check(t.learning_rate > 0, "train.learning_rate", "must be > 0", p)
    _check(t.max_steps != 0, "train.max_steps", "0 trains nothing: set > 0, or -1 with train.epochs > 0", p)
    _check(t.max_steps > 0 or t.epochs > 0, "train.epochs", "must be > 0 when train.max_steps=-1", p)
    _check(t.max_length >= 16, "train.max_length", "must be >= 16", p)
    _check(t.eval_steps >= 0 and t.save_steps >= 0, "train.eval_steps/save_steps", "must be >= 0 (0 = at the end)", p)
    _check(0.0 <= t.warmup_ratio < 1.0, "train.warmup_ratio", "must be in [0, 1)", p)
    _check(c.lora.alpha >= 1, "lora.alpha", "must be >= 1", p)
    e = c.evaluate
    _check(e.max_examples >= 0 and e.external_max >= 0, "evaluate.max_examples/external_max", "must be >= 0", p)
    _check(e.max_tokens >= 1, "evaluate.max_tokens", "must be >= 1", p)


def selected_stages(c: Any) -> list[str]:
    return [s for s in STAGES if s in (list(c.stages) or STAGES)]


def _model_problem(path: Any, key: str) -> str | None:
    """Why ``path`` is not a usable local HF model dir (config.json, weights, tokenizer), or None."""
    from pathlib import Path

    d = Path(str(path)).expanduser()
    if not d.is_dir():
        return f"{key}={d} does not exist; point it at a local HF model dir (or run `make model`)"
    if not (d / "config.json").is_file():
        return f"{key}={d} has no config.json: not a HF-format model dir"
    if not any(d.glob("*.safetensors")) and not any(d.glob("*.bin")):
        return f"{key}={d} has no weights (*.safetensors / *.bin)"
    if not any((d / f).is_file() for f in ("tokenizer.json", "tokenizer_config.json", "tokenizer.model")):
        return f"{key}={d} has no tokenizer (tokenizer.json / tokenizer_config.json)"
    return None


def _run_dir_problem(run_dir: Any) -> str | None:
    import os
    import tempfile
    from pathlib import Path

    d = Path(str(run_dir)).expanduser()
    if d.exists() and not d.is_dir():
        return f"run.dir={d} is a file, not a folder; choose another run.dir"
    probe = d
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        return f"run.dir={d}: {probe} is a file, so the folder cannot be created; choose another run.dir"
    msg = f"run.dir={d}: {probe} is not writable; choose another run.dir or fix its permissions"
    if not os.access(probe, os.W_OK | os.X_OK):
        return msg
    try:                                   # root passes os.access; a read-only mount does not
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError:
        return msg
    return None


def _paths(c: Any, p: list[str]) -> None:
    """Paths later stages need, checked before the first stage starts (hours before train on a real corpus)."""
    from pathlib import Path

    run = selected_stages(c)
    if (why := _run_dir_problem(c.run.dir)) is not None:
        p.append(why)
    if "ingest" in run and not Path(str(c.corpus.path)).expanduser().exists():
        p.append(f"corpus.path={c.corpus.path} does not exist; set corpus.path=/path/to/your/documents")
    llm_stages = {"generate", "evaluate"} | ({"curate"} if (c.curate.judge.enabled or str(c.curate.domain.method)
                                                            != "lexical") else set())
    own_server = c.llm.backend == "server" and not c.llm.server.autostart and c.llm.server.url
    llm_bad = llm_stages & set(run) and not own_server and (why := _model_problem(c.llm.model, "llm.model"))
    if llm_bad:
        p.append(why)
    same = str(c.model.path) == str(c.llm.model)          # one mistake, one line (model.path: ${llm.model})
    if {"train", "evaluate"} & set(run) and not (same and llm_bad) and (
            why := _model_problem(c.model.path, "model.path")):
        p.append(why)
    if "train" in run and c.train.hostfile:
        hf = Path(str(c.train.hostfile)).expanduser()
        if not hf.is_file():
            p.append(f"train.hostfile: {hf} does not exist; write one line `hostname slots=N` per node")
        elif not any(ln.strip() and not ln.lstrip().startswith("#")
                     for ln in hf.read_text(encoding="utf-8", errors="replace").splitlines()):
            p.append(f"train.hostfile: {hf} lists no hosts")
        _check(c.train.launcher == "deepspeed", "train.hostfile", "needs train.launcher=deepspeed", p)
    if "evaluate" in run and c.evaluate.external:
        ext = Path(str(c.evaluate.external)).expanduser()
        _check(ext.is_file(), "evaluate.external", f"{ext} does not exist; pass a SQuAD v2 JSON file", p)


def to_container(cfg: DictConfig | Any) -> Any:
    """Plain resolved dict/list (what DeepSpeed, hashing and manifests need; never a DictConfig).

    Choice values (str-Enums in the schemas) come out as plain strings."""
    if isinstance(cfg, DictConfig) or OmegaConf.is_config(cfg):
        return OmegaConf.to_container(cfg, resolve=True, enum_to_str=True)
    return cfg


def config_dir() -> str:
    """conf/ next to the package (editable install / source tree) or shipped inside it (wheel)."""
    from pathlib import Path

    here = Path(__file__).resolve().parent
    for cand in (here.parent / "conf", here / "conf"):
        if (cand / "config.yaml").exists():
            return str(cand)
    raise SystemExit("onprem-sft: cannot find conf/config.yaml next to the package; reinstall onprem-sft")


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
