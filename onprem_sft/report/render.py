"""HTML (self-contained: inline CSS, base64 PNG figures) and markdown renderings of the collected run.

All text goes through ``html.escape``; figures come from ``plots``. Section ids are stable so tests and
readers can find them: stages, redaction, rejects, judge, training, evaluation, agreement, samples.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from onprem_sft.curate.agreement import shown
from onprem_sft.report import plots

CSS = """body{font-family:system-ui,-apple-system,'Noto Sans KR','Malgun Gothic',sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#1d232b}h1{border-bottom:3px solid #2f6fde}h2{margin-top:2em;
border-bottom:1px solid #ddd}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;
padding:3px 8px;text-align:left;vertical-align:top}th{background:#f2f4f7}td.n{text-align:right}
.muted{color:#777}.win{color:#1a7f37}.loss{color:#c62828}img{max-width:100%}.qa{font-size:.92em}"""

ROWS = [  # (label, path in a system's metrics, format)
    ("answerable questions", ("answerable", "n"), "d"), ("exact match", ("answerable", "em"), "f"),
    ("token F1", ("answerable", "f1_token"), "f"), ("character F1", ("answerable", "f1_char"), "f"),
    ("refusal precision", ("refusal", "precision"), "f"), ("refusal recall", ("refusal", "recall"), "f"),
    ("refusal accuracy", ("refusal", "accuracy"), "f"), ("false refusal rate", ("refusal", "false_refusal_rate"), "f"),
    ("judge mean (1-5)", ("judge", "mean"), "f"), ("judge unparsed", ("judge", "n_failed"), "d"),
    ("answer chars mean", ("length", "answerable", "chars_mean"), "f"),
    ("answer chars median", ("length", "answerable", "chars_median"), "f"),
]


def e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _get(d: Any, path: Sequence[str]) -> Any:
    for k in path:
        d = d.get(k) if isinstance(d, dict) else None
    return d


def fmt(v: Any, kind: str = "f") -> str:
    if v is None:
        return "-"
    if kind == "d" or isinstance(v, bool) or (isinstance(v, int) and kind != "f"):
        return str(v)
    return f"{float(v):.3f}" if isinstance(v, (int, float)) else str(v)


def table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    th = "".join(f"<th>{e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f'<td class="n">{e(c)}</td>' if isinstance(c, (int, float)) and not
                                    isinstance(c, bool) else f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{th}</tr>{body}</table>"


def img(b64: str | None, alt: str) -> str:
    return f'<p><img alt="{e(alt)}" src="data:image/png;base64,{b64}"></p>' if b64 else ""


def metric_rows(m: dict[str, Any]) -> list[list[str]]:
    systems = [s for s in ("base", "tuned") if m.get(s)]
    rows = [[label] + [fmt(_get(m[s], path), kind) for s in systems] for label, path, kind in ROWS]
    ref = _get(m, ("reference_length", "chars_mean"))
    rows.append(["reference chars mean", *[fmt(ref) for _ in systems]])
    return rows


def lengths(eval_rows: dict[str, dict[str, Any]], source: str = "eval") -> dict[str, list[int]]:
    out: dict[str, list[int]] = {"reference": [], "base": [], "tuned": []}
    for r in eval_rows.values():
        if r.get("source", "eval") != source or not r.get("answerable"):
            continue
        if r.get("references"):
            out["reference"].append(len("".join(str(r["references"][0]).split())))
        for s in ("base", "tuned"):
            if r.get(s):
                out[s].append(int(r[s].get("chars", 0)))
    return out


def _example(r: dict[str, Any]) -> str:
    def ans(s: str) -> str:
        d = r.get(s) or {}
        if not d:
            return ""
        j = d.get("judge_score")
        return (f"<tr><th>{e(s)}</th><td>{e(d.get('answer', ''))}</td><td class='n'>"
                f"{fmt(d.get('f1_token'))}</td><td class='n'>{fmt(j, 'd')}</td></tr>")
    cls = "win" if r.get("outcome") == "win" else "loss"
    kind = "answerable" if r.get("answerable") else "unanswerable"
    return (f"<div class='qa'><p><b class='{cls}'>{e(r.get('outcome', ''))}</b> ({e(kind)}) "
            f"<b>Q:</b> {e(r.get('question', ''))}<br><b>reference:</b> {e(' / '.join(r.get('references', [])))}</p>"
            f"<table><tr><th></th><th>answer</th><th>token F1</th><th>judge</th></tr>{ans('base')}{ans('tuned')}"
            f"</table></div>")


def evaluation_html(d: dict[str, Any]) -> str:
    m = d.get("metrics")
    if not m:
        return "<p class='muted'>evaluate stage not run.</p>"
    parts = []
    for key, title in (("eval", "Held-out eval split"), ("external", f"External file {m.get('external_file', '')}")):
        mm = m.get(key)
        if not mm:
            continue
        systems = [s for s in ("base", "tuned") if mm.get(s)]
        parts.append(f"<h3>{e(title)} (n={mm.get('n', 0)}: {mm.get('n_answerable', 0)} answerable, "
                     f"{mm.get('n_unanswerable', 0)} unanswerable)</h3>")
        parts.append(table(["metric", *systems], metric_rows(mm)))
        c = mm.get("comparison")
        if c:
            parts.append(f"<p>Tuned vs base per question: <span class='win'>{c['wins']} wins</span>, "
                         f"<span class='loss'>{c['losses']} losses</span>, {c['ties']} ties "
                         f"(win rate {c['win_rate']:.2f}). Decided on token F1 (answerable) or refusal "
                         f"correctness (unanswerable); equal scores split by the judge.</p>")
        bq = mm.get("by_qtype") or {}
        if len(bq) > 1:
            parts.append("<h4>By question type</h4>" + table(
                ["qtype", "n"] + [f"{s} {m_}" for s in systems for m_ in ("F1", "refusal acc", "judge")],
                [[q, g["n"]] + [fmt(_get(g, (s, k))) for s in systems
                                for k in ("f1_token", "refusal_accuracy", "judge_mean")] for q, g in bq.items()]))
        parts.append(img(plots.metric_bars(mm), f"{key} metrics base vs tuned"))
        lens = lengths(d["eval_rows"], key)
        if lens["reference"]:
            means = ", ".join(f"{k} {sum(v) / len(v):.1f}" for k, v in lens.items() if v)
            parts.append(f"<p>Mean answer length (characters, answerable): {e(means)}. Label style shapes "
                         f"answer style: short references teach short answers.</p>")
        parts.append(img(plots.length_boxplot(lens), f"{key} answer lengths"))
        ex = (m.get("examples") or {}).get(key) or {}
        for kind in ("wins", "losses"):
            rows = [d["eval_rows"][i] for i in ex.get(kind, []) if i in d["eval_rows"]]
            if rows:
                parts.append(f"<h4>Examples: {e(kind)}</h4>" + "".join(_example(r) for r in rows))
    models = [f"base {m.get('base_model', {}).get('path', '?')}", f"adapter {m.get('adapter', '?')}",
              f"judge {(m.get('judge_model') or {}).get('path', 'not run')}"]
    parts.insert(0, "<p class='muted'>" + e("; ".join(models)) + "</p>")
    return "".join(parts)


AGREEMENT_HIDDEN = {"file"}        # the labeller's local file path: not needed, may name a person


def _agreement_rows(a: dict[str, Any], prefix: str = "", depth: int = 0) -> list[list[Any]]:
    """Flatten the eye-check agreement summary (scalars, nested groups up to 3 levels) into rows."""
    rows: list[list[Any]] = []
    for k, v in a.items():
        if not prefix and k in AGREEMENT_HIDDEN:
            continue
        name = f"{prefix}{k}"
        if isinstance(v, (int, float, str, bool)) or v is None:
            rows.append([name, fmt(v) if isinstance(v, float) else v])
        elif isinstance(v, dict) and depth < 2:
            rows += _agreement_rows(v, f"{name}.", depth + 1)
    return rows


def _filter_rows(cf: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for f in cf.get("steps") or []:
        notes = []
        if "asked" in f:
            notes.append(f"asked {f['asked']}, agreed {f.get('agreed')}, by construction {f.get('by_construction')}, "
                         f"mean F1 {f.get('mean_f1')}")
        if f.get("mode"):
            notes.append(f"{f['step']} {f['mode']}" + (f", would have dropped {f.get('advisory_would_drop', 0)}"
                                                       if f["mode"] == "advisory" else ""))
        note = "; ".join(notes)
        rows.append([f["step"], "on" if f.get("enabled") else "off", f.get("in"), f.get("dropped"), "", note])
        rows += [["", "", "", n, r, ""] for r, n in (f.get("reasons") or {}).items()]
    return rows


def _qualification_text(q: dict[str, Any] | None) -> str:
    if not q:
        return "Judge qualification not run (curate.judge.qualify.enabled=false or judge off)."
    return (f"Judge qualification on {q.get('n')} human-labelled pairs ({q.get('file')}): accuracy "
            f"{q.get('accuracy')}, Cohen's kappa {shown(q.get('cohen_kappa'))}, Spearman {shown(q.get('spearman'))}; judge "
            f"pass rate {q.get('judge_pass_rate')} vs human {q.get('human_pass_rate')}. The judge is "
            f"{str(q.get('mode', '')).upper()}: {q.get('why')}.")


SMALL_EVAL = 5      # fewer eval rows than this: base vs tuned is anecdotal, and the report says so


def sources_lines(d: dict[str, Any]) -> list[str]:
    """Collected (customer) vs generated rows per split, and what the eval split holds."""
    src = d.get("sources") or {}
    if not src:
        return []
    r = src["rows"]
    lines = [] if collected_rows(d) else [      # the collected-questions table shows these counts already
        f"{split}: {r.get(f'{split}_collected', 0)} collected, {r.get(f'{split}_generated', 0)} generated"
        for split in ("train", "eval")]
    held = {"collected": "collected customer questions only", "generated": "generated pairs only"}
    mix = src.get("mix")
    mix_txt = (f"dataset.mix={float(mix):g} (share of collected rows in train)" if mix is not None
               else "dataset.mix not set: every kept row of either source trains")
    how = str(src.get("split_note") or "").split("; ", 1)
    lines.append(f"eval split holds {held.get(src['eval_source'], 'both sources')} "
                 f"(dataset.eval_source={src['eval_source']}"
                 + (f"; {how[1]}" if len(how) > 1 else "") + f"); {mix_txt}")
    n_eval = r.get("eval_collected", 0) + r.get("eval_generated", 0)
    if 0 < n_eval < SMALL_EVAL:
        lines.append(f"only {n_eval} eval row(s): base vs tuned on so few questions is an anecdote, not a "
                     f"measurement (more collected questions, or a larger dataset.eval_fraction)")
    return lines


def collected_rows(d: dict[str, Any]) -> list[list[Any]]:
    """step, collected, generated: the collected questions' path through the run ([] without them)."""
    f = ((d.get("sources") or {}).get("collected") or {}).get("steps") or []
    return [[step, "-" if c is None else c, "-" if g is None else g] for step, c, g in f]


def collected_answers_line(d: dict[str, Any]) -> str:
    a = ((d.get("sources") or {}).get("collected") or {}).get("answers") or {}
    return ("Answers of the kept collected pairs: " + ", ".join(f"{k} {v}" for k, v in a.items())
            + " (given answers are the file's own, checked for grounding like model answers).") if a else ""


def collected_html(d: dict[str, Any]) -> str:
    rows = collected_rows(d)
    if not rows:
        return ""
    line = collected_answers_line(d)
    return ("<h3>Collected customer questions vs generated pairs</h3>"
            + table(["step", "collected", "generated"], rows) + (f"<p>{e(line)}</p>" if line else ""))


def _redaction_table(d: dict[str, Any]) -> str:
    red, q = d["redaction"], d.get("redaction_questions") or {}
    if not q:
        return table(["entity type", "count"], [[k, v] for k, v in red.items()])
    return table(["entity type", "count", "in documents", "in collected questions"],
                 [[k, v, v - q.get(k, 0), q.get(k, 0)] for k, v in red.items()])


def render_html(d: dict[str, Any]) -> str:
    st = [[s["stage"], "done" if s["done"] else ("this report" if s["stage"] == "report" else "not run"),
           ", ".join(f"{k}={v}" for k, v in (s.get("counts") or {}).items()),
           fmt(s.get("seconds")) if s.get("seconds") is not None else "-"] for s in d["stages"]]
    red = d["redaction"]
    rej_rows = [[s, r, n] for s, reasons in d["rejects"].items() for r, n in reasons.items()]
    js = d["judge_scores"]
    tl = d["train_log"]
    last = next((r for r in reversed(tl) if r.get("loss") is not None), None)
    samples = d["samples"]
    sec = [
        f"<h1>onprem-sft run report: {e(d['run_dir'])}</h1>",
        "<p class='muted'>Built only from redacted-zone files and manifests; no raw document text.</p>",
        "<h2 id='stages'>Stages</h2>", table(["stage", "status", "counts", "seconds"], st),
        "<h2 id='redaction'>Redaction</h2>",
        (_redaction_table(d) + f"<p>Total redacted entities: {sum(red.values())}"
         + (f" ({sum(d['redaction_questions'].values())} of them in collected questions)"
            if d.get("redaction_questions") else "") + "</p>" + img(plots.redaction_bars(red), "redactions"))
        if red else "<p class='muted'>redact stage not run or nothing redacted.</p>",
        "<h2 id='rejects'>Rejects by reason</h2>",
        table(["stage", "reason", "count"], rej_rows) if rej_rows else "<p class='muted'>no rejects.</p>",
        "<h2 id='curation'>Curation steps</h2>",
        (table(["step", "", "in", "dropped", "reason", "note"], _filter_rows(d.get("curate_filters") or {}))
         + f"<p>{e(_qualification_text((d.get('curate_filters') or {}).get('qualification')))}</p>")
        if (d.get("curate_filters") or {}).get("steps") else "<p class='muted'>curate stage not run.</p>",
        "<h2 id='judge'>Curation judge scores</h2>",
        (f"<p>{len(js)} judged pairs, mean {sum(js) / len(js):.2f}</p>" + img(plots.judge_histogram(js), "judge"))
        if js else "<p class='muted'>curate stage not run.</p>",
        "<h2 id='training'>Training</h2>",
        (f"<p>{len(tl)} log rows; last train loss {fmt(last and last.get('loss'))} at step "
         f"{last and last.get('step')}</p>" + img(plots.loss_curve(tl), "loss curve"))
        if tl else "<p class='muted'>train stage not run.</p>",
        "<h2 id='evaluation'>Evaluation: base vs tuned</h2>",
        collected_html(d), "".join(f"<p>{e(x)}</p>" for x in sources_lines(d)), evaluation_html(d),
        "<h2 id='agreement'>Judge-human agreement</h2>",
        table(["measure", "value"], _agreement_rows(d["agreement"])) if isinstance(d.get("agreement"), dict)
        else "<p class='muted'>no eye-check labels yet (onprem-sft eyecheck export, then import).</p>",
        "<h2 id='samples'>Sample QnA</h2>",
        table(["kind", "source", "question", "answer"], [["answerable" if s["answerable"] else "unanswerable",
                                                          s.get("source", ""), s["question"], s["answer"]]
                                                         for s in samples])
        if samples else "<p class='muted'>no curated QnA.</p>",
    ]
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>onprem-sft report "
            f"{e(d['run_dir'])}</title><style>{CSS}</style></head><body>{''.join(sec)}</body></html>\n")


def summary_rows(d: dict[str, Any]) -> list[list[str]]:
    """metric, base, tuned for the eval split (the terminal table and the markdown headline)."""
    m = (d.get("metrics") or {}).get("eval") or {}
    if not m:
        return []
    return [[r[0], r[1] if m.get("base") else "-", r[-1]] for r in metric_rows(m)]


def render_markdown(d: dict[str, Any], html_name: str = "report.html") -> str:
    out = [f"# onprem-sft run report: {d['run_dir']}", "", f"Full report with figures: `{html_name}`.", "",
           "## Stages", "", "| stage | status | counts | seconds |", "|---|---|---|---|"]
    for s in d["stages"]:
        counts = ", ".join(f"{k}={v}" for k, v in (s.get("counts") or {}).items())
        status = "done" if s["done"] else ("this report" if s["stage"] == "report" else "not run")
        out.append(f"| {s['stage']} | {status} | {counts} | "
                   f"{fmt(s.get('seconds')) if s.get('seconds') is not None else '-'} |")
    q = d.get("redaction_questions") or {}
    if d["redaction"] and q:
        out += ["", "## Redaction", "", "| entity type | count | in documents | in collected questions |",
                "|---|---|---|---|"]
        out += [f"| {k} | {v} | {v - q.get(k, 0)} | {q.get(k, 0)} |" for k, v in d["redaction"].items()]
    elif d["redaction"]:
        out += ["", "## Redaction", "", "| entity type | count |", "|---|---|"]
        out += [f"| {k} | {v} |" for k, v in d["redaction"].items()]
    if d["rejects"]:
        out += ["", "## Rejects by reason", "", "| stage | reason | count |", "|---|---|---|"]
        out += [f"| {s} | {r} | {n} |" for s, rs in d["rejects"].items() for r, n in rs.items()]
    rows = summary_rows(d)
    if rows:
        c = (d["metrics"].get("eval") or {}).get("comparison")
        out += ["", "## Evaluation (eval split)", ""]
        if collected_rows(d):
            out += ["| step | collected | generated |", "|---|---|---|"]
            out += [f"| {a} | {b} | {c} |" for a, b, c in collected_rows(d)] + [""]
            out += [collected_answers_line(d), ""] if collected_answers_line(d) else []
        out += [f"- {x}" for x in sources_lines(d)]
        out += ["", "| metric | base | tuned |", "|---|---|---|"]
        out += [f"| {a} | {b} | {t} |" for a, b, t in rows]
        if c:
            out += ["", f"Tuned vs base: {c['wins']} wins, {c['losses']} losses, {c['ties']} ties."]
    ext = (d.get("metrics") or {}).get("external") or {}
    if ext:
        systems = [x for x in ("base", "tuned") if ext.get(x)]
        out += ["", f"## External file {d['metrics'].get('external_file', '')} (n={ext.get('n', 0)})", "",
                "| metric | " + " | ".join(systems) + " |", "|---|" + "---|" * len(systems)]
        out += ["| " + " | ".join(r) + " |" for r in metric_rows(ext)]
    cf = d.get("curate_filters") or {}
    if cf.get("steps"):
        out += ["", "## Curation steps", "", "| step | | in | dropped | reason | note |", "|---|---|---|---|---|---|"]
        out += ["| " + " | ".join(str(c) for c in r) + " |" for r in _filter_rows(cf)]
        out += ["", _qualification_text(cf.get("qualification"))]
    if d["judge_scores"]:
        js = d["judge_scores"]
        out += ["", f"Curation judge: {len(js)} pairs, mean {sum(js) / len(js):.2f}."]
    if isinstance(d.get("agreement"), dict):
        out += ["", "## Judge-human agreement", ""] + [f"- {k}: {v}" for k, v in _agreement_rows(d["agreement"])]
    return "\n".join(out) + "\n"
