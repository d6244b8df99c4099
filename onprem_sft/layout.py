"""The run layout, declared once: the stage list and, per stage, every file it writes and that file's zone.

Each stage package declares ``STAGE = StageSpec(...)`` in its ``spec.py`` (a light module: no model or
Presidio import), naming its inputs, the config sections that change its output, the function that runs it
and its ``outputs``. Everything that walks a run dir (the runner, lineage, verify, the raw-zone scrub, the
report, the data-flow document) iterates over these specs instead of naming files, so a new stage needs
one ``spec.py``, its name in ``STAGES``, and no edit in ``security/`` or ``report/``.

Zones say who may read a file:

- ``raw``      personal data as written (ingest): only the redact stage reads it; never a model, the report
               or a log. Emptied after redaction when ``redaction.keep_raw=false`` (``raw_fields``).
- ``redacted`` text after redaction and everything generated from it: what models see and what leaves.
- ``derived``  figures, logs, hashes, models: no record text.
- ``secret``   keys and the encrypted vault: read by the redactor and ``verify`` only; never in lineage,
               the report or a scan.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any

# The one stage list, in run order.
STAGES: tuple[str, ...] = ("ingest", "redact", "generate", "curate", "dataset", "train", "evaluate", "report")


class Zone(str, Enum):
    RAW = "raw"
    REDACTED = "redacted"
    DERIVED = "derived"
    SECRET = "secret"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Output:
    """One file (or folder, path ending in ``/``) a stage writes inside its own folder."""

    path: str                          # relative to the stage folder
    kind: str                          # record kind of each line (``chunk``...), or what the file is
    zone: Zone
    records: bool = False              # JSONL, one record a line: lineage hashes and links every line
    raw_fields: tuple[str, ...] = ()   # raw text fields emptied by the raw-zone scrub (keep_raw=false)
    report: bool = False               # the report and the closing summary may read it
    scan: bool = False                 # verify re-scans it for PII (text that leaves or feeds training)
    tree: bool = False                 # a model folder: one lineage node, hashed as a tree
    added_by: str = ""                 # written after the stage by this tool (not in the manifest)
    about: str = ""                    # one line for the data-flow document

    @property
    def is_dir(self) -> bool:
        return self.path.endswith("/")


@dataclass(frozen=True)
class StageSpec:
    name: str
    inputs: tuple[str, ...]            # upstream stages whose outputs this one reads (ctx.input(name))
    config_keys: tuple[str, ...]       # config sections that change this stage's output
    run: str | Callable[[Any], Any]    # "module:function" taking a StageContext (imported when the stage runs)
    outputs: tuple[Output, ...] = ()
    about: str = ""                    # one line for the data-flow document
    # inputs from outside the run (a stage with no upstream stage, e.g. ingest's corpus): "module:function"
    # taking the config and returning a digest of them, chained into the input hash so a changed corpus reruns
    # the stage and everything after it
    fingerprint: str = ""

    def output(self, kind: str) -> Output:
        for o in self.outputs:
            if o.kind == kind:
                return o
        raise KeyError(f"stage {self.name!r} declares no output of kind {kind!r}")

    def load_run(self) -> Callable[[Any], Any]:
        return _load(self.run)

    def load_fingerprint(self) -> Callable[[Any], str]:
        return _load(self.fingerprint)

    @property
    def zone(self) -> Zone:
        """The zone of the stage's main data: raw if it holds raw text at all, else redacted/derived."""
        zones = {o.zone for o in self.outputs}
        for z in (Zone.RAW, Zone.REDACTED):
            if z in zones:
                return z
        return Zone.DERIVED


def _load(ref: str | Callable[..., Any]) -> Callable[..., Any]:
    if callable(ref):                  # a spec declared next to its function (stage.py) passes it directly
        return ref
    module, _, func = ref.partition(":")
    return getattr(importlib.import_module(module), func)


class LayoutError(LookupError):
    pass


@cache
def spec(name: str) -> StageSpec:
    if name not in STAGES:
        raise LayoutError(f"unknown stage {name!r}; choose from {list(STAGES)}")
    try:
        s = importlib.import_module(f"onprem_sft.{name}.spec").STAGE
    except ModuleNotFoundError as e:
        if e.name != f"onprem_sft.{name}.spec":
            raise
        s = importlib.import_module(f"onprem_sft.{name}.stage").STAGE    # older layout: spec in stage.py
    if s.name != name:
        raise LayoutError(f"onprem_sft/{name}/spec.py declares stage {s.name!r}, expected {name!r}")
    return s


def specs() -> list[StageSpec]:
    return [spec(n) for n in STAGES]


def outputs(*zones: Zone) -> Iterator[tuple[StageSpec, Output]]:
    """(stage, output) for every declared output, in run order; only the given zones when named."""
    for s in specs():
        for o in s.outputs:
            if not zones or o.zone in zones:
                yield s, o


def find(kind: str, **where: Any) -> tuple[StageSpec, Output]:
    """The single declared output of ``kind`` (optionally also matching fields, e.g. ``report=True``)."""
    hits = [(s, o) for s, o in outputs() if o.kind == kind and all(getattr(o, k) == v for k, v in where.items())]
    if len(hits) != 1:
        raise LayoutError(f"{len(hits)} declared outputs of kind {kind!r} {where or ''}; expected exactly one")
    return hits[0]


def rel(kind: str, **where: Any) -> str:
    """Run-dir relative path of the single output of ``kind``: ``redact/audit.jsonl``."""
    s, o = find(kind, **where)
    return f"{s.name}/{o.path}"


def declared(stage: str, relpath: str) -> Output | None:
    """The output a file (path relative to its stage folder) belongs to, or None when undeclared."""
    for o in spec(stage).outputs:
        if relpath == o.path or (o.is_dir and relpath.startswith(o.path)):
            return o
    return None
