"""What the ``redact`` stage writes (see ``onprem_sft.layout``), keys and vault included: the stage folder
is the declared place of the HMAC key of the audit fingerprints and of the opt-in reversible vault."""

from onprem_sft.artifacts import RECORDS, REJECTS
from onprem_sft.layout import Output, StageSpec, Zone

AUDIT = "audit.jsonl"
RAW_SCRUB = "raw_scrub.json"
HMAC_KEY = "keys/redaction_hmac.key"
VAULT_KEY = "keys/vault.key"
VAULT = "vault/"
VAULT_FILE = "vault/redaction_vault.jsonl"
REDACTED_QUESTIONS = "redacted_questions.jsonl"   # collected questions after redaction

STAGE = StageSpec(
    name="redact", inputs=("ingest",), config_keys=("redaction",), run="onprem_sft.redact.stage:run",
    fingerprint="onprem_sft.redact.stage:redactor_fingerprint",
    about="Presidio + ko/en recognizers; placeholders; hash-chained audit log",
    outputs=(
        Output(AUDIT, "audit", Zone.DERIVED, records=True,
               about="audit log: hash chain, counts, offsets, HMAC fingerprints, never values"),
        Output(RECORDS, "redacted_chunk", Zone.REDACTED, records=True, report=True, about="redacted chunks"),
        Output(REDACTED_QUESTIONS, "redacted_question", Zone.REDACTED, records=True, scan=True, report=True,
               about="redacted collected questions (questions.path)"),
        Output(REJECTS, "reject", Zone.DERIVED, report=True),
        Output(RAW_SCRUB, "raw_scrub", Zone.DERIVED,
               about="hashes of the raw text dropped when redaction.keep_raw=false"),
        Output(HMAC_KEY, "hmac_key", Zone.SECRET,
               about="HMAC key of the audit fingerprints (default place; redaction.hmac_key_file moves it)"),
        Output(VAULT_KEY, "vault_key", Zone.SECRET, about="key of the vault (or redaction.vault_key_file)"),
        Output(VAULT, "vault", Zone.SECRET, about="opt-in AES-GCM vault of original values (redaction.vault)"),
    ))
