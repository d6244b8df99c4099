"""Report figures as base64 PNG (matplotlib Agg, no display, no files): embedded in the one HTML file.

Labels are English/ASCII only: the default font has no Hangul glyphs.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

COLORS = {"base": "#9aa5b1", "tuned": "#2f6fde", "reference": "#e0a030"}


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def judge_histogram(scores: Sequence[float], threshold: float | None = None) -> str | None:
    if not scores:
        return None
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.hist(scores, bins=[0.75 + 0.5 * i for i in range(10)], color=COLORS["tuned"], edgecolor="white")
    if threshold is not None:
        ax.axvline(threshold, color="crimson", linestyle="--", label=f"threshold {threshold:g}")
        ax.legend()
    ax.set(xlabel="judge overall score (1-5)", ylabel="QnA pairs", title="Curation judge scores", xlim=(0.5, 5.5))
    return _png(fig)


def loss_curve(rows: Sequence[dict[str, Any]]) -> str | None:
    tr = [(r["step"], r["loss"]) for r in rows if r.get("loss") is not None]
    ev = [(r["step"], r["eval_loss"]) for r in rows if r.get("eval_loss") is not None]
    if not tr and not ev:
        return None
    fig, ax = plt.subplots(figsize=(5.5, 3))
    if tr:
        ax.plot(*zip(*tr), marker=".", label="train loss", color=COLORS["tuned"])
    if ev:
        ax.plot(*zip(*ev), marker="o", label="eval loss", color="crimson")
    ax.set(xlabel="step", ylabel="loss", title="Training loss")
    ax.legend()
    return _png(fig)


def metric_bars(metrics: dict[str, Any]) -> str | None:
    """EM, token F1, char F1, refusal P/R and judge/5, base vs tuned."""
    names = [("EM", ("answerable", "em"), 1), ("F1 token", ("answerable", "f1_token"), 1),
             ("F1 char", ("answerable", "f1_char"), 1), ("refusal P", ("refusal", "precision"), 1),
             ("refusal R", ("refusal", "recall"), 1), ("judge / 5", ("judge", "mean"), 5)]
    systems = [s for s in ("base", "tuned") if metrics.get(s)]
    if not systems:
        return None

    def get(d: dict[str, Any], path: tuple[str, str], scale: float) -> float:
        v = (d.get(path[0]) or {}).get(path[1])
        return 0.0 if v is None else float(v) / scale

    fig, ax = plt.subplots(figsize=(6.5, 3))
    w = 0.8 / len(systems)
    for i, s in enumerate(systems):
        xs = [j + i * w for j in range(len(names))]
        ax.bar(xs, [get(metrics[s], p, sc) for _, p, sc in names], width=w, label=s, color=COLORS[s])
    ax.set_xticks([j + w * (len(systems) - 1) / 2 for j in range(len(names))], [n for n, _, _ in names])
    ax.set(ylim=(0, 1.05), title="Eval metrics: base vs tuned")
    ax.legend()
    return _png(fig)


def length_boxplot(lengths: dict[str, Sequence[int]]) -> str | None:
    """Answer length (characters) of reference vs base vs tuned: label style shapes answer length."""
    data = {k: list(v) for k, v in lengths.items() if v}
    if not data:
        return None
    fig, ax = plt.subplots(figsize=(5, 3))
    bp = ax.boxplot(list(data.values()), patch_artist=True)
    ax.set_xticks(range(1, len(data) + 1), list(data))
    for patch, k in zip(bp["boxes"], data):
        patch.set_facecolor(COLORS.get(k, "#cccccc"))
    ax.set(ylabel="characters (no spaces)", title="Answer length, answerable questions")
    return _png(fig)


def redaction_bars(counts: dict[str, int]) -> str | None:
    if not counts:
        return None
    items = sorted(counts.items(), key=lambda kv: kv[1])
    fig, ax = plt.subplots(figsize=(5.5, 0.35 * len(items) + 1.2))
    ax.barh([k for k, _ in items], [v for _, v in items], color=COLORS["tuned"])
    ax.set(xlabel="entities redacted", title="Redactions by type")
    return _png(fig)
