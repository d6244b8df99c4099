"""Stage registry and the resumable runner.

A stage is a ``StageSpec`` exposed as ``STAGE`` by ``onprem_sft/<package>/stage.py``. The runner skips a
stage whose manifest matches (same config hash over the stage's config sections, same input hash over its
upstream manifests), reruns it otherwise, and always reruns the stages after a rerun one, since their input
hash chains on the upstream manifest.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from onprem_sft.artifacts import StageDir, canonical_json, config_hash, sha256_text
from onprem_sft.config import STAGES, to_container
from onprem_sft.errors import EXIT_BAD_VALUE, UserError

log = logging.getLogger("onprem_sft.pipeline")

# stage name -> module exposing STAGE
STAGE_MODULES = {
    "ingest": "onprem_sft.ingest.stage",
    "redact": "onprem_sft.redact.stage",
    "generate": "onprem_sft.generate.stage",
    "curate": "onprem_sft.curate.stage",
    "dataset": "onprem_sft.dataset.stage",
    "train": "onprem_sft.train.stage",
    "evaluate": "onprem_sft.evaluate.stage",
    "report": "onprem_sft.report.stage",
}


@dataclass
class StageResult:
    counts: dict[str, int]
    model: dict[str, Any] = field(default_factory=dict)
    sampling: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    summary: str = ""                 # one line for the log / terminal; no raw text


@dataclass
class StageContext:
    cfg: DictConfig                   # the whole resolved config
    run_dir: Path
    out: StageDir                     # this stage's folder
    inputs: dict[str, StageDir]       # upstream stage folders by name

    @property
    def progress(self) -> bool:
        return bool(self.cfg.run.progress)

    def input(self, name: str) -> StageDir:
        return self.inputs[name]


@dataclass(frozen=True)
class StageSpec:
    name: str
    inputs: tuple[str, ...]           # upstream stages whose outputs this one reads
    config_keys: tuple[str, ...]      # config sections that change this stage's output
    run: Callable[[StageContext], StageResult]
    # inputs from outside the run (a stage with no upstream stage, e.g. ingest's corpus): a digest of them,
    # chained into the input hash so a changed corpus reruns the stage and everything after it
    fingerprint: Callable[[DictConfig], str] | None = None


class PipelineError(UserError, RuntimeError):
    pass


class StageFailed(PipelineError):
    """A stage stopped on bad input or config; its message names the file/key and the fix."""

    def __init__(self, message: str, exit_code: int = EXIT_BAD_VALUE):
        super().__init__(message)
        self.exit_code = exit_code


def load_stage(name: str) -> StageSpec:
    if name not in STAGE_MODULES:
        raise PipelineError(f"unknown stage {name!r}; choose from {list(STAGES)}")
    spec = importlib.import_module(STAGE_MODULES[name]).STAGE
    assert spec.name == name, f"{STAGE_MODULES[name]} exposes stage {spec.name!r}, expected {name!r}"
    return spec


def stage_config_hash(cfg: DictConfig, spec: StageSpec) -> str:
    sections = {k: to_container(cfg[k]) if cfg.get(k) is not None else None for k in spec.config_keys}
    return config_hash([spec.name, sections])


def stage_input_hash(run_dir: Path, spec: StageSpec, cfg: DictConfig | None = None) -> str:
    digests = []
    if spec.fingerprint is not None and cfg is not None:
        digests.append(spec.fingerprint(cfg))
    for up in spec.inputs:
        m = StageDir(run_dir, up).read_manifest()
        if m is None:
            raise PipelineError(
                f"stage '{spec.name}' needs stage '{up}' first: {run_dir / up / 'manifest.json'} is missing "
                f"(run stages=[{up},{spec.name}] or the whole pipeline)")
        digests.append(m.digest)
    return sha256_text(canonical_json(digests))


def link_upstream(run_dir: Path, source: Path, selected: list[str]) -> list[str]:
    """Symlink complete stages of ``source`` that this run does not run itself (sweeps over later stages)."""
    todo = []
    for name in STAGES:
        if name in selected:
            break
        src, dst = source / name, run_dir / name
        if dst.exists() or dst.is_symlink():
            continue
        if not (src / "manifest.json").exists():
            raise PipelineError(f"run.reuse_from={source}: stage '{name}' is not complete there")
        todo.append((name, src, dst))
    run_dir.mkdir(parents=True, exist_ok=True)
    for _, src, dst in todo:
        dst.symlink_to(src.resolve(), target_is_directory=True)
    linked = [name for name, _, _ in todo]
    return linked


def run_pipeline(cfg: DictConfig, run_dir: Path) -> dict[str, StageResult | None]:
    """Run the selected stages in order; returns per stage its result (None when skipped as complete)."""
    selected = list(cfg.stages) or list(STAGES)
    order = [s for s in STAGES if s in selected]
    if cfg.run.get("reuse_from"):
        linked = link_upstream(run_dir, Path(cfg.run.reuse_from).resolve(), order)
        if linked:
            log.info("linked complete stages %s from %s", linked, cfg.run.reuse_from)
    force = set(cfg.force)
    results: dict[str, StageResult | None] = {}
    rerun_upstream = False
    for name in order:
        spec = load_stage(name)
        out = StageDir(run_dir, name)
        chash = stage_config_hash(cfg, spec)
        ihash = stage_input_hash(run_dir, spec, cfg)
        m = out.read_manifest()
        torn = out.torn_files() if m is not None else []
        if (m is not None and not rerun_upstream and name not in force and not torn
                and m.config_hash == chash and m.input_hash == ihash):
            log.info("stage %-8s complete (manifest matches config and inputs) - skipped", name)
            results[name] = None
            continue
        if m is not None:
            why = ("forced" if name in force else "upstream rerun" if rerun_upstream
                   else "config changed" if m.config_hash != chash else "inputs changed" if m.input_hash != ihash
                   else f"output torn ({', '.join(torn)} ends in a cut-off line)")
            log.info("stage %-8s rerun: %s", name, why)
        out.clear()
        out.ensure()
        t0 = time.perf_counter()
        ctx = StageContext(cfg=cfg, run_dir=run_dir, out=out,
                           inputs={u: StageDir(run_dir, u) for u in spec.inputs})
        try:
            res = spec.run(ctx)
        except UserError as e:
            log.debug("stage %s failed", name, exc_info=True)
            raise StageFailed(f"stage '{name}' failed: {e}", e.exit_code) from e
        except (ValueError, OSError) as e:
            log.debug("stage %s failed", name, exc_info=True)
            raise StageFailed(f"stage '{name}' failed: {e}") from e
        elapsed = time.perf_counter() - t0
        extra = dict(res.extra, seconds=round(elapsed, 3))
        out.finalize(config_hash=chash, input_hash=ihash, counts=res.counts, model=res.model,
                     sampling=res.sampling, extra=extra)
        log.info("stage %-8s done in %.1fs: %s", name, elapsed,
                 res.summary or ", ".join(f"{k}={v}" for k, v in res.counts.items()))
        results[name] = res
        rerun_upstream = True
    return results
