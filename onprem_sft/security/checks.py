"""What every ``verify`` check shares: the result type, the options and a lazy view of one run dir.

Kept apart from ``verify.py`` (the runner and the structural checks) and ``leakscan.py`` (the content
checks) so that both import it and neither imports the other.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onprem_sft import layout
from onprem_sft.security.lineage import iter_lines

PASS, FAIL, WARN, SKIP = "PASS", "FAIL", "WARN", "SKIP"
GUARD_LOG = "security/guard.jsonl"
EGRESS_LOG = "security/egress.jsonl"
RESOLVED = "security/resolved.json"
VERIFY_RESULTS = "security/verify.json"
MAX_LISTED = 50   # problems kept per check (the count says how many there were)


@dataclass
class CheckResult:
    name: str
    title: str
    status: str = PASS
    summary: str = ""
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    n_problems: int = 0

    def fail(self, msg: str) -> None:
        self.n_problems += 1
        if len(self.problems) < MAX_LISTED:
            self.problems.append(msg)

    def warn(self, msg: str) -> None:
        if len(self.warnings) < MAX_LISTED:
            self.warnings.append(msg)

    def finish(self, summary: str) -> CheckResult:
        self.summary = summary
        if self.n_problems:
            self.status = FAIL
        elif self.warnings and self.status == PASS:
            self.status = WARN
        return self

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class VerifyOptions:
    key_file: str | None = None            # redaction HMAC key (fingerprints); default from the run
    lineage_key_file: str | None = None    # key to check lineage.sig.json
    scan_pii: bool = True                  # the re-scan checks (1, 2, 6 content) need the Redactor
    min_structured_score: float = 0.85     # fresh structured-ID detections at or above this fail check 2
    residue: str | None = None             # warn | fail | off; None = the run's security.residue (default warn)


class RunView:
    """Lazy, shared reads of one run dir for the checks."""

    def __init__(self, run_dir: str | Path, options: VerifyOptions | None = None):
        self.run_dir = Path(run_dir)
        self.options = options or VerifyOptions()
        self._cache: dict[str, Any] = {}

    def rel(self, p: Path) -> str:
        return str(p.relative_to(self.run_dir))

    @property
    def resolved(self) -> dict[str, Any]:
        """Resolved config sections recorded by the CLI at run start ({} when absent)."""
        if "resolved" not in self._cache:
            p = self.run_dir / RESOLVED
            self._cache["resolved"] = json.loads(p.read_text(encoding="utf-8")) if p.exists() else {}
        return self._cache["resolved"]

    def stage_dirs(self) -> list[Path]:
        return [self.run_dir / s for s in layout.STAGES if (self.run_dir / s).is_dir()]

    def path(self, kind: str, **where: Any) -> Path:
        """The run's file of the single declared output of ``kind`` (``onprem_sft.layout``)."""
        return self.run_dir / layout.rel(kind, **where)

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]




def rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) of a JSONL file; a line that is not a JSON object reads as {"_invalid": True}."""
    if not path.exists():
        return
    for lineno, _line, obj in iter_lines(path):
        yield lineno, (obj if obj is not None else {"_invalid": True})


def ids_in(path: Path) -> list[tuple[int, str]]:
    return [(n, str(r.get("id"))) for n, r in rows(path) if r.get("id")]
