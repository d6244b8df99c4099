"""Our recognizers in a Presidio ``RecognizerRegistry``, and company recognizers from Presidio's own YAML.

Every recognizer of this package is a ``presidio_analyzer.EntityRecognizer`` subclass, so they load into a
plain Presidio ``AnalyzerEngine``:

    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from redaction.registry import build_registry
    reg = build_registry(["ko"])
    eng = AnalyzerEngine(registry=reg, nlp_engine=NoOpNlpEngine([{"lang_code": "ko", "model_name": "none"}]),
                         supported_languages=["ko"])
    eng.analyze("환자성명: 남궁서율 (남, 51세)", language="ko")

``Redactor`` runs the same objects in its own loop (no NLP engine, offsets mapped back from normalised text,
overlaps merged toward over-redaction); the registry is for users who want Presidio's engine around them.

``redaction.custom_recognizers=path.yaml`` adds ``PatternRecognizer`` s in Presidio's YAML format (the
``recognizers:`` list of ``add_recognizers_from_yaml``: ``patterns`` with regex/score, ``deny_list``,
``context``, ``supported_entity``) for company-specific IDs, deny-lists and regexes, without code. The file is
loaded when the config is composed, so a wrong path or a bad regex fails before any work.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path

from presidio_analyzer import EntityRecognizer, PatternRecognizer, RecognizerRegistry


class CustomRecognizerError(ValueError):
    """A custom recognizer file that cannot be used; the message names the file, the entry and the fix."""


def load_custom_recognizers(path: str | Path) -> list[EntityRecognizer]:
    """Presidio ``PatternRecognizer`` s from a YAML file in Presidio's format (validated, compiled)."""
    import yaml

    p = Path(path)
    if not p.is_file():
        raise CustomRecognizerError(f"redaction.custom_recognizers: {p} does not exist; give the path of a "
                                    "Presidio recognizer YAML file (a 'recognizers:' list)")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise CustomRecognizerError(f"redaction.custom_recognizers: {p} is not valid YAML "
                                    f"({type(e).__name__} at {getattr(e, 'problem_mark', '?')})") from None
    entries = data.get("recognizers") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise CustomRecognizerError(f"redaction.custom_recognizers: {p} needs a non-empty top-level "
                                    "'recognizers:' list (Presidio's recognizer YAML format)")
    out: list[EntityRecognizer] = []
    for i, entry in enumerate(entries):
        where = f"{p}: recognizers[{i}]"
        if not isinstance(entry, dict):
            raise CustomRecognizerError(f"{where} must be a mapping")
        if not (entry.get("supported_entity") or entry.get("supported_entities")):
            raise CustomRecognizerError(f"{where} ({entry.get('name', 'unnamed')}) needs supported_entity")
        if not (entry.get("patterns") or entry.get("deny_list")):
            raise CustomRecognizerError(f"{where} ({entry.get('name', 'unnamed')}) needs patterns or deny_list")
        cfg = dict(entry)
        cfg.pop("score_thresholds", None)
        cfg.setdefault("supported_language", "ko")
        try:
            rec = PatternRecognizer.from_dict(cfg)
        except Exception as e:  # noqa: BLE001 - Presidio raises TypeError/ValueError/re.error; name the entry
            raise CustomRecognizerError(f"{where} ({entry.get('name', 'unnamed')}): {type(e).__name__}: "
                                        f"{str(e)[:160]}") from None
        out.append(rec)
    return out


def build_registry(languages: Sequence[str] = ("ko", "en"), use_name_analyser: bool = True,
                   custom_recognizers: str | Path | None = None) -> RecognizerRegistry:
    """A ``RecognizerRegistry`` holding our recognizers once per language (Presidio filters by language)."""
    from redaction.recognizers import build_recognizers

    reg = RecognizerRegistry(supported_languages=list(languages))
    base = build_recognizers(use_name_analyser)
    for lang in languages:
        for rec in base:
            r = copy.copy(rec)
            r.supported_language = lang
            reg.add_recognizer(r)
    if custom_recognizers:
        for rec in load_custom_recognizers(custom_recognizers):
            for lang in languages:
                r = copy.copy(rec)
                r.supported_language = lang
                reg.add_recognizer(r)
    return reg
