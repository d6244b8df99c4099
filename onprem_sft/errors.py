"""User-facing errors: the one base the CLI turns into a single line and a documented exit code.

Anything that is not a ``UserError`` (nor one of the stage errors the pipeline wraps) is a bug and keeps its
traceback. Messages name the file, record or config key and the fix, and never quote document text.

Exit codes (README "Exit codes"): 0 ok, 1 unknown config key or wrong type, 2 invalid value or bad input
(a stage stopped), 3 verify failed, 4 environment (unwritable run dir, unreachable server, egress refused,
processes left by an earlier run), 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import signal
import sys
import threading

EXIT_OK = 0
EXIT_UNKNOWN_KEY = 1
EXIT_BAD_VALUE = 2
EXIT_VERIFY_FAILED = 3
EXIT_ENVIRONMENT = 4
EXIT_INTERRUPTED = 130

INTERRUPTED_LINE = "interrupted; rerun the same command to resume"


class UserError(Exception):
    """A mistake the user can fix (config, input, environment); ``exit_code`` is what the CLI returns."""

    exit_code = EXIT_BAD_VALUE

    def one_line(self) -> str:
        """The message folded to a single line (multi-problem messages become '; '-separated)."""
        parts = [p.strip().lstrip("- ").strip() for p in str(self).splitlines() if p.strip()]
        return "; ".join(parts) if parts else type(self).__name__


class ConfigError(UserError, ValueError):
    """A config that composes but makes no sense; the message names the key and the fix."""


class UnknownKeyError(UserError, KeyError):
    """A misspelled key or a value of the wrong type (exit 1, as Hydra's own errors)."""

    exit_code = EXIT_UNKNOWN_KEY

    def __str__(self) -> str:          # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class InputError(UserError, ValueError):
    """Bad input data (a corpus with nothing usable, a truncated run file)."""


class EnvironmentProblem(UserError, OSError):
    """The machine, not the config: an unwritable run dir, an unreachable server, a refused connection."""

    exit_code = EXIT_ENVIRONMENT

    def __str__(self) -> str:          # OSError would prefix "[Errno ...]" when given two args
        return str(self.args[0]) if self.args else ""


class VerifyFailed(UserError):
    exit_code = EXIT_VERIFY_FAILED


def exit_code_of(exc: BaseException) -> int | None:
    """The documented exit code of a user-facing error, or None for a bug (keep the traceback)."""
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(exc, UserError):
        return int(getattr(exc, "exit_code", EXIT_BAD_VALUE))
    return None


_interrupted = False


def _on_sigint(signum, frame) -> None:
    global _interrupted
    _interrupted = True
    raise KeyboardInterrupt


def _unraisable(u) -> None:
    if isinstance(u.exc_value, KeyboardInterrupt):
        return                                    # remembered by _on_sigint; the CLI prints one line
    sys.__unraisablehook__(u)


def remember_interrupts() -> None:
    """Ctrl-C raises KeyboardInterrupt as usual and is also remembered, because Python drops an exception
    raised inside a ``__del__`` (it printed "Exception ignored in ..." in CI): the stage then ran on and must
    not be finalized as complete. Main thread of the CLI only."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _on_sigint)
        sys.unraisablehook = _unraisable


def raise_if_interrupted() -> None:
    """Re-raise a Ctrl-C that some library swallowed; called before a stage is marked complete."""
    if _interrupted:
        raise KeyboardInterrupt
