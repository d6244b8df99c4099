"""The dataset stage: seed and chat formatting, JSONL + HF copy, card, split by document."""

from __future__ import annotations

import pytest
from datasets import load_from_disk

from onprem_sft.artifacts import StageDir, read_records, write_jsonl
from onprem_sft.config import compose
from onprem_sft.dataset import stage as ds
from onprem_sft.dataset.format import TemplateError, render_seed
from onprem_sft.pipeline import StageContext
from onprem_sft.records import Judgement, QAPair, SFTExample

KO_REF = "답변을 찾을 수 없습니다."


def curated(n_docs: int = 5, per_doc: int = 3) -> list[QAPair]:
    out = []
    for d in range(n_docs):
        for i in range(per_doc):
            unans = i == per_doc - 1
            out.append(QAPair(
                id=f"qa-{d}-{i}", parent_id=f"q-{d}-{i}", doc_id=f"doc-{d}", chunk_id=f"c-{d}-{i}",
                context_chunk_id=f"c-{d}-{i}", question=f"제{d}조 {i}항의 보험금은 언제 지급되나요?",
                context=f"제{d}조({{보험금}}) 회사는 <PERSON_1>에게 {i}일 이내에 지급합니다.",
                answer=KO_REF if unans else f"{i}일 이내에 지급합니다.", qtype=["factual", "reasoning"][i % 2],
                lang="ko", answerable=not unans))
    return out


def make_ctx(tmp_path, pairs, overrides=(), judged=True) -> StageContext:
    cfg = compose(["llm.model=/unused", "prompts=ko", "run.progress=false", *overrides])
    cur = StageDir(tmp_path, "curate")
    cur.ensure()
    write_jsonl(cur.records_path, pairs)
    if judged:
        write_jsonl(cur.path / "judgements.jsonl",
                    [Judgement(id=f"j{k}", parent_id=p.id, overall=3.0 + (k % 3) * 0.9, passed=True)
                     for k, p in enumerate(pairs)])
    filters = [{"step": "standardise", "enabled": True, "in": 20, "dropped": 2,
                "reasons": {"question_too_short": 2}},
               {"step": "judge", "enabled": True, "in": 18, "dropped": 3, "reasons": {"below_threshold": 3}}]
    cur.finalize(config_hash="c", input_hash="i", counts={"input": 20, "kept": len(pairs)},
                 extra={"filters": filters})
    out = StageDir(tmp_path, "dataset")
    out.ensure()
    return StageContext(cfg=cfg, run_dir=tmp_path, out=out, inputs={"curate": cur})


def test_seed_template_rows_split_hf_and_card(tmp_path) -> None:
    pairs = curated()
    ctx = make_ctx(tmp_path, pairs)
    res = ds.run(ctx)
    out = ctx.out.path
    rows = read_records(out / "records.jsonl", SFTExample)
    assert len(rows) == 15 and {r.parent_id for r in rows} == {p.id for p in pairs}
    r0 = next(r for r in rows if r.parent_id == "qa-0-0")
    assert r0.prompt.startswith("아래 [내용]을 참고해서 [질문]에 대해 답변해주세요.")
    assert r0.prompt.endswith("[내용]\n제0조({보험금}) 회사는 <PERSON_1>에게 0일 이내에 지급합니다.\n"
                              "[질문]\n제0조 0항의 보험금은 언제 지급되나요?\n[답변]\n")      # the question last
    assert r0.completion == "0일 이내에 지급합니다." and r0.judge_score == 3.0
    assert next(r for r in rows if r.parent_id == "qa-0-2").completion == KO_REF

    train = read_records(out / "train.jsonl", SFTExample)
    ev = read_records(out / "eval.jsonl", SFTExample)
    assert {r.split for r in train} == {"train"} and {r.split for r in ev} == {"eval"}
    assert not ({r.doc_id for r in train} & {r.doc_id for r in ev})
    assert res.counts["eval_docs"] == 1 and res.counts["train_docs"] == 4 and res.counts["unanswerable"] == 5

    hf = load_from_disk(str(out / "hf"))
    assert set(hf) == {"train", "eval"} and hf["train"].num_rows == len(train) and hf["eval"].num_rows == len(ev)
    assert hf["train"][0]["prompt"] == train[0].prompt

    card = (out / "card.md").read_text(encoding="utf-8")
    assert "| total | 15 | 5 | 33.3% |" in card
    assert "| standardise | on | 20 | 2 | question_too_short 2 |" in card
    assert "| judge | on | 18 | 3 | below_threshold 3 |" in card
    assert "| reasoning | 5 | 33.3% |" in card and "Unit: **document**" in card
    for p in pairs:                          # counts only: no text in the card
        assert p.question not in card


def test_chat_template_from_the_base_tokenizer(tmp_path, tiny_model_dir) -> None:
    ctx = make_ctx(tmp_path, curated(3, 2), [f"model.path={tiny_model_dir}", "dataset.template=chat"])
    ds.run(ctx)
    r = read_records(ctx.out.path / "records.jsonl", SFTExample)[0]
    assert r.prompt.endswith("[답변]<|im_end|>\n<|im_start|>assistant\n") and "<|im_start|>user\n" in r.prompt
    assert r.completion == "0일 이내에 지급합니다.<|im_end|>\n"      # the model learns to stop


def test_chat_without_tokenizer_is_a_clear_error(tmp_path) -> None:
    ctx = make_ctx(tmp_path, curated(2, 1), [f"model.path={tmp_path / 'nope'}", "dataset.template=chat"])
    with pytest.raises(TemplateError, match="model.path"):
        ds.run(ctx)


def test_single_document_falls_back_and_card_says_so(tmp_path) -> None:
    ctx = make_ctx(tmp_path, curated(1, 4), judged=False)
    res = ds.run(ctx)
    assert res.extra["split_unit"] == "chunk" and res.counts["eval"] >= 1
    card = (ctx.out.path / "card.md").read_text(encoding="utf-8")
    assert "NOT on unseen documents" in card and "Not judged" in card


def test_no_pairs_is_a_clear_error(tmp_path) -> None:
    ctx = make_ctx(tmp_path, [], judged=False)
    with pytest.raises(ValueError, match="curate kept no QA pairs.*judge dropped 3"):
        ds.run(ctx)


def test_seed_template_needs_placeholders() -> None:
    with pytest.raises(TemplateError, match="lacks {context}"):
        render_seed("[질문] {question}", "q", "c")
