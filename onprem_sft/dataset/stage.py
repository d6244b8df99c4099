"""The `dataset` stage: curated QA pairs -> prompt/completion rows, split by document, JSONL + HF copy
+ card.md.

Outputs in ``dataset/``: records.jsonl (SFTExample with split), train.jsonl, eval.jsonl, hf/
(``datasets.load_from_disk``), card.md. ``model`` is among the config keys because the chat template
comes from the base model's tokenizer.
"""

from __future__ import annotations

import logging
from typing import Any

from onprem_sft.artifacts import atomic_write_text, read_records, write_jsonl
from onprem_sft.curate.spec import JUDGEMENTS
from onprem_sft.dataset.card import render_card
from onprem_sft.dataset.format import chat_formatter, load_tokenizer, seed_formatter
from onprem_sft.dataset.mix import choose_split, source_counts
from onprem_sft.dataset.spec import CARD, EVAL, HF_DIR, TRAIN
from onprem_sft.pipeline import StageContext, StageResult
from onprem_sft.records import Judgement, QAPair, SFTExample, stable_id
from onprem_sft.scale.executor import executor_name, mapper_for

log = logging.getLogger("onprem_sft.dataset")

HF_COLUMNS = {"id": "string", "parent_id": "string", "doc_id": "string", "split": "string", "prompt": "string",
              "completion": "string", "question": "string", "context": "string", "answerable": "bool",
              "qtype": "string", "lang": "string", "judge_score": "float64", "source": "string"}


def write_hf(path: Any, rows: dict[str, list[SFTExample]]) -> None:
    """DatasetDict(train, eval) with explicit features, so an empty eval split still loads."""
    from datasets import Dataset, DatasetDict, Features, Value

    feats = Features({k: Value(v) for k, v in HF_COLUMNS.items()})
    dd = DatasetDict({s: Dataset.from_dict({k: [getattr(e, k) for e in ex] for k in HF_COLUMNS}, features=feats)
                      for s, ex in rows.items()})
    dd.save_to_disk(str(path))


def run(ctx: StageContext) -> StageResult:
    cfg, dc = ctx.cfg, ctx.cfg.dataset
    cur = ctx.input("curate")
    pairs = cur.read(QAPair)
    cm = cur.read_manifest()
    filters = (cm.extra.get("filters", []) if cm else [])
    if not pairs:
        why = ", ".join(f"{f['step']} dropped {f['dropped']} ({', '.join(f.get('reasons', {})) or '-'})"
                        for f in filters)
        raise ValueError(f"dataset: curate kept no QA pairs ({cur.rejects_path}: {why}); relax the "
                         f"curate thresholds (e.g. curate.judge.threshold) or check the generate stage")
    jpath = cur.path / JUDGEMENTS
    scores = {j.parent_id: j.overall for j in read_records(jpath, Judgement)} if jpath.exists() else {}
    template = str(cfg.prompts.sft_template)
    if dc.template == "chat":
        tok = load_tokenizer(str(cfg.model.path), bool(cfg.model.get("trust_remote_code", False)))
        fmt = chat_formatter(template, tok, str(dc.system_prompt))
    else:
        fmt = seed_formatter(template)
    split, dropped, eval_source = choose_split(pairs, dc)    # eval_source / mix (collected questions)
    if split.note:
        log.warning("dataset split: %s", split.note)
    if dropped:
        ctx.out.write_rejects(dropped)
    examples = []
    chosen = [p for p in pairs if p.id in split.assign]
    for p, (prompt, completion) in zip(chosen, mapper_for(cfg.run)(fmt, chosen), strict=True):
        examples.append(SFTExample(
            id=stable_id("sft", p.id, dc.template), parent_id=p.id, doc_id=p.doc_id, split=split.assign[p.id],
            prompt=prompt, completion=completion, question=p.question, context=p.context,
            answerable=p.answerable, qtype=p.qtype, lang=p.lang, judge_score=scores.get(p.id), source=p.source))
    by_split = {s: [e for e in examples if e.split == s] for s in ("train", "eval")}
    ctx.out.write_records(examples)
    for name, rows in ((TRAIN, by_split["train"]), (EVAL, by_split["eval"])):
        write_jsonl(ctx.out.path / name, rows)
    if dc.write_hf:
        write_hf(ctx.out.path / HF_DIR, by_split)
    card = render_card(examples, split, template=dc.template, lang=str(cfg.prompts.get("lang", "")),
                       curate_counts=dict(cm.counts) if cm else {}, filters=filters,
                       hf_dir=HF_DIR.rstrip("/") if dc.write_hf else None)
    atomic_write_text(ctx.out.path / CARD, card)
    counts = {"examples": len(examples), "train": len(by_split["train"]), "eval": len(by_split["eval"]),
              "train_docs": len({e.doc_id for e in by_split["train"]}),
              "eval_docs": len({e.doc_id for e in by_split["eval"]}),
              "unanswerable": sum(not e.answerable for e in examples), **source_counts(examples),
              "mix_dropped": len(dropped)}
    return StageResult(counts=counts,
                       extra={"template": dc.template, "split_unit": split.unit, "split_note": split.note,
                              "eval_source": eval_source, "mix": dc.get("mix"),
                              "eval_groups": split.eval_groups, "executor": executor_name(cfg.run)},
                       summary=f"dataset: {counts['train']} train / {counts['eval']} eval rows "
                               f"({counts['train_docs']}/{counts['eval_docs']} documents, split by {split.unit})")

