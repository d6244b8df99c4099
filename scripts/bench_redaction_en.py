#!/usr/bin/env python
"""English redaction on public data we did not write: recall/precision on a labelled PII set, over-redaction on
ordinary prose, and the Korean benchmark before/after - baseline code, new code and Presidio in ONE run.

Data (fetched at benchmark time with pip into ``--cache``, never committed, never used at run time):

- labelled: ``presidio-evaluator==0.3.2`` sdist, ``data/synth_dataset_v2.json`` (1,500 English sentences from
  Presidio's evaluation templates, every span labelled: PERSON, STREET_ADDRESS, PHONE_NUMBER, CREDIT_CARD, ...).
  Split by template id: even ids = ``dev`` (the only part whose misses were looked at while tuning), odd ids =
  ``test`` (never inspected; the figure that counts).
- ``--fresh N``: instead, N new sentences drawn with the same package's own generator (``PresidioSentenceFaker``,
  its templates, providers and fake-person records, ``--fresh-seed``), split the same way. A bigger sample than
  the 1,500 shipped sentences (they hold only 24 test phones); a seed nobody has looked at is a blind set.
- prose: ``spdx==2.5.1`` wheel, ``spdx/data/*.txt`` (SPDX licence texts: legal prose). Lines naming authors
  (copyright notices, e-mail addresses) are dropped first; what remains holds no personal data, so every
  redaction there is a false positive. Reported as redactions per 10,000 characters.

Engines: ``baseline`` (the redaction package at ``--baseline-ref``, extracted with ``git archive``),
``new`` (this tree, rules only), ``new + <pipeline>`` (this tree with ``nlp.en`` set to each pipeline of
``--nlp-en``, by default the medium one, the default config, and the small one), Presidio's default recognizers
with no NLP engine and with the first spaCy pipeline. Each of ours runs in its own subprocess so the two
versions of the ``redaction`` package never mix.

Scoring as in ``bench_redaction.py``: a gold span counts as found when >= 80% of its characters are covered by
predictions of ANY type; a prediction is correct when it overlaps some gold span (of any labelled type).

    .venv/bin/python scripts/bench_redaction_en.py --baseline-ref 2ef7f67 --json /tmp/bench_en.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import time
import zipfile
from collections import defaultdict
from pathlib import Path

os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""
ROOT = Path(__file__).resolve().parents[1]
LABELLED_PKG, PROSE_PKG = "presidio-evaluator==0.3.2", "spdx==2.5.1"
MAIN_TYPES = ("PERSON", "STREET_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "EMAIL_ADDRESS", "IBAN_CODE", "US_SSN",
              "IP_ADDRESS")
AUTHOR_LINE = re.compile(r"(?i)copyright|\(c\)|©|@")


# -- data --------------------------------------------------------------------------------------------------------
def _download(spec: str, cache: Path, sdist: bool) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    name = spec.split("==")[0].replace("-", "_")
    found = [p for p in cache.iterdir() if p.is_file() and p.name.lower().startswith(name.lower())]
    if not found:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(cache), spec]
        cmd += ["--no-binary", ":all:"] if sdist else ["--only-binary", ":all:"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        found = [p for p in cache.iterdir() if p.is_file() and p.name.lower().startswith(name.lower())]
    return found[0]


def load_labelled(cache: Path) -> tuple[list[dict], str]:
    arc = _download(LABELLED_PKG, cache, sdist=True)
    with tarfile.open(arc) as tf:
        member = next(m for m in tf.getmembers() if m.name.endswith("data/synth_dataset_v2.json"))
        rows = json.load(tf.extractfile(member))
    docs = [{"text": r["full_text"], "template": r["template_id"], "lang": "en",
             "gold": [(s["entity_type"], s["start_position"], s["end_position"]) for s in r["spans"]]}
            for r in rows]
    return docs, hashlib.sha256(arc.read_bytes()).hexdigest()


FRESH_GEN = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from presidio_evaluator.data_generator.faker_extensions import providers
providers.HospitalProvider.load_wiki_hospitals = lambda self: self.default_list   # no WikiData call
from presidio_evaluator.data_generator import PresidioSentenceFaker
import faker
fk = PresidioSentenceFaker("en_US", lower_case_ratio=0.05, random_seed=int(sys.argv[3]))
rows = [{"full_text": x.full_text, "template_id": x.template_id,
         "spans": [{"entity_type": s.entity_type, "start_position": s.start_position, "end_position": s.end_position}
                   for s in x.spans]} for x in fk.generate_new_fake_sentences(num_samples=int(sys.argv[2]))]
json.dump({"faker": faker.VERSION, "rows": rows}, open(sys.argv[4], "w"))
"""


