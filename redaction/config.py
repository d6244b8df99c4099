"""Config schema of the `redaction` group; also what ``Redactor.from_config`` accepts."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ClauseAction(StrEnum):
    remove = "remove"
    mask = "mask"


@dataclass
class SensitiveClauseConfig:
    enabled: bool = True
    action: ClauseAction = ClauseAction.remove   # remove | mask
    # "sentence:TERM" (default mode) = any sentence with the term; "marking:TERM" = a marking line, stamp or field
    terms: list[str] = field(default_factory=lambda: ["대외비", "영업비밀", "내부용", "marking:CONFIDENTIAL",
                                                      "marking:internal only"])
    patterns: list[str] = field(default_factory=list)


@dataclass
class NlpConfig:
    # spaCy pipeline for English PERSON/LOCATION via Presidio's SpacyNlpEngine: en_core_web_md (default, more
    # accurate on names) | en_core_web_sm (faster to load, ~100 MB less memory) | a folder path | null (rules only).
    # Not installed -> rules only, said once in the log and the manifest.
    en: str | None = "en_core_web_md"


@dataclass
class RedactionConfig:
    name: str = "default"
    languages: list[str] = field(default_factory=lambda: ["ko", "en"])  # recorded; every recognizer runs on every text
    entities: list[str] = field(default_factory=list)      # [] = every supported type
    score_threshold: float = 0.35
    use_name_analyser: bool = True    # kiwipiepy proper-noun tags for Korean names
    review_below: float = 0.6         # detections under this score are listed for human review
    keep_raw: bool = True             # false: raw chunk text is dropped after redaction (hashes kept)
    hmac_key_file: str | None = None   # key for value fingerprints; default <run_dir>/redact/keys/redaction_hmac.key
    vault: bool = False               # reversible AES-GCM vault of original values
    vault_key_file: str | None = None
    sensitive_clauses: SensitiveClauseConfig = field(default_factory=SensitiveClauseConfig)
    workers: int = 1                  # redact-stage process pool (output identical to 1; not with vault=true)
    custom_recognizers: str | None = None   # Presidio recognizer YAML (company IDs, deny-lists, regexes)
    nlp: NlpConfig = field(default_factory=NlpConfig)
    replace: str = "placeholder"      # placeholder (<PERSON_1>) | surrogate (realistic fake that can never be real)
