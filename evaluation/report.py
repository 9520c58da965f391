"""Writing an evaluation to disk: metrics.json, predictions.jsonl, report.md and a self-contained report.html."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

from stancesum.models.articles_io import atomic_write_text, save_articles

HEADLINE = [
    ("stance", "macro_f1", "stance macro-F1"),
    ("stance", "f_avg", "stance F_avg"),
    ("stance", "accuracy", "stance accuracy"),
    ("topic", "accuracy", "topic accuracy"),
    ("topic", "macro_f1", "topic macro-F1"),
    ("summary", "rouge1", "ROUGE-1"),
    ("summary", "rouge2", "ROUGE-2"),
    ("summary", "rougeLsum", "ROUGE-Lsum"),
]


def _cell(section: dict, key: str) -> str:
    if not section or key not in section:
        return "–"
    value = section[key]
    ci = section.get("ci95", {}).get(key)
    return f"{value:.3f}" + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "")


def headline_rows(metrics: dict) -> list[list[str]]:
    systems = metrics["systems"]
    return [[label] + [_cell(systems[name].get(part, {}), key) for name in systems] for part, key, label in HEADLINE]


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def _per_class_rows(section: dict) -> list[list[str]]:
    return [
        [label, f"{v['precision']:.3f}", f"{v['recall']:.3f}", f"{v['f1']:.3f}", str(v["support"])]
        for label, v in section.get("per_class", {}).items()
    ]


def _breakdown_rows(section: dict, key: str) -> list[list[str]]:
    return [
        [
            name[:70],
            str(v["n"]),
            f"{v['accuracy']:.3f}",
            f"{v['macro_f1']:.3f}",
            f"{v['f_avg']:.3f}",
            "/".join(str(v["gold"][k]) for k in ("favor", "against", "none")),
            "/".join(str(v["predicted"][k]) for k in ("favor", "against", "none")),
        ]
        for name, v in section.get(key, {}).items()
    ]


def render_markdown(metrics: dict) -> str:
    gold = metrics["gold"]
    system = metrics["systems"]["system"]
    out = [
        f"# Evaluation of `{metrics['system']}`",
        "",
        f"Gold: `{gold['path']}`"
        + (f" (split {gold['split']})" if gold["split"] else "")
        + f": {gold['articles']} articles, {gold['sentences']} sentences, {gold['pairs']} sentence–target pairs "
        f"(sha256 {gold['sha256'][:12]}). Predictions on gold sentences and gold targets. 95% intervals: "
        "percentile bootstrap over articles (1,000 resamples).",
        "",
        "## Headline figures",
        "",
        _md_table(["measure", *metrics["systems"]], headline_rows(metrics)),
        "",
    ]
    if system.get("stance"):
        out += [
            "## Stance per class",
            "",
            _md_table(["label", "precision", "recall", "F1", "support"], _per_class_rows(system["stance"])),
            "",
            "Confusion (rows gold, columns predicted; favor / against / none):",
            "",
            _md_table(
                ["gold \\ predicted", "favor", "against", "none"],
                [
                    [lab] + [str(x) for x in row]
                    for lab, row in zip(system["stance"]["labels"], system["stance"]["confusion_matrix"], strict=True)
                ],
            ),
            "",
            "## Stance per target",
            "",
            _md_table(
                ["target", "pairs", "accuracy", "macro-F1", "F_avg", "gold f/a/n", "predicted f/a/n"],
                _breakdown_rows(system["stance"], "per_target"),
            ),
            "",
            "## Stance per article",
            "",
            _md_table(
                ["article", "pairs", "accuracy", "macro-F1", "F_avg", "gold f/a/n", "predicted f/a/n"],
                _breakdown_rows(system["stance"], "per_article"),
            ),
            "",
        ]
    if system.get("topic"):
        out += [
            "## Topic per class",
            "",
            _md_table(["label", "precision", "recall", "F1", "support"], _per_class_rows(system["topic"])),
            "",
        ]
    summaries = {name: s.get("summary") for name, s in metrics["systems"].items() if s.get("summary")}
    if summaries:
        out += [
            "## Summaries",
            "",
            _md_table(
                ["system", "ROUGE-1", "ROUGE-2", "ROUGE-Lsum", "words", "compression"],
                [
                    [
                        n,
                        f"{s['rouge1']:.3f}",
                        f"{s['rouge2']:.3f}",
                        f"{s['rougeLsum']:.3f}",
                        f"{s['mean_summary_words']:.1f}",
                        f"{s.get('compression', float('nan')):.3f}",
                    ]
                    for n, s in summaries.items()
                ],
            ),
            "",
        ]
    out += [
        "## Provenance",
        "",
        f"Model directory: `{metrics['model_dir']}`. Baselines fitted on {metrics['baselines_trained_on']}.",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in metrics["versions"].items()),
        "",
    ]
    return "\n".join(out)


def _confusion_png(matrix: list[list[int]], labels: list[str], title: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    cm = np.array(matrix, dtype=float)
    size = 2.2 + 0.45 * len(labels)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    shares = cm / np.maximum(cm.sum(1, keepdims=True), 1)
    ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if cm[i, j]:
                ax.text(
                    j,
                    i,
                    str(int(cm[i, j])),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if shares[i, j] > 0.5 else "black",
                )
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(metrics: dict) -> str:
    """One self-contained page: the markdown report's tables, and the confusion matrices as embedded images."""
    import re

    sections, images = [], []
    for block in render_markdown(metrics).split("\n\n"):
        lines = block.strip().splitlines()
        if not lines:
            continue
        if lines[0].startswith("|"):
            rows = [[c.strip() for c in line.strip("|").split(" | ")] for line in lines if not line.startswith("|---")]
            sections.append(_html_table(rows[0], rows[1:]))
        elif lines[0].startswith("#"):
            level = len(lines[0]) - len(lines[0].lstrip("#"))
            title = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(lines[0].lstrip("# ")))
            sections.append(f"<h{level}>{title}</h{level}>")
        else:
            text = html.escape(" ".join(lines))
            sections.append("<p>" + re.sub(r"`([^`]+)`", r"<code>\1</code>", text) + "</p>")
    for name, result in metrics["systems"].items():
        for part in ("stance", "topic"):
            section = result.get(part)
            if section and "confusion_matrix" in section:
                png = _confusion_png(section["confusion_matrix"], section["labels"], f"{part}: {name}")
                images.append(
                    f'<figure><img alt="{part} confusion matrix, {html.escape(name)}" '
                    f'src="data:image/png;base64,{png}">'
                    f"<figcaption>{part} confusion matrix: {html.escape(name)}</figcaption></figure>"
                )
    style = (
        "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
        "table{border-collapse:collapse;margin:1em 0;font-size:0.9em}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
        "th{background:#f3f3f3}figure{display:inline-block;margin:0.5em}code{background:#f3f3f3;padding:1px 3px}"
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>stancesum evaluation</title>"
        f"<style>{style}</style></head>"
        f"<body>{''.join(sections)}<h2>Confusion matrices</h2>{''.join(images)}</body></html>\n"
    )


def write_report(result, output_dir: Path) -> None:
    output_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(output_dir / "metrics.json", json.dumps(result.metrics, indent=2, ensure_ascii=False) + "\n")
    save_articles(output_dir / "predictions.jsonl", result.predictions)
    atomic_write_text(output_dir / "report.md", render_markdown(result.metrics))
    atomic_write_text(output_dir / "report.html", render_html(result.metrics))
