"""bench_quality's inputs: the test/dev article split is disjoint and test is what the blind runs used.

No pipeline runs here (the benchmark itself is a script); a small synthetic SQuAD-format dict stands in
for the real file, which is never vendored.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))

import bench_quality as bq


def _squad(n_articles: int = 10, paragraphs: int = 3) -> dict:
    data = []
    for a in range(n_articles):
        paras = []
        for p in range(paragraphs):
            ctx = f"Article {a} paragraph {p} says the value is {a * 10 + p}."
            paras.append({"context": ctx, "qas": [
                {"id": f"q{a}-{p}", "question": f"What value does article {a} paragraph {p} give?",
                 "is_impossible": False, "answers": [{"text": str(a * 10 + p), "answer_start": ctx.index(str(a * 10 + p))}]},
                {"id": f"u{a}-{p}", "question": "Who wrote it?", "is_impossible": True, "answers": []}]})
        data.append({"title": f"Art_{a}", "paragraphs": paras})
    return {"version": "v2.0", "data": data}


def _titles(squad: dict, split: str, articles: int = 3) -> list[str]:
    arts = bq.pick_articles(squad, articles=articles, paragraphs=3, split=split, rng=random.Random(0))
    return [a["title"] for a in arts]


def test_dev_and_test_articles_are_disjoint_and_test_is_the_first_shuffled():
    squad = _squad()
    test, dev = _titles(squad, "test"), _titles(squad, "dev")
    assert len(test) == len(dev) == 3
    assert not set(test) & set(dev)
    # test = what the script picked before --split existed (shuffle by seed, first N)
    old = list(squad["data"])
    random.Random(0).shuffle(old)
    assert test == [a["title"] for a in old[:3]]
    assert dev == [a["title"] for a in old[3:6]]
    holdout = _titles(squad, "holdout")
    assert holdout == [a["title"] for a in old[6:9]] and not set(holdout) & (set(test) | set(dev))


def test_a_split_without_enough_articles_fails_with_the_fix():
    with pytest.raises(SystemExit, match="lower --articles"):
        _titles(_squad(n_articles=5), "dev")


def test_build_inputs_writes_only_the_split_articles(tmp_path: Path):
    squad = _squad()
    for split in ("test", "dev"):
        work = tmp_path / split
        corpus, ext, info = bq.build_inputs(squad, work, articles=3, paragraphs=3, questions=6, repaired=2,
                                            seed=0, split=split)
        assert info["split"] == split and info["articles"] == _titles(squad, split)
        assert sorted(p.stem for p in corpus.glob("*.txt")) == sorted(info["articles"])
        paras = json.loads(ext.read_text(encoding="utf-8"))["data"][0]["paragraphs"]
        qas = [q for p in paras for q in p["qas"]]
        assert len(qas) == 8 and sum(q["is_impossible"] for q in qas) == 2
        arts = {int(t.split("_")[1]) for t in info["articles"]}
        # every answerable question is about a paragraph of this split's articles
        for p in paras:
            if not p["qas"][0]["is_impossible"]:
                assert int(p["qas"][0]["id"][1:].split("-")[0]) in arts


def test_variant_commands_compose_and_switch_the_answer_judge_off(tmp_path: Path):
    """Every variant's overrides (plus the benchmark's own) compose as meant; the unqualified answer judge
    is off unless --override turns it back on (later overrides win)."""
    from onprem_sft.config import compose

    ext = tmp_path / "ext.json"
    for name, extra in bq.VARIANTS.items():
        cmd = bq.variant_command(extra, tmp_path / "corpus", ext, tmp_path / name, [], None)
        overrides = cmd[cmd.index("onprem_sft.cli") + 1:]
        cfg = compose(overrides)
        assert cfg.evaluate.judge is False and cfg.evaluate.external == str(ext)
        assert cfg.curate.judge.enabled is False            # unqualified with 135M: advisory, drops nothing
        assert cfg.generate.span_check == ("off" if name == "no_span_check" else "template")
        assert cfg.generate.template_form == ("cloze" if name == "cloze_template" else "fronted")
        assert cfg.curate.gates.enabled is (name not in ("no_gates", "baseline"))
        assert cfg.curate.roundtrip.enabled is (name not in ("no_roundtrip", "baseline"))
    cmd = bq.variant_command([], tmp_path, ext, tmp_path / "x", ["evaluate.judge=true"], None)
    assert compose(cmd[cmd.index("onprem_sft.cli") + 1:]).evaluate.judge is True


def test_dataset_digest_tells_identical_datasets_apart_from_changed_ones(tmp_path: Path):
    """A variant is not retrained only when its train + eval rows are byte-identical to an earlier one's."""
    a, b = tmp_path / "a", tmp_path / "b"
    assert bq.dataset_digest(a) is None                      # no dataset stage yet
    for d, ev in ((a, '{"x": 2}\n'), (b, '{"x": 2}\n')):
        (d / "dataset").mkdir(parents=True)
        (d / "dataset" / "train.jsonl").write_text('{"x": 1}\n', encoding="utf-8")
        (d / "dataset" / "eval.jsonl").write_text(ev, encoding="utf-8")
    assert bq.dataset_digest(a) == bq.dataset_digest(b)
    (b / "dataset" / "eval.jsonl").write_text('{"x": 3}\n', encoding="utf-8")
    assert bq.dataset_digest(a) != bq.dataset_digest(b)
