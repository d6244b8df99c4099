"""The run layout is declared once: every stage's outputs live in its StageSpec, and nothing else names them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from onprem_sft import layout
from onprem_sft.artifacts import MANIFEST, RECORDS, REJECTS, StageDir
from onprem_sft.layout import Zone
from onprem_sft.llm.calls import CALLS
from onprem_sft.pipeline import PipelineError, StageContext
from onprem_sft.report import collect

PKG = Path(layout.__file__).resolve().parent
GENERIC = {RECORDS, REJECTS, MANIFEST, CALLS}     # written by StageDir / CallLog for any stage


def test_one_stage_list_and_specs_in_order():
    specs = layout.specs()
    assert [s.name for s in specs] == list(layout.STAGES)
    seen: set[str] = set()
    for s in specs:
        assert set(s.inputs) <= seen, f"{s.name} reads a stage that runs after it"
        paths = [o.path for o in s.outputs]
        assert len(paths) == len(set(paths)), f"{s.name} declares a file twice"
        assert all(not p.startswith(("/", "..")) for p in paths), "outputs stay inside the stage folder"
        assert callable(s.load_run())
        seen.add(s.name)


def test_output_names_appear_only_in_the_owning_stage_package():
    """Grep every declared file name over the package: only its own stage folder may spell it out."""
    sources = {p: p.read_text(encoding="utf-8") for p in PKG.rglob("*.py")}
    for s, o in layout.outputs():
        name = o.path.rstrip("/")
        if name in GENERIC:
            continue
        # a file name in quotes or after a slash; a folder name only as a path (short words are dict keys too)
        end = r"[\"'/]" if "." in name else "/"
        pattern = re.compile(r"[\"'/]" + re.escape(name) + end)
        for path, text in sources.items():
            owner = path.relative_to(PKG).parts[0]
            if owner == s.name or path.name == "layout.py":
                continue
            code = re.sub(r'"""[\s\S]*?"""', "", text)      # docstrings may explain, code may not name
            assert not pattern.search(code), f"{path.relative_to(PKG)} names {s.name}/{o.path}"


def test_report_reads_no_raw_or_secret_output():
    for s, o in layout.outputs(Zone.RAW, Zone.SECRET):
        assert (s.name, o.path) not in collect.READ
        with pytest.raises(collect.RawZoneError):
            collect.read_json(Path("/nonexistent"), s.name, o.path)


def test_secret_outputs_are_the_keys_and_vault_of_redact():
    secret = {f"{s.name}/{o.path}" for s, o in layout.outputs(Zone.SECRET)}
    assert secret and all(p.startswith("redact/") for p in secret)
    assert layout.rel("hmac_key") in secret


def test_input_must_be_declared(tmp_path):
    ctx = StageContext(cfg=None, run_dir=tmp_path, out=StageDir(tmp_path, "evaluate"),  # type: ignore[arg-type]
                       inputs={"dataset": StageDir(tmp_path, "dataset")})
    assert ctx.input("dataset").path == tmp_path / "dataset"
    with pytest.raises(PipelineError, match="without declaring"):
        ctx.input("redact")


def test_find_names_a_missing_or_ambiguous_kind():
    with pytest.raises(layout.LayoutError):
        layout.find("no_such_kind")
    with pytest.raises(layout.LayoutError):
        layout.find("reject")                      # every stage has one: ambiguous without a stage
    assert layout.declared("train", "adapter/adapter_config.json").kind == "adapter"


def test_redact_input_hash_follows_the_redactor_code_and_custom_recognizers(tmp_path):
    """A finished redact stage is redone when the recognizers change: the redaction package's files and the
    custom-recognizer file's content are part of its input hash, not only the config."""
    from onprem_sft.config import compose
    from onprem_sft.layout import spec
    from onprem_sft.redact.stage import redactor_fingerprint

    rules = tmp_path / "custom.yaml"
    rules.write_text("recognizers: []\n", encoding="utf-8")
    cfg = compose([f"run.dir={tmp_path / 'run'}", f"redaction.custom_recognizers={rules}"])
    assert spec("redact").fingerprint == "onprem_sft.redact.stage:redactor_fingerprint"
    first = redactor_fingerprint(cfg)
    assert redactor_fingerprint(cfg) == first                       # deterministic
    rules.write_text("recognizers: []\n# a new company ID\n", encoding="utf-8")
    assert redactor_fingerprint(cfg) != first                       # same path, new content: redo
