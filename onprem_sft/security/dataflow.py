"""Data-flow document of one run, generated from its resolved config.

Written to ``<run_dir>/security/dataflow.md`` at the start of every CLI run, so the security team reads
what *this* configuration does: which processes run, which loopback ports they use, which files hold
raw versus redacted data and what each model sees. Markdown with a mermaid diagram. The stages, their
files and zones come from the stages' declared outputs (``onprem_sft.layout``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from onprem_sft import layout
from onprem_sft.artifacts import atomic_write_text
from onprem_sft.layout import Zone

DATAFLOW = "security/dataflow.md"


def _get(cfg: Any, dotted: str, default: Any = None) -> Any:
    """cfg value by dotted key; tolerates DictConfig interpolations that fail outside Hydra."""
    cur = cfg
    for part in dotted.split("."):
        try:
            cur = cur[part] if isinstance(cur, dict) else getattr(cur, part)
        except Exception:  # noqa: BLE001 - an unresolvable interpolation reads as "not set"
            try:
                cur = cur.get(part)  # DictConfig / dict
            except Exception:  # noqa: BLE001
                return default
        if cur is None:
            return default
    return cur


def describe(cfg: Any, run_dir: str | Path) -> dict[str, Any]:
    """The facts the document states (also used by tests)."""
    run_dir = Path(run_dir)
    stages = list(_get(cfg, "stages", []) or []) or list(layout.STAGES)
    backend = _get(cfg, "llm.backend", "offline")
    url = _get(cfg, "llm.server.url")
    port = _get(cfg, "llm.server.port", 0)
    host = _get(cfg, "llm.server.host", "127.0.0.1")
    launcher = _get(cfg, "train.launcher", "inprocess")
    nproc = int(_get(cfg, "train.nproc", 1) or 1)
    ds = _get(cfg, "deepspeed.name", "none")
    zero = _get(cfg, "deepspeed.config.zero_optimization.stage")
    if backend == "server":
        where = url if url else f"{host}:{port if port else '<free port chosen at start>'}"
        engine = (f"vLLM OpenAI-compatible server on {where}" +
                  ("" if url else ", started and stopped by the pipeline (python -m vllm.entrypoints.openai.api_server)"))
    elif backend == "fleet":   # issue 16: several servers, maybe on the cluster (allow-listed hosts)
        urls = [str(_get(s, "url", s) if not isinstance(s, str) else s) for s in (_get(cfg, "llm.fleet.servers") or [])]
        engine = ("vLLM server fleet: " + ", ".join(urls) if urls else
                  f"vLLM server fleet of {_get(cfg, 'llm.fleet.autostart', 2)} server(s) on 127.0.0.1 started and "
                  "stopped by the pipeline")
    else:
        engine = "vLLM engine in the pipeline process (vllm.LLM, no listening port; CPU/GPU workers are child processes)"
    if launcher == "inprocess":
        trainer = f"HF Trainer + PEFT LoRA in the pipeline process{' under DeepSpeed ZeRO-' + str(zero) if ds != 'none' and zero is not None else ''}"
    else:
        trainer = (f"{launcher} launcher with {nproc} worker process(es), "
                   f"{'DeepSpeed ZeRO-' + str(zero) if zero is not None else 'DDP'}; workers talk over loopback "
                   f"(gloo/NCCL rendezvous on 127.0.0.1)")
        if _get(cfg, "train.hostfile"):
            trainer += f"; multi-node hostfile {_get(cfg, 'train.hostfile')} (those hosts must be in security.allow_hosts)"
    return {
        "run_dir": str(run_dir),
        "stages": stages,
        "egress_guard": bool(_get(cfg, "security.egress_guard", True)),
        "allow_hosts": list(_get(cfg, "security.allow_hosts", []) or []),
        "keep_raw": bool(_get(cfg, "redaction.keep_raw", True)),
        "llm_model": str(_get(cfg, "llm.model", "?")),
        "llm_backend": backend,
        "engine": engine,
        "trainer": trainer,
        "train_model": str(_get(cfg, "model.path", "?")),
        "corpus": str(_get(cfg, "corpus.path", "?")),
        "hmac_key_file": _get(cfg, "redaction.hmac_key_file") or str(run_dir / layout.rel("hmac_key")),
        "vault": bool(_get(cfg, "redaction.vault", False)),
        "lineage_signed": bool(_get(cfg, "security.lineage_key_file")),
        "executor": str(_get(cfg, "run.executor", "local") or "local"),
        "ray_address": _get(cfg, "run.ray.address"),
    }


ZONE_READERS = (
    "| zone | who may read it |",
    "|---|---|",
    "| raw | the redact stage only; emptied after redaction when redaction.keep_raw=false |",
    "| redacted | later stages, the generator/judge LLM (prompts), the trained model, the report |",
    "| derived | anyone: figures, logs, hashes, the adapter; no record text |",
    "| secret | the redactor and `onprem-sft verify`; never a model, the report, lineage or a log |",
)
_SUBGRAPH = {Zone.RAW: "raw zone (personal data)", Zone.REDACTED: "redacted zone", Zone.DERIVED: "derived"}


def mermaid(llm_backend: str = "offline") -> list[str]:
    """Stages grouped by zone, arrows from each declared input, the LLM beside the stages that call it."""
    lines = ["```mermaid", "flowchart LR"]
    for zone, title in _SUBGRAPH.items():
        members = [s for s in layout.specs() if s.zone is zone]
        if not members:
            continue
        lines.append(f"  subgraph {zone.value.upper()}[\"{title}\"]")
        lines += [f"    {s.name}[\"{s.name}: {s.about}\"]" for s in members]
        lines.append("  end")
    for s in layout.specs():
        lines += [f"  {up} --> {s.name}" for up in s.inputs]
        secrets = [o.path for o in s.outputs if o.zone is Zone.SECRET]
        if secrets:
            lines.append(f"  {s.name} -.- {s.name}_secret[(\"secret: {', '.join(f'{s.name}/{p}' for p in secrets)}\")]")
    lines.append(f"  LLM{{{{\"generator/judge LLM ({llm_backend})\"}}}}")
    lines += [f"  {s.name} <-. redacted prompts .-> LLM" for s in layout.specs()
              if "llm" in s.config_keys]
    lines += ["  NET((\"internet\")) -. blocked by the egress guard .-x REDACTED", "```"]
    return lines


def zone_rows(f: dict[str, Any]) -> list[str]:
    """One table row per declared output of the run's stages."""
    out = []
    for s, o in layout.outputs():
        if s.name not in f["stages"] or (o.kind.startswith("vault") and not f["vault"]):
            continue
        zone = f"**{o.zone.value}**" if o.zone in (Zone.RAW, Zone.SECRET) else o.zone.value
        note = o.about or o.kind.replace("_", " ")
        if o.raw_fields:
            note += " (" + ("kept" if f["keep_raw"] else "emptied after redact") + ")"
        out.append(f"| `{s.name}/{o.path}` | {zone} | {note} |")
    return out