def load_fresh(cache: Path, n: int, seed: int) -> tuple[list[dict], str]:
    """N sentences from the labelled package's own generator (its sdist, extracted into the cache) with a seed of
    our choosing. Runs in a subprocess so its imports stay out of this one; needs ``faker`` (installed)."""
    arc = _download(LABELLED_PKG, cache, sdist=True)
    src = cache / arc.name.removesuffix(".tar.gz")
    if not src.exists():
        with tarfile.open(arc) as tf:
            tf.extractall(cache, filter="data")
    path = cache / "work" / f"fresh_{n}_{seed}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-c", FRESH_GEN, str(src), str(n), str(seed), str(path)], check=True,
                   capture_output=True)
    out = path.read_text(encoding="utf-8")
    data = json.loads(out)
    docs = [{"text": r["full_text"], "template": r["template_id"], "lang": "en",
             "gold": [(s["entity_type"], s["start_position"], s["end_position"]) for s in r["spans"]]}
            for r in data["rows"]]
    print(f"fresh sample: {LABELLED_PKG} generator, seed {seed}, faker {data['faker']}")
    return docs, hashlib.sha256(out.encode()).hexdigest()


def load_prose(cache: Path, max_chars: int) -> tuple[list[dict], str]:
    arc = _download(PROSE_PKG, cache, sdist=False)
    docs, total = [], 0
    with zipfile.ZipFile(arc) as zf:
        names = sorted(n for n in zf.namelist() if n.startswith("spdx/data/") and n.endswith(".txt"))
        for n in names[::2]:            # every other licence, in name order: a fixed, varied sample
            text = zf.read(n).decode("utf-8", "replace")
            text = "\n".join(line for line in text.splitlines() if not AUTHOR_LINE.search(line))
            if total + len(text) > max_chars:
                continue
            docs.append({"text": text, "lang": "en", "gold": [], "name": n.rsplit("/", 1)[-1]})
            total += len(text)
    return docs, hashlib.sha256(arc.read_bytes()).hexdigest()


# -- scoring -----------------------------------------------------------------------------------------------------
def score(docs: list[dict], preds: list[list[tuple[str, int, int]]]) -> dict:
    g_tot: dict[str, int] = defaultdict(int)
    g_hit: dict[str, int] = defaultdict(int)
    n_pred = n_ok = 0
    for d, pr in zip(docs, preds):
        for t, gs, ge in d["gold"]:
            chars: set[int] = set()
            for _, s, e in pr:
                if s < ge and e > gs:
                    chars.update(range(max(s, gs), min(e, ge)))
            g_tot[t] += 1
            g_hit[t] += len(chars) / max(1, ge - gs) >= 0.8
        for _, s, e in pr:
            n_pred += 1
            n_ok += any(s < ge and e > gs for _, gs, ge in d["gold"])
    out = {t: {"gold": g_tot[t], "recall": g_hit[t] / g_tot[t]} for t in sorted(g_tot)}
    out["_precision"] = {"pred": n_pred, "precision": n_ok / max(1, n_pred)}
    return out


def prose_rate(docs: list[dict], preds: list[list[tuple[str, int, int]]]) -> dict:
    chars = sum(len(d["text"]) for d in docs)
    by_type: dict[str, int] = defaultdict(int)
    for pr in preds:
        for t, _, _ in pr:
            by_type[t] += 1
    n = sum(by_type.values())
    return {"chars": chars, "redactions": n, "per_10k": 10000 * n / max(1, chars), "by_type": dict(by_type)}


# -- engines -----------------------------------------------------------------------------------------------------
def worker(args: argparse.Namespace) -> int:
    """Runs inside a subprocess: import ``redaction`` from --src, predict on the cached sets, write JSON."""
    sys.path.insert(0, args.src)
    import redaction
    from redaction import Redactor
    from redaction.config import RedactionConfig
    assert Path(redaction.__file__).resolve().is_relative_to(Path(args.src).resolve()), redaction.__file__
    cfg = RedactionConfig(use_name_analyser=True)
    if args.nlp_en:
        cfg.nlp.en = args.nlp_en            # only the new code has this key
    elif hasattr(cfg, "nlp"):
        cfg.nlp.en = None
    red = Redactor(cfg)
    red.redact("warm up: Mr John Smith, 12 Main Street.", "en")
    red.redact("피보험자 홍길동", "ko")
    sets = json.loads(Path(args.sets).read_text())
    out: dict = {}
    for name, docs in sets.items():
        t0 = time.perf_counter()
        preds = []
        for d in docs:
            res = red.redact(d["text"], d["lang"])
            preds.append([(s.entity_type, s.start, s.end) for s in res.spans
                          if name != "korean" or s.entity_type != "SENSITIVE_CLAUSE"])
        out[name] = {"preds": preds, "seconds": time.perf_counter() - t0}
    Path(args.out).write_text(json.dumps(out))
    return 0


