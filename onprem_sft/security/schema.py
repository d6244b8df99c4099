"""Config schema of the `security` settings (air gap, lineage signing)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SecurityConfig:
    egress_guard: bool = True
    allow_hosts: list[str] = field(default_factory=list)   # extra hosts allowed besides loopback
    lineage_key_file: str | None = None                  # HMAC key to sign the lineage file
    verify_after_run: bool = True
    residue: str = "warn"             # second-opinion residue scan in verify: warn (list) | fail | off
