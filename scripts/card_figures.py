"""Collect figures measured after training into MODEL_DIR/figures.json, from the tools' own JSON outputs, and render
the model card again (the card shows them with the commands that produced them).

    python scripts/card_figures.py MODEL_DIR variant NAME "what changes" RUN_DIR        # a run's training_record.json
    python scripts/card_figures.py MODEL_DIR evaluation runs/eval-ood/metrics.json "stancesum evaluate ..."
    python scripts/card_figures.py MODEL_DIR benchmark runs/emergent.json               # stancesum benchmark -o
    python scripts/card_figures.py MODEL_DIR note "Title" FILE_WITH_TEXT
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from stancesum.models.articles_io import atomic_write_text
from stancesum.training.model_card import refresh


def compact_evaluation(metrics: dict, command: str) -> dict:
    def figure(section: dict, key: str) -> list[float] | None:
        if not section or key not in section:
            return None
        low, high = section.get("ci95", {}).get(key, [None, None])
        return [section[key], low, high]

    names = {"system": "model", "majority": "majority", "zero-shot": "zero-shot"}
    return {
        "split": metrics["gold"]["split"],
        "articles": metrics["gold"]["articles"],
        "pairs": metrics["gold"]["pairs"],
        "command": command,
        "systems": {
            label: {
                "stance_macro_f1": figure(metrics["systems"][name].get("stance", {}), "macro_f1"),
                "topic_accuracy": figure(metrics["systems"][name].get("topic", {}), "accuracy"),
            }
            for name, label in names.items()
            if name in metrics["systems"]
        },
    }


def upsert(entries: list[dict], entry: dict, key: str) -> list[dict]:
    """The entries with `entry` in place of the one with the same `key` (the card keeps its order), else appended."""
    same = [k for k, e in enumerate(entries) if e[key] == entry[key]]
    return [entry if k == same[0] else e for k, e in enumerate(entries)] if same else [*entries, entry]


def main() -> None:
    directory, kind, *rest = sys.argv[1:]
    path = Path(directory) / "figures.json"
    figures = json.loads(path.read_text()) if path.is_file() else {}
    if kind == "variant":
        name, description, run = rest
        record = json.loads((Path(run) / "training_record.json").read_text())
        c = record["calibrated"]
        entry = {
            "name": name,
            "description": description,
            "dev": c["dev"],
            "ood_dev": c["ood_dev"],
            "minutes": record["train_seconds"] / 60,
        }
        figures["variants"] = upsert(figures.get("variants", []), entry, "name")
    elif kind == "evaluation":
        metrics_path, command = rest
        entry = compact_evaluation(json.loads(Path(metrics_path).read_text()), command)
        figures["evaluations"] = upsert(figures.get("evaluations", []), entry, "split")
    elif kind == "benchmark":
        (result_path,) = rest
        r = json.loads(Path(result_path).read_text())
        measure = "accuracy"
        entry = {
            "name": r["benchmark"],
            "split": r["split"],
            "n": r["n"],
            "measure": measure,
            "systems": r["systems"],
            "published": r.get("published"),
            "command": r.get("command", f"stancesum benchmark {r['benchmark']}"),
        }
        figures["benchmarks"] = upsert(figures.get("benchmarks", []), entry, "name")
    elif kind == "note":
        title, text_file = rest
        entry = {"title": title, "text": Path(text_file).read_text().strip()}
        figures["notes"] = upsert(figures.get("notes", []), entry, "title")
    else:
        sys.exit(f"unknown kind {kind!r}")
    atomic_write_text(path, json.dumps(figures, indent=1) + "\n")
    refresh(Path(directory))


if __name__ == "__main__":
    main()
