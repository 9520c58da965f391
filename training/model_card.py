"""The model card written next to every trained labeler."""

from __future__ import annotations

import json
import platform
from pathlib import Path

import torch
import transformers

from stancesum.models.schema import LabelSchema
from stancesum.training.new_data import file_sha256

DELTA_NOTE = "only the encoder weights training changed, in float16, applied over the base encoder from its package"


def _table(rows: list[tuple], header: tuple) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _fmt(x) -> str:
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def _new_data_section(data: dict) -> str:
    """The `--data` files, the overlap check against the evaluation splits, and the duplicates dropped."""
    if not data.get("files"):
        return ""
    rows = [(f"`{f['path']}`", f["sha256"][:16], f["articles"], f["sentences"], f["pairs"]) for f in data["files"]]
    checked = ", ".join(f"{split} {n}" for split, n in data["checked_against"].items())
    if data["overlaps"]:
        overlap = f"**{len(data['overlaps'])} overlap(s), allowed by --allow-overlap:** " + "; ".join(data["overlaps"])
    else:
        overlap = "none found (exact and near copies, 8-gram containment >= 0.5)"
    dupes = "; ".join(data["duplicates_dropped"]) or "none"
    return f"""
### New data (--data)

{_table(rows, ("file", "sha256", "articles", "sentences", "pairs"))}

Overlap with the evaluation articles ({checked}): {overlap}.
Duplicates within the new data, dropped: {dupes}.
"""


def retraining_verdict(retraining: dict) -> str:
    """One sentence: whether the retrained model beats the one it started from on the held-out selection splits."""
    before = sum(r["before"]["score"] for r in retraining.values()) / len(retraining)
    after = sum(r["after"]["score"] for r in retraining.values()) / len(retraining)
    intervals = [r["difference"][key] for r in retraining.values() for key in ("stance_macro_f1", "topic_accuracy")]
    if any(high < 0 for _, _, high in intervals):
        verdict = "worse than the model it started from on at least one measure (an interval below 0): keep that one"
    elif any(low > 0 for _, low, _ in intervals):
        verdict = "better than the model it started from (an interval above 0, none below)"
    else:
        verdict = "no clear difference from the model it started from (every interval spans 0)"
    mean = "Mean selection score (stance macro-F1 and topic accuracy)"
    return f"{mean} {before:.3f} before, {after:.3f} after: {verdict}."


def _retraining_section(retraining: dict | None) -> str:
    """Before/after figures on the same held-out splits, with the paired-bootstrap interval of the difference."""
    if not retraining:
        return ""
    rows = []
    for split, r in retraining.items():
        for key, name in (("stance_macro_f1", "stance macro-F1"), ("topic_accuracy", "topic accuracy")):
            point, low, high = r["difference"][key]
            rows.append(
                (
                    f"seed {split} ({r['articles']} articles)",
                    name,
                    _fmt(r["before"][key]),
                    _fmt(r["after"][key]),
                    f"{point:+.3f} [{low:+.3f}, {high:+.3f}]",
                )
            )
    return f"""
### Before and after retraining

{_table(rows, ("split", "measure", "before", "after", "difference [95% CI]"))}

The same articles scored by the model this run started from and by the result; the interval is a paired
bootstrap over articles (1,000 resamples). {retraining_verdict(retraining)}
"""


def _ci(v) -> str:
    return f"{v[0]:.3f} [{v[1]:.3f}, {v[2]:.3f}]" if isinstance(v, list) else (f"{v:.3f}" if v is not None else "–")


