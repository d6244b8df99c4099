"""Thin CLI: ``onprem-sft [hydra overrides]`` runs the pipeline; a few subcommands serve auditors.

Subcommands (dispatched before Hydra so their arguments are not parsed as overrides):
  onprem-sft audit verify|report <audit.jsonl>    redaction audit log (hash chain, compliance summary)
  onprem-sft audit residue <run_dir>             second-opinion residue scan of the redacted zone
  onprem-sft verify <run_dir>                     security checks of a finished run
  onprem-sft eyecheck export|import ...           human eye-check round trip
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from pathlib import Path

SUBCOMMANDS = {
    "audit": "redaction.cli",
    "verify": "onprem_sft.security.cli",
    "eyecheck": "onprem_sft.curate.eyecheck_cli",
}

log = logging.getLogger("onprem_sft")


def _config_dir() -> str:
    """conf/ next to the package (editable install / source tree) or shipped inside it (wheel)."""
    here = Path(__file__).resolve().parent
    for cand in (here.parent / "conf", here / "conf"):
        if (cand / "config.yaml").exists():
            return str(cand)
    raise SystemExit("onprem-sft: cannot find conf/config.yaml next to the package; reinstall onprem-sft")


def _home() -> None:
    """Default ONPREM_SFT_HOME = the source tree, so model and sample paths resolve from any cwd."""
    root = Path(__file__).resolve().parent.parent
    if "ONPREM_SFT_HOME" not in os.environ and (root / "data" / "sample").exists():
        os.environ["ONPREM_SFT_HOME"] = str(root)


def run(cfg) -> int:
    from onprem_sft.config import validate
    from onprem_sft.pipeline import PipelineError, run_pipeline
    from onprem_sft.security import egress

    validate(cfg)
    run_dir = Path(cfg.run.dir).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    if cfg.security.egress_guard:
        egress.install(list(cfg.security.allow_hosts), log_path=run_dir / "security" / "egress.jsonl")
        log.info("egress guard on: only loopback%s", f" + {list(cfg.security.allow_hosts)}"
                 if cfg.security.allow_hosts else "")
    log.info("run dir: %s", run_dir)
    from onprem_sft.security import hooks as security_hooks

    security_hooks.on_start(cfg, run_dir)     # guard record, resolved config, security/dataflow.md
    try:
        results = run_pipeline(cfg, run_dir)
    except PipelineError as e:
        # user-facing problems (a stage's ValueError/OSError, e.g. a missing model path, arrives as StageFailed): one clear line (messages never carry document text); traceback in run.log
        log.debug("stage failed", exc_info=True)
        log.error("%s: %s", type(e).__name__, e)
        return 2
    ran = [k for k, v in results.items() if v is not None]
    skipped = [k for k, v in results.items() if v is None]
    verified = security_hooks.on_finish(cfg, run_dir, results)   # lineage.jsonl; verify when complete
    from onprem_sft.summary import print_summary

    print_summary(run_dir)
    log.info("pipeline finished: %d stage(s) run %s, %d skipped %s; run dir %s",
             len(ran), ran, len(skipped), skipped, run_dir)
    return 3 if verified is False else 0


def _hydra_main() -> int:
    import hydra

    from onprem_sft.config import ConfigError, register_configs

    register_configs()
    rc = {"code": 0}

    @hydra.main(version_base="1.3", config_path=_config_dir(), config_name="config")
    def _main(cfg) -> None:
        try:
            rc["code"] = run(cfg)
        except ConfigError as e:
            log.error("%s", e)
            rc["code"] = 2

    _main()
    return rc["code"]


def main(argv: list[str] | None = None) -> int:
    from onprem_sft.security.egress import set_offline_env

    set_offline_env()
    _home()
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in SUBCOMMANDS:
        mod = importlib.import_module(SUBCOMMANDS[argv[0]])
        return int(mod.main(argv[1:]) or 0)
    sys.argv = [sys.argv[0], *argv]
    return _hydra_main()


if __name__ == "__main__":
    raise SystemExit(main())
