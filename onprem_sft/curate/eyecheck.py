"""Human eye-check round trip: a stratified, blind sample out as CSV; labels back in; agreement out.

The sample spreads over judge score band x question type x answerable (round robin over the strata, so
rare strata such as low-scored unanswerable pairs are seen). Reviewers do not see the judge's scores
(``show_judge`` adds them for adjudication), because a visible score anchors the human label and would
inflate the agreement the report quotes. The CSV is UTF-8 with BOM so Excel shows Korean; on import
Excel's "CSV" (cp949 on Korean Windows) is accepted too.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from onprem_sft.artifacts import StageDir, atomic_write_json, atomic_write_text, read_records, sha256_file
from onprem_sft.curate import agreement as ag
from onprem_sft.curate.judge import band
from onprem_sft.curate.spec import AGREEMENT, JUDGED_PAIRS, JUDGEMENTS
from onprem_sft.records import Judgement, QAPair

AGREEMENT_FILE = AGREEMENT                       # in <run_dir>/curate/, read by the report
SAMPLE_FILE = "eyecheck/eyecheck_sample.csv"      # default export path, relative to the run dir
BASE_COLUMNS = ["row", "pair_id", "doc_id", "lang", "qtype", "answerable", "question", "context", "answer"]
JUDGE_COLUMNS = ["score_band", "judge_overall", "judge_passed", "judge_rationale"]
LABEL_COLUMNS = ["human_label", "human_score", "human_comment"]
PASS = {"pass", "p", "1", "y", "yes", "ok", "good", "o", "true", "통과", "적합", "예", "좋음", "합격"}
FAIL = {"fail", "f", "0", "n", "no", "bad", "x", "false", "탈락", "부적합", "아니오", "나쁨", "불합격"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class EyecheckError(ValueError):
    """A problem with the run or the labelled file; the message names row/column and the fix."""


@dataclass(frozen=True)
class Item:
    pair: QAPair
    judgement: Judgement | None

    @property
    def band(self) -> str:
        return band(self.judgement.overall) if self.judgement else "unjudged"

    @property
    def stratum(self) -> tuple[str, str, bool]:
        return (self.band, self.pair.qtype, self.pair.answerable)


def load_items(run_dir: Path) -> list[Item]:
    """Judged pairs with their verdicts; the kept pairs when the judge was off."""
    cur = StageDir(run_dir, "curate")
    if cur.read_manifest() is None:
        raise EyecheckError(f"{cur.path}: no finished curate stage (manifest.json missing); run the pipeline "
                            f"through curate first (stages=[curate])")
    jpath = cur.path / JUDGEMENTS
    judgements = {j.parent_id: j for j in read_records(jpath, Judgement)} if jpath.exists() else {}
    ppath = cur.path / JUDGED_PAIRS
    if judgements and ppath.exists():
        pairs = read_records(ppath, QAPair)
    else:
        pairs = cur.read(QAPair)
    return [Item(p, judgements.get(p.id)) for p in pairs]


def stratified_sample(items: Sequence[Item], n: int, seed: int = 0) -> list[Item]:
    """Round robin over strata (each shuffled with ``seed``), strata in sorted order: deterministic."""
    rng = random.Random(seed)
    strata: dict[tuple[str, str, bool], list[Item]] = defaultdict(list)
    for it in sorted(items, key=lambda i: i.pair.id):
        strata[it.stratum].append(it)
    queues = []
    for key in sorted(strata):
        q = list(strata[key])
        rng.shuffle(q)
        queues.append(q)
    out: list[Item] = []
    while len(out) < n and any(queues):
        for q in queues:
            if q and len(out) < n:
                out.append(q.pop())
    return out


def _cell(v: Any) -> str:
    """Text for a CSV cell; a leading = + - @ would run as a formula in Excel (CSV injection)."""
    s = "" if v is None else str(v)
    return "'" + s if s.startswith(_FORMULA_START) else s


def export_csv(run_dir: Path, out: Path, *, n: int, seed: int = 0, show_judge: bool = False) -> dict[str, Any]:
    items = load_items(run_dir)
    if not items:
        raise EyecheckError(f"{run_dir}/curate: no judged or kept pairs to sample; nothing to eye-check")
    sample = stratified_sample(items, n, seed)
    cols = BASE_COLUMNS + (JUDGE_COLUMNS if show_judge else []) + LABEL_COLUMNS
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(cols)
    for i, it in enumerate(sample, 1):
        p, j = it.pair, it.judgement
        row = [i, p.id, p.doc_id, p.lang, p.qtype, str(p.answerable).lower(), p.question, p.context, p.answer]
        if show_judge:
            row += [it.band, j.overall if j else "", (str(j.passed).lower() if j else ""), j.rationale if j else ""]
        w.writerow([_cell(v) for v in row] + ["", "", ""])
    atomic_write_text(out, "\ufeff" + buf.getvalue())
    return {"rows": len(sample), "pool": len(items), "strata": len({it.stratum for it in items}),
            "by_band": dict(sorted(Counter(it.band for it in sample).items()))}


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]], str]:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "cp949"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise EyecheckError(f"{path}: neither UTF-8 nor cp949 text; save it from Excel as 'CSV UTF-8'")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    return header, list(reader), enc


def parse_label(value: str) -> bool | None:
    v = value.strip().casefold()
    if not v:
        return None
    if v in PASS:
        return True
    if v in FAIL:
        return False
    raise ValueError(v)


def parse_score(value: str) -> int | None:
    """A human score cell: an integer 1-5, or empty (None); ValueError otherwise ("4.0" is 4, "4.5" is not)."""
    v = value.strip()
    if not v:
        return None
    score = int(float(v))
    if score != float(v) or not 1 <= score <= 5:
        raise ValueError(v)
    return score


def import_labels(run_dir: Path, csv_path: Path) -> dict[str, Any]:
    """Validate the labelled file, compute judge-human agreement, write curate/eyecheck_agreement.json."""
    items = {it.pair.id: it for it in load_items(run_dir)}
    header, rows, enc = _read_csv(csv_path)
    missing = [c for c in ("pair_id", "human_label") if c not in header]
    if missing:
        raise EyecheckError(f"{csv_path}: column(s) {missing} missing from the header row; keep the header "
                            f"of the exported file (columns found: {header})")
    problems: list[str] = []
    labelled: list[tuple[Item, bool, int | None]] = []
    seen: dict[str, int] = {}
    unlabelled = 0
    for lineno, r in enumerate(rows, 2):          # line 1 is the header
        pid = (r.get("pair_id") or "").strip()
        where = f"row {lineno}"
        if pid not in items:
            problems.append(f"{where}, column pair_id: {pid!r} is not a judged pair of this run "
                            f"(was the file exported from another run?)")
            continue
        if pid in seen:
            problems.append(f"{where}, column pair_id: {pid} already labelled in row {seen[pid]}")
            continue
        seen[pid] = lineno
        try:
            label = parse_label(r.get("human_label") or "")
        except ValueError:
            problems.append(f"{where} ({pid}), column human_label: {(r.get('human_label') or '').strip()!r} is "
                            f"not a label; write pass or fail (also accepted: 1/0, y/n, ok/bad, o/x, 통과/탈락)")
            continue
        score_txt = (r.get("human_score") or "").strip()
        try:
            score = parse_score(score_txt)
        except ValueError:
            problems.append(f"{where} ({pid}), column human_score: {score_txt!r} must be an integer 1-5 "
                            f"or empty")
            continue
        if label is None:
            if score is not None:
                problems.append(f"{where} ({pid}), column human_label: empty although human_score is set; "
                                f"write pass or fail")
            else:
                unlabelled += 1
            continue
        labelled.append((items[pid], label, score))
    if problems:
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise EyecheckError(f"{csv_path}: {len(problems)} problem(s), nothing imported:\n  - "
                            + "\n  - ".join(problems[:20]) + more)
    if not labelled:
        raise EyecheckError(f"{csv_path}: no row has a human_label; fill the human_label column "
                            f"(pass/fail) and import again")
    result = agreement_summary(labelled)
    result.update(file=str(csv_path), file_sha256=sha256_file(csv_path), encoding=enc, rows=len(rows),
                  unlabelled=unlabelled, imported=datetime.now(UTC).isoformat(timespec="seconds"))
    atomic_write_json(StageDir(run_dir, "curate").path / AGREEMENT_FILE, result)
    return result


def agreement_summary(labelled: Sequence[tuple[Item, bool, int | None]]) -> dict[str, Any]:
    judged = [(it, h, s) for it, h, s in labelled if it.judgement is not None]
    human_pass = [h for _, h, _ in labelled]
    out: dict[str, Any] = {
        "n_labelled": len(labelled), "n_judged": len(judged),
        "human_pass_rate": ag.finite_or_none(sum(human_pass) / len(human_pass)),
    }
    jp = [it.judgement.passed for it, _, _ in judged]  # type: ignore[union-attr]
    hp = [h for _, h, _ in judged]
    out["accuracy"] = ag.finite_or_none(ag.accuracy(jp, hp)) if judged else None
    out["cohen_kappa"] = ag.finite_or_none(ag.cohen_kappa(jp, hp)) if judged else None
    out["confusion"] = ag.confusion(jp, hp)
    scored = [(it.judgement.overall, s) for it, _, s in judged if s is not None]  # type: ignore[union-attr]
    out["n_scored"] = len(scored)
    out["spearman"] = ag.finite_or_none(ag.spearman([a for a, _ in scored], [b for _, b in scored])) \
        if len(scored) >= 3 else None
    for name, key in (("by_band", lambda it: it.band), ("by_qtype", lambda it: it.pair.qtype),
                      ("by_answerable", lambda it: str(it.pair.answerable).lower())):
        groups: dict[str, list[tuple[Item, bool]]] = defaultdict(list)
        for it, h, _ in labelled:
            groups[key(it)].append((it, h))
        out[name] = {
            k: {"n": len(g), "human_pass_rate": round(sum(h for _, h in g) / len(g), 4),
                "accuracy": ag.finite_or_none(ag.accuracy([it.judgement.passed for it, _ in g if it.judgement],
                                                          [h for it, h in g if it.judgement]))
                if any(it.judgement for it, _ in g) else None}
            for k, g in sorted(groups.items())}
    return out
