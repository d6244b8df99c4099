"""The resumable runner.

A stage is a ``StageSpec`` exposed as ``STAGE`` by ``onprem_sft/<package>/spec.py`` and listed in
``onprem_sft.layout.STAGES`` (the one stage list). The runner skips a
stage whose manifest matches (same config hash over the stage's config sections, same input hash over its
upstream manifests), reruns it otherwise, and always reruns the stages after a rerun one, since their input
hash chains on the upstream manifest.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omegaconf import DictConfig

from onprem_sft import layout
from onprem_sft.artifacts import StageDir, canonical_json, config_hash, sha256_text
from onprem_sft.config import to_container
from onprem_sft.errors import EXIT_BAD_VALUE, UserError, raise_if_interrupted
from onprem_sft.layout import STAGES, LayoutError, StageSpec

__all__ = ["PipelineError", "StageContext", "StageFailed", "StageResult", "StageSpec", "load_stage", "run_pipeline"]

if TYPE_CHECKING:
    from onprem_sft.llm.engine import LLMEngine
    from onprem_sft.llm.schema import LLMConfig

log = logging.getLogger("onprem_sft.pipeline")

# (typed llm config, adapters=...) -> engine: the default builds vLLM; tests pass a RecordedEngine maker.
EngineFactory = Callable[..., "LLMEngine"]


@dataclass
class StageResult:
    counts: dict[str, int]
    model: dict[str, Any] = field(default_factory=dict)
    sampling: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    summary: str = ""                 # one line for the log / terminal; no raw text
    drop_raw_inputs: bool = False     # the raw text upstream may go now (redaction.keep_raw=false):
                                      # the runner scrubs the declared raw fields (security.rawzone)


@dataclass
class StageContext:
    cfg: DictConfig                   # the whole resolved config
    run_dir: Path
    out: StageDir                     # this stage's folder
    inputs: dict[str, StageDir]       # upstream stage folders by name
    engine_factory: EngineFactory | None = None   # None = build_engine (vLLM) from cfg.llm

    @property
    def progress(self) -> bool:
        return bool(self.cfg.run.progress)

    def input(self, name: str) -> StageDir:
        """The folder of a declared upstream stage: the only way a stage reaches another's files."""
        if name not in self.inputs:
            raise PipelineError(f"stage '{self.out.name}' reads stage '{name}' without declaring it in "
                                f"its StageSpec.inputs")
        return self.inputs[name]

    def engine(self, *, model: str | None = None, adapters: Sequence[str] = ()) -> LLMEngine:
        """The one way a stage gets an LLM engine (use it as a context manager): ``cfg.llm`` read into the
        typed ``LLMConfig``, ``model`` replacing ``llm.model`` (evaluate answers with the trained base),
        ``adapters`` served as LoRA; the server log and checksum cache go to this stage's folder."""
        from onprem_sft.llm.factory import build_engine, llm_config

        llm: LLMConfig = llm_config(self.cfg.llm)
        if model is not None:
            llm = dataclasses.replace(llm, model=str(model))
        if self.engine_factory is not None:
            return self.engine_factory(llm, adapters=tuple(adapters))
        return build_engine(llm, self.out.path, adapters=adapters, progress=self.progress)


class PipelineError(UserError, RuntimeError):
    pass


class StageFailed(PipelineError):
    """A stage stopped on bad input or config; its message names the file/key and the fix."""

    def __init__(self, message: str, exit_code: int = EXIT_BAD_VALUE):
        super().__init__(message)
        self.exit_code = exit_code


def load_stage(name: str) -> StageSpec:
    try:
        return layout.spec(name)
    except LayoutError as e:
        raise PipelineError(str(e)) from None


def stage_config_hash(cfg: DictConfig, spec: StageSpec) -> str:
    sections = {k: to_container(cfg[k]) if cfg.get(k) is not None else None for k in spec.config_keys}
    return config_hash([spec.name, sections])


def stage_input_hash(run_dir: Path, spec: StageSpec, cfg: DictConfig | None = None) -> str:
    digests = []
    if spec.fingerprint and cfg is not None:
        digests.append(spec.load_fingerprint()(cfg))
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


def run_pipeline(cfg: DictConfig, run_dir: Path, *,
                 engine_factory: EngineFactory | None = None) -> dict[str, StageResult | None]:
    """Run the selected stages in order; returns per stage its result (None when skipped as complete).
    ``engine_factory`` replaces the vLLM engine of every LLM stage (tests: a ``RecordedEngine``)."""
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
        raise_if_interrupted()
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
                           inputs={u: StageDir(run_dir, u) for u in spec.inputs}, engine_factory=engine_factory)
        try:
            res = spec.load_run()(ctx)
            if res.drop_raw_inputs:
                from onprem_sft.security.rawzone import scrub_raw

                scrub_raw(run_dir, out.path)
        except UserError as e:
            log.debug("stage %s failed", name, exc_info=True)
            raise StageFailed(f"stage '{name}' failed: {e}", e.exit_code) from e
        except (ValueError, OSError) as e:
            log.debug("stage %s failed", name, exc_info=True)
            raise StageFailed(f"stage '{name}' failed: {e}") from e
        raise_if_interrupted()
        elapsed = time.perf_counter() - t0
        extra = dict(res.extra, seconds=round(elapsed, 3))
        out.finalize(config_hash=chash, input_hash=ihash, counts=res.counts, model=res.model,
                     sampling=res.sampling, extra=extra)
        log.info("stage %-8s done in %.1fs: %s", name, elapsed,
                 res.summary or ", ".join(f"{k}={v}" for k, v in res.counts.items()))
        results[name] = res
        rerun_upstream = True
    ran = [k for k, v in results.items() if v is not None]
    log.info("pipeline: %d stage(s) run %s, %d skipped as complete", len(ran), ran, len(results) - len(ran))
    return results
