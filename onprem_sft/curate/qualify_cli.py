"""``onprem-sft judge qualify FILE [--out DIR] [hydra overrides ...]``: score the configured judge.

FILE is a human-labelled CSV (the eye-check format works: question, context, answer, human_label and
optionally answerable, lang, human_score). Prints accuracy, Cohen's kappa and Spearman of the judge
against the human labels, and whether the curate stage would use the judge (gating) or only record its
verdicts (advisory). Overrides are the pipeline's (``experiment=demo_en``, ``llm.model=...``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from onprem_sft.curate import qualify as qf
from onprem_sft.curate.agreement import shown


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="onprem-sft judge", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("qualify", help="agreement of the configured judge with a human-labelled CSV")
    q.add_argument("file", type=Path)
    q.add_argument("--out", type=Path, default=None,
                   help="folder for the result JSON and the judge's llm_calls.jsonl (default: a temp dir)")
    q.add_argument("--all-langs", action="store_true", help="use rows of every language, not only prompts.lang")
    q.add_argument("overrides", nargs="*", help="hydra overrides, e.g. experiment=demo_en")
    return p


def main(argv: list[str] | None = None) -> int:
    args, extra = _parser().parse_known_args(argv)     # overrides may also follow --out
    unknown = [x for x in extra if x.startswith("-")]
    if unknown:
        _parser().error(f"unrecognized arguments: {' '.join(unknown)}")
    args.overrides = [*args.overrides, *extra]
    from onprem_sft.config import ConfigError, compose, validate

    try:
        cfg = compose(list(args.overrides))
        validate(cfg)
        refusal = str(cfg.prompts.refusal)
        lang = None if args.all_langs else (str(cfg.prompts.get("lang") or "") or None)
        items = qf.load_items(args.file, refusal=refusal, lang=lang)
        if not items:
            raise qf.QualifyError(f"{args.file}: no labelled row{f' with lang={lang}' if lang else ''}; fill "
                                  f"human_label (pass/fail){' or pass --all-langs' if lang else ''}")
    except (ConfigError, qf.QualifyError) as e:
        print(f"judge qualify: {e}", file=sys.stderr)
        return 2
    from onprem_sft.llm.calls import CallLog
    from onprem_sft.llm.factory import build_engine, llm_config

    out = args.out or Path(tempfile.mkdtemp(prefix="judge-qualify-"))
    out.mkdir(parents=True, exist_ok=True)
    with build_engine(llm_config(cfg.llm), out, progress=True) as engine, CallLog(out, "judge-qualify", engine) as calls:
        res = qf.qualify(items, cfg.curate.judge, cfg.prompts, refusal=refusal, seed=int(cfg.run.seed),
                         generate=lambda reqs: calls.generate(reqs, desc="judge qualification"))
    mode, why = qf.decide_mode(res, float(cfg.curate.judge.qualify.min_kappa))
    res.update(mode=mode, why=why, file=args.file.name, model=engine.model_path)
    (out / qf.RESULT_FILE).write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"judge qualify: {res['n']} labelled pairs ({res['unparsed']} verdicts unparsed); accuracy "
          f"{res['accuracy']}, Cohen's kappa {shown(res['cohen_kappa'])}, Spearman {shown(res['spearman'])} "
          f"(n={res['n_scored']}); judge pass rate {res['judge_pass_rate']} vs human {res['human_pass_rate']}\n"
          f"curate would use this judge as: {mode} ({why}) -> {out / qf.RESULT_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
