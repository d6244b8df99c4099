"""Installs the egress guard in Python child processes of a guarded run (see onprem_sft.security.egress)."""
import os

if os.environ.get("ONPREM_SFT_EGRESS_GUARD") == "1":
    try:
        from onprem_sft.security import egress as _egress

        _hosts = [h for h in os.environ.get("ONPREM_SFT_ALLOW_HOSTS", "").split(",") if h]
        _egress.install(_hosts, children=False)
    except Exception:  # never break a child's start-up; the parent's guard still logs
        pass
