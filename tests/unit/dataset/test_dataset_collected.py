"""The dataset stage with collected pairs: eval split holds customer questions only, rows say their source."""

from __future__ import annotations

import dataclasses

from datasets import load_from_disk
from test_dataset_stage import curated, make_ctx

from onprem_sft.artifacts import read_records
from onprem_sft.dataset import stage as ds
from onprem_sft.records import SFTExample


def test_eval_source_collected_rows_and_hf_say_their_source(tmp_path) -> None:
    gen = curated(n_docs=4, per_doc=3)
    col = [dataclasses.replace(p, id=f"qa-c{i}", parent_id=f"rq-{i}", source="collected", qtype="collected",
                               collected={"date": f"2024-0{i + 1}-10"}) for i, p in enumerate(curated(2, 3)[:5])]
    ctx = make_ctx(tmp_path, gen + col, [f"questions.path={tmp_path}", "dataset.eval_source=collected",
                                         "dataset.eval_fraction=0.4"])
    res = ds.run(ctx)
    rows = read_records(ctx.out.path / "records.jsonl", SFTExample)
    ev = [r for r in rows if r.split == "eval"]
    assert {r.source for r in ev} == {"collected"} and {r.parent_id for r in ev} == {"qa-c3", "qa-c4"}
    assert sum(r.source == "generated" for r in rows) == 12 and all(
        r.split == "train" for r in rows if r.source == "generated")
    assert res.counts["eval_collected"] == 2 and res.counts["train_collected"] == 3
    assert res.counts["train_generated"] == 12 and res.extra["split_unit"] == "time"
    hf = load_from_disk(str(ctx.out.path / "hf"))
    assert set(hf["eval"]["source"]) == {"collected"}
    card = (ctx.out.path / "card.md").read_text(encoding="utf-8")
    assert "| eval | 2 | 0 |" in card and "| train | 3 | 12 |" in card
