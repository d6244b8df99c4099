"""Errors and logs never carry the matched personal data."""

from __future__ import annotations

import logging

import pytest
from presidio_analyzer import EntityRecognizer

from redaction import RedactionError, Redactor
from redaction.config import RedactionConfig
from redaction.vault import Vault, VaultError

SECRET = "피보험자 홍길동 900101-1234568 010-1234-5678"


class _Exploding(EntityRecognizer):
    """A recognizer whose exception quotes the text, like some Presidio errors do."""

    def __init__(self) -> None:
        super().__init__(supported_entities=["PERSON"], name="Exploding", supported_language="any")

    def load(self) -> None:
        pass

    def analyze(self, text, entities, nlp_artifacts=None):
        raise ValueError(f"cannot parse {text!r}")


def test_recognizer_exception_is_scrubbed(caplog):
    r = Redactor(RedactionConfig(use_name_analyser=False))
    r.recognizers.append(_Exploding())
    caplog.set_level(logging.DEBUG)
    with pytest.raises(RedactionError) as ei:
        r.redact(SECRET)
    msg = str(ei.value) + repr(ei.value) + str(ei.value.__cause__) + str(ei.value.__context__)
    assert "Exploding" in msg
    for v in ("홍길동", "900101", "1234-5678"):
        assert v not in msg
        assert v not in caplog.text


def test_debug_logs_hold_no_values(caplog):
    caplog.set_level(logging.DEBUG)
    res = Redactor(RedactionConfig(use_name_analyser=False)).redact(SECRET)
    assert res.counts
    for v in ("홍길동", "900101", "1234-5678"):
        assert v not in caplog.text


def test_vault_roundtrip_and_wrong_key(tmp_path):
    key = bytes(range(32))
    v = Vault(tmp_path / "vault" / "v.jsonl", key)
    r = Redactor(RedactionConfig(use_name_analyser=False), vault=v)
    res = r.redact(SECRET, doc_id="d1")
    stored = (tmp_path / "vault" / "v.jsonl").read_text(encoding="utf-8")
    assert "홍길동" not in stored and "900101" not in stored
    assert v.reveal("d1", res.text) == SECRET
    with pytest.raises(VaultError) as ei:
        Vault(tmp_path / "vault" / "v.jsonl", bytes(32)).mapping("d1")
    assert "홍길동" not in str(ei.value)


def test_vault_key_from_env(tmp_path, monkeypatch):
    import base64

    from redaction.vault import load_key
    monkeypatch.setenv("ONPREM_SFT_VAULT_KEY", base64.b64encode(bytes(range(32))).decode())
    assert load_key(None) == bytes(range(32))
    monkeypatch.delenv("ONPREM_SFT_VAULT_KEY")
    with pytest.raises(VaultError, match="no key"):
        load_key(None)