def figures_section(directory: Path | None) -> str:
    """Figures measured after training and saved beside the model in figures.json (scripts/card_figures.py):
    the variants compared on the selection splits, held-out evaluations with baselines, benchmarks, notes."""
    path = directory / "figures.json" if directory else None
    if path is None or not path.is_file():
        return ""
    figures = json.loads(path.read_text(encoding="utf-8"))
    out = []
    if figures.get("variants"):
        rows = [
            (
                v["name"],
                v["description"],
                *(_fmt(v[s][k]) for s in ("dev", "ood_dev") for k in ("stance_macro_f1", "topic_accuracy")),
                f"{v['minutes']:.0f}",
            )
            for v in figures["variants"]
        ]
        out.append(
            "## Variants compared (selection splits; calibrated)\n\n"
            + _table(
                rows,
                (
                    "variant",
                    "what changes",
                    "dev stance F1",
                    "dev topic acc",
                    "ood_dev stance F1",
                    "ood_dev topic acc",
                    "minutes",
                ),
            )
            + "\n\nEvery variant was compared on seed dev + ood_dev only (its own calibration tuned there too); test "
            "and ood_test were scored once, for the chosen model. Minutes: training on 2 CPU cores."
        )
    for e in figures.get("evaluations", []):
        systems = list(e["systems"])
        rows = [
            (label, *(_ci(e["systems"][s].get(key)) for s in systems))
            for key, label in (
                ("stance_macro_f1", "stance macro-F1 [95% CI]"),
                ("topic_accuracy", "topic accuracy [95% CI]"),
            )
        ]
        out.append(
            f"## Seed {e['split']} ({e['articles']} articles, {e['pairs']} pairs)\n\n"
            + _table(rows, ("measure", *systems))
            + f"\n\n`{e['command']}`"
        )
    if figures.get("benchmarks"):
        rows = [
            (
                b["name"],
                b["split"],
                b["n"],
                *(_with_interval(b["systems"].get(s, {}), b["measure"]) for s in ("majority", "zero-shot", "model")),
                b.get("published") or "–",
            )
            for b in figures["benchmarks"]
        ]
        out.append(
            "## Public benchmarks\n\n"
            + _table(rows, ("benchmark", "split", "n", "majority", "zero-shot", "this model", "published"))
            + "\n\n"
            + "; ".join(f"`{b['command']}`" for b in figures["benchmarks"])
        )
    for note in figures.get("notes", []):
        out.append(f"## {note['title']}\n\n{note['text']}")
    return "\n\n".join(out) + "\n"


def render_model_card(
    record: dict,
    args: dict,
    schema: LabelSchema,
    data_hashes: dict[str, str],
    test_scores: dict | None,
    size_bytes: int,
    directory: Path | None = None,
) -> str:
    best = record["best"]
    examples = record["examples"]
    rows = [(k, sum(v.values()), ", ".join(f"{lab} {n}" for lab, n in v.items())) for k, v in examples.items()]
    splits = args.get("selection_splits", ["dev"])
    scores = []

    def add(label: str, s: dict) -> None:
        for split in splits:  # per held-out split when the record has them, else the one figure
            part = s.get(split, s if split == splits[0] else None)
            if part:
                scores.append((f"seed {split}, {label}", _fmt(part["stance_macro_f1"]), _fmt(part["topic_accuracy"])))

    if record.get("dev_before"):
        add("before retraining", record["dev_before"])
    add(f"best checkpoint (selected on {' + '.join(splits)})", best)
    if record.get("calibrated"):
        c = record["calibrated"]
        add(
            f"after tuning the none prior ({c['stance_none_bias']:+.2f}) and topic smoothing "
            f"({c.get('topic_smoothing', 0.0):.2f}) on {' + '.join(splits)}",
            c,
        )
    for split, s in (test_scores or {}).items():
        if s:
            scores.append(
                (f"seed {split} (once, after selection)", _fmt(s["stance_macro_f1"]), _fmt(s["topic_accuracy"]))
            )
    guarded = any("guard_accuracy" in h for h in record["history"])
    history = [
        (h["step"], h["epoch"], _fmt(h["stance_macro_f1"]), _fmt(h["topic_accuracy"]))
        + ((_fmt(h["guard_accuracy"]) if "guard_accuracy" in h else "",) if guarded else ())
        for h in record["history"]
    ]  # means over the selection splits
    history_columns = ("step", "epoch", "selection stance macro-F1", "selection topic accuracy") + (
        ("Emergent guard accuracy",) if guarded else ()
    )
    guard_note = _guard_note(record, args) if guarded else ""
    guard_rule = ", less the guard's shortfall" if guarded else ""
    last_step = max((h["step"] for h in record["history"] if isinstance(h["step"], int)), default="?")
    data = record.get("data") or {}
    warning = ""
    if data.get("overlap_allowed") and data.get("overlaps"):
        warning = (
            f"**Trained with --allow-overlap: {len(data['overlaps'])} new article(s) copy evaluation articles, so the "
            "scores below are not held-out figures.**\n\n"
        )
    return f"""---
language: en
license: mit
base_model: {args["base_model"]}
tags: [stance-detection, topic-classification, news, stancesum]
---

{warning}# stancesum sentence labeler

One transformer encoder ({args["base_model"]}, mean pooling) shared by two heads: **topic** over the
sentence ({len(schema.topics)} labels) and **stance** (favor / against / none) over the pair
(target, sentence), cross-encoder style, so targets never seen in training still work.

## Intended use

Labeling the sentences of English news articles for topic and for stance toward short target phrases,
through `stancesum analyze --model DIR` or `Analyzer.from_pretrained(DIR)`. Not for decisions about
people; predictions are per sentence and miss positions spread over several sentences.

## Scores

{_table(scores, ("split", "stance macro-F1", "topic accuracy"))}

Gold sentences and gold targets of `seeds/` (see `seeds/splits.json`). The evaluation harness
(`stancesum evaluate`) gives the full figures with baselines and confidence intervals.

{figures_section(directory)}
## Training data (examples per epoch)

{_table(rows, ("task/source", "examples", "labels"))}

Data files (sha256): {", ".join(f"`{k}` {v[:16]}" for k, v in data_hashes.items())}.
{_new_data_section(data)}{_retraining_section(record.get("retraining"))}
Public corpora are read from `--data-dir` and are not part of this repository; see `training/corpora/`.

## Hyper-parameters

```json
{json.dumps({k: v for k, v in args.items() if k not in ("seeds_path", "splits_path", "data_dir")}, indent=2)}
```

Best checkpoint (mean of the selection splits{guard_rule}) at step {best["step"]} of {last_step};
training took {record["train_seconds"] / 60:.1f} minutes on {platform.machine()} CPU ({args["threads"]} threads),
torch {torch.__version__}, transformers {transformers.__version__}. Weights stored: {size_bytes / 1e6:.1f} MB
({DELTA_NOTE if args["encoder_weights"] == "delta" else "the whole encoder"}).

{_table(history, history_columns)}
{guard_note}
## Limits

- The seed corpus has a few hundred articles, labeled by AI annotation sessions and reviewed by another (see
  `seeds/README.md`); scores on its splits have intervals several points wide.
- Sided sentences are rare (about one pair in five) and `against` rarer still: stance F1 on `against` is the
  weakest figure, and out of domain reporting sentences are still labeled with a side more often than in domain.
- Stance is judged per sentence; sarcasm, long-range context and positions implied by the whole
  article are missed.
- English only.
"""


