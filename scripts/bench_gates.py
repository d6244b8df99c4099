"""Precision/recall of the curate noise gates on the frozen labelled set (data/benchmarks/gates/gates_v1.jsonl).

Each row goes through what curate does before any model sees it: ``standardise`` (normalise; drops
malformed refusals and bad lengths) then the gates (``onprem_sft/curate/gates.py``) with the row's
``answer_style``. A row is *dropped* when either drops it; *repaired* when standardise rewrote it into the
exact configured form (a refusal missing its period becomes the refusal; a leading "Question:" is
stripped), so no junk reaches the dataset; repairs are listed as their own rows.

Scoring follows data/benchmarks/README.md: per junk class, recall = share of its rows dropped (or
repaired) by the gate(s) meant for it, or by any gate ("any"); per gate, precision = share of its drops
that are junk rows of any class (and "strict": of the class it is meant for). The
question_contains_answer / answer_in_question pair is scored as one family.

    PYTHONPATH=$PWD .venv/bin/python scripts/bench_gates.py [--set FILE] [--json OUT] [--misses]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from onprem_sft.curate import gates as gt
from onprem_sft.curate.standardise import StandardiseRules, normalise_text, standardise_pair
from onprem_sft.records import QAPair

REFUSAL = {"en": "The answer cannot be found.", "ko": "답변을 찾을 수 없습니다."}
FAMILY = ("q_contains_answer", "a_repeats_question")
# junk class -> the gate codes (or standardise reasons) meant to catch it
MEANT = {
    "question_multiple": ("q_not_one_question",),
    "question_debris": ("q_debris", "repaired_question"),
    "question_copies_context": ("q_copies_context",),
    "question_loop": ("q_loop",),
    "question_length": ("question_too_short", "question_too_long", "q_length"),
    "question_contains_answer": FAMILY,
    "question_placeholder": ("q_placeholders",),
    "answer_not_in_context": ("a_not_in_context",),
    "answer_short_ungrounded": ("a_not_from_context",),
    "answer_in_question": FAMILY,
    "answer_loop": ("a_loop",),
    "answer_yesno_mismatch": ("a_yes_no",),
    "refusal_wrong_string": ("a_refusal_label", "unanswerable_without_refusal", "answerable_but_refused",
                             "repaired"),
    "answer_wrong_language": ("a_lang",),
}


def standardise_rules(lang: str) -> StandardiseRules:
    from onprem_sft.config import compose

    c = compose(["llm.model=/m", f"prompts={lang}"]).curate
    return StandardiseRules.from_config(c, REFUSAL[lang])


def evaluate(rows: list[dict]) -> tuple[dict, list[dict]]:
    std = {lang: standardise_rules(lang) for lang in REFUSAL}
    outcomes = []
    for r in rows:
        lang = r["lang"]
        p = QAPair(id=r["id"], parent_id=None, question=r["question"], context=r["context"], answer=r["answer"],
                   lang=lang, answerable=not r["is_unanswerable"])
        s, reason, _ = standardise_pair(p, std[lang])
        if s is None:
            fired = [reason]
        else:
            rules = gt.GateRules(answer_style=r["answer_style"], refusal=REFUSAL[lang])
            fired = gt.check_pair(s, rules)
            if not fired and not p.answerable and p.answer != s.answer:
                fired = ["repaired"]             # refusal variant rewritten to the exact label
            elif not fired and s.question.rstrip("?") != normalise_text(p.question).rstrip("?"):
                fired = ["repaired_question"]    # leading "Question:" / "[질문]" chatter stripped
        outcomes.append({"id": r["id"], "lang": lang, "label": r["label"], "fired": fired})
    by_class: dict[str, dict] = {}
    for cls, meant in MEANT.items():
        rs = [o for o in outcomes if o["label"] == cls]
        by_class[cls] = {"n": len(rs),
                         "recall": _ratio(sum(any(f in meant for f in o["fired"]) for o in rs), len(rs)),
                         "recall_any": _ratio(sum(bool(o["fired"]) for o in rs), len(rs))}
    codes = sorted({f for o in outcomes for f in o["fired"]})
    by_gate = {}
    for code in codes:
        hits = [o for o in outcomes if code in o["fired"]]
        strict = [o for o in hits if code in MEANT.get(o["label"], ())]
        by_gate[code] = {"drops": len(hits), "precision": _ratio(sum(o["label"] != "clean" for o in hits), len(hits)),
                         "precision_strict": _ratio(len(strict), len(hits)),
                         "clean_dropped": sum(o["label"] == "clean" for o in hits)}
    junk = [o for o in outcomes if o["label"] != "clean"]
    dropped = [o for o in outcomes if o["fired"]]
    overall = {"rows": len(outcomes), "junk": len(junk), "clean": len(outcomes) - len(junk),
               "recall": _ratio(sum(bool(o["fired"]) for o in junk), len(junk)),
               "precision": _ratio(sum(o["label"] != "clean" for o in dropped), len(dropped)),
               "clean_dropped": sum(o["label"] == "clean" for o in dropped)}
    per_lang = {lang: {"recall": _ratio(sum(bool(o["fired"]) for o in junk if o["lang"] == lang),
                                        sum(o["lang"] == lang for o in junk)),
                       "clean_dropped": sum(o["label"] == "clean" and bool(o["fired"]) for o in outcomes
                                            if o["lang"] == lang)} for lang in REFUSAL}
    return {"overall": overall, "by_lang": per_lang, "by_class": by_class, "by_gate": by_gate}, outcomes


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", type=Path, default=ROOT / "data/benchmarks/gates/gates_v1.jsonl")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--misses", action="store_true", help="list ids of missed junk rows and dropped clean rows")
    a = ap.parse_args()
    rows = [json.loads(line) for line in a.set.read_text(encoding="utf-8").splitlines() if line.strip()]
    res, outcomes = evaluate(rows)
    o = res["overall"]
    print(f"{a.set.name}: {o['rows']} rows ({o['junk']} junk, {o['clean']} clean); any-gate recall {o['recall']}, "
          f"precision {o['precision']}, clean rows dropped {o['clean_dropped']}")
    print(f"\n{'junk class':28s} {'n':>3s} {'recall':>7s} {'any':>7s}")
    for cls, d in res["by_class"].items():
        print(f"{cls:28s} {d['n']:3d} {d['recall']!s:>7s} {d['recall_any']!s:>7s}")
    print(f"\n{'gate / reason':30s} {'drops':>5s} {'prec':>7s} {'strict':>7s} {'clean':>5s}")
    for code, d in res["by_gate"].items():
        print(f"{code:30s} {d['drops']:5d} {d['precision']!s:>7s} {d['precision_strict']!s:>7s} {d['clean_dropped']:5d}")
    if a.misses:
        print("\nmissed junk:", Counter(x["label"] for x in outcomes if x["label"] != "clean" and not x["fired"]))
        for x in outcomes:
            if (x["label"] != "clean" and not x["fired"]) or (x["label"] == "clean" and x["fired"]):
                print(f"  {x['id']} {x['lang']} {x['label']:26s} fired={x['fired']}")
    if a.json:
        a.json.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    by_lang = defaultdict(dict, res["by_lang"])
    print("\nby language:", dict(by_lang))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
