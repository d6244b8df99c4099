"""Optional reversible vault: placeholder -> original value, AES-256-GCM encrypted, stored apart from the
redacted zone (default ``<run_dir>/vault/``) so re-identification needs both the file and the key.
"""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_ENV = "ONPREM_SFT_VAULT_KEY"


class VaultError(RuntimeError):
    pass


def load_key(key_file: str | None = None, *, create: bool = False) -> bytes:
    """32-byte key from a file (raw, hex or base64) or from $ONPREM_SFT_VAULT_KEY (base64)."""
    if key_file:
        p = Path(key_file)
        if not p.exists():
            if not create:
                raise VaultError(f"vault key file {p} not found; create one (32 random bytes) or set ${KEY_ENV}")
            p.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(AESGCM.generate_key(bit_length=256))
        raw = p.read_bytes()
        return _decode_key(raw, str(p))
    env = os.environ.get(KEY_ENV)
    if env:
        return _decode_key(env.encode(), f"${KEY_ENV}")
    raise VaultError(f"vault enabled but no key: set redaction.vault_key_file or ${KEY_ENV} (base64 of 32 bytes)")


def _decode_key(raw: bytes, where: str) -> bytes:
    if len(raw) == 32:
        return raw
    s = raw.strip()
    for dec in (lambda b: bytes.fromhex(b.decode()), lambda b: base64.b64decode(b, validate=True)):
        try:
            k = dec(s)
        except (ValueError, UnicodeDecodeError):
            continue
        if len(k) == 32:
            return k
    raise VaultError(f"vault key from {where} is not 32 bytes (raw, hex or base64)")


class Vault:
    def __init__(self, path: str | Path, key: bytes):
        self.path = Path(path)
        self._aes = AESGCM(key)
        self._seen: set[tuple[str, str]] = set()
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    d = json.loads(line)
                    self._seen.add((d["doc"], d["placeholder"]))

    def put(self, doc_id: str, placeholder: str, value: str) -> None:
        if (doc_id, placeholder) in self._seen:
            return
        nonce = os.urandom(12)
        ct = self._aes.encrypt(nonce, value.encode("utf-8"), f"{doc_id}\x1f{placeholder}".encode())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists()
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"doc": doc_id, "placeholder": placeholder,
                                "nonce": base64.b64encode(nonce).decode(),
                                "ct": base64.b64encode(ct).decode()}) + "\n")
        if new:
            os.chmod(self.path, 0o600)
        self._seen.add((doc_id, placeholder))

    def mapping(self, doc_id: str) -> dict[str, str]:
        out = {}
        if not self.path.exists():
            return out
        for line in self.path.read_text(encoding="utf-8").splitlines():
            d = json.loads(line) if line.strip() else None
            if d and d["doc"] == doc_id:
                try:
                    out[d["placeholder"]] = self._aes.decrypt(
                        base64.b64decode(d["nonce"]), base64.b64decode(d["ct"]),
                        f"{doc_id}\x1f{d['placeholder']}".encode()).decode("utf-8")
                except Exception:  # noqa: BLE001 - InvalidTag or bad base64: same advice
                    raise VaultError(f"vault entry {d['placeholder']} of {doc_id} does not decrypt: wrong key "
                                     f"or tampered file {self.path}") from None
        return out

    def reveal(self, doc_id: str, redacted_text: str) -> str:
        m = self.mapping(doc_id)
        out = re.sub(r"<[A-Z_]+_\d+>", lambda x: m.get(x.group(0), x.group(0)), redacted_text)
        # surrogates (redaction.replace=surrogate) are plain text: longest first, so "Mr. A B" beats "A B"
        fakes = sorted((k for k in m if not re.fullmatch(r"<[A-Z_]+_\d+>", k)), key=len, reverse=True)
        if fakes:
            out = re.sub("|".join(map(re.escape, fakes)), lambda x: m[x.group(0)], out)
        return out
