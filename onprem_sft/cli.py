"""Thin CLI: ``onprem-sft [hydra overrides]`` runs the pipeline; a few subcommands serve auditors.

Exit codes (also for the subcommands): 0 ok, 1 unknown config key or wrong type, 2 invalid value or bad input,
3 verify failed, 4 environment (unwritable path, unreachable server, refused egress, a run still using the
run dir), 130 interrupted. ``-v`` shows every library's log lines on the console (they always go to run.log).

Subcommands (dispatched before Hydra so their arguments are not parsed as overrides):
  onprem-sft audit verify|report <audit.jsonl>    redaction audit log (hash chain, compliance summary)
  onprem-sft audit residue <run_dir>             second-opinion residue scan of the redacted zone
  onprem-sft verify <run_dir>                     security checks of a finished run
  onprem-sft eyecheck export|import ...           human eye-check round trip
  onprem-sft judge qualify FILE [overrides]       judge vs human labels (accuracy, kappa, Spearman)
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
    "judge": "onprem_sft.curate.qualify_cli",
}

log = logging.getLogger("onprem_sft")


def _home() -> None:
    """Default ONPREM_SFT_HOME = the source tree, so model and sample paths resolve from any cwd."""
    root = Path(__file__).resolve().parent.parent
    if "ONPREM_SFT_HOME" not in os.environ and (root / "data" / "sample").exists():
        os.environ["ONPREM_SFT_HOME"] = str(root)


def _fail(e: BaseException, code: int, *, use_log: bool = True) -> int:
    """One line per mistake on stderr (and in run.log when logging is set up); the traceback only in run.log."""
    from onprem_sft.errors import UserError

    lines = [ln.strip().lstrip("- ").strip() for ln in str(e).splitlines() if ln.strip()]
    if isinstance(e, UserError) and len(lines) > 1 and lines[0].endswith(":"):
        head, rest = lines[0].rstrip(":"), lines[1:]          # "invalid configuration:" + one line per problem
        lines = [f"{head}: {r}" for r in rest]
    elif len(lines) > 1:
        lines = ["; ".join(lines)]
    log.info("traceback of the error below (for bug reports)", exc_info=e, extra={"file_only": True})
    for line in lines or [type(e).__name__]:
        if use_log and logging.getLogger().handlers:
            log.error("%s", line)
        else:
            print(f"onprem-sft: {line}", file=sys.stderr)
    return code


def run(cfg) -> int:
    from onprem_sft import console, procs
    from onprem_sft.config import validate
    from onprem_sft.pipeline import run_pipeline
    from onprem_sft.security import egress

    validate(cfg)
    console.quiet_third_party()
    run_dir = Path(cfg.run.dir).resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    if cfg.security.egress_guard:
        egress.install(list(cfg.security.allow_hosts), log_path=run_dir / "security" / "egress.jsonl")
        log.info("egress guard on: only loopback%s", f" + {list(cfg.security.allow_hosts)}"
                 if cfg.security.allow_hosts else "")
        if cfg.llm.server.get("url"):
            egress.check_url(str(cfg.llm.server.url), "llm.server.url", list(cfg.security.allow_hosts))
    procs.stop_leftovers(run_dir)            # engines/servers an earlier, killed run of this run dir left
    procs.install(run_dir, quiet_children=not console.verbose())   # children die with us, also on kill -9
    procs.write_pidfile(run_dir)
    log.info("run dir: %s", run_dir)
    from onprem_sft.security import hooks as security_hooks

    security_hooks.on_start(cfg, run_dir)     # guard record, resolved config, security/dataflow.md
    try:
        results = run_pipeline(cfg, run_dir)
    finally:
        procs.uninstall()                    # later children of this process belong to no run
    ran = [k for k, v in results.items() if v is not None]
    skipped = [k for k, v in results.items() if v is None]
    verified = security_hooks.on_finish(cfg, run_dir, results)   # lineage.jsonl; verify when complete
    log.info("pipeline finished: %d stage(s) run %s, %d skipped %s; run dir %s",
             len(ran), ran, len(skipped), skipped, run_dir)
    from onprem_sft.summary import print_summary

    print_summary(run_dir)
    return 3 if verified is False else 0


def _run_guarded(fn, *args) -> int:
    """User errors -> one line + their exit code; Ctrl-C -> one line + 130; anything else is a bug (traceback)."""
    from onprem_sft.errors import EXIT_INTERRUPTED, INTERRUPTED_LINE, exit_code_of

    try:
        return int(fn(*args) or 0)
    except KeyboardInterrupt:
        print(f"onprem-sft: {INTERRUPTED_LINE}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as e:
        code = exit_code_of(e)
        if code is None:
            raise
        return _fail(e, code)


def _compose_error(e: Exception) -> tuple[int, str]:
    """Hydra/OmegaConf composition errors -> (exit code, one line naming the key)."""
    from omegaconf.errors import ConfigAttributeError, ConfigKeyError, ValidationError

    from onprem_sft.errors import EXIT_BAD_VALUE, EXIT_UNKNOWN_KEY

    cause = e.__cause__ or e
    msg = next((ln.strip() for ln in str(cause).splitlines() if ln.strip()), type(cause).__name__)
    key = getattr(cause, "full_key", None)
    where = f"{key}: " if key and key not in msg else ""
    if isinstance(cause, (ConfigKeyError, ConfigAttributeError)) or "not in struct" in msg:
        return EXIT_UNKNOWN_KEY, f"unknown config key: {where}{msg}"
    if isinstance(cause, ValidationError) and "expected one of" in msg:
        return EXIT_BAD_VALUE, f"invalid value: {where}{msg}"
    if isinstance(cause, ValidationError):
        return EXIT_UNKNOWN_KEY, f"wrong type: {where}{msg}"
    if type(e).__name__ == "MissingConfigException":
        return EXIT_BAD_VALUE, f"invalid value: {msg}"
    return EXIT_UNKNOWN_KEY, msg


def preflight(argv: list[str]) -> int | None:
    """Compose and validate the config before Hydra starts (Hydra creates run.dir first, and reports a bad
    value as a multi-line traceback). Returns an exit code to stop with, or None to go on."""
    from onprem_sft.config import compose, validate
    from onprem_sft.errors import UserError

    if any(a.startswith("-") for a in argv):      # --help, --cfg, -m ...: Hydra's own business
        return None
    try:
        cfg = compose(argv)
    except Exception as e:  # noqa: BLE001 - every composition error becomes one line
        code, line = _compose_error(e)
        print(f"onprem-sft: {line}", file=sys.stderr)
        return code
    try:
        validate(cfg)
    except UserError as e:
        return _fail(e, e.exit_code, use_log=False)      # logging is not set up yet: plain stderr lines
    finally:
        from hydra.core.global_hydra import GlobalHydra

        GlobalHydra.instance().clear()
    return None


def _hydra_main() -> int:
    import hydra

    from onprem_sft.config import config_dir, register_configs

    register_configs()
    rc = {"code": 0}

    @hydra.main(version_base="1.3", config_path=config_dir(), config_name="config")
    def _main(cfg) -> None:
        rc["code"] = _run_guarded(run, cfg)

    _main()
    return rc["code"]


def main(argv: list[str] | None = None) -> int:
    from onprem_sft.console import VERBOSE_ENV
    from onprem_sft.errors import remember_interrupts
    from onprem_sft.security.egress import set_offline_env

    remember_interrupts()
    set_offline_env()
    _home()
    argv = sys.argv[1:] if argv is None else argv
    if "-v" in argv or "--verbose" in argv:
        os.environ[VERBOSE_ENV] = "1"
        argv = [a for a in argv if a not in ("-v", "--verbose")]
    if argv and argv[0] in SUBCOMMANDS:
        mod = importlib.import_module(SUBCOMMANDS[argv[0]])
        return _run_guarded(mod.main, argv[1:])
    code = _run_guarded(preflight, argv)
    if code:
        return code
    sys.argv = [sys.argv[0], *argv]
    return _run_guarded(_hydra_main)


if __name__ == "__main__":
    raise SystemExit(main())
