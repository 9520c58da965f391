"""Rendering analyses as a terminal table, JSON, JSONL (the article format) or Markdown."""

from __future__ import annotations

import io
import json

from stancesum.inference.results import ArticleAnalysis

FORMATS = ("table", "json", "jsonl", "markdown")
_STANCE_STYLE = {"favor": "green", "against": "red", "none": "dim"}


def render(analyses: list[ArticleAnalysis], fmt: str, width: int | None = None) -> str:
    if fmt == "json":
        return json.dumps([a.to_dict() for a in analyses], ensure_ascii=False, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(a.to_article().to_dict(), ensure_ascii=False) + "\n" for a in analyses)
    if fmt == "markdown":
        return "\n".join(_markdown(a) for a in analyses)
    if fmt == "table":
        return "".join(_table(a, width) for a in analyses)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _target_keys(a: ArticleAnalysis) -> dict[str, str]:
    return {t: f"T{k}" for k, t in enumerate(a.targets, 1)}


def _markdown(a: ArticleAnalysis) -> str:
    keys = _target_keys(a)
    out = [f"## {a.title or a.id}", ""]
    out += [f"- **{keys[t]}**: {t}" for t in a.targets]
    if a.summary:
        out += ["", f"**Summary.** {a.summary}"]
    out += [
        "",
        "| # | sentence | topic | " + " | ".join(keys[t] for t in a.targets) + " |",
        "|---|---|---|" + "---|" * len(a.targets),
    ]
    for s in a.sentences:
        stances = " | ".join(f"{s.stance[t].label} {s.stance[t].scores[s.stance[t].label]:.2f}" for t in a.targets)
        text = s.text.replace("|", "\\|")
        out.append(f"| {s.index} | {text} | {s.topic} {s.topic_scores[s.topic]:.2f} | {stances} |")
    out += ["", "| target | favor | against | none |", "|---|---|---|---|"]
    out += ["| {} | {favor} | {against} | {none} |".format(t, **a.by_target[t].counts) for t in a.targets]
    return "\n".join(out) + "\n"


def _table(a: ArticleAnalysis, width: int | None) -> str:
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    import shutil

    width = width or max(100, shutil.get_terminal_size(fallback=(140, 40)).columns)
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None, soft_wrap=False)
    keys = _target_keys(a)
    console.rule(a.title or a.id)
    for t in a.targets:
        console.print(f"{keys[t]} = {t}")
    if a.summary:
        console.print(f"Summary: {a.summary}")
    table = Table(show_lines=False, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("sentence", ratio=1)
    table.add_column("topic", no_wrap=True)
    for t in a.targets:
        table.add_column(keys[t], no_wrap=True)
    for s in a.sentences:
        cells = [f"{s.stance[t].label} {s.stance[t].scores[s.stance[t].label]:.2f}" for t in a.targets]
        table.add_row(str(s.index), s.text, f"{s.topic} {s.topic_scores[s.topic]:.2f}", *cells)
    console.print(table)
    for t in a.targets:
        summary = a.by_target[t]
        c = summary.counts
        console.print(f"{keys[t]} {t}: favor {c['favor']} · against {c['against']} · none {c['none']}")
        for side in ("favor", "against"):
            for ev in getattr(summary, side)[:1]:
                console.print(f"   strongest {side} (#{ev.index}, {ev.score:.2f}): {ev.text}")
    console.print()
    return buffer.getvalue()