def data_sha256(args: dict, known: dict[str, str] | None = None) -> dict[str, str]:
    """sha256 of every data file a run reads (by file name): the seed corpus, its splits and each --data file;
    `known` (path -> sha256, as the new-data check hashed them) is not read again."""
    known = known or {}
    paths = [args["seeds_path"], args["splits_path"], *args["extra_data"]]
    return {Path(p).name: known.get(str(p)) or file_sha256(p) for p in paths}


def _with_interval(system: dict, measure: str) -> str:
    """A benchmark figure, with its 95% interval where the benchmark gave one."""
    low_high = system.get(f"{measure}_ci95")
    return _fmt(system.get(measure)) + (f" [{_fmt(low_high[0])}, {_fmt(low_high[1])}]" if low_high else "")


def _guard_note(record: dict, args: dict) -> str:
    pairs = sum(sum(v.values()) for v in (record.get("guard") or {}).values())
    calibrated = (record.get("calibrated") or {}).get("guard_accuracy")
    after = f", {_fmt(calibrated)} after calibration" if calibrated is not None else ""
    return (
        f"\nThe Emergent guard: {pairs} pairs ({args['emergent_guard']:.0%} of Emergent's train claims), held out of "
        f"training; a checkpoint (and the none prior) lost its accuracy's shortfall below {args['guard_floor']:.2f} "
        f"from its score. Its accuracy at the chosen checkpoint: "
        f"{_fmt(record['best'].get('guard_accuracy', float('nan')))}{after}.\n"
    )


def write_model_card(directory: Path, record: dict, args: dict, schema: LabelSchema, test_scores: dict | None) -> None:
    """The card shows the hashes the run recorded when it read its data; records made before that was recorded get
    the files' hashes as they are now."""
    from stancesum.models.articles_io import atomic_write_text

    hashes = record.get("data_sha256") or data_sha256(args)
    size = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file() and p.suffix == ".safetensors")
    atomic_write_text(
        directory / "README.md", render_model_card(record, args, schema, hashes, test_scores, size, directory)
    )


def refresh(directory: Path) -> None:
    """Render README.md again from the directory's training record and figures.json."""
    record = json.loads((directory / "training_record.json").read_text(encoding="utf-8"))
    args = record.pop("arguments")
    write_model_card(directory, record, args, LabelSchema.load(directory), record.get("test"))


if __name__ == "__main__":
    import sys

    refresh(Path(sys.argv[1]))
