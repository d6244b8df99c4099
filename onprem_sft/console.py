"""A quiet console: our INFO lines and warnings, everyone's errors; everything else goes to ``run.log`` only.

Why: vLLM, DeepSpeed, transformers and Presidio log hundreds of INFO lines per run, which hid the one line
per stage and the final table (``make run`` printed ~620 lines). The file handler of ``run.log`` still
receives every record; ``-v`` (``ONPREM_SFT_VERBOSE=1``) shows everything on the console too.

Wired in ``conf/config.yaml`` (``hydra.job_logging``: the console handler's filter is ``ConsoleFilter``).
"""

from __future__ import annotations

import logging
import os

VERBOSE_ENV = "ONPREM_SFT_VERBOSE"
OUR_LOGGERS = ("onprem_sft", "redaction", "__main__")


def verbose() -> bool:
    return os.environ.get(VERBOSE_ENV) == "1"


class ConsoleFilter(logging.Filter):
    """Console: INFO+ from our loggers, ERROR+ from third parties (all with ``-v``); their warnings (vLLM
    prints six per engine start on CPU) are in run.log.

    A record logged with ``extra={"file_only": True}`` (e.g. a traceback kept for bug reports) never reaches
    the console; Python warnings (``py.warnings``) are kept for the file unless verbose."""

    def filter(self, record: logging.LogRecord) -> bool:
        if verbose():
            return True
        if getattr(record, "file_only", False):
            return False
        if record.name == "py.warnings":
            return False
        ours = record.name.split(".")[0] in OUR_LOGGERS
        return record.levelno >= (logging.INFO if ours else logging.ERROR)


def quiet_third_party() -> None:
    """Route third-party loggers through the root handlers (console filter + run.log) instead of their own
    console handlers, and Python warnings into logging. Call before the libraries are imported."""
    os.environ.setdefault("VLLM_CONFIGURE_LOGGING", "0")   # vLLM's records propagate to our handlers
    if not verbose():
        os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    logging.captureWarnings(True)
    tame_existing()


def tame_existing() -> None:
    """Loggers already created with their own stream handler (DeepSpeed's, at import): propagate instead."""
    for name, lg in list(logging.Logger.manager.loggerDict.items()):
        if not isinstance(lg, logging.Logger) or name.split(".")[0] in OUR_LOGGERS:
            continue
        streams = [h for h in lg.handlers if type(h) is logging.StreamHandler]
        if streams:
            for h in streams:
                lg.removeHandler(h)
            lg.propagate = True
