"""Python child processes of a run: the egress guard (onprem_sft.security.egress) and the parent watchdog
(onprem_sft.procs: a child dies with the run, also on kill -9 of the pipeline)."""
import os

if os.environ.get("ONPREM_SFT_EGRESS_GUARD") == "1":
    try:
        from onprem_sft.security import egress as _egress

        _hosts = [h for h in os.environ.get("ONPREM_SFT_ALLOW_HOSTS", "").split(",") if h]
        _egress.install(_hosts, children=False)
    except Exception:  # noqa: BLE001, S110 - never break a child's start-up; the parent's guard still logs
        pass

if os.environ.get("ONPREM_SFT_DIE_WITH_PARENT") == "1":
    try:   # die with the run, also when it is killed hard (onprem_sft.procs)
        from onprem_sft import procs as _procs

        _procs.watch_parent()
        _procs.quiet_child()
    except Exception:  # noqa: BLE001, S110 - never break a child's start-up
        pass