def render(cfg: Any, run_dir: str | Path) -> str:
    f = describe(cfg, run_dir)
    rd = f["run_dir"]
    net = "loopback" + (f" + {', '.join(f['allow_hosts'])}" if f["allow_hosts"] else " only")
    raw_note = ("kept (redaction.keep_raw=true)" if f["keep_raw"]
                else f"emptied after redaction (redaction.keep_raw=false; hashes kept in {layout.rel('raw_scrub')})")
    lines = [
        "# Data flow of this run",
        "",
        f"Generated from the resolved configuration. Run dir: `{rd}`. Stages: {', '.join(f['stages'])}.",
        "",
        (f"- Network: **{net}**; egress guard **{'on' if f['egress_guard'] else 'OFF'}** "
         "(refused attempts land in `security/egress.jsonl`); HF/vLLM/telemetry offline flags set."),
        f"- Raw text: {raw_note}.",
        f"- Redaction HMAC key (value fingerprints): `{f['hmac_key_file']}` - keep it off the redacted zone.",
        "",
        *mermaid(f["llm_backend"]),
        "",
        "## Processes",
        "",
        "| process | what it does | network |",
        "|---|---|---|",
        "| pipeline (`onprem-sft`) | runs the stages in order, writes manifests and lineage | none (guarded) |",
        f"| LLM engine | {f['engine']} | {_llm_net(f)} |",
        f"| training | {f['trainer']} | {'loopback' if 'launcher' in f['trainer'] else 'none'} |",
        *_ray_rows(f),
        "",
        "## Where data lives",
        "",
        "| file | zone | holds |",
        "|---|---|---|",
        f"| `{f['corpus']}` | raw (input) | the documents, read only |",
        *zone_rows(f),
        "| `security/` | metadata | this file, guard start records, egress attempts, verify results |",
        "",
        *ZONE_READERS,
        "",
        "## What each model sees",
        "",
        (f"- Generator / judge LLM `{f['llm_model']}`: only redacted chunks and text generated from them "
         "(enforced: requests from raw records are refused; every prompt is logged in the stage's LLM call log "
         "and re-scanned by `onprem-sft verify`)."),
        f"- Trained model `{f['train_model']}`: the SFT rows of `dataset/` (redacted questions, contexts, answers).",
        "- Evaluation: the eval split's prompts, sent to the base model and to the base model + adapter.",
        "",
        "Check a finished run with `onprem-sft verify " + rd + "`"
        + (" (the lineage file is signed)." if f["lineage_signed"] else "."),
        "",
    ]
    return "\n".join(lines)


def write_dataflow(cfg: Any, run_dir: str | Path) -> Path:
    path = Path(run_dir) / DATAFLOW
    atomic_write_text(path, render(cfg, run_dir))
    return path


def _llm_net(f: dict[str, Any]) -> str:
    if f["llm_backend"] == "fleet":
        return "HTTP to the fleet servers (loopback or security.allow_hosts only)"
    return "loopback HTTP" if f["llm_backend"] == "server" else "none"


def _ray_rows(f: dict[str, Any]) -> list[str]:
    """issue 16: the redact stage on Ray sends raw chunk text to the Ray workers and back."""
    if f.get("executor") != "ray":
        return []
    where = f"the Ray cluster at {f['ray_address']}" if f.get("ray_address") else "a local Ray on 127.0.0.1"
    return [f"| redact workers (`run.executor=ray`) | redact whole documents on {where}; raw text travels in "
            "Ray's object store, audit lines are written by the pipeline only | "
            + ("cluster (security.allow_hosts)" if f.get("ray_address") else "loopback") + " |"]