def run_ours(label: str, src: Path, sets_file: Path, tmp: Path, nlp_en: str = "") -> dict:
    out = tmp / f"preds_{label}.json"
    cmd = [sys.executable, __file__, "--worker", "--src", str(src), "--sets", str(sets_file), "--out", str(out)]
    cmd += ["--nlp-en", nlp_en]
    subprocess.run(cmd, check=True, env={**os.environ, "PYTHONPATH": str(src)})
    return json.loads(out.read_text())


def run_presidio(sets: dict, with_spacy: str) -> dict:
    import logging

    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine, SpacyNlpEngine
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    if with_spacy:
        eng = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": with_spacy}])
    else:
        eng = NoOpNlpEngine([{"lang_code": "en", "model_name": "none"}])
    eng.load() if with_spacy else None
    reg = RecognizerRegistry(supported_languages=["en"])
    reg.load_predefined_recognizers(languages=["en"], nlp_engine=eng)
    an = AnalyzerEngine(nlp_engine=eng, registry=reg, supported_languages=["en"])
    out = {}
    for name in ("labelled", "prose"):
        t0 = time.perf_counter()
        preds = [[(r.entity_type, r.start, r.end) for r in an.analyze(d["text"], language="en")]
                 for d in sets[name]]
        out[name] = {"preds": preds, "seconds": time.perf_counter() - t0}
    return out


def korean_docs(n: int, seed: int) -> list[dict]:
    sys.path.insert(0, str(ROOT))
    from redaction.synth import Generator, build_docs
    return [{"text": d["text"], "lang": d["lang"], "gold": [tuple(g) for g in d["gold"]]}
            for d in build_docs(Generator(seed), "heldout", n)]


def korean_score(docs: list[dict], preds: list) -> dict:
    sys.path.insert(0, str(ROOT / "scripts"))
    import bench_redaction
    s = bench_redaction.score(docs, [[tuple(p) for p in pr] for pr in preds])
    keys = ("PERSON@ko", "ADDRESS@ko", "KR_RRN", "PHONE_NUMBER", "KR_BANK_ACCOUNT", "_overall")
    return {k: {m: s[k].get(m) for m in ("recall", "precision")} for k in keys if k in s}


def fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", default=str(Path.home() / ".cache" / "onprem-sft" / "bench-en"))
    ap.add_argument("--baseline-ref", default="", help="git ref of the code to compare against (e.g. main)")
    ap.add_argument("--nlp-en", default="en_core_web_md,en_core_web_sm",
                    help="spaCy pipelines for the new+NER engines, comma-separated (the first also for Presidio; '' = "
                         "skip)")
    ap.add_argument("--prose-chars", type=int, default=250_000)
    ap.add_argument("--ko-docs", type=int, default=200, help="Korean held-out docs (0 = skip)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--fresh", type=int, default=0,
                    help="score N new sentences of the labelled package's generator instead of its shipped set")
    ap.add_argument("--fresh-seed", type=int, default=2026)
    ap.add_argument("--no-presidio", action="store_true")
    ap.add_argument("--dump-dev-misses", help="write dev-split misses/false positives here (for tuning)")
    ap.add_argument("--json")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--src", help=argparse.SUPPRESS)
    ap.add_argument("--sets", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker(args)

    cache = Path(args.cache)
    tmp = cache / "work"
    tmp.mkdir(parents=True, exist_ok=True)
    labelled, lab_sha = load_fresh(cache, args.fresh, args.fresh_seed) if args.fresh else load_labelled(cache)
    prose, prose_sha = load_prose(cache, args.prose_chars)
    sets = {"labelled": labelled, "prose": prose}
    if args.ko_docs:
        sets["korean"] = korean_docs(args.ko_docs, args.seed)
    sets_file = tmp / "sets.json"
    sets_file.write_text(json.dumps(sets))
    split = {"dev": [i for i, d in enumerate(labelled) if d["template"] % 2 == 0],
             "test": [i for i, d in enumerate(labelled) if d["template"] % 2 == 1]}
    what = "generated" if args.fresh else f"{LABELLED_PKG} sdist"
    print(f"labelled: {len(labelled)} sentences ({what}, sha256 {lab_sha[:16]}), dev "
          f"{len(split['dev'])} / test {len(split['test'])}; prose: {len(prose)} SPDX licence texts, "
          f"{sum(len(d['text']) for d in prose):,} chars ({PROSE_PKG} wheel sha256 {prose_sha[:16]})")

    engines: dict[str, dict] = {}
    if args.baseline_ref:
        base = tmp / f"baseline-{args.baseline_ref}"
        if not base.exists():
            base.mkdir(parents=True)
            tar = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline_ref, "redaction"],
                                 check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(base)], input=tar, check=True)
        engines[f"baseline ({args.baseline_ref})"] = run_ours("baseline", base, sets_file, tmp)
    engines["new (rules only)"] = run_ours("new", ROOT, sets_file, tmp)
    pipelines = [p for p in args.nlp_en.split(",") if p]
    for i, pipe in enumerate(pipelines):
        engines[f"new + {pipe}"] = run_ours(f"new_nlp{i}", ROOT, sets_file, tmp, pipe)
    if not args.no_presidio:
        engines["Presidio default (no NLP)"] = run_presidio(sets, "")
        if pipelines:
            try:
                from redaction.nlp import resolve_pipeline
                engines[f"Presidio default + {pipelines[0]}"] = run_presidio(sets, resolve_pipeline(pipelines[0]))
            except Exception as e:  # noqa: BLE001 - a missing pipeline only drops this column
                print(f"Presidio + spaCy skipped: {type(e).__name__}: {e}")

    report: dict = {"labelled_sha256": lab_sha, "prose_sha256": prose_sha, "engines": {}}
    lines = ["| engine | split | " + " | ".join(f"{t} R" for t in MAIN_TYPES[:4]) +
             " | all-types R | span P | prose redactions /10k chars | chars/s (labelled) |",
             "|---|---|" + "---|" * 8]
    for label, res in engines.items():
        rep = report["engines"][label] = {}
        pr_rate = prose_rate(prose, res["prose"]["preds"])
        rep["prose"] = pr_rate
        lab_chars = sum(len(d["text"]) for d in labelled)
        speed = lab_chars / res["labelled"]["seconds"]
        for sname, idx in split.items():
            docs = [labelled[i] for i in idx]
            s = score(docs, [res["labelled"]["preds"][i] for i in idx])
            rep[sname] = s
            allr = sum(v["recall"] * v["gold"] for k, v in s.items() if k in MAIN_TYPES) / max(
                1, sum(v["gold"] for k, v in s.items() if k in MAIN_TYPES))
            lines.append(f"| {label} | {sname} | " + " | ".join(fmt(s.get(t, {}).get("recall"))
                                                                for t in MAIN_TYPES[:4]) +
                         f" | {allr:.3f} | {s['_precision']['precision']:.3f} | {pr_rate['per_10k']:.2f} | "
                         f"{speed:,.0f} |")
        if "korean" in res:
            rep["korean"] = korean_score(sets["korean"], res["korean"]["preds"])
        if args.dump_dev_misses and label.startswith("new"):
            _dump(Path(args.dump_dev_misses + "." + re.sub(r"\W+", "_", label)), labelled, split["dev"],
                  res["labelled"]["preds"], prose, res["prose"]["preds"])
    print("\n".join(lines))
    print("\nprose redactions by type:")
    for label, rep in report["engines"].items():
        print(f"  {label}: {rep['prose']['redactions']} ({rep['prose']['by_type']})")
    if args.ko_docs:
        print(f"\nKorean held-out ({args.ko_docs} docs of bench_redaction.py's generator, seed {args.seed}):")
        for label, rep in report["engines"].items():
            if "korean" in rep:
                print(f"  {label}: " + ", ".join(f"{k} R {fmt(v['recall'])} P {fmt(v['precision'])}"
                                                 for k, v in rep["korean"].items()))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
        print(f"figures written to {args.json}")
    return 0


def _dump(path: Path, labelled: list, dev: list[int], preds: list, prose: list, prose_preds: list) -> None:
    """Dev-split misses and every prose redaction, for tuning (the test split is never written out)."""
    with open(path, "w", encoding="utf-8") as f:
        for i in dev:
            d, pr = labelled[i], preds[i]
            for t, gs, ge in d["gold"]:
                if t not in MAIN_TYPES:
                    continue
                cov = sum(min(e, ge) - max(s, gs) for _, s, e in pr if s < ge and e > gs) / max(1, ge - gs)
                if cov < 0.8:
                    f.write(f"MISS {t}\t{d['text'][gs:ge]!r}\tin {d['text']!r}\n")
            for t, s, e in pr:
                if not any(s < ge and e > gs for _, gs, ge in d["gold"]):
                    f.write(f"FP {t}\t{d['text'][s:e]!r}\tin {d['text']!r}\n")
        for d, pr in zip(prose, prose_preds):
            for t, s, e in pr:
                f.write(f"PROSE {t}\t{d['text'][s:e]!r}\t...{d['text'][max(0, s - 60):e + 40]!r}\n")


if __name__ == "__main__":
    raise SystemExit(main())
