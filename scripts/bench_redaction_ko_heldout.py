#!/usr/bin/env python
"""Korean redaction on the frozen held-out set (written apart from the recognizers) + over-redaction on real prose.

Mode 1 (default): run the redactor (composed ``redaction`` config, as the redact stage builds it) on every document
of ``scripts/heldout_ko/data/heldout_ko_v1.jsonl.gz`` and score it span by span:

- recall of a gold span: EVERY letter/digit of it covered by predicted spans of any type (privacy view: a gold
  span with one leaked syllable is a miss); ``recall80`` needs >= 80% of them, ``type_recall`` needs full cover
  by predictions of the redactor type the gold type maps to (``GOLD_TO_REDACTOR``);
- precision of a prediction: it overlaps a gold span (``span precision, overlap``); ``exact``: its
  (start, end) equals a gold span's;
- the 20 commonest misses per gold type (grouped by layout ``fmt``, with one synthetic example each) and the
  commonest false-positive strings per predicted type; chars/s of ``Redactor.redact``.

Mode 2 (``--prose DIR``): documents under DIR read and chunked exactly as the ingest stage does, redacted as the
redact stage does (one PlaceholderMap per document, clause title then text, so name propagation is included);
reports redactions per 10,000 characters with the redacted strings and their context. Meant for real text that
holds no personal data (e.g. /work/shared/corpus/ko-statutes): every redaction there is an over-redaction.

    PYTHONPATH=$PWD .venv/bin/python scripts/bench_redaction_ko_heldout.py --json /tmp/heldout.json
    PYTHONPATH=$PWD .venv/bin/python scripts/bench_redaction_ko_heldout.py --prose ../shared/corpus/ko-statutes
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import logging
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SET = ROOT / "scripts" / "heldout_ko" / "data" / "heldout_ko_v1.jsonl.gz"
FROZEN_SHA256 = {"heldout_ko_v1.jsonl.gz": "e71b13c09f939034a884b116e2305b5125fe40e21f264bbf22bda1284c9ec5c9"}

# The one place where held-out gold types meet the redactor's entity types.
GOLD_TO_REDACTOR = {
    "PERSON_KO": "PERSON", "PERSON_LATIN": "PERSON",
    "ADDRESS_ROAD": "ADDRESS", "ADDRESS_JIBUN": "ADDRESS", "POSTAL_CODE": "ADDRESS",
    "PHONE_MOBILE": "PHONE_NUMBER", "PHONE_LANDLINE": "PHONE_NUMBER",
    "RRN": "KR_RRN", "FRN": "KR_FRN", "BRN": "KR_BRN", "CRN": "KR_CRN", "PASSPORT": "KR_PASSPORT",
    "DRIVER_LICENSE": "KR_DRIVER_LICENSE", "BANK_ACCOUNT": "KR_BANK_ACCOUNT", "CARD_NUMBER": "CREDIT_CARD",
    "EMAIL": "EMAIL_ADDRESS", "IP_ADDRESS": "IP_ADDRESS", "DATE_OF_BIRTH": "DATE_OF_BIRTH",
    "VEHICLE_PLATE": "KR_VEHICLE_PLATE", "HEALTH_INSURANCE": "KR_HEALTH_INSURANCE", "POLICY_NUMBER": "POLICY_NUMBER",
}
STRUCTURED = sorted(set(GOLD_TO_REDACTOR) - {"PERSON_KO", "PERSON_LATIN", "ADDRESS_ROAD", "ADDRESS_JIBUN",
                                              "POSTAL_CODE"})

Pred = tuple[str, int, int]  # (entity_type, start, end)
CLAUSE_TYPE = "SENSITIVE_CLAUSE"  # a configured clause removal (deny-listed terms), not a personal-data detection


# ---- scoring (pure functions: unit-tested on hand-made examples) -------------------------------------------

def coverage(text: str, start: int, end: int, preds: list[Pred], only_type: str | None = None) -> float:
    """Share of the letters/digits in text[start:end] covered by predictions (of ``only_type`` if given)."""
    idx = [i for i in range(start, end) if text[i].isalnum()] or list(range(start, end))
    if not idx:
        return 1.0
    hit = 0
    for i in idx:
        if any(ps <= i < pe and (only_type is None or pt == only_type) for pt, ps, pe in preds):
            hit += 1
    return hit / len(idx)


def leak_view(text: str, start: int, end: int, preds: list[Pred]) -> str:
    """The gold value with its uncovered letters/digits in [brackets]: ``남궁서[율]``."""
    out, open_ = [], False
    for i in range(start, end):
        leaked = text[i].isalnum() and not any(ps <= i < pe for _, ps, pe in preds)
        if leaked and not open_:
            out.append("[")
            open_ = True
        if not leaked and open_:
            out.append("]")
            open_ = False
        out.append(text[i])
    if open_:
        out.append("]")
    return "".join(out)


_KEEP = set("길로동호층번지산리읍면구군시도")


def shape(view: str) -> str:
    """Layout of a (leak-marked) value, values abstracted: digit runs -> 9, other Hangul runs -> 가, Latin -> A.

    Structural syllables (길 로 동 호 층 번지 산 리 읍 면 구 군 시 도) stay, so ``새솔로 17[길 9-4]`` and
    ``보람로 3[길 12-1]`` fall in one group: ``가로 9[길 9-9]``."""
    out: list[str] = []
    for ch in view:
        if ch.isdigit():
            c = "9"
        elif "가" <= ch <= "힣":
            c = ch if ch in _KEEP else "가"
        elif ch.isascii() and ch.isalpha():
            c = "A"
        else:
            c = ch
        if not (out and out[-1] == c and c in "9가A"):
            out.append(c)
    return "".join(out)


def score_docs(docs: list[dict], preds: list[list[Pred]], ctx_chars: int = 12) -> dict:
    """Per-gold-type recall, per-predicted-type precision, misses and false positives."""
    g = defaultdict(lambda: {"gold": 0, "recall": 0, "recall80": 0, "type_recall": 0})
    p = defaultdict(lambda: {"pred": 0, "overlap": 0, "exact": 0})
    misses: dict[str, Counter] = defaultdict(Counter)
    miss_example: dict[tuple[str, str], str] = {}
    fmt_tags: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    fps: dict[str, Counter] = defaultdict(Counter)
    for doc, pr in zip(docs, preds, strict=True):
        text = doc["text"]
        gold_bounds = {(s["start"], s["end"]) for s in doc["spans"]}
        for s in doc["spans"]:
            t, a, b = s["type"], s["start"], s["end"]
            cov = coverage(text, a, b, pr)
            row = g[t]
            row["gold"] += 1
            row["recall"] += cov >= 1.0
            row["recall80"] += cov >= 0.8
            row["type_recall"] += coverage(text, a, b, pr, GOLD_TO_REDACTOR.get(t)) >= 1.0
            for tag in s.get("fmt", "").split("|"):
                if tag:
                    fmt_tags[t][tag][0] += 1
                    fmt_tags[t][tag][1] += cov >= 1.0
            if cov < 1.0:
                view = leak_view(text, a, b, pr)
                key = f"{shape(view)}  @{s.get('fmt', '').split('|')[-1]}"
                misses[t][key] += 1
                if (t, key) not in miss_example:
                    left = text[max(0, a - ctx_chars):a].replace("\n", "⏎")
                    right = text[b:b + ctx_chars].replace("\n", "⏎")
                    miss_example[(t, key)] = f"{left}«{view}»{right}".replace("\n", "⏎")
        for pt, ps, pe in pr:
            row = p[pt]
            row["pred"] += 1
            hit = any(ps < s["end"] and s["start"] < pe for s in doc["spans"])
            row["overlap"] += hit
            row["exact"] += (ps, pe) in gold_bounds
            if not hit:
                fps[pt][text[ps:pe].replace("\n", "⏎")] += 1

    def ratio(n: int, d: int) -> float | None:
        return round(n / d, 4) if d else None

    by_gold = {t: {"gold": r["gold"], "recall": ratio(r["recall"], r["gold"]),
                   "recall80": ratio(r["recall80"], r["gold"]), "type_recall": ratio(r["type_recall"], r["gold"]),
                   "maps_to": GOLD_TO_REDACTOR.get(t)} for t, r in sorted(g.items())}
    # the same recall rolled up by redactor type (what the targets name)
    roll = defaultdict(lambda: [0, 0, 0])
    for t, r in g.items():
        k = GOLD_TO_REDACTOR.get(t, t)
        roll[k][0] += r["gold"]
        roll[k][1] += r["recall"]
        roll[k][2] += r["type_recall"]
    by_redactor_type = {k: {"gold": v[0], "recall": ratio(v[1], v[0]), "type_recall": ratio(v[2], v[0])}
                        for k, v in sorted(roll.items())}
    by_pred = {t: {"pred": r["pred"], "precision": ratio(r["overlap"], r["pred"]),
                   "exact_precision": ratio(r["exact"], r["pred"])} for t, r in sorted(p.items())}
    n_gold = sum(r["gold"] for r in g.values())
    n_pred = sum(r["pred"] for r in p.values())
    overall = {"gold": n_gold, "pred": n_pred,
               "recall": ratio(sum(r["recall"] for r in g.values()), n_gold),
               "recall80": ratio(sum(r["recall80"] for r in g.values()), n_gold),
               "span_precision_overlap": ratio(sum(r["overlap"] for r in p.values()), n_pred),
               "span_precision_exact": ratio(sum(r["exact"] for r in p.values()), n_pred)}
    top_misses = {t: [{"shape": k, "count": n, "example": miss_example[(t, k)]} for k, n in c.most_common(20)]
                  for t, c in sorted(misses.items())}
    by_fmt = {t: {tag: {"gold": v[0], "recall": ratio(v[1], v[0])} for tag, v in sorted(tags.items())}
              for t, tags in sorted(fmt_tags.items())}
    top_fps = {t: c.most_common(20) for t, c in sorted(fps.items())}
    return {"overall": overall, "by_gold_type": by_gold, "by_redactor_type": by_redactor_type,
            "by_pred_type": by_pred, "top_misses": top_misses, "recall_by_fmt": by_fmt,
            "top_false_positives": top_fps}


# ---- running the redactor ------------------------------------------------------------------------------------

def load_set(path: Path) -> tuple[list[dict], str]:
    raw = gzip.decompress(path.read_bytes())
    sha = hashlib.sha256(raw).hexdigest()
    want = FROZEN_SHA256.get(path.name)
    if want and sha != want:
        raise SystemExit(f"{path}: content sha256 {sha} != frozen {want}; the frozen set was changed "
                         "(restore it from git; a new set needs a new file name)")
    return [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()], sha


def build_redactor(overrides: list[str]):
    """The redactor exactly as the redact stage builds it from the composed config."""
    from onprem_sft.config import compose, to_container
    from redaction import Redactor
    cfg = compose(list(overrides))
    return Redactor.from_config(to_container(cfg.redaction)), cfg


def run_heldout(redactor, docs: list[dict]) -> tuple[list[list[Pred]], float]:
    t0 = time.perf_counter()
    preds = []
    for d in docs:
        res = redactor.redact(d["text"], language="ko")
        preds.append([(s.entity_type, s.start, s.end) for s in res.spans])
    return preds, time.perf_counter() - t0


def run_prose(redactor, cfg, root: Path, ctx_chars: int = 20) -> dict:
    """Ingest-stage reading/chunking + redact-stage calling convention over every document under ``root``."""
    from onprem_sft.ingest.chunking import chunk_text
    from onprem_sft.ingest.readers import detect_lang, read_document
    from onprem_sft.ingest.stage import list_files
    from redaction import PlaceholderMap
    c = cfg.corpus
    files = list_files(root, list(c.include), list(c.exclude))
    if not files:
        raise SystemExit(f"no documents under {root} matching {list(c.include)}")
    per_doc, by_type, by_value = [], Counter(), Counter()
    examples: dict[tuple[str, str], str] = {}
    chars = 0
    t0 = time.perf_counter()
    for path in files:
        res = read_document(path, int(c.max_file_mb * 2**20))
        lang = c.lang if c.lang != "auto" else detect_lang(res.text)
        mapping = PlaceholderMap(path.name)
        n_doc, doc_chars = 0, 0
        for sp in chunk_text(res.text, c.chunk.max_chars, c.chunk.overlap_chars, c.chunk.min_chars):
            text = res.text[sp.start:sp.end]
            for field_text in ([sp.clause] if sp.clause else []) + [text]:
                out = redactor.redact(field_text, lang, mapping=mapping)
                for s in out.spans:
                    val = field_text[s.start:s.end].replace("\n", "⏎")
                    by_type[s.entity_type] += 1
                    by_value[(s.entity_type, val)] += 1
                    examples.setdefault((s.entity_type, val), (
                        field_text[max(0, s.start - ctx_chars):s.start] + "«" + field_text[s.start:s.end] + "»"
                        + field_text[s.end:s.end + ctx_chars]).replace("\n", "⏎"))
                    n_doc += 1
            doc_chars += len(text)
        chars += doc_chars
        per_doc.append({"file": path.name, "chars": doc_chars, "redactions": n_doc,
                        "per_10k": round(n_doc / max(doc_chars, 1) * 10_000, 2)})
    secs = time.perf_counter() - t0
    total = sum(by_type.values())
    pii = total - by_type.get(CLAUSE_TYPE, 0)
    return {"root": str(root), "documents": len(files), "chars": chars, "redactions": total,
            "pii_redactions": pii, "pii_per_10k_chars": round(pii / max(chars, 1) * 10_000, 3),
            "per_10k_chars": round(total / max(chars, 1) * 10_000, 3), "by_type": dict(by_type.most_common()),
            "per_document": per_doc, "seconds": round(secs, 2),
            "top_redacted": [{"type": t, "value": v, "count": n, "example": examples[(t, v)]}
                             for (t, v), n in by_value.most_common(40)]}


# ---- report -------------------------------------------------------------------------------------------------

def fmt(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def heldout_table(sc: dict) -> str:
    lines = ["| gold type | maps to | gold | recall | recall80 | type-recall |", "|---|---|---|---|---|---|"]
    for t, r in sc["by_gold_type"].items():
        lines.append(f"| {t} | {r['maps_to']} | {r['gold']} | {fmt(r['recall'])} | {fmt(r['recall80'])} | "
                     f"{fmt(r['type_recall'])} |")
    lines += ["", "| redactor type | gold | recall | type-recall | predictions | precision (overlap) | exact |",
              "|---|---|---|---|---|---|---|"]
    keys = sorted(set(sc["by_redactor_type"]) | set(sc["by_pred_type"]))
    for k in keys:
        g, p = sc["by_redactor_type"].get(k, {}), sc["by_pred_type"].get(k, {})
        lines.append(f"| {k} | {g.get('gold', 0)} | {fmt(g.get('recall'))} | {fmt(g.get('type_recall'))} | "
                     f"{p.get('pred', 0)} | {fmt(p.get('precision'))} | {fmt(p.get('exact_precision'))} |")
    o = sc["overall"]
    lines += ["", (f"overall: gold {o['gold']}, predictions {o['pred']}, recall {fmt(o['recall'])}, "
                   f"recall80 {fmt(o['recall80'])}, span precision overlap {fmt(o['span_precision_overlap'])} / "
                   f"exact {fmt(o['span_precision_exact'])}")]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", default=str(DEFAULT_SET), help="frozen held-out set (.jsonl.gz)")
    ap.add_argument("--prose", help="score over-redaction on the documents under this folder instead")
    ap.add_argument("--override", action="append", default=[],
                    help="config override, e.g. redaction=fast or redaction.use_name_analyser=false (repeatable)")
    ap.add_argument("--limit", type=int, default=0, help="first N documents only (quick look)")
    ap.add_argument("--misses", type=int, default=20, help="misses shown per type in the text report")
    ap.add_argument("--json", help="write all figures here")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    t0 = time.perf_counter()
    if args.prose:
        root = Path(args.prose).expanduser().resolve()
        overrides = ["corpus=local", f"corpus.path={root}", *args.override]
    else:
        overrides = list(args.override)
    redactor, cfg = build_redactor(overrides)
    load_s = time.perf_counter() - t0
    redactor.redact("워밍업 문장입니다. 홍길동 씨는 서울에 산다.", language="ko")  # first-call model loads off the clock

    if args.prose:
        out = {"mode": "prose", "config_overrides": args.override, "load_seconds": round(load_s, 2),
               **run_prose(redactor, cfg, root)}
        print(f"{out['documents']} document(s), {out['chars']:,} chars (chunk text, as the stage counts it): "
              f"{out['pii_redactions']} personal-data redactions = {out['pii_per_10k_chars']} per 10,000 chars; "
              f"{out['redactions']} with sensitive-clause removals = {out['per_10k_chars']} ({out['seconds']} s)")
        print("by type:", out["by_type"])
        for d in out["per_document"]:
            print(f"  {d['file']}: {d['redactions']} in {d['chars']:,} chars ({d['per_10k']}/10k)")
        print("commonest redacted strings (type, count, context):")
        for e in out["top_redacted"][:30]:
            print(f"  {e['type']:<14} {e['count']:>4}  {e['example']}")
    else:
        docs, sha = load_set(Path(args.set))
        if args.limit:
            docs = docs[:args.limit]
        preds, secs = run_heldout(redactor, docs)
        chars = sum(len(d["text"]) for d in docs)
        sc = score_docs(docs, preds)
        out = {"mode": "heldout", "set": Path(args.set).name, "set_sha256": sha, "documents": len(docs),
               "chars": chars, "seconds": round(secs, 2), "chars_per_s": round(chars / secs),
               "load_seconds": round(load_s, 2), "config_overrides": args.override, **sc}
        print(f"{Path(args.set).name} ({len(docs)} docs, {chars:,} chars): {secs:.1f} s, "
              f"{chars / secs:,.0f} chars/s (single process; model load {load_s:.1f} s not counted)\n")
        print(heldout_table(sc))
        print("\ncommonest misses per gold type (count | value shape @context | example, leaked part in [brackets]):")
        for t, rows in sc["top_misses"].items():
            print(f"  {t}:")
            for m in rows[:args.misses]:
                print(f"    {m['count']:>4}  {m['shape']:<40} {m['example']}")
        print("\ncommonest false positives per predicted type:")
        for t, rows in sc["top_false_positives"].items():
            print(f"  {t}: " + ", ".join(f"{v!r}x{n}" for v, n in rows[:12]))
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
